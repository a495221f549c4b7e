"""Raw TextBlob vs our extended sentiment, docs/s on one core, side by side (issue #7).

    .venv/bin/python benchmarks/sentiment_speed.py [FILE.csv ...]

Default: the evaluation set (fixtures/sentiment_eval/*.csv, columns language,text).
"raw TextBlob (engine)" is pattern's own ``Sentiment.__call__`` (with the lexicon's plain
dict lookups); ours computes it with ``sentiment_pattern`` since issue 19.
Languages come from the file, so routing/detection is not timed. Three columns:
plain TextBlob through its public PatternAnalyzer API (what the app ran before
#7), the same pattern engine called directly (the fair base: our extension calls
it directly too), and ours. Best of 5 passes.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from feedback_tui import sentiment  # noqa: E402


def load(paths: list[Path]) -> list[tuple[str, str]]:
    rows = []
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            rows += [(row["text"], row["language"]) for row in csv.DictReader(handle)]
    return rows


def rate(rows: list[tuple[str, str]], function, passes: int = 5) -> float:
    best = 0.0
    for _ in range(passes):
        start = time.perf_counter()
        for text, language in rows:
            function(text, language)
        best = max(best, len(rows) / (time.perf_counter() - start))
    return best


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]] or sorted((ROOT / "fixtures" / "sentiment_eval").glob("*.csv"))
    rows = load(paths)
    for lang in sentiment.SUPPORTED_LANGUAGES:  # load lexicons and analyzers before timing
        sentiment.analyze("warm up", lang)
        sentiment.analyze_raw("warm up", lang)
    public = rate(rows, sentiment.analyze_raw)
    engine = rate(rows, lambda text, language: sentiment._engine(language).lexicon(text))
    ours = rate(rows, sentiment.analyze)
    print(f"{len(rows)} texts, one core, best of 5 passes")
    print(f"{'':<28}{'docs/s':>10}")
    print(f"{'raw TextBlob (public API)':<28}{public:>10,.0f}")
    print(f"{'raw TextBlob (engine)':<28}{engine:>10,.0f}")
    print(f"{'ours':<28}{ours:>10,.0f}   {ours / engine:.0%} of engine, {ours / public:.0%} of public API")


if __name__ == "__main__":
    main()
