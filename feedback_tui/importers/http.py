"""The one HTTP client every web source goes through, and what those sources share.

Fetching from the internet runs unattended (cron, a worker in the app), so
the client is defensive: bounded timeouts, a few retries with exponential
backoff on connection errors and 5xx answers, ``429 Too Many Requests``
honoured by waiting what ``Retry-After`` says (up to a cap, so a run never
hangs for an hour), a cap on the size of each page, and redirects followed
by hand so that credentials never travel to another host.

Every message that can reach a user or a log goes through :class:`Redactor`:
the secret values in use and the values of query parameters that look like
credentials are replaced by ``***``.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from feedback_tui import __version__
from feedback_tui.errors import FeedbackError
from feedback_tui.importers.textio import repair
from feedback_tui.models import Reject, ReviewRecord
from feedback_tui.text import clean

if TYPE_CHECKING:  # httpx is imported when a client is made: every CLI command loads this module
    import httpx

log = logging.getLogger(__name__)

USER_AGENT = f"feedback-tui/{__version__}"
MAX_REDIRECTS = 5
SENSITIVE_PARAM = re.compile(r"token|key|secret|pass|auth|sig|session|credential", re.IGNORECASE)


class FetchError(FeedbackError):
    """A page could not be fetched or read. What came before it is kept.

    The message names the (redacted) URL and the page number so a user can
    open it in a browser or report it.
    """

    exit_code = 1


@dataclass(slots=True)
class HttpSettings:
    """Limits of one fetch. Tests shrink the delays; the defaults suit cron."""

    timeout: float = 15.0  # per connect and per read
    deadline: float = 60.0  # per request, connect + headers + body: a server dripping bytes cannot hold a run
    retries: int = 3  # extra attempts after the first, for connection errors, timeouts, 5xx and 429
    backoff: float = 1.0  # first retry waits this long, then twice as long each time
    max_wait: float = 60.0  # longest Retry-After we accept; a longer one fails the run
    max_bytes: int = 10_000_000  # per page
    max_pages: int = 50
    sleep: Callable[[float], None] = time.sleep
    on_retry: Callable[[str], None] | None = None  # told (redacted) why and how long we wait


@dataclass(slots=True)
class Page:
    """One fetched page, parsed: validated rows (or rejects) in feed order."""

    number: int
    url: str
    rows: list[ReviewRecord | Reject] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def records(self) -> list[ReviewRecord]:
        return [row for row in self.rows if isinstance(row, ReviewRecord)]


class Redactor:
    """Removes secrets from text before it is shown, logged or stored."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so a secret containing another is removed whole.
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def add(self, secret: str | None) -> None:
        if secret and secret not in self.secrets:
            self.secrets = sorted([*self.secrets, secret], key=len, reverse=True)

    def text(self, message: str) -> str:
        for secret in self.secrets:
            message = message.replace(secret, "***")
        return message

    def url(self, url: str) -> str:
        """The URL with credential-looking query values masked, then secrets removed."""
        return self.text(redact_query(url))


def redact_query(url: str) -> str:
    """``?api_key=abc&page=2`` -> ``?api_key=***&page=2``."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = [(k, "***" if SENSITIVE_PARAM.search(k) else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(pairs, safe="*/:")))


def with_params(url: str, params: Mapping[str, str]) -> str:
    """``url`` with ``params`` set in its query string (replacing same-named ones)."""
    parts = urlsplit(url)
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    pairs.extend(params.items())
    return urlunsplit(parts._replace(query=urlencode(pairs)))


def rebase(url: str, base_url: str | None) -> str:
    """Send ``url`` to another host (a mirror, a local test server), keeping its path.

    A path in ``base_url`` is kept in front: ``http://mirror/apple`` +
    ``https://itunes.apple.com/us/rss/...`` -> ``http://mirror/apple/us/rss/...``.
    """
    if not base_url:
        return url
    base = urlsplit(base_url)
    if not base.scheme or not base.netloc:
        raise ValueError(f"--base-url must look like http://host:port, got {base_url!r}")
    target = urlsplit(url)
    path = base.path.rstrip("/") + (target.path or "/")
    return urlunsplit((base.scheme, base.netloc, path, target.query, target.fragment))


def same_origin(a: str, b: str) -> bool:
    left, right = urlsplit(a), urlsplit(b)
    return (left.scheme, left.netloc.lower()) == (right.scheme, right.netloc.lower())


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


class _RedactingFilter(logging.Filter):
    """Scrubs httpx's own request log lines (they hold full URLs, query secrets included)."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = self.redactor.text(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, ()
        return True


class HttpClient:
    """A thin wrapper over one :class:`httpx.Client` that returns decoded JSON.

    Use as a context manager. ``redactor`` is shared with the caller so that
    every error it raises, and every line httpx logs meanwhile, is already
    safe to print.
    """

    def __init__(self, settings: HttpSettings | None = None, redactor: Redactor | None = None,
                 transport: httpx.BaseTransport | None = None, *, not_found: str = "check the URL") -> None:
        import httpx

        self.settings = settings or HttpSettings()
        self.not_found = not_found  # what a 404 asks to check: the source kind knows (an app id, a URL)
        self.redactor = redactor or Redactor()
        self.bytes_read = 0
        self._log_filter = _RedactingFilter(self.redactor)
        logging.getLogger("httpx").addFilter(self._log_filter)
        self._client = httpx.Client(
            timeout=httpx.Timeout(self.settings.timeout),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=False,
            transport=transport,
            # A fresh connection per request: the deadline watches its socket (see _once).
            limits=httpx.Limits(max_keepalive_connections=0),
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()
        logging.getLogger("httpx").removeFilter(self._log_filter)

    # -- public ----------------------------------------------------------
    def get_json(self, url: str, *, page: int, headers: Mapping[str, str] | None = None) -> object:
        """GET ``url`` and decode its JSON body; raise :class:`FetchError` naming the page."""
        body, final_url = self._get(url, page, dict(headers or {}))
        try:
            return _repaired(json.loads(body))
        except UnicodeDecodeError:
            raise self._error(final_url, page, "the answer is not UTF-8 JSON") from None
        except json.JSONDecodeError as error:
            problem = "the answer is empty" if not body.strip() else (
                f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
                " (truncated or not JSON)")
            raise self._error(final_url, page, problem) from None

    # -- internals -------------------------------------------------------
    def _error(self, url: str, page: int, problem: str) -> FetchError:
        return FetchError(self.redactor.text(f"{self.redactor.url(url)} (page {page}): {problem}"))

    def _get(self, url: str, page: int, headers: dict[str, str]) -> tuple[bytes, str]:
        """The body of ``url`` after redirects and retries, and the URL that gave it."""
        origin = url
        for _ in range(MAX_REDIRECTS + 1):
            self._check_url(url, page)
            response_body, status, location = self._attempts(url, page, headers)
            if location is None:
                return response_body, url
            target = urljoin(url, location)
            if not same_origin(origin, target):
                headers = {}  # never hand credentials to another host
            url = target
        raise self._error(url, page, f"more than {MAX_REDIRECTS} redirects")

    def _check_url(self, url: str, page: int) -> None:
        """A URL a server gave us (a next link, a redirect) before it is used: http or
        https, a host, no control character or space (httpx would raise InvalidURL, or
        worse, send it)."""
        shown = clean(self.redactor.url(url), single_line=True)
        if clean(url, single_line=True) != url or " " in url:
            raise FetchError(self.redactor.text(
                f"{shown} (page {page}): the URL holds control characters or spaces; not followed"))
        try:
            parts = urlsplit(url)
            port_ok = parts.port is None or parts.port > 0
        except ValueError:
            parts, port_ok = None, False
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
            raise FetchError(self.redactor.text(
                f"{shown} (page {page}): not an http(s) URL with a host; not followed"))

    def _attempts(self, url: str, page: int, headers: dict[str, str]) -> tuple[bytes, int, str | None]:
        settings = self.settings
        attempt = 0
        while True:
            try:
                return self._once(url, page, headers)
            except _Retryable as retry:
                if attempt >= settings.retries:
                    raise self._error(url, page, f"{retry.problem} (gave up after {attempt + 1} attempt{'s' if attempt else ''})") from None
                wait = retry.wait if retry.wait is not None else settings.backoff * (2 ** attempt)
                if wait > settings.max_wait:
                    raise self._error(url, page, f"{retry.problem}: the server asks to wait {wait:.0f} s, "
                                                 f"more than the {settings.max_wait:.0f} s limit; try again later") from None
                message = self.redactor.text(
                    f"{self.redactor.url(url)} (page {page}): {retry.problem}; retrying in {wait:.1f} s")
                log.info("%s", message)
                if settings.on_retry:
                    settings.on_retry(message)
                settings.sleep(wait)
                attempt += 1

    def _once(self, url: str, page: int, headers: dict[str, str]) -> tuple[bytes, int, str | None]:
        import httpx

        started = time.monotonic()
        with Deadline(self.settings.deadline) as deadline:
            try:
                return self._exchange(url, page, headers, deadline.trace, started)
            except (httpx.TransportError, _Retryable):
                if deadline.expired.is_set():
                    raise self._error(url, page, f"no complete answer within {self.settings.deadline:g} s "
                                                 "(the deadline for one page); stopped there") from None
                raise

    def _exchange(self, url: str, page: int, headers: dict[str, str], trace: Callable[[str, dict], None],
                  started: float) -> tuple[bytes, int, str | None]:
        import httpx

        try:
            with self._client.stream("GET", url, headers=headers, extensions={"trace": trace}) as response:
                status = response.status_code
                if status == 429:
                    raise _Retryable("too many requests (429)", retry_after_seconds(response.headers.get("Retry-After")))
                if status >= 500:
                    raise _Retryable(f"server error {status}", retry_after_seconds(response.headers.get("Retry-After")))
                if 300 <= status < 400 and response.headers.get("Location"):
                    return b"", status, response.headers["Location"]
                if status >= 400:
                    raise self._error(url, page, _client_error(status, self.not_found))
                return self._read(response, url, page, started), status, None
        except httpx.InvalidURL as error:
            raise self._error(url, page, f"invalid URL ({clean(str(error), single_line=True)})") from None
        except httpx.TimeoutException:
            raise _Retryable(f"no answer within {self.settings.timeout:g} s (timeout)") from None
        except httpx.TransportError as error:
            raise _Retryable(f"connection failed ({type(error).__name__}: {error})") from None

    def _read(self, response: httpx.Response, url: str, page: int, started: float) -> bytes:
        limit = self.settings.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise self._error(url, page, f"the page is {int(declared):,} bytes, more than the {limit:,} byte limit")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise self._error(url, page, f"the page is larger than the {limit:,} byte limit")
            if time.monotonic() - started > self.settings.deadline:
                raise self._error(url, page, f"no complete answer within {self.settings.deadline:g} s "
                                             "(the deadline for one page); stopped there")
            chunks.append(chunk)
        self.bytes_read += size
        return b"".join(chunks)


class Deadline:
    """One request's overall deadline. httpx times each read, not the whole answer:
    this watchdog shuts the request's socket down when ``seconds`` have passed,
    which ends a read that is blocked or dripping. Pass ``trace`` as the request's
    ``extensions={"trace": ...}`` on a client that does not keep connections alive
    (the socket is learnt when the connection is made)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = threading.Event()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def trace(self, event: str, info: dict) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if sock is not None:
                self._sockets.append(sock)
                if self.expired.is_set():
                    _shut(sock)

    def _expire(self) -> None:
        self.expired.set()
        for sock in self._sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed: nothing left to stop


def _repaired(value: object) -> object:
    """Decoded JSON with lone surrogates (``"\\ud800"``) and NUL characters replaced by
    U+FFFD in every string, keys included, as the file importers do: SQLite cannot store
    the first and cuts text at the second."""
    if isinstance(value, str):
        return repair(value)[0]
    if isinstance(value, list):
        return [_repaired(item) for item in value]
    if isinstance(value, dict):
        return {repair(key)[0]: _repaired(item) for key, item in value.items()}
    return value


class _Retryable(Exception):
    """A failure worth another attempt; ``wait`` is what the server asked for, if anything."""

    def __init__(self, problem: str, wait: float | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.wait = wait


def _client_error(status: int, not_found: str) -> str:
    if status in (401, 403):
        return f"access refused ({status}): check the credentials (secret_env) of this source"
    if status == 404:
        return f"not found (404): {not_found}"
    return f"the server refused the request ({status})"


__all__ = ["FetchError", "HttpClient", "HttpSettings", "Page", "Redactor", "USER_AGENT", "rebase",
           "redact_query", "retry_after_seconds", "same_origin", "with_params"]
