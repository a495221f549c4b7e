"""Every CLI command and every option is in the README (as sqlite-utils checks its docs).

A command or an option nobody can find is a feature nobody uses: adding one
without a line in the README fails here, with the missing names listed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click

from feedback_tui.cli import cli

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group = cli, prefix: str = "feedback-tui") -> Iterator[tuple[str, click.Command]]:
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        yield path, command
        if isinstance(command, click.Group):
            yield from commands(command, path)


def test_the_walk_finds_the_commands() -> None:
    found = {path for path, _ in commands()}
    assert {"feedback-tui import", "feedback-tui score", "feedback-tui fetch appstore"} <= found


def test_every_command_is_in_the_readme() -> None:
    """``feedback-tui fetch appstore`` (or the subcommand written after its group) appears in a code span or block."""
    missing = [path for path, _ in commands() if path not in README]
    assert missing == []


def _options(command: click.Command) -> Iterator[str]:
    for parameter in command.params:
        if isinstance(parameter, click.Option):
            longest = max(parameter.opts, key=len)
            if longest.startswith("--") and longest != "--help":
                yield longest


def test_every_option_is_in_the_readme() -> None:
    documented = set(re.findall(r"--[a-z][a-z0-9-]*", README))
    missing = sorted({f"{path} {option}" for path, command in [("feedback-tui", cli), *commands()]
                      for option in _options(command) if option not in documented})
    assert missing == []
