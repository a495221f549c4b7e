"""Named web sources (``[sources.NAME]`` tables in the config) and fetching them.

The same ``config.toml`` as the rest of the settings holds one table per
source::

    [sources.ios]
    kind = "appstore"
    app_id = "1234567890"
    country = "fr"
    product = "Panier"                # optional: stored product name (default: the app id)

    [sources.acme]
    kind = "json"
    url = "https://api.acme.example/v1/reviews"
    items = "data"
    next = "links.next"
    auth_header = "Authorization"
    auth_prefix = "Bearer "
    secret_env = "ACME_TOKEN"         # the token itself stays in the environment
    reply_endpoint = "https://api.acme.example/v1/reviews/{external_id}/replies"
    [sources.acme.fields]
    id = "id"
    body = "attributes.text"

Secrets never live in this file: a ``token``-like key is ignored with a
warning. :func:`fetch_source` runs one source into the store (one import
run, committed page by page, stopping at reviews already stored), and
:func:`sync_all` is what both ``feedback-tui sync`` and the app's worker
call. Nothing here imports Textual.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from feedback_tui.errors import DatabaseProblem, FeedbackError, UsageProblem
from feedback_tui.importers import appstore, http_json
from feedback_tui.importers.http import FetchError, HttpClient, HttpSettings, Page, Redactor
from feedback_tui.models import ImportResult, Reject, ReviewRecord
from feedback_tui.paths import config_path
from feedback_tui.store import Store, StoreOpener, utc_now

if TYPE_CHECKING:
    import httpx

KINDS = ("appstore", "json")
# The reply_* keys are read by the composer (feedback_tui.delivery).
COMMON_KEYS = frozenset({"kind", "base_url", "reply_endpoint", "reply_secret_env", "reply_timeout", "reply_retries"})
APPSTORE_KEYS = frozenset({"app_id", "country", "pages", "product"})
SECRET_KEYS = frozenset({"token", "secret", "password", "api_key", "apikey", "access_token", "key"})
PAGE_BATCH = 50  # commit about one page at a time: a failure later keeps what came before

PageProgress = Callable[[int], None]
SyncProgress = Callable[[int, int, str], None]  # (pages done, pages at most, message)


@dataclass(frozen=True, slots=True)
class SourceConfig:
    """One named source, validated."""

    name: str
    kind: str
    options: appstore.AppStoreOptions | http_json.JsonApiOptions
    base_url: str | None = None
    reply_endpoint: str | None = None

    @property
    def secret_env(self) -> str | None:
        return getattr(self.options, "secret_env", None)

    @property
    def source_name(self) -> str:
        """The ``source`` column its reviews get."""
        return appstore.SOURCE if self.kind == "appstore" else self.options.source  # type: ignore[union-attr]

    def target(self) -> str:
        """A one-line description for ``feedback-tui sources`` (never a secret)."""
        if isinstance(self.options, appstore.AppStoreOptions):
            return f"app {self.options.app_id} in the {self.options.country} store, up to {self.options.pages} pages"
        return f"{Redactor().url(self.options.url)} ({self.options.pagination})"

    def page_cap(self, settings: HttpSettings) -> int:
        if isinstance(self.options, appstore.AppStoreOptions):
            return min(self.options.pages, settings.max_pages)
        return min(self.options.max_pages or settings.max_pages, settings.max_pages)


@dataclass(slots=True)
class SourcesFile:
    path: Path
    sources: list[SourceConfig] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def get(self, name: str) -> SourceConfig | None:
        return next((source for source in self.sources if source.name == name), None)


@dataclass(slots=True)
class FetchResult:
    """What fetching one source did: the import counts, pages, and the error if it failed."""

    name: str
    origin: str
    imported: ImportResult | None = None
    pages: int = 0
    fetched: int = 0
    error: str | None = None
    exit_code: int = 0  # with an error: 1 network or page problem, 2 configuration
    cancelled: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    def summary(self) -> str:
        """``ios: 120 fetched: 100 new, 20 updated, 0 unchanged, 0 rejected, pages 3``."""
        counts = self.imported or ImportResult(run_id=0, path=self.origin, kind="reviews")
        line = (f"{self.name}: {self.fetched} fetched: {counts.inserted} new, {counts.updated} updated, "
                f"{counts.unchanged} unchanged, {counts.rejected} rejected, pages {self.pages}")
        if self.cancelled:
            line += " (cancelled)"
        return line


# -- loading -----------------------------------------------------------------
def load_sources(path: Path | None = None) -> SourcesFile:
    """Read and validate every ``[sources.NAME]`` table.

    A missing default config means no sources; a missing file named
    explicitly, invalid TOML or an invalid table is a :class:`UsageProblem`
    naming the file and the table.
    """
    explicit = path is not None
    path = path or config_path()
    result = SourcesFile(path)
    if not path.exists():
        if explicit:
            raise UsageProblem(f"{path}: no such sources file")
        return result
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise UsageProblem(f"{path}: cannot read the sources file ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise UsageProblem(f"{path}: invalid TOML ({error})") from None
    tables = data.get("sources", {})
    if not isinstance(tables, dict):
        raise UsageProblem(f"{path}: [sources] must hold one [sources.NAME] table per source")
    others_can_read = _others_can_read(path)
    for name, table in tables.items():
        where = f"{path}: [sources.{name}]"
        if not isinstance(table, dict):
            raise UsageProblem(f"{where}: must be a table")
        leaked = sorted(key for key in table if key.lower() in SECRET_KEYS)
        if leaked:
            warning = (f"{where}: key {leaked[0]!r} is ignored: secrets are read from the environment "
                       "variable named by secret_env, never from this file; remove it")
            if others_can_read:
                warning += " (the file is readable by other users: chmod 600 it)"
            result.warnings.append(warning)
            table = {k: v for k, v in table.items() if k not in leaked}
        try:
            result.sources.append(source_from_table(str(name), table))
        except ValueError as error:
            raise UsageProblem(f"{where}: {error}") from None
    return result


def source_from_table(name: str, table: dict[str, Any]) -> SourceConfig:
    """Validate one source table; :class:`ValueError` says what is wrong."""
    kind = table.get("kind")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    base_url = table.get("base_url")
    reply_endpoint = table.get("reply_endpoint")
    for key, value in (("base_url", base_url), ("reply_endpoint", reply_endpoint)):
        if value is not None and (not isinstance(value, str) or not value.startswith(("http://", "https://"))):
            raise ValueError(f"{key} must be an http:// or https:// URL, got {value!r}")
    own = {k: v for k, v in table.items() if k not in COMMON_KEYS}
    options: appstore.AppStoreOptions | http_json.JsonApiOptions
    if kind == "appstore":
        unknown = sorted(set(own) - APPSTORE_KEYS)
        if unknown:
            raise ValueError(f"unknown key {unknown[0]!r} for kind appstore (known: {', '.join(sorted(APPSTORE_KEYS))})")
        options = appstore.options_from_table(own)
    else:
        options = http_json.options_from_table(own, default_source=name)
    return SourceConfig(name=name, kind=kind, options=options, base_url=base_url, reply_endpoint=reply_endpoint)


def _others_can_read(path: Path) -> bool:
    try:
        return bool(path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH))
    except OSError:
        return False


# -- fetching ----------------------------------------------------------------
def _pages(source: SourceConfig, client: HttpClient, base_url: str | None, imported_at: str) -> Iterator[Page]:
    if isinstance(source.options, appstore.AppStoreOptions):
        return appstore.fetch_pages(client, source.options, imported_at=imported_at, base_url=base_url)
    return http_json.fetch_pages(client, source.options, imported_at=imported_at, base_url=base_url)


def _origin(source: SourceConfig, base_url: str | None, redactor: Redactor) -> str:
    try:
        if isinstance(source.options, appstore.AppStoreOptions):
            return appstore.origin_url(source.options, base_url)
        return redactor.url(http_json.start_url(source.options, base_url))
    except ValueError as error:  # a base URL that is not one
        raise UsageProblem(f"source {source.name!r}: {error}") from None


def _scrub(row: ReviewRecord | Reject, redactor: Redactor) -> ReviewRecord | Reject:
    """Remove the secret from a row before it is stored (an API may echo it back)."""
    if redactor.secrets:
        for name in row.__slots__:  # type: ignore[attr-defined]
            value = getattr(row, name)
            if isinstance(value, str):
                setattr(row, name, redactor.text(value))
    return row


def reached_known(store: Store, source: str, records: Sequence[ReviewRecord]) -> bool:
    """True when a review of this page is already stored exactly as fetched.

    Feeds list the newest (or last edited) first, so everything after such a
    review was stored by an earlier run.
    """
    if not records:
        return False
    from feedback_tui.store import queries

    stored = queries.stored_review_versions(store, source, [r.external_id for r in records])
    return any(stored.get(r.external_id) == (r.created_at, r.rating, r.title, r.body) for r in records)


def fetch_source(
    store: Store,
    source: SourceConfig,
    *,
    settings: HttpSettings | None = None,
    base_url: str | None = None,
    incremental: bool = True,
    progress: PageProgress | None = None,
    should_stop: Callable[[], bool] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> FetchResult:
    """Fetch one source into the store as one import run.

    Pages are committed as they arrive. A page that cannot be fetched or
    read ends the run: the run is recorded as failed with the message, the
    pages before it stay, and the message is in :attr:`FetchResult.error`.
    Configuration problems (a missing secret) raise :class:`UsageProblem`
    before anything is recorded.
    """
    from feedback_tui.store.imports import finish_run, import_rows

    settings = settings or HttpSettings()
    base_url = base_url or source.base_url
    redactor = Redactor()
    if isinstance(source.options, http_json.JsonApiOptions):
        redactor.add(http_json.read_secret(source.options))  # fail early, before a run is recorded
    result = FetchResult(name=source.name, origin=_origin(source, base_url, redactor))
    stop_at_known = incremental and (source.kind == "appstore" or getattr(source.options, "incremental", False))

    def rows() -> Iterator[ReviewRecord | Reject]:
        # A JSON API has no app id: its 404 is a URL (or a path template) to check.
        not_found = "check the app id and the country" if source.kind == "appstore" else "check the URL and its path"
        with HttpClient(settings, redactor, transport, not_found=not_found) as client:
            try:
                for page in _pages(source, client, base_url, utc_now()):
                    result.pages += 1
                    result.notes.extend(page.notes)
                    known = stop_at_known and reached_known(store, source.source_name, page.records)
                    result.fetched += len(page.rows)
                    yield from (_scrub(row, redactor) for row in page.rows)
                    if progress:
                        progress(result.pages)
                    if known:
                        break
                    if should_stop and should_stop():
                        result.cancelled = True
                        break
            except FetchError as error:
                result.error = redactor.text(str(error))
                result.exit_code = error.exit_code

    result.imported = import_rows(store, result.origin, "reviews", f"http {source.kind}", rows(),
                                  batch_size=PAGE_BATCH)
    if result.error:
        finish_run(store, result.imported, error=result.error)
    elif result.cancelled:
        finish_run(store, result.imported, error="cancelled before the last page", status="interrupted")
    return result


def sync_all(
    database: StoreOpener | str | os.PathLike[str],
    config_path: str | os.PathLike[str] | None = None,
    *,
    progress: SyncProgress | None = None,
    should_stop: Callable[[], bool] | None = None,
    names: Sequence[str] = (),
    base_url: str | None = None,
    incremental: bool = True,
    score_sentiment: bool = True,
    settings: HttpSettings | None = None,
    languages: Sequence[str] | None = None,
    learned: bool = True,
) -> list[FetchResult]:
    """Fetch every configured source (or those in ``names``) into the database.

    Safe to call from a worker thread: it opens its own connection. One
    source failing (network, bad page, missing secret) does not stop the
    others; its :class:`FetchResult` carries the error. A bad sources file or
    an unknown name raises :class:`UsageProblem`; an unusable database raises
    :class:`DatabaseProblem`.

    ``progress(done, total, message)`` counts pages against the most the
    sources may have, and jumps ahead when a source ends early. New and
    edited reviews get their sentiment at the end unless ``score_sentiment``
    is false, texts without a language detected among ``languages`` (the
    config's; English and French when not given).
    """
    settings = settings or HttpSettings()
    loaded = load_sources(Path(config_path) if config_path is not None else None)
    unknown = [name for name in names if loaded.get(name) is None]
    if unknown:
        known = ", ".join(s.name for s in loaded.sources) or "none"
        raise UsageProblem(f"{loaded.path}: no source named {unknown[0]!r} (configured: {known})")
    chosen = [s for s in loaded.sources if not names or s.name in names]
    total = sum(source.page_cap(settings) for source in chosen)
    done = 0
    results: list[FetchResult] = []
    opener = database if isinstance(database, StoreOpener) else StoreOpener.for_path(database, migrate=True)
    with opener.open() as store:
        for source in chosen:
            if should_stop and should_stop():
                break
            if progress:
                progress(done, total, f"Fetching {source.name}")

            def advance(pages: int, before: int = done, name: str = source.name) -> None:
                if progress:
                    progress(before + pages, total, f"Fetching {name}")

            try:
                results.append(fetch_source(store, source, settings=settings, base_url=base_url,
                                            incremental=incremental, progress=advance, should_stop=should_stop))
            except DatabaseProblem:
                raise
            except FeedbackError as error:
                results.append(FetchResult(name=source.name, origin=source.target(), error=str(error),
                                           exit_code=error.exit_code))
            done += source.page_cap(settings)
            if progress:
                progress(done, total, f"Fetched {source.name}")
        changed = sum((r.imported.inserted + r.imported.updated) for r in results if r.imported)
        if score_sentiment and changed and not (should_stop and should_stop()):
            from feedback_tui import sentiment
            from feedback_tui.store import rescoring

            if progress:
                progress(total, total, "Scoring sentiment")
            rescoring.backfill(store, should_stop=should_stop,
                               languages=languages or sentiment.SUPPORTED_LANGUAGES, learned=learned)
    return results


__all__ = ["FetchResult", "SourceConfig", "SourcesFile", "fetch_source", "load_sources", "reached_known",
           "source_from_table", "sync_all"]
