"""A real FeedbackServer on a free local port, and a client that keeps its cookies."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from aiohttp import web

from feedback_tui.serve.auth import Logins, hash_password
from feedback_tui.serve.server import FeedbackServer

PROBE = Path(__file__).with_name("probe_app.py")
PASSWORDS = {"camille": "correct horse battery", "Marc Dupont": "un autre mot de passe"}
HASHES = {name: hash_password(password) for name, password in PASSWORDS.items()}


@dataclass
class Running:
    server: FeedbackServer
    url: str
    record: Path

    def launches(self) -> list[list[str]]:
        """The command lines of every app the server started, in order."""
        if not self.record.exists():
            return []
        return [json.loads(line) for line in self.record.read_text(encoding="utf-8").splitlines()]


@asynccontextmanager
async def running_server(tmp_path: Path, monkeypatch, app_argv: Sequence[str] | None = None,
                         **options) -> AsyncIterator[Running]:
    record = tmp_path / "launches.jsonl"
    monkeypatch.setenv("PROBE_RECORD", str(record))
    server = FeedbackServer(list(app_argv or [sys.executable, str(PROBE)]), Logins(HASHES), **options)
    runner = web.AppRunner(await server._make_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    server.port = port
    try:
        yield Running(server, f"http://127.0.0.1:{port}", record)
    finally:
        await runner.cleanup()


def client() -> aiohttp.ClientSession:
    # unsafe=True: keep cookies set by an IP address (127.0.0.1), as a browser does
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def login(session: aiohttp.ClientSession, url: str, agent: str, password: str) -> aiohttp.ClientResponse:
    async with session.post(f"{url}/login", data={"agent": agent, "password": password},
                            allow_redirects=False) as response:
        await response.read()
        return response
