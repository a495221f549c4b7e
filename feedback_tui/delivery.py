"""Posting replies to the platform (a webhook or a platform API) with httpx.

The reply is stored *before* delivery is attempted, so whatever the network
does, the text is never lost: delivery only moves it from ``pending`` to
``sent`` or ``failed`` (with the error), and a failed reply can be retried.
Tokens come from the environment at send time and never appear in errors.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from feedback_tui import __version__
from feedback_tui.text import clean


@dataclass(frozen=True)
class ReplyEndpoint:
    url: str
    token_env: str | None = None
    header: str = "Authorization"
    prefix: str = "Bearer "
    timeout: float = 10.0  # per connect and per read
    retries: int = 3
    backoff: float = 0.5
    deadline: float = 30.0  # per attempt, connect + headers + body


def endpoint_from_config(source_config: dict[str, Any] | None) -> ReplyEndpoint | None:
    """The reply endpoint of a ``[sources.NAME]`` table: ``reply_endpoint`` (or
    ``reply_url``), which may contain ``{external_id}``, and the token's
    environment variable ``reply_secret_env`` (else the source's ``secret_env``)."""
    url = (source_config or {}).get("reply_endpoint") or (source_config or {}).get("reply_url")
    if not source_config or not url:
        return None
    return ReplyEndpoint(
        url=str(url),
        token_env=source_config.get("reply_secret_env") or source_config.get("secret_env"),
        header=str(source_config.get("auth_header", "Authorization")),
        prefix=str(source_config.get("auth_prefix", "Bearer ")),
        timeout=float(source_config.get("reply_timeout", 10.0)),
        retries=int(source_config.get("reply_retries", 3)),
    )


KIND_SOURCES = {"appstore": "app_store"}


def endpoint_for(sources: dict[str, dict[str, Any]], review_source: str | None) -> ReplyEndpoint | None:
    """The reply endpoint for a review's source: the ``[sources.NAME]`` table named
    like it, else the one whose stored ``source`` (or kind's source) is it."""
    if not review_source:
        return None
    if review_source in sources:
        return endpoint_from_config(sources[review_source])
    for table in sources.values():
        stored = table.get("source") or KIND_SOURCES.get(str(table.get("kind")))
        if stored == review_source and (table.get("reply_endpoint") or table.get("reply_url")):
            return endpoint_from_config(table)
    return None


def _redact(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text


def deliver(endpoint: ReplyEndpoint, payload: dict[str, Any], *,
            sleep: Callable[[float], None] = time.sleep) -> tuple[str, str | None]:
    """POST the reply; retry connection errors, timeouts and 5xx with backoff.

    Returns ``("sent", None)`` or ``("failed", reason)``.
    """
    # Imported at the first send, not with the module: the app imports this module at
    # start (its outbox), and httpx with the importers is ~7 MB of its memory (issue 19).
    import httpx

    from feedback_tui.importers.http import Deadline

    secret = os.environ.get(endpoint.token_env) if endpoint.token_env else None
    if endpoint.token_env and not secret:
        return "failed", f"the environment variable {endpoint.token_env} holding the token is not set"
    headers = {"User-Agent": f"feedback-tui/{__version__}"}
    if secret:
        headers[endpoint.header] = f"{endpoint.prefix}{secret}"
    error = "not attempted"
    url = endpoint.url.replace("{external_id}", quote(str(payload.get("review_id") or ""), safe=""))
    try:  # a fresh connection per attempt: the deadline watches its socket
        client = httpx.Client(timeout=endpoint.timeout, headers=headers,
                              limits=httpx.Limits(max_keepalive_connections=0))
    except ValueError:  # a token that cannot be a header value (not ASCII)
        return "failed", f"the token in {endpoint.token_env} cannot be sent in an HTTP header"
    with client:
        for attempt in range(endpoint.retries + 1):
            if attempt:
                sleep(endpoint.backoff * 2 ** (attempt - 1))
            try:
                with Deadline(endpoint.deadline) as deadline:
                    try:
                        response = client.post(url, json=payload, extensions={"trace": deadline.trace})
                    except httpx.TransportError:
                        if not deadline.expired.is_set():
                            raise
                        error = f"no complete answer from {url} within {endpoint.deadline:g} s"
                        break  # a server that drips its answer would hold every retry as long
            except httpx.TimeoutException:
                error = f"no answer from {url} within {endpoint.timeout:g} s"
                continue
            except httpx.TransportError as exc:
                error = f"cannot reach {url} ({type(exc).__name__})"
                continue
            except httpx.InvalidURL as exc:
                error = f"{url} is not a valid URL ({exc})"
                break  # retrying will not make it valid
            if response.is_success:
                return "sent", None
            error = f"{url} answered {response.status_code} {clean(response.reason_phrase, single_line=True)}"
            if response.status_code < 500 and response.status_code != 429:
                break  # a 4xx will not change by retrying
    return "failed", _redact(error, secret)
