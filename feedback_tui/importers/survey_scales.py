"""CSAT and CES answers asked on another scale than ours, and files that look like it.

Why a whole-file check: our CSAT is 1-5 and our CES 1-7, and a row out of
range is rejected. A survey asked on 1-10 (or 0-10) then loses its 6-10
answers row by row, and what is kept is exactly the unhappy half: the stored
CSAT reads far worse than the truth, with a reject line per happy customer.
So :func:`check_scales` reads a file's answers before anything is written and
refuses it (one line, nothing imported) when a kind's answers gather above
its range; ``--csat-scale`` / ``--ces-scale`` then say which scale the
question used, and :func:`equivalent` stores each answer on our scale with
the original kept beside it.

The rule that tells a scale from a stray typo: at least
:data:`MIN_ABOVE` answers above the range, within the widest scale we read
(10; an 11 or a 44 is a typo on every scale, rejected by its row), making at
least :data:`MIN_SHARE` of the kind's answers. A real 1-10 CSAT puts most
answers above 5 (mean scores of a 10-point satisfaction question sit
between 7 and 9: https://www.b2binternational.com/research/methods/faq/what-is-a-csat-score/), while a stray 9 in a 1-5 file is one row: it stays a
normal reject that names its line.

The other way round, an option that widens the scale (``--csat-scale 1-10``)
given for a file with at least :data:`MIN_WIDENED` answers and none above our
range is refused too: a 1-5 survey read on 1-10 would count its 5s as
middling answers, and a real 1-10 survey of 20 answers always has some above 5.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from feedback_tui.errors import FileProblem
from feedback_tui.models import SURVEY_RANGES

# The scales an option may name, per kind (the first is ours).
SCALES: dict[str, tuple[str, ...]] = {"csat": ("1-5", "1-7", "1-10", "0-10"), "ces": ("1-7", "1-5", "1-10")}
OPTION = {"csat": "--csat-scale", "ces": "--ces-scale"}
_NAMES = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}
WIDEST = 10
MIN_ABOVE = 2
MIN_SHARE = 0.05
MIN_WIDENED = 20  # answers with none above our range that make a wider --csat-scale a mistake
_WHOLE = {str(i): i for i in range(0, WIDEST + 1)}


def read_answer(kind: str, text: str,
                ranges: Mapping[str, tuple[int, int]]) -> tuple[int | float, int | None, int | None]:
    """(score on our scale, the answer as given, the top of its scale) of one
    answer; the last two are None on the kind's own scale. ``'4.0'`` is 4,
    ``'4.5'`` an error (raises :class:`ValueError` with a user's message)."""
    low, high = ranges.get(kind) or SURVEY_RANGES[kind]
    answer = _WHOLE.get(text)
    if answer is None or not low <= answer <= high:
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            number = -1.5  # not a number: the same message as one out of range
        scale = f" ({OPTION[kind]} {low}-{high})" if (low, high) != SURVEY_RANGES[kind] else ""
        if not number.is_integer() or not low <= number <= high:
            raise ValueError(f"{_NAMES[kind]} score must be a whole number from {low} to {high}{scale}, "
                             f"got {text!r}")
        answer = int(number)
    if (low, high) == SURVEY_RANGES[kind]:
        return answer, None, None
    return equivalent(kind, answer, low, high), answer, high


def survey_ranges(options: object) -> dict[str, tuple[int, int]]:
    """The range each kind is read on: ours, or what ``--csat-scale``/``--ces-scale`` said
    (``options`` is an :class:`base.ImportOptions`, or None)."""
    return {**SURVEY_RANGES, **getattr(options, "survey_ranges", {})}


def scale_text(low: int, high: int) -> str:
    return f"{low}-{high}"


def parse_scale(text: str) -> tuple[int, int]:
    """``'1-10'`` -> ``(1, 10)``."""
    low, _, high = text.partition("-")
    return int(low), int(high)


def equivalent(kind: str, answer: int, low: int, high: int) -> int | float:
    """An answer on ``low``-``high`` as a value on the kind's own scale, which
    lists, filters and the figures that read ``score`` use.

    CSAT counts the top two answers of any scale as satisfied (on 1-10 or
    0-10: 9 and 10; the 5-point top-2-box is 4 and 5) and the bottom two as
    dissatisfied, so those map to 5 and 4, and to 1 and 2; every answer
    between is 3 (neutral). Every rule that reads a 1-5 CSAT (satisfied at 4
    or more, dissatisfied at 2 or less) then reads the answer as its own
    scale's boxes mean. CES is mapped linearly onto 1-7, for lists and
    filters only: its mean and normalised figure are computed from the
    original answer and its scale (``score_original * 7 / score_scale``, see
    ``store.rollups``), so that the normalised CES is ``((sum / n) /
    options) × 100`` with the file's own number of options.
    """
    if kind == "csat":
        if answer >= high - 1:
            return 5 - (high - answer)
        if answer <= low + 1:
            return 1 + (answer - low)
        return 3
    value = 1 + (answer - low) * 6 / (high - low)
    value = round(value, 4)
    return int(value) if value == int(value) else value


@dataclass(slots=True)
class _Seen:
    answers: int = 0
    above: int = 0
    highest: int = 0
    lowest: int = WIDEST


def _number(text: str) -> int | None:
    whole = _WHOLE.get(text)
    if whole is not None:
        return whole
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return None
    return int(number) if number.is_integer() and 0 <= number <= WIDEST else None


def check_scales(answers: Mapping[tuple[str | None, str | None], int], *, path: str, column: str,
                 ranges: Mapping[str, tuple[int, int]]) -> None:
    """Refuse the file when its CSAT or CES answers gather above their range.

    ``answers`` counts the file's rows per (kind, score text), the kind read
    as ``csat``/``ces``/``nps`` (None: unknown, skipped): counted by the
    readers in C (``collections.Counter``), since a file repeats a few dozen
    pairs. ``ranges`` is the range each kind is read on (ours, or what an
    option said). Raises :class:`FileProblem` naming the column, the highest
    value seen and the option to pass.
    """
    seen: dict[str, _Seen] = {}
    for (kind, text), count in answers.items():
        if kind not in SCALES or not text:
            continue
        number = _number(text.strip())
        if number is None:
            continue
        found = seen.get(kind)
        if found is None:
            found = seen[kind] = _Seen()
        found.answers += count
        if number > ranges[kind][1]:
            found.above += count
        found.highest = max(found.highest, number)
        found.lowest = min(found.lowest, number)
    for kind, found in seen.items():
        if found.above >= MIN_ABOVE and found.above >= MIN_SHARE * found.answers:
            low, high = ranges[kind]
            fits = [s for s in SCALES[kind]
                    if parse_scale(s)[0] <= found.lowest and parse_scale(s)[1] >= found.highest]
            hint = (f"if the question was asked on {fits[0]}, pass {OPTION[kind]} {fits[0]}" if fits else
                    f"no scale we read ({', '.join(SCALES[kind])}) holds {found.lowest} to {found.highest}")
            name = _NAMES[kind]
            raise FileProblem(path, f"column {column!r}: {found.above:,} of {found.answers:,} {name} answers are "
                                    f"above {high} (the highest is {found.highest}), so they are not on the "
                                    f"{low}-{high} scale {name} is read on, and importing would keep only the lower "
                                    f"ones; {hint}, or fix those rows (nothing imported from this file)")
        ours = SURVEY_RANGES[kind]
        if ranges[kind][1] > ours[1] and found.answers >= MIN_WIDENED and found.highest <= ours[1]:
            name, given = _NAMES[kind], scale_text(*ranges[kind])
            raise FileProblem(path, f"column {column!r}: {OPTION[kind]} {given} was given, but none of the "
                                    f"{found.answers:,} {name} answers is above {ours[1]} (the highest is "
                                    f"{found.highest}): a {ours[0]}-{ours[1]} survey read on {given} would count "
                                    f"its best answers as middling; import it without {OPTION[kind]} "
                                    "(nothing imported from this file)")
