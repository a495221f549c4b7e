"""Every date flag of every command names itself and its value when it cannot read it.

``score --since 2026-13-01`` said "--since/--until: unreadable date", blaming two flags for
one. The flags are found by walking the real command tree, so a date flag added later is
checked too; each run goes through the real CLI on a real SQLite file.
"""

from __future__ import annotations

import click
import pytest

from conftest import FIXTURES, assert_no_crash
from feedback_tui.cli import cli

DATE_FLAGS = ("--since", "--until", "--today")


def date_flags() -> list[tuple[str, str]]:
    """(command, flag) for every option of every command whose name is a date flag."""
    found = []
    for name, command in sorted(cli.commands.items()):
        for param in command.params:
            if isinstance(param, click.Option):
                found += [(name, flag) for flag in param.opts if flag in DATE_FLAGS]
    return found


def test_the_walk_finds_the_date_flags_of_every_command() -> None:
    assert set(date_flags()) >= {("score", "--since"), ("score", "--until"), ("export", "--since"),
                                 ("export", "--until"), ("report", "--since"), ("report", "--today"),
                                 ("retention", "--since"), ("retention", "--until")}


@pytest.mark.parametrize(("command", "flag"), date_flags())
@pytest.mark.parametrize(("value", "reason"), [
    ("2026-13-01", "unreadable date '2026-13-01'"),
    ("9999-12-31", "date '9999-12-31': year 9999 is out of range"),
    ("last tuesday", "unreadable date 'last tuesday'"),
])
def test_a_bad_date_names_its_one_flag_and_value(run_cli, command: str, flag: str, value: str,
                                                 reason: str) -> None:
    run_cli("import", "--no-sentiment", FIXTURES / "scoring_small.csv")
    result = run_cli(command, flag, value)
    assert_no_crash(result)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {flag}: {reason}"), result.stderr
    assert "--since/--until" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize(("command", "flag"), date_flags())
def test_a_good_date_is_accepted_by_every_date_flag(run_cli, command: str, flag: str) -> None:
    run_cli("import", "--no-sentiment", FIXTURES / "scoring_small.csv")
    result = run_cli(command, flag, "2026-04-15")
    assert_no_crash(result)
    assert result.exit_code == 0, result.output
