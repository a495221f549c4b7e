"""The normalised CES, ((sum / n) / 7) × 100, runs from 14.3 (every answer 1) to 100, not from 0:
`score` labels it so, and the CES mean keeps the two decimals the dashboard writes (4.33, not 4.30)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import assert_no_crash, write_csv
from feedback_tui.cli import cli
from feedback_tui.scoring import ces

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_the_lowest_and_highest_normalised_ces_and_a_two_decimal_mean() -> None:
    assert ces(1, 1) == {"mean": 1.0, "normalized": 14.3, "n": 1}  # every answer 1: 100/7
    assert ces(2, 14) == {"mean": 7.0, "normalized": 100.0, "n": 2}
    assert ces(3, 13)["mean"] == 4.33  # 13/3, not 4.3 written "4.30" by the dashboard


@pytest.mark.parametrize("day", ["2026-11-01T00:00:00Z", "2026-11-30T23:59:59Z"])
def test_score_names_the_range_of_the_normalised_ces(db_path: Path, tmp_path: Path, day: str) -> None:
    surveys = write_csv(tmp_path / "ces.csv", ["id", "kind", "score", "comment", "created_at"],
                        [["c1", "ces", 1, "Très difficile", day]])
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(db_path), "import", "--no-sentiment", "--kind", "surveys",
                               str(surveys)]).exit_code == 0
    terminal = runner.invoke(cli, ["--db", str(db_path), "score"], env={"FORCE_COLOR": "1", "COLUMNS": "250"})
    assert_no_crash(terminal)
    table = ANSI.sub("", terminal.stdout)
    assert "CES 1-7 / norm. 14-100" in table, table
    assert "1.0 / 14.3 n=1" in table, table
