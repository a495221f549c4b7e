"""Posting replies with httpx against a real local HTTP server.

pytest-httpserver runs a real werkzeug server on a local port: what is
checked is what actually went over the socket. Backoff sleeps are recorded
instead of slept, so retries cost no time; timeouts are real but short.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from feedback_tui import __version__
from feedback_tui.delivery import ReplyEndpoint, deliver, endpoint_from_config

PAYLOAD = {"reply_id": 7, "review_id": "gp-123", "source": "google_play", "url": None,
           "text": "Désolé pour ce retard 😞", "agent": "camille"}
SECRET = "s3cret-t0ken-value"


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def endpoint(url: str, **options: object) -> ReplyEndpoint:
    return ReplyEndpoint(url=url, **options)  # type: ignore[arg-type]


def closed_port() -> int:
    """A local port nothing listens on (bound then closed): connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def threaded_server() -> Iterator[HTTPServer]:
    """A server that answers requests concurrently, so a stalled handler blocks nobody else."""
    server = HTTPServer(threaded=True)
    server.start()
    try:
        yield server
    finally:
        server.clear()
        server.stop()


# -- config ------------------------------------------------------------------------------------------
def test_endpoint_from_config() -> None:
    assert endpoint_from_config(None) is None
    assert endpoint_from_config({}) is None
    assert endpoint_from_config({"path": "x.csv"}) is None, "a source without reply_url is not delivered"
    ep = endpoint_from_config({"reply_url": "https://api.example/replies", "reply_secret_env": "GP_TOKEN",
                               "auth_header": "X-Api-Key", "auth_prefix": "", "reply_timeout": 2.5,
                               "reply_retries": 1})
    assert ep == ReplyEndpoint("https://api.example/replies", "GP_TOKEN", "X-Api-Key", "", 2.5, 1)
    defaults = endpoint_from_config({"reply_url": "https://hook.example", "secret_env": "SRC_TOKEN"})
    assert defaults == ReplyEndpoint("https://hook.example", "SRC_TOKEN", "Authorization", "Bearer ", 10.0, 3)


# -- success ------------------------------------------------------------------------------------------
def test_success_posts_the_json_payload_with_the_token_from_the_environment(
        httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GP_REPLY_TOKEN", SECRET)
    httpserver.expect_oneshot_request("/replies", method="POST").respond_with_json({"ok": True}, status=201)
    sleeps = Sleeps()

    result = deliver(endpoint(httpserver.url_for("/replies"), token_env="GP_REPLY_TOKEN"), PAYLOAD, sleep=sleeps)

    assert result == ("sent", None)
    assert sleeps == []
    assert len(httpserver.log) == 1
    request, _ = httpserver.log[0]
    assert json.loads(request.get_data()) == PAYLOAD
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Authorization"] == f"Bearer {SECRET}"
    assert request.headers["User-Agent"] == f"feedback-tui/{__version__}"
    httpserver.check_assertions()


def test_custom_auth_header_without_prefix(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK_KEY", SECRET)
    httpserver.expect_oneshot_request("/hook", method="POST", headers={"X-Api-Key": SECRET}).respond_with_data("ok")
    ep = endpoint(httpserver.url_for("/hook"), token_env="HOOK_KEY", header="X-Api-Key", prefix="")
    assert deliver(ep, PAYLOAD, sleep=Sleeps()) == ("sent", None)
    assert "Authorization" not in httpserver.log[0][0].headers
    httpserver.check_assertions()


def test_no_token_configured_sends_no_auth_header(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data("ok")
    assert deliver(endpoint(httpserver.url_for("/hook")), PAYLOAD, sleep=Sleeps()) == ("sent", None)
    assert "Authorization" not in httpserver.log[0][0].headers


def test_a_missing_token_fails_before_any_request(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ABSENT_TOKEN", raising=False)
    status, error = deliver(endpoint(httpserver.url_for("/hook"), token_env="ABSENT_TOKEN"), PAYLOAD, sleep=Sleeps())
    assert status == "failed"
    assert error == "the environment variable ABSENT_TOKEN holding the token is not set"
    assert httpserver.log == []


def test_a_token_that_cannot_be_a_header_is_a_failure_not_a_crash(
        httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAD_TOKEN", "clé-secrète")
    status, error = deliver(endpoint(httpserver.url_for("/hook"), token_env="BAD_TOKEN"), PAYLOAD, sleep=Sleeps())
    assert status == "failed"
    assert error is not None and "BAD_TOKEN" in error and "clé-secrète" not in error
    assert httpserver.log == []


# -- retries -------------------------------------------------------------------------------------------
def test_500_then_200_is_retried_and_sent(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/replies", method="POST").respond_with_data("boom", status=500)
    httpserver.expect_oneshot_request("/replies", method="POST").respond_with_data("down", status=503)
    httpserver.expect_oneshot_request("/replies", method="POST").respond_with_json({"id": "r-1"})
    sleeps = Sleeps()

    result = deliver(endpoint(httpserver.url_for("/replies"), retries=3, backoff=0.5), PAYLOAD, sleep=sleeps)

    assert result == ("sent", None)
    assert len(httpserver.log) == 3
    assert [json.loads(r.get_data()) for r, _ in httpserver.log] == [PAYLOAD] * 3, "the same reply each time"
    assert sleeps == [0.5, 1.0], "exponential backoff between attempts"
    httpserver.check_assertions()


def test_always_500_fails_after_the_retries(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GP_REPLY_TOKEN", SECRET)
    httpserver.expect_request("/replies", method="POST").respond_with_data("boom", status=500)
    sleeps = Sleeps()
    ep = endpoint(httpserver.url_for("/replies"), token_env="GP_REPLY_TOKEN", retries=2, backoff=0.1)

    status, error = deliver(ep, PAYLOAD, sleep=sleeps)

    assert status == "failed"
    assert error == f"{httpserver.url_for('/replies')} answered 500 INTERNAL SERVER ERROR"
    assert len(httpserver.log) == 3
    assert sleeps == [0.1, 0.2]


def test_429_is_retried(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/replies").respond_with_data("slow down", status=429)
    httpserver.expect_oneshot_request("/replies").respond_with_data("ok")
    assert deliver(endpoint(httpserver.url_for("/replies"), retries=1), PAYLOAD, sleep=Sleeps()) == ("sent", None)
    assert len(httpserver.log) == 2


@pytest.mark.parametrize("code", [400, 401, 404, 422])
def test_4xx_is_not_retried(httpserver: HTTPServer, code: int) -> None:
    httpserver.expect_request("/replies").respond_with_data("no", status=code)
    sleeps = Sleeps()
    status, error = deliver(endpoint(httpserver.url_for("/replies"), retries=3), PAYLOAD, sleep=sleeps)
    assert status == "failed"
    assert error is not None and error.startswith(f"{httpserver.url_for('/replies')} answered {code} ")
    assert len(httpserver.log) == 1
    assert sleeps == []


def test_an_error_echoing_the_token_is_redacted(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even a URL that contains the token (some webhooks do) never shows it in the stored error."""
    monkeypatch.setenv("HOOK_TOKEN", SECRET)
    httpserver.expect_request(f"/hook/{SECRET}").respond_with_data("nope", status=403)
    status, error = deliver(endpoint(httpserver.url_for(f"/hook/{SECRET}"), token_env="HOOK_TOKEN"), PAYLOAD,
                            sleep=Sleeps())
    assert status == "failed"
    assert error is not None and SECRET not in error and "/hook/***" in error and "403" in error


# -- the network failing ---------------------------------------------------------------------------------
def test_a_slow_server_past_the_timeout_fails_naming_the_url(
        threaded_server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GP_REPLY_TOKEN", SECRET)
    release = threading.Event()

    def stall(request: Request) -> Response:
        release.wait(5)
        return Response("too late")

    threaded_server.expect_request("/slow").respond_with_handler(stall)
    url = threaded_server.url_for("/slow")
    sleeps = Sleeps()
    try:
        status, error = deliver(endpoint(url, token_env="GP_REPLY_TOKEN", timeout=0.2, retries=1), PAYLOAD,
                                sleep=sleeps)
    finally:
        release.set()
    assert status == "failed"
    assert error == f"no answer from {url} within 0.2 s"
    assert SECRET not in error
    assert len(sleeps) == 1, "a timeout is retried"


def test_connection_refused_fails_naming_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GP_REPLY_TOKEN", SECRET)
    url = f"http://127.0.0.1:{closed_port()}/replies"
    sleeps = Sleeps()
    status, error = deliver(endpoint(url, token_env="GP_REPLY_TOKEN", retries=2, timeout=2), PAYLOAD, sleep=sleeps)
    assert status == "failed"
    assert error == f"cannot reach {url} (ConnectError)"
    assert SECRET not in error
    assert sleeps == [0.5, 1.0], "a refused connection is retried"


def test_refused_then_up_is_sent(httpserver: HTTPServer) -> None:
    """The network coming back between two attempts: the first fails, a retry succeeds."""
    httpserver.expect_oneshot_request("/replies").respond_with_data("ok")
    down = f"http://127.0.0.1:{closed_port()}/replies"
    assert deliver(endpoint(down, retries=0), PAYLOAD, sleep=Sleeps())[0] == "failed"
    assert deliver(endpoint(httpserver.url_for("/replies"), retries=0), PAYLOAD, sleep=Sleeps()) == ("sent", None)


@pytest.mark.parametrize("url", ["not a url", "ftp://example.com/replies", "http://[::1"])
def test_a_malformed_url_is_a_failure_not_a_crash(url: str) -> None:
    sleeps = Sleeps()
    status, error = deliver(endpoint(url, retries=2), PAYLOAD, sleep=sleeps)
    assert status == "failed"
    assert error is not None and url in error
