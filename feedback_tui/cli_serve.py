"""``feedback-tui serve`` and ``feedback-tui agents``: the app in a browser, for listed agents.

``agents add NAME`` writes ``[agents.NAME] password_hash = "scrypt$..."`` into
the config file (created private, 0600; its comments and other tables kept, by
tomlkit); ``serve`` reads those tables and runs :mod:`feedback_tui.serve`.
"""

from __future__ import annotations

import ipaddress
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import click

from feedback_tui.cli_context import Context
from feedback_tui.config import agent_problem, load_config
from feedback_tui.console import echo
from feedback_tui.errors import UsageProblem
from feedback_tui.paths import config_path
from feedback_tui.serve.auth import hash_password, password_problem
from feedback_tui.text import clean


def _read_document(path: Path):  # -> tomlkit.TOMLDocument
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    if not path.exists():
        return tomlkit.document()
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, TOMLKitError) as error:
        raise UsageProblem(f"{clean(str(path), single_line=True)}: cannot read the config to change it ({error}); "
                           "fix or move it first") from None


def _write_document(path: Path, document) -> None:
    """Replace the file at once (a crash leaves the old or the new one), private to its owner."""
    import tomlkit

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:  # mkstemp makes it 0600
            out.write(tomlkit.dumps(document))
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise UsageProblem(f"{clean(str(path), single_line=True)}: cannot write ({error.strerror})") from None


def _name(name: str) -> str:
    problem = agent_problem(name)
    if problem:
        raise UsageProblem(f"the agent name {clean(repr(name), single_line=True)} {problem}")
    return name


@click.group("agents")
def agents() -> None:
    """The agents who may log in to `feedback-tui serve` (kept in the config file)."""


@agents.command("add")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin (for scripts).")
def agents_add(name: str, password_stdin: bool) -> None:
    """Add an agent, or set a new password for one: a scrypt hash goes into the config."""
    _name(name)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(f"Password for {clean(name, single_line=True)}", hide_input=True,
                                confirmation_prompt=True, err=True)
    problem = password_problem(password)
    if problem:
        raise UsageProblem(problem)
    import tomlkit

    path = config_path()
    document = _read_document(path)
    table = document.get("agents")
    if table is None:
        table = tomlkit.table(is_super_table=True)
        document["agents"] = table
    elif not isinstance(table, dict):
        raise UsageProblem(f"{clean(str(path), single_line=True)}: 'agents' is not a table; fix it first")
    known = name in table
    entry = tomlkit.table()
    entry["password_hash"] = hash_password(password)
    table[name] = entry
    _write_document(path, document)
    echo(f"{'Password changed' if known else 'Agent added'}: {clean(name, single_line=True)} (in {path})")


@agents.command("remove")
@click.argument("name")
def agents_remove(name: str) -> None:
    """Remove an agent: they can no longer log in (a running session ends at its idle timeout or restart)."""
    path = config_path()
    document = _read_document(path)
    table = document.get("agents")
    if not isinstance(table, dict) or name not in table:
        raise UsageProblem(f"no agent {clean(repr(name), single_line=True)} in {clean(str(path), single_line=True)}")
    del table[name]
    _write_document(path, document)
    echo(f"Agent removed: {clean(name, single_line=True)}")


@agents.command("list")
def agents_list() -> None:
    """The agents who may log in (names only: hashes are never printed)."""
    config = load_config()
    for warning in config.warnings:
        echo(f"Warning: {warning}", err=True, fg="yellow")
    for name in sorted(config.agents):
        echo(name)
    if not config.agents:
        echo("No agents yet: feedback-tui agents add NAME", err=True)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 listens on every interface (put a TLS proxy in front).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--max-sessions", default=32, show_default=True, type=click.IntRange(1, 1000),
              help="At most this many app processes at once; past it a page says the server is full.")
@click.option("--idle-minutes", type=click.FloatRange(0, 7 * 24 * 60, min_open=True),
              help="Log out a browser idle this long (default: [serve] idle_minutes, else 30).")
@click.option("--behind-https", is_flag=True,
              help="A TLS proxy serves the pages: cookies are Secure (default: [serve] behind_https).")
@click.option("--trusted-proxy", "trusted_proxies", multiple=True, metavar="IP",
              help="Believe X-Forwarded-Proto/-For from this proxy address; repeatable (default: [serve] trusted_proxies).")
@click.option("--public-url", help="The address browsers use (e.g. https://feedback.example.com), when a proxy rewrites Host.")
@click.pass_obj
def serve(context: Context, host: str, port: int, max_sessions: int, idle_minutes: float | None,
          behind_https: bool, trusted_proxies: tuple[str, ...], public_url: str | None) -> None:
    """The app in a browser, one app process per logged-in agent (textual-serve).

    Agents log in with the password set by `feedback-tui agents add NAME`; the app
    runs with their name as --agent. Listens on 127.0.0.1 unless --host says otherwise.
    """
    from feedback_tui.serve.auth import Logins
    from feedback_tui.serve.server import FeedbackServer

    settings = context.config.serve
    for proxy in trusted_proxies:
        try:
            ipaddress.ip_address(proxy)
        except ValueError:
            raise UsageProblem(f"--trusted-proxy: {clean(repr(proxy), single_line=True)} is not an IP address") from None
    proxies = trusted_proxies or settings.trusted_proxies
    https = behind_https or settings.behind_https
    if public_url is not None:
        try:
            parts = urlsplit(public_url)
            usable = parts.scheme in ("http", "https") and bool(parts.hostname)
        except ValueError:  # brackets that are not an IPv6 address
            usable = False
        if not usable or clean(public_url, single_line=True) != public_url:
            raise UsageProblem(f"--public-url: {clean(repr(public_url), single_line=True)} is not an http(s) address "
                               "such as https://feedback.example.com")
    if not context.config.agents:
        raise UsageProblem(f"no agent may log in: add one with `feedback-tui agents add NAME` (config: {config_path()})")
    store = context.open_store()  # a database problem is one line here, not an app that dies in every browser
    store.close()
    if not _loopback(host) and not (https or proxies):
        echo(f"Warning: listening on {host} without a TLS proxy: passwords and session cookies cross the network "
             "in clear. Put Caddy or nginx with HTTPS in front (README: serve) and pass --behind-https.",
             err=True, fg="yellow")
    logins = Logins(context.config.agents)
    app_argv = [sys.executable, "-m", "feedback_tui", "--db", str(context.db_path)]
    server = FeedbackServer(app_argv, logins, host=host, port=port, max_sessions=max_sessions,
                            idle_seconds=60 * (idle_minutes or settings.idle_minutes), behind_https=https,
                            trusted_proxies=proxies, public_url=public_url)
    echo(f"Serving {context.db_path} on http://{host}:{port} (Ctrl+C to stop)", err=True)
    server.serve()


COMMANDS = (serve, agents)
