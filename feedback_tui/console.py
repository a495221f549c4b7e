"""Rich output for the headless commands: progress bars and score tables."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from feedback_tui.margins import margin_text, n_text
from feedback_tui.scoring import CES_NORMALIZED_LOW
from feedback_tui.text import clean

stderr = Console(stderr=True)


def echo(message: object = "", *, err: bool = False, fg: str | None = None, nl: bool = True) -> None:
    """The one way the headless commands print a line: whatever it holds (a file
    name, a URL, a server's message, a stored name) reaches the terminal with its
    control, C1, bidi and invisible characters as visible placeholders."""
    text = "\r\n".join(clean(part) for part in str(message).split("\r\n"))  # CSV's line ends stay
    click.secho(text, err=err, fg=fg, nl=nl)


@contextmanager
def progress_bar(label: str, total: int | None, *, enabled: bool = True) -> Iterator[Callable[..., None]]:
    """A progress bar on stderr (only on a terminal); yields ``advance(done)``, which
    also takes a new ``description`` for a step that has no count (rebuilding indexes)."""
    if not enabled or not stderr.is_terminal:
        yield lambda done=None, description=None: None
        return
    with Progress(
        TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=stderr, transient=True,
    ) as progress:
        label = clean(label, single_line=True)  # a file name is data: no markup, no controls
        task = progress.add_task(label, total=total)

        def advance(done: int | None = None, description: str | None = None) -> None:
            progress.update(task, completed=done, description=clean(description, single_line=True) or label)

        yield advance


def _fmt(value: Any, suffix: str = "") -> str:
    return "—" if value is None else f"{value}{suffix}"


def _row(figures: dict[str, Any]) -> list[str]:
    nps, csat, ces, sent, resp = (figures[k] for k in ("nps", "csat", "ces", "sentiment", "responses"))
    nps_text = "—" if nps["score"] is None else f"{nps['score']:+.1f}"
    if nps["score"] is not None and nps["moe95"] is not None:
        nps_text += f" {margin_text('nps', nps['moe95'], value=nps['score'], interval=nps.get('ci95'))}"
    # spaces between the counts and "n=" without brackets: the table breaks a cell only
    # between words, and each column is as wide as its longest word (print_scorecard)
    mix = "—" if not sent["n"] else f"{sent['positive']} / {sent['neutral']} / {sent['negative']}"
    return [
        f"{nps_text} {n_text('nps', nps['n'])}",
        f"{_fmt(csat['score'], '%')} n={csat['n']}",
        f"{_fmt(ces['mean'])} / {_fmt(ces['normalized'])} n={ces['n']}",
        f"{_fmt(figures['ratings']['mean'], '★')} n={figures['ratings']['n']}",
        f"{mix} ({_fmt(sent['mean_polarity'])})",
        f"{_fmt(resp['rate'], '%')} of {resp['reviews']}",
        _fmt(resp["median_hours_to_reply"], " h"),
    ]


def _name(value: object) -> Text:
    """A source, product or agent name: data, so never markup nor a control sequence."""
    return Text(clean(str(value), single_line=True))


TSV_COLUMNS = ("group", "nps", "nps_moe95", "nps_n", "csat", "csat_n", "ces_mean", "ces_n", "stars_mean",
               "stars_moe95", "stars_n", "mean_polarity", "sentiment_n", "reviews", "replied", "response_rate",
               "median_hours_to_reply", "p90_hours_to_reply", "within_sla_rate", "overdue", "open_assigned")


def _tsv_cell(value: Any) -> str:
    if value is None:
        return ""
    return clean(str(value), single_line=True).replace("\t", " ")


def _tsv_row(name: Any, figures: dict[str, Any]) -> list[Any]:
    resp = figures.get("responses") or {}
    if "nps" not in figures:  # an agent: response figures only
        return [name, *[None] * 13, resp.get("replied"), None, resp.get("median_hours_to_reply"),
                resp.get("p90_hours_to_reply"), resp.get("within_sla_rate"), None, resp.get("open_assigned")]
    nps, csat, ces, sent, stars = (figures[k] for k in ("nps", "csat", "ces", "sentiment", "ratings"))
    return [name, nps["score"], nps["moe95"], nps["n"], csat["score"], csat["n"], ces["mean"], ces["n"],
            stars["mean"], stars["moe95"], stars["n"], sent["mean_polarity"], sent["n"], resp["reviews"],
            resp["replied"], resp["rate"], resp["median_hours_to_reply"], resp["p90_hours_to_reply"],
            resp["within_sla_rate"], resp.get("overdue"), None]


def scorecard_tsv(card: dict[str, Any]) -> str:
    """The score table for a pipe: a header and one tab-separated line per group,
    empty cells for no figure; never wrapped, whatever the width."""
    rows = [list(TSV_COLUMNS), _tsv_row("overall", card)]
    rows += [_tsv_row(p["period"], p) for p in card.get("periods", [])]
    rows += [_tsv_row(s["segment"], s) for s in card.get("segments", [])]
    return "".join("\t".join(_tsv_cell(v) for v in row) + "\n" for row in rows)


def print_scorecard(card: dict[str, Any]) -> None:
    """A Rich table on a terminal; a tab-separated table when stdout is a pipe or a file."""
    console = Console()
    if not console.is_terminal:
        sys.stdout.write(scorecard_tsv(card))
        return
    headings = ("", "NPS ±95%", "CSAT", f"CES 1-7 / norm. {CES_NORMALIZED_LOW}-100", "Stars (n)",
                "Sentiment +/=/- (mean)", "Replied", "Median reply")
    rows: list[list[Any]] = [["overall", *_row(card)]]
    rows += [[str(period["period"]), *_row(period)] for period in card.get("periods", [])]
    for segment in card.get("segments", []):
        if "nps" not in segment:  # per agent: response figures only
            resp = segment["responses"]
            rows.append([_name(segment["segment"]), "", "", "", "", "", f"{resp['replied']} first replies",
                         f"{_fmt(resp['median_hours_to_reply'], ' h')} (p90 {_fmt(resp['p90_hours_to_reply'], ' h')})"])
            continue
        rows.append([_name(segment["segment"]), *_row(segment)])
    table = Table(title="Customer scores", title_justify="left")
    for index, heading in enumerate(headings):
        # a figure column is never narrower than its longest word: folded to fit, "(n=13612)"
        # read "(n=1361" over "2)" on an 80-column terminal (names may still fold)
        words = [w for row in rows for w in str(row[index]).split()] + heading.split()
        table.add_column(heading, overflow="fold", min_width=max(map(len, words)) if index else None)
    for row in rows:
        table.add_row(*row)
    console.print(table)
