"""``fetch``, ``sources`` and ``sync``: pull reviews from where they are published.

Meant for cron as much as for a person: one summary line per source on
stdout, one line per problem on stderr (secrets removed), and the exit code
says what happened: 0 fine, 1 a page failed or rows were rejected (what was
fetched before is kept), 2 the configuration or an option is wrong, 3 the
database is unusable.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click

from feedback_tui.cli_context import MAX_REJECTS_SHOWN
from feedback_tui.console import echo
from feedback_tui.errors import UsageProblem
from feedback_tui.text import clean
from feedback_tui.importers import appstore, http_json
from feedback_tui.importers.http import HttpSettings
from feedback_tui.sources import FetchResult, SourceConfig, load_sources

if TYPE_CHECKING:
    from feedback_tui.cli_context import Context



# -- shared options ------------------------------------------------------------
def _fetch_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--no-sentiment", is_flag=True, help="Skip sentiment scoring (run `rescore` later).")(func)
    func = click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True,
                        help="Extra attempts after a connection error, a timeout, a 5xx or a 429.")(func)
    func = click.option("--timeout", type=click.FloatRange(0.1, 300), default=15.0, show_default=True,
                        help="Seconds to wait for each answer.")(func)
    func = click.option("--full", is_flag=True,
                        help="Fetch every page instead of stopping at reviews already stored.")(func)
    func = click.option("--base-url", metavar="URL",
                        help="Send requests to this host instead (a mirror or a test server), keeping the path.")(func)
    return func


def _sources_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--sources", "sources_file", type=click.Path(dir_okay=False, path_type=Path),
                        help="TOML file with [sources.NAME] tables (default: the config file).")(func)


def _settings(timeout: float, retries: int) -> HttpSettings:
    def tell(message: str) -> None:
        echo(f"  {message}", err=True, fg="yellow")

    return HttpSettings(timeout=timeout, retries=retries, on_retry=tell)


def _check_base_url(base_url: str | None) -> None:
    """``--base-url``: http(s), a host, no control characters (it is printed and requested)."""
    if base_url is not None:
        try:
            parts = urlsplit(base_url)
            ok = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port is None or parts.port > 0)
        except ValueError:
            ok = False
        if not ok or clean(base_url, single_line=True) != base_url or " " in base_url:
            raise UsageProblem(f"--base-url must look like http://host:port, got {clean(repr(base_url))}")


def _report(result: FetchResult) -> int:
    """Print one source's summary, notes, rejects and error; return its exit code."""
    echo(result.summary())
    for note in result.notes:
        echo(f"  {result.name}: {note}", err=True, fg="cyan")
    rejects = result.imported.rejects if result.imported else []
    for reject in rejects[:MAX_REJECTS_SHOWN]:
        echo(f"  {result.name}: {reject.describe()}", err=True, fg="yellow")
    if result.imported and result.imported.rejected > MAX_REJECTS_SHOWN:
        echo(f"  ... and {result.imported.rejected - MAX_REJECTS_SHOWN} more: "
                    f"feedback-tui rejects --run {result.imported.run_id}", err=True, fg="yellow")
    if result.error:
        kept = f" ({result.pages} earlier page{'s' if result.pages > 1 else ''} kept)" if result.pages else ""
        echo(f"Error: {result.name}: {result.error}{kept}", err=True, fg="red")
        return result.exit_code or 1
    return 1 if rejects else 0


def _fetch(context: Context, sources: list[SourceConfig], settings: HttpSettings, base_url: str | None,
           full: bool, sentiment: bool) -> int:
    """Fetch each source in turn with a progress bar; return the exit code."""
    from feedback_tui.cli_context import backfill_sentiment, train_after_import
    from feedback_tui.console import progress_bar
    from feedback_tui.sources import fetch_source

    _check_base_url(base_url)
    code = 0
    changed = 0
    with context.open_store() as store:
        for source in sources:
            try:
                with progress_bar(f"Fetching {source.name}", source.page_cap(settings)) as advance:
                    result = fetch_source(store, source, settings=settings, base_url=base_url,
                                          incremental=not full, progress=advance)
            except UsageProblem as error:
                echo(f"Error: {source.name}: {error}", err=True, fg="red")
                code = max(code, error.exit_code)
                continue
            code = max(code, _report(result))
            if result.imported:
                changed += result.imported.inserted + result.imported.updated
        if sentiment and changed:
            backfill_sentiment(store, quiet=False, languages=context.config.languages,
                               learned=context.config.sentiment.learned)
            train_after_import(context, store, quiet=False)
    return code


def _print_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        echo(f"Warning: {warning}", err=True, fg="yellow")


# -- fetch ---------------------------------------------------------------------
@click.group("fetch")
def fetch_group() -> None:
    """Pull reviews from the App Store or a JSON API into the database.

    Safe to run from cron: pages are saved as they arrive, a run stops at
    reviews already stored, and `feedback-tui runs` shows every run.
    """


@fetch_group.command("appstore")
@click.option("--app-id", required=True, help="The number in the App Store link (…/id1234567890).")
@click.option("--country", default="us", show_default=True, help="Two-letter store code (us, fr, gb...).")
@click.option("--pages", type=click.IntRange(1, appstore.MAX_PAGES), default=appstore.MAX_PAGES, show_default=True,
              help="Pages of 50 reviews to read at most, newest first.")
@click.option("--product", help="Product name stored with the reviews (default: the app id).")
@_fetch_options
@click.pass_obj
def fetch_appstore(context: Context, app_id: str, country: str, pages: int, product: str | None,
                   base_url: str | None, full: bool, timeout: float, retries: int, no_sentiment: bool) -> None:
    """Customer reviews of an app from the public App Store feed (up to 500, newest first)."""
    try:
        options = appstore.AppStoreOptions(app_id=app_id.strip(), country=country.strip().lower(), pages=pages,
                                           product=product)
    except ValueError as error:
        raise UsageProblem(str(error)) from None
    source = SourceConfig(name=f"appstore {options.app_id} ({options.country})", kind="appstore", options=options)
    raise SystemExit(_fetch(context, [source], _settings(timeout, retries), base_url, full, not no_sentiment))


def _read_map(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageProblem(f"{path}: no such mapping file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageProblem(f"{path}: cannot read the mapping file ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise UsageProblem(f"{path}: invalid TOML ({error})") from None
    return data


@fetch_group.command("json")
@click.argument("target", metavar="URL_OR_SOURCE")
@click.option("--map", "map_file", type=click.Path(dir_okay=False, path_type=Path),
              help="TOML mapping: items, fields, pagination, auth (as described above; the README has an example).")
@click.option("--name", help="Source name stored with the reviews (default: the mapping's source, else the host).")
@_sources_option
@_fetch_options
@click.pass_obj
def fetch_json(context: Context, target: str, map_file: Path | None, name: str | None, sources_file: Path | None,
               base_url: str | None, full: bool, timeout: float, retries: int, no_sentiment: bool) -> None:
    """Reviews from a JSON API: a URL with --map FILE, or the name of a configured source.

    The mapping says where the list is (items = "data"), where each field is
    ([fields] body = "attributes.text", rating = "attributes.stars", ...),
    how to paginate (next = "links.next", page_param = "page", or cursor =
    "meta.next_cursor") and how to authenticate (auth_header, auth_prefix,
    and secret_env: the NAME of the environment variable holding the token).
    """
    settings = _settings(timeout, retries)
    if "://" not in target:
        loaded = load_sources(sources_file)
        _print_warnings(loaded.warnings)
        source = loaded.get(target)
        if source is None:
            known = ", ".join(s.name for s in loaded.sources) or "none"
            raise UsageProblem(f"{target!r} is neither a URL nor a source in {loaded.path} (configured: {known})")
        if map_file is not None:
            raise UsageProblem("--map goes with a URL; a configured source already has its mapping")
    else:
        _check_target_url(target)  # the command line's URL, not the mapping file's fault
        if map_file is None:
            raise UsageProblem("a URL needs --map FILE saying where the reviews are in the answer")
        table = _read_map(map_file)
        if name:
            table["source"] = name
        try:
            options = http_json.options_from_table(table, default_source=urlsplit(target).hostname or "json",
                                                   url=target)
        except ValueError as error:
            raise UsageProblem(f"{map_file}: {error}") from None
        source = SourceConfig(name=options.source, kind="json", options=options)
    raise SystemExit(_fetch(context, [source], settings, base_url, full, not no_sentiment))


def _check_target_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError when out of range
    except ValueError as error:
        raise UsageProblem(f"{url}: not a usable URL ({error})") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise UsageProblem(f"{url}: not an http:// or https:// URL with a host")


# -- sources and sync ------------------------------------------------------------
@click.command("sources")
@_sources_option
def sources_command(sources_file: Path | None) -> None:
    """List the configured web sources (never their secrets)."""
    import os

    loaded = load_sources(sources_file)
    _print_warnings(loaded.warnings)
    if not loaded.sources:
        echo(f"No sources in {loaded.path}. Add a [sources.NAME] table with kind = \"appstore\" or \"json\".")
        return
    width = max(len(source.name) for source in loaded.sources)
    for source in loaded.sources:
        line = f"{source.name:<{width}}  {source.kind:<8}  {source.target()}"
        if source.secret_env:
            state = "set" if os.environ.get(source.secret_env, "").strip() else "NOT SET"
            line += f"  secret: ${source.secret_env} ({state})"
        if source.reply_endpoint:
            line += f"  replies: {source.reply_endpoint}"
        if source.base_url:
            line += f"  via {source.base_url}"
        echo(line)


@click.command("sync")
@click.argument("names", nargs=-1)
@_sources_option
@_fetch_options
@click.pass_obj
def sync_command(context: Context, names: tuple[str, ...], sources_file: Path | None, base_url: str | None,
                 full: bool, timeout: float, retries: int, no_sentiment: bool) -> None:
    """Fetch every configured source (or only NAMES), one summary line each.

    Exits 1 if a source failed or rows were rejected, 2 if the sources file is wrong.
    """
    loaded = load_sources(sources_file)
    _print_warnings(loaded.warnings)
    unknown = [name for name in names if loaded.get(name) is None]
    if unknown:
        known = ", ".join(s.name for s in loaded.sources) or "none"
        raise UsageProblem(f"{loaded.path}: no source named {unknown[0]!r} (configured: {known})")
    chosen = [s for s in loaded.sources if not names or s.name in names]
    if not chosen:
        echo(f"No sources in {loaded.path}: nothing to sync.")
        return
    raise SystemExit(_fetch(context, chosen, _settings(timeout, retries), base_url, full, not no_sentiment))


COMMANDS: list[click.Command] = [fetch_group, sources_command, sync_command]
