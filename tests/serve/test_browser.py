"""``serve`` in a real browser: Debian's chromium driven by Playwright, the real app behind it.

Log in (after a wrong password is refused), see the inbox, move with ``j``,
answer with ``r`` + Ctrl+S, check the reply in the database under the session's
agent, log out. The terminal draws on a canvas, so what the app sent is read from
the websocket's bytes, which a script placed before the page's own records.
Skipped, with the reason, where chromium or Playwright is missing (``.ci/run``
installs chromium when it runs as root).
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest
from serve_helpers import PASSWORDS, running_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason="Debian's chromium is not installed (apt-get install -y chromium; .ci/run does it as root)"),
]

RECORD_SCREEN = """
(() => {
  const Native = window.WebSocket, decoder = new TextDecoder();
  let text = '';
  window.__screenText = () => text;
  class Recording extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        if (event.data instanceof ArrayBuffer) text += decoder.decode(event.data, {stream: true});
      });
    }
  }
  window.WebSocket = Recording;
})();
"""


async def _shows(page, text: str, since: int = 0, timeout: float = 15_000) -> None:
    await page.wait_for_function("([text, since]) => window.__screenText().slice(since).includes(text)",
                                 arg=[text, since], timeout=timeout)


async def _mark(page) -> int:
    return await page.evaluate("window.__screenText().length")


async def test_log_in_triage_reply_and_log_out_in_chromium(tmp_path, monkeypatch, run_cli, db_path) -> None:
    playwright_api = pytest.importorskip("playwright.async_api", reason="the playwright package is not installed")
    assert run_cli("import", FIXTURES / "reviews.csv", "--no-sentiment").exit_code in (0, 1)
    app_argv = [sys.executable, "-m", "feedback_tui", "--db", str(db_path)]
    async with running_server(tmp_path, monkeypatch, app_argv=app_argv) as running, \
            playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 800})
            await page.add_init_script(RECORD_SCREEN)
            await page.goto(f"{running.url}/?agent=mallory")
            assert page.url.endswith("/login")

            await page.fill("input[name=agent]", "camille")
            await page.fill("input[name=password]", "not her password")
            await page.click("button[type=submit]")
            await page.wait_for_selector("text=Wrong agent name or password.")
            assert running.server.apps == {}

            await page.fill("input[name=agent]", "camille")
            await page.fill("input[name=password]", PASSWORDS["camille"])
            await page.click("button[type=submit]")
            await _shows(page, "Needs reply", timeout=25_000)
            await _shows(page, "agent: camille")
            assert "mallory" not in await page.evaluate("window.__screenText()")

            await page.focus(".xterm-helper-textarea")
            mark = await _mark(page)
            await page.keyboard.press("j")
            await page.keyboard.press("r")
            await _shows(page, "case number?", since=mark)  # the template asks for its blank
            await page.keyboard.type("A-1234")
            mark = await _mark(page)
            await page.keyboard.press("Enter")
            await _shows(page, "characters", since=mark)  # the composer's counter: the template is in
            await page.keyboard.press("End")
            await page.keyboard.type(" Merci de votre patience.")
            await _shows(page, "patience.", since=mark)  # on screen before sending, as a person would wait
            mark = await _mark(page)
            await page.keyboard.press("Control+KeyS")
            await _shows(page, "Needs reply", since=mark)  # back in the inbox, the reply held

            await _shows(page, "sending in", since=mark)  # held for the send grace period (10 s)
            replies = []
            for _ in range(100):  # stored once the grace period ends
                with sqlite3.connect(db_path) as conn:
                    replies = conn.execute("SELECT agent, text FROM replies WHERE origin = 'agent'").fetchall()
                if replies:
                    break
                await asyncio.sleep(0.2)
            assert len(replies) == 1
            assert replies[0][0] == "camille"
            assert "A-1234" in replies[0][1] and replies[0][1].endswith("Merci de votre patience.")

            await page.click("#ft-logout button")
            await page.wait_for_selector("text=You are logged out.")
            await page.goto(f"{running.url}/")
            assert page.url.endswith("/login")
            for _ in range(100):
                if not running.server.apps:
                    break
                await page.wait_for_timeout(50)
            assert running.server.apps == {}  # the app ended with the session
        finally:
            await browser.close()
