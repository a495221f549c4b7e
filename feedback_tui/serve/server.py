"""``feedback-tui serve``: textual-serve's server with logins in front of it.

textual-serve (aiohttp) starts one app process per browser websocket and has
no notion of who is on the other end. :class:`FeedbackServer` subclasses its
``Server`` and keeps its page, static files and process handling, adding:

- ``/login`` and ``/logout``; every other route but ``/static`` needs a live
  session cookie (HttpOnly, SameSite=Strict, Secure when the request came
  over HTTPS: ``behind_https``, or ``X-Forwarded-Proto: https`` from a
  trusted proxy);
- the app's command built per session as ``... --agent NAME`` from the
  session, never from the request (a query string or a form field cannot
  change who acts);
- a cap on the app processes (``max_sessions``) with a page saying so, one
  app per session (a reload replaces it), an idle timeout that ends the
  session and its app, and a check that the websocket comes from our own page
  (its Origin is this host).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import math
import shlex
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
import jinja2
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from feedback_tui.serve import pages
from feedback_tui.serve.auth import FailedLogins, Logins, Sessions
from feedback_tui.text import clean

log = logging.getLogger("feedback-tui.serve")

COOKIE = "feedback_session"
LOGIN_MESSAGE = "Wrong agent name or password."
THROTTLED_MESSAGE = "Too many failed logins from this browser: try again in {minutes} min."
MAX_CONCURRENT_CHECKS = 2  # scrypt runs in threads; more at once would only queue on 2 cores
STOP_SECONDS = 5.0


def _shown(text: str, limit: int = 60) -> str:
    """An untrusted name for a log line: one line, no escapes, cut."""
    return clean(repr(text[:limit]), single_line=True)


class _App(AppService):
    """textual-serve's app process, ended for sure: ``stop`` asks the app to
    quit and, if it has not within a few seconds, kills it."""

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(super().stop(), STOP_SECONDS)
        except (TimeoutError, asyncio.TimeoutError):
            pass
        process = self._process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(process.wait(), STOP_SECONDS)


class FeedbackServer(Server):
    def __init__(self, app_argv: Sequence[str], logins: Logins, *, host: str = "127.0.0.1", port: int = 8000,
                 max_sessions: int = 32, idle_seconds: float = 1800.0, behind_https: bool = False,
                 trusted_proxies: Sequence[str] = (), public_url: str | None = None,
                 title: str = "feedback-tui") -> None:
        super().__init__(shlex.join(app_argv), host=host, port=port, title=title, public_url=public_url)
        self.app_argv = list(app_argv)
        self.logins = logins
        self.sessions = Sessions(idle_seconds)
        self.max_sessions = max_sessions
        self.behind_https = behind_https
        self.trusted_proxies = {ipaddress.ip_address(p) for p in trusted_proxies}
        self.fixed_public_url = public_url
        self.apps: dict[str, web.WebSocketResponse] = {}  # session token -> its app's websocket
        self._checks = asyncio.Semaphore(MAX_CONCURRENT_CHECKS)
        self.failures = FailedLogins()
        self._sweeper: asyncio.Task[None] | None = None

    # -- what the app runs ---------------------------------------------------------------
    def app_command(self, agent: str) -> str:
        """The shell command of one agent's app: the server's, plus ``--agent`` from the session."""
        return shlex.join([*self.app_argv, "--agent", agent])

    # -- request facts -----------------------------------------------------------------
    def _from_proxy(self, request: web.Request) -> bool:
        try:
            return ipaddress.ip_address(request.remote or "") in self.trusted_proxies
        except ValueError:
            return False

    def is_https(self, request: web.Request) -> bool:
        if self.behind_https or request.secure:
            return True
        return self._from_proxy(request) and request.headers.get("X-Forwarded-Proto", "").lower() == "https"

    def client(self, request: web.Request) -> str:
        if self._from_proxy(request) and request.headers.get("X-Forwarded-For"):
            return request.headers["X-Forwarded-For"].split(",")[-1].strip()[:64]
        return request.remote or "?"

    def session_of(self, request: web.Request, *, touch: bool = True) -> tuple[str, Any] | None:
        token = request.cookies.get(COOKIE)
        session = self.sessions.get(token, touch=touch)
        return (token, session) if session is not None and token else None

    # -- the web application -------------------------------------------------------------
    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._headers], client_max_size=64 * 1024)
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path), autoescape=True)
        app.add_routes([
            web.get("/", self.handle_index, name="index"),
            web.get("/login", self.handle_login_page, name="login"),
            web.post("/login", self.handle_login),
            web.post("/logout", self.handle_logout, name="logout"),
            web.get("/logout", self.handle_logout_get),
            web.get("/ws", self.handle_websocket, name="websocket"),
            web.get("/download/{key}", self.handle_download, name="download"),
            web.static("/static", self.statics_path, show_index=False, name="static"),
        ])
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    @web.middleware
    async def _headers(self, request: web.Request, handler: Any) -> web.StreamResponse:
        response = await handler(request)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if not request.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    def initialize_logging(self) -> None:
        """Plain log lines: textual-serve's handler prints tracebacks with their
        local variables, which could hold a password being checked."""
        logging.basicConfig(level="DEBUG" if self.debug else "INFO", format="%(asctime)s %(name)s %(message)s")

    async def on_startup(self, app: web.Application) -> None:
        self._sweeper = asyncio.create_task(self._sweep())
        for problem in self.logins.problems:
            log.warning(problem)
        log.info("serving feedback-tui on http://%s:%s for %d agent(s); at most %d apps", self.host, self.port,
                 len(self.logins.names), self.max_sessions)

    async def on_shutdown(self, app: web.Application) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
        for websocket in list(self.apps.values()):
            await websocket.close()

    async def _sweep(self) -> None:
        """End idle sessions (and so their apps) even when nobody makes a request."""
        every = max(1.0, min(30.0, self.sessions.idle_seconds / 4))
        while True:
            await asyncio.sleep(every)
            for agent in self.sessions.expire():
                log.info("session of %s ended: idle for more than %g s", _shown(agent), self.sessions.idle_seconds)

    # -- pages ---------------------------------------------------------------------------
    def _html(self, text: str, status: int = 200) -> web.Response:
        return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")

    async def handle_login_page(self, request: web.Request) -> web.StreamResponse:
        if self.session_of(request):
            raise web.HTTPSeeOther("/")
        return self._html(pages.login_page(self.title))

    async def handle_login(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        agent, password = str(form.get("agent", "")).strip(), str(form.get("password", ""))
        client = self.client(request)
        if wait := self.failures.wait_seconds(client, agent):
            log.info("login throttled for %s from %s", _shown(agent), client)
            response = self._html(pages.login_page(self.title, THROTTLED_MESSAGE.format(
                minutes=max(1, math.ceil(wait / 60)))), status=429)
            response.headers["Retry-After"] = str(math.ceil(wait))
            return response
        async with self._checks:
            matched = await asyncio.get_running_loop().run_in_executor(None, self.logins.check, agent, password)
        if not matched:
            self.failures.failed(client, agent)
            log.info("login refused for %s from %s", _shown(agent), client)
            return self._html(pages.login_page(self.title, LOGIN_MESSAGE), status=401)
        self.failures.succeeded(client, agent)
        token = self.sessions.start(agent)
        log.info("login: %s from %s", _shown(agent), self.client(request))
        response = web.Response(status=303, headers={"Location": "/"})
        response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", secure=self.is_https(request), path="/")
        return response

    async def handle_logout(self, request: web.Request) -> web.StreamResponse:
        found = self.session_of(request, touch=False)
        if found:
            token, session = found
            self.sessions.end(token)
            log.info("logout: %s", _shown(session.agent))
        response = self._html(pages.logged_out_page(self.title))
        response.del_cookie(COOKIE, path="/")
        return response

    async def handle_logout_get(self, request: web.Request) -> web.StreamResponse:
        """A bookmarked /logout shows the button; only a POST from our page logs out."""
        return self._html(pages.logged_out_page(self.title, "Use the Log out button to log out.")
                          if self.session_of(request, touch=False) else pages.logged_out_page(self.title))

    def _full(self, token: str) -> bool:
        return token not in self.apps and len(self.apps) >= self.max_sessions

    def _public_base(self, request: web.Request) -> str:
        if self.fixed_public_url:
            return self.fixed_public_url.rstrip("/")
        return f"{'https' if self.is_https(request) else 'http'}://{request.host}"

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        found = self.session_of(request)
        if not found:
            raise web.HTTPSeeOther("/login")
        token, session = found
        if self._full(token):
            return self._html(pages.full_page(self.title, self.max_sessions), status=503)
        base = self._public_base(request)
        context = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": ("wss:" if base.startswith("https") else "ws:") + base.split(":", 1)[1] + "/ws",
            "config": {"static": {"url": f"{base}/static/"}},
            "application": {"name": self.title},
        }
        text = aiohttp_jinja2.render_string("app_index.html", request, context)
        text = text.replace("</body>", pages.logout_bar(session.agent) + "</body>", 1)
        return self._html(text)

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        if not self.session_of(request):
            raise web.HTTPUnauthorized(text="log in first")
        return await super().handle_download(request)

    # -- the app's websocket -------------------------------------------------------------
    def _same_origin(self, request: web.Request) -> bool:
        """The websocket was opened by our own page: its Origin names this host.
        (SameSite=Strict already keeps the cookie off other sites' requests.)"""
        origin = request.headers.get("Origin")
        if not origin:
            return False
        allowed = {request.host}
        if self.fixed_public_url:
            allowed.add(urlsplit(self.fixed_public_url).netloc)
        try:
            return urlsplit(origin).netloc in allowed
        except ValueError:  # "http://[x": not an address at all
            return False

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        found = self.session_of(request)
        if not found:
            raise web.HTTPUnauthorized(text="log in first")
        if not self._same_origin(request):
            raise web.HTTPForbidden(text="this websocket belongs to the page of this server")
        token, session = found
        previous = self.apps.get(token)
        if previous is not None:  # a reload or a second tab: one app per session
            await previous.close()
        if self._full(token):
            raise web.HTTPServiceUnavailable(text=f"all {self.max_sessions} app sessions are in use")
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=1024 * 1024)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        self.apps[token] = websocket

        def close_app() -> None:
            asyncio.ensure_future(websocket.close())

        session.closers.append(close_app)
        app_service: _App | None = None
        try:
            await websocket.prepare(request)
            app_service = _App(self.app_command(session.agent), write_bytes=websocket.send_bytes,
                               write_str=websocket.send_str, close=websocket.close,
                               download_manager=self.download_manager, debug=self.debug)
            log.info("app started for %s (%d running)", _shown(session.agent), len(self.apps))
            await app_service.start(max(width, 10), max(height, 5))
            await self._relay(websocket, app_service, session)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # a broken socket or an app that would not start: logged, not raised
            log.warning("app of %s ended with %s", _shown(session.agent), type(error).__name__)
        finally:
            if app_service is not None:
                await app_service.stop()
            if self.apps.get(token) is websocket:
                del self.apps[token]
            with contextlib.suppress(ValueError):
                session.closers.remove(close_app)
        return websocket

    async def _relay(self, websocket: web.WebSocketResponse, app_service: AppService, session: Any) -> None:
        """textual-serve's message loop, where a key press also keeps the session alive."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = message.json()
                kind, data = envelope[0], envelope[1]
            except (ValueError, TypeError, IndexError, KeyError):
                continue
            if kind == "stdin" and isinstance(data, str):
                session.last_seen = self.sessions.clock()
                await app_service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await app_service.set_terminal_size(to_int(str(data.get("width", 80)), 80),
                                                    to_int(str(data.get("height", 24)), 24))
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()
