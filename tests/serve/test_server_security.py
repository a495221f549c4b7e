"""``serve``'s login in front of textual-serve, against a real aiohttp server on a free port.

The app behind it is a probe process (probe_app.py) that records its command
line, so each test can tell whether an app was started and for whom; the real
app runs behind the same server in test_browser.py.
"""

from __future__ import annotations

import asyncio
import logging
import secrets

import aiohttp
import pytest
from serve_helpers import HASHES, PASSWORDS, client, login, running_server

from feedback_tui.serve.server import COOKIE, LOGIN_MESSAGE


async def _wait_for(predicate, limit: float = 10.0) -> None:
    for _ in range(int(limit / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached")


async def _open_ws(session: aiohttp.ClientSession, url: str, query: str = "", origin: str | None = None):
    return await session.ws_connect(f"{url.replace('http', 'ws', 1)}/ws{query}",
                                    headers={"Origin": origin or url})


async def test_no_cookie_gets_the_login_page_and_no_app(tmp_path, monkeypatch) -> None:
    async with running_server(tmp_path, monkeypatch) as running, client() as browser:
        async with browser.get(f"{running.url}/", allow_redirects=False) as response:
            assert response.status == 303 and response.headers["Location"] == "/login"
        async with browser.get(f"{running.url}/login") as response:
            page = await response.text()
            assert response.status == 200 and 'name="password"' in page
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await _open_ws(browser, running.url)
        assert refused.value.status == 401
        async with browser.get(f"{running.url}/download/anything") as response:
            assert response.status == 401
        assert running.launches() == []


async def test_a_forged_cookie_is_refused(tmp_path, monkeypatch) -> None:
    async with running_server(tmp_path, monkeypatch) as running, client() as browser:
        browser.cookie_jar.update_cookies({COOKIE: secrets.token_urlsafe(32)})
        async with browser.get(f"{running.url}/", allow_redirects=False) as response:
            assert response.status == 303 and response.headers["Location"] == "/login"
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await _open_ws(browser, running.url)
        assert refused.value.status == 401
        assert running.launches() == []


async def test_a_cookie_of_an_ended_session_is_refused(tmp_path, monkeypatch) -> None:
    """Logging out forgets the token: a copy of the old cookie is worth nothing."""
    async with running_server(tmp_path, monkeypatch) as running, client() as browser:
        await login(browser, running.url, "camille", PASSWORDS["camille"])
        token = next(c.value for c in browser.cookie_jar if c.key == COOKIE)
        async with browser.post(f"{running.url}/logout") as response:
            assert response.status == 200 and "logged out" in (await response.text())
        async with client() as thief:
            thief.cookie_jar.update_cookies({COOKIE: token})
            async with thief.get(f"{running.url}/", allow_redirects=False) as response:
                assert response.status == 303


async def test_wrong_password_and_unknown_agent_get_the_same_answer(tmp_path, monkeypatch) -> None:
    async with running_server(tmp_path, monkeypatch) as running, client() as browser:
        answers = []
        for agent, password in (("camille", "not her password"), ("nobody", "not her password"),
                                ("camille", ""), ("", "")):
            async with browser.post(f"{running.url}/login", data={"agent": agent, "password": password},
                                    allow_redirects=False) as response:
                answers.append((response.status, await response.text(), COOKIE in response.cookies))
        assert {status for status, _, _ in answers} == {401}
        assert len({text for _, text, _ in answers}) == 1  # the very same page, byte for byte
        assert LOGIN_MESSAGE in answers[0][1]
        assert not any(cookie for _, _, cookie in answers)
        assert running.launches() == []


def test_an_unknown_agent_costs_a_hash_check_like_a_known_one(monkeypatch) -> None:
    """The timing class without a clock: ``check`` runs scrypt once, with the same
    cost parameters, for a wrong password and for an unknown agent (checked against
    a dummy hash); the standard library's scrypt is only counted, not replaced."""
    import hashlib

    from feedback_tui.serve import auth

    logins = auth.Logins(HASHES)
    calls: list[tuple[int, int, int, int]] = []
    real_scrypt = hashlib.scrypt

    def counted(password, *, salt, n, r, p, dklen, maxmem):
        calls.append((n, r, p, dklen))
        return real_scrypt(password, salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=maxmem)

    monkeypatch.setattr(auth.hashlib, "scrypt", counted)
    outcomes = {}
    for label, agent, password in (("right", "camille", PASSWORDS["camille"]),
                                   ("wrong password", "camille", PASSWORDS["Marc Dupont"]),
                                   ("unknown agent", "nobody", PASSWORDS["camille"]),
                                   ("empty", "", "")):
        calls.clear()
        outcomes[label] = (logins.check(agent, password), list(calls))
    assert outcomes["right"][0] is True
    assert [ok for label, (ok, _) in outcomes.items() if label != "right"] == [False, False, False]
    assert len({tuple(work) for _, work in outcomes.values()}) == 1  # the same work, whoever asks
    assert outcomes["unknown agent"][1] == [(auth.N, auth.R, auth.P, auth.KEY_BYTES)]


async def test_the_cookie_is_httponly_strict_and_secure_only_over_https(tmp_path, monkeypatch) -> None:
    async with running_server(tmp_path, monkeypatch) as running, client() as browser:
        response = await login(browser, running.url, "camille", PASSWORDS["camille"])
        assert response.status == 303
        cookie = response.cookies[COOKIE]
        assert cookie["httponly"] and cookie["samesite"] == "Strict" and not cookie["secure"]
        assert len(cookie.value) >= 40
        # X-Forwarded-Proto from an address that is not a trusted proxy is ignored
        async with browser.post(f"{running.url}/login", data={"agent": "camille", "password": PASSWORDS["camille"]},
                                headers={"X-Forwarded-Proto": "https"}, allow_redirects=False) as forwarded:
            assert not forwarded.cookies[COOKIE]["secure"]
    async with running_server(tmp_path, monkeypatch, trusted_proxies=["127.0.0.1"]) as running, client() as browser:
        async with browser.post(f"{running.url}/login", data={"agent": "camille", "password": PASSWORDS["camille"]},
                                headers={"X-Forwarded-Proto": "https"}, allow_redirects=False) as forwarded:
            assert forwarded.cookies[COOKIE]["secure"]
    async with running_server(tmp_path, monkeypatch, behind_https=True) as running, client() as browser:
        response = await login(browser, running.url, "camille", PASSWORDS["camille"])
        assert response.cookies[COOKIE]["secure"]


async def test_the_app_gets_the_session_agent_whatever_the_browser_sends(tmp_path, monkeypatch) -> None:
    async with running_server(tmp_path, monkeypatch) as running, client() as browser:
        await login(browser, running.url, "camille", PASSWORDS["camille"])
        async with browser.get(f"{running.url}/?agent=mallory") as response:
            page = await response.text()
            assert response.status == 200 and "camille" in page and "mallory" not in page
        websocket = await _open_ws(browser, running.url, "?width=100&height=30&agent=mallory&--agent=mallory")
        await _wait_for(lambda: len(running.launches()) == 1)
        await websocket.send_json(["stdin", "--agent mallory\r"])
        await websocket.close()
        # a second login form posted with another name and no password changes nothing
        async with browser.post(f"{running.url}/login", data={"agent": "mallory", "password": ""},
                                allow_redirects=False) as response:
            assert response.status == 401
        websocket = await _open_ws(browser, running.url, "?agent=mallory")
        await _wait_for(lambda: len(running.launches()) == 2)
        await websocket.close()
        launches = running.launches()
        assert [argv[argv.index("--agent") + 1] for argv in launches] == ["camille", "camille"]
        assert all(argv.count("--agent") == 1 and "mallory" not in argv for argv in launches)


async def test_an_agent_name_with_shell_characters_stays_one_argument(tmp_path, monkeypatch) -> None:
    """The command goes through a shell (textual-serve runs it so): the name is quoted."""
    async with running_server(tmp_path, monkeypatch) as running, client() as browser:
        await login(browser, running.url, "Marc Dupont", PASSWORDS["Marc Dupont"])
        websocket = await _open_ws(browser, running.url)
        await _wait_for(lambda: len(running.launches()) == 1)
        await websocket.close()
        assert running.launches()[0][-2:] == ["--agent", "Marc Dupont"]


async def test_a_websocket_from_another_origin_is_refused(tmp_path, monkeypatch) -> None:
    async with running_server(tmp_path, monkeypatch) as running, client() as browser:
        await login(browser, running.url, "camille", PASSWORDS["camille"])
        for origin in ("http://evil.example", "http://[bad", "null"):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await _open_ws(browser, running.url, origin=origin)
            assert refused.value.status == 403
        assert running.launches() == []


async def test_the_hash_never_appears_in_pages_or_logs(tmp_path, monkeypatch, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    secrets_seen = [part for text in HASHES.values() for part in text.split("$")[4:]]
    texts = []
    async with running_server(tmp_path, monkeypatch) as running, client() as browser:
        for agent, password in (("camille", "wrong password"), ("nobody", "x"), ("camille", PASSWORDS["camille"])):
            async with browser.post(f"{running.url}/login", data={"agent": agent, "password": password}) as response:
                texts.append(await response.text())
        websocket = await _open_ws(browser, running.url)
        await _wait_for(lambda: len(running.launches()) == 1)
        await websocket.close()
        for path in ("/", "/login", "/logout"):
            async with browser.get(f"{running.url}{path}") as response:
                texts.append(await response.text())
        texts.append(running.record.read_text(encoding="utf-8"))  # the app's command line
    texts.append(caplog.text)
    assert "login refused for 'nobody'" in caplog.text and "login: 'camille'" in caplog.text
    for text in texts:
        assert not any(secret in text for secret in secrets_seen)
        assert PASSWORDS["camille"] not in text and "scrypt$" not in text


async def test_a_full_server_says_so_and_starts_no_app(tmp_path, monkeypatch) -> None:
    async with running_server(tmp_path, monkeypatch, max_sessions=1) as running, client() as first, client() as second:
        await login(first, running.url, "camille", PASSWORDS["camille"])
        websocket = await _open_ws(first, running.url)
        await _wait_for(lambda: len(running.launches()) == 1)
        await login(second, running.url, "Marc Dupont", PASSWORDS["Marc Dupont"])
        async with second.get(f"{running.url}/") as response:
            page = await response.text()
            assert response.status == 503 and "All 1 app sessions are in use" in page
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await _open_ws(second, running.url)
        assert refused.value.status == 503
        # the first agent reloading gets their app back (it replaces their own)
        async with first.get(f"{running.url}/") as response:
            assert response.status == 200
        await websocket.close()
        await _wait_for(lambda: not running.server.apps)
        async with second.get(f"{running.url}/") as response:
            assert response.status == 200
        assert len(running.launches()) == 1


async def test_an_idle_session_ends_and_its_app_with_it(tmp_path, monkeypatch) -> None:
    now = [1000.0]
    async with running_server(tmp_path, monkeypatch, idle_seconds=60) as running, client() as browser:
        running.server.sessions.clock = lambda: now[0]
        await login(browser, running.url, "camille", PASSWORDS["camille"])
        websocket = await _open_ws(browser, running.url)
        await _wait_for(lambda: len(running.server.apps) == 1)
        now[0] += 50
        await websocket.send_json(["stdin", "j"])  # a key press keeps the session alive
        await _wait_for(lambda: running.server.sessions.get(
            next(c.value for c in browser.cookie_jar if c.key == COOKIE), touch=False).last_seen == now[0])
        now[0] += 50
        assert running.server.sessions.expire() == []
        now[0] += 61
        assert running.server.sessions.expire() == ["camille"]
        await _wait_for(lambda: not running.server.apps)  # its app was told to quit
        message = await websocket.receive(timeout=5)
        assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING)
        async with browser.get(f"{running.url}/", allow_redirects=False) as response:
            assert response.status == 303


def test_failed_logins_are_counted_per_address_and_name_over_a_sliding_window() -> None:
    from feedback_tui.serve.auth import FailedLogins

    now = [1000.0]
    failures = FailedLogins(window_seconds=900, per_pair=5, per_client=20, clock=lambda: now[0])
    for _ in range(4):
        failures.failed("10.0.0.1", "camille")
    assert failures.wait_seconds("10.0.0.1", "camille") == 0  # four mistakes: still welcome
    failures.failed("10.0.0.1", "camille")
    assert failures.wait_seconds("10.0.0.1", "camille") == 900
    assert failures.wait_seconds("10.0.0.2", "camille") == 0, "another machine is not locked out"
    assert failures.wait_seconds("10.0.0.1", "marc") == 0, "nor another name from this one, yet"
    now[0] += 600
    assert failures.wait_seconds("10.0.0.1", "camille") == 300
    now[0] += 301
    assert failures.wait_seconds("10.0.0.1", "camille") == 0  # the window slid past the first failure
    for i in range(15):  # one address walking through names
        failures.failed("10.0.0.3", f"name{i % 5}")
    failures.failed("10.0.0.3", "name9")
    failures.failed("10.0.0.3", "name8")
    failures.failed("10.0.0.3", "name7")
    failures.failed("10.0.0.3", "name6")
    failures.failed("10.0.0.3", "name5")
    assert failures.wait_seconds("10.0.0.3", "anyone") > 0
    failures.succeeded("10.0.0.1", "camille")
    assert failures.wait_seconds("10.0.0.1", "camille") == 0


async def test_a_browser_that_keeps_guessing_is_told_to_wait_and_not_checked(tmp_path, monkeypatch) -> None:
    from feedback_tui.serve.server import THROTTLED_MESSAGE

    async with running_server(tmp_path, monkeypatch) as running, client() as browser:
        statuses = []
        for _ in range(6):
            async with browser.post(f"{running.url}/login", data={"agent": "camille", "password": "guess guess"},
                                    allow_redirects=False) as response:
                statuses.append(response.status)
                text, retry = await response.text(), response.headers.get("Retry-After")
        assert statuses == [401] * 5 + [429]
        assert THROTTLED_MESSAGE.format(minutes=15) in text and retry is not None and 890 <= int(retry) <= 900
        # even the right password waits: the guesser cannot tell it found it
        async with browser.post(f"{running.url}/login", data={"agent": "camille", "password": PASSWORDS["camille"]},
                                allow_redirects=False) as response:
            assert response.status == 429 and COOKIE not in response.cookies
        # another agent from the same browser still logs in
        async with browser.post(f"{running.url}/login", data={"agent": "Marc Dupont",
                                                              "password": PASSWORDS["Marc Dupont"]},
                                allow_redirects=False) as response:
            assert response.status == 303 and COOKIE in response.cookies
        assert running.launches() == []
