"""Issue 17, item 4: the themes of negative reviews, on invented reviews whose answer we chose.

October: 20 negative reviews, 12 of them about "la mise à jour" and 8 about
"le service client", with a number and filler words that also fill the
positive reviews; 40 positive reviews about fast delivery. September: 10
negative reviews, 2 about the update. So the themes must be "mise à jour" and
"service client" (phrases, not "mise", "jour" or "client" alone), the update
up from 20 % to 60 % of the negative reviews.
"""

from __future__ import annotations

import random
from pathlib import Path

from conftest import REVIEW_HEADER, import_file, write_csv
from feedback_tui import themes
from feedback_tui.models import Filters
from feedback_tui.store import Store
from feedback_tui.store.theme_texts import LabelledText

FILLER = ["Bonjour", "franchement", "depuis 2 ans", "je commande souvent", "sur le site", "cette fois",
          "encore", "merci"]


def _text(rng: random.Random, core: str) -> str:
    words = [core, *rng.sample(FILLER, 3)]
    rng.shuffle(words)
    return ", ".join(words) + "."


def rows() -> list[list[object]]:
    rng = random.Random(3)
    out: list[list[object]] = []

    def add(month: str, day: int, stars: int, text: str) -> None:
        out.append([f"r{len(out)}", "trustpilot", stars, "", text, "Client", f"2026-{month}-{day:02d}T10:00:00Z",
                    "fr", "", ""])

    update = ["l'application plante depuis la mise à jour {}", "bug après la mise à jour {}",
              "la mise à jour {} a tout cassé", "écran noir avec la mise à jour {}"]
    service = ["le service client ne répond pas", "service client injoignable", "aucune réponse du service client",
               "le service client m'a raccroché au nez"]
    for i in range(12):
        add("10", 1 + i, 1, _text(rng, update[i % 4].format(i + 3)))
    for i in range(8):
        add("10", 1 + i, 2, _text(rng, service[i % 4]))
    for i in range(40):
        add("10", 1 + i % 28, 5, _text(rng, rng.choice(["livraison rapide", "produits frais", "très bon accueil"])))
    for i in range(2):
        add("09", 1 + i, 1, _text(rng, "bug depuis la mise à jour"))
    for i in range(8):
        add("09", 10 + i, 1, _text(rng, "colis abîmé à l'arrivée"))
    for i in range(30):
        add("09", 1 + i % 28, 4, _text(rng, "livraison rapide"))
    return out


OCTOBER = Filters(since="2026-10-01T00:00:00Z", until="2026-11-01T00:00:00Z")
SEPTEMBER = Filters(since="2026-09-01T00:00:00Z", until="2026-10-01T00:00:00Z")


def _store(store: Store, tmp_path: Path) -> Store:
    import_file(store, write_csv(tmp_path / "avis.csv", REVIEW_HEADER, rows()))
    return store


def test_terms_leave_out_stop_words_and_numbers() -> None:
    found = {themes.display(t) for t in themes.terms("Depuis la mise à jour 3.2, l'appli ne marche pas !")}
    assert {"mise à jour", "appli", "marche", "mise", "jour", "ne marche"} <= found
    assert not found & {"la", "à", "3", "2", "depuis", "depuis la", "pas", "jour 3", "l'appli", "marche pas"}
    assert "pas reçu" in {themes.display(t) for t in themes.terms("Toujours pas reçu ma commande")}


def test_themes_of_a_period_are_the_phrases_we_wrote(store: Store, tmp_path: Path) -> None:
    result = themes.for_period(_store(store, tmp_path), OCTOBER, SEPTEMBER)
    block = result["fr"]
    assert (block.n_negative, block.n_positive, block.previous_negative) == (20, 40, 10)
    phrases = [t.phrase for t in block.themes]
    assert phrases == ["mise à jour", "service client"]
    for alone in ("mise", "jour", "client", "service", "à", "3", "franchement", "merci", "bonjour"):
        assert alone not in phrases
    update = next(t for t in block.themes if t.phrase == "mise à jour")
    assert (update.negative, update.positive, update.previous_negative) == (12, 0, 2)
    assert update.share == 60.0 and update.previous_share == 20.0 and update.change == 40.0
    # the ids are exactly the October negative reviews about the update
    texts = dict(store.conn.execute("SELECT id, body FROM reviews"))
    assert len(update.ids) == 12 and all("mise à jour" in texts[i] for i in update.ids)
    october = {i for (i,) in store.conn.execute("SELECT id FROM reviews WHERE created_at >= '2026-10'")}
    assert set(update.ids) <= october


def test_no_themes_below_ten_negative_reviews_and_none_from_positive_words() -> None:
    few = [LabelledText(i, "en", "the app crashes after the update", True) for i in range(9)]
    many = [LabelledText(100 + i, "en", "great app, fast and simple", False) for i in range(30)]
    result = themes.compare(few + many, None)
    assert result["en"].themes == [] and not result["en"].enough
    result = themes.compare(few * 2 + many, None)
    assert [t.phrase for t in result["en"].themes] == ["app crashes", "update"]
    assert all(t.previous_negative is None and t.change is None for t in result["en"].themes)
    assert not {"great", "fast", "simple"} & {t.phrase for t in result["en"].themes}


def test_report_has_the_themes_section(run_cli, tmp_path: Path) -> None:
    assert run_cli("import", write_csv(tmp_path / "avis.csv", REVIEW_HEADER, rows())).exit_code == 0
    result = run_cli("report", "--today", "2026-10-20")
    assert result.exit_code == 0, result.output
    section = result.output.split("## What negative reviews talk about, 2026-10")[1]
    assert "### fr: 20 negative, 40 positive reviews (10 negative in 2026-09)" in section
    table = [line for line in section.splitlines() if line.startswith("| ") and "Theme" not in line][1:]
    assert table == ["| mise à jour | 12 | 60 % | 2 | +40 pts | 0 |", "| service client | 8 | 40 % | 0 | +40 pts | 0 |"]


def test_a_big_period_is_ranked_on_a_fixed_sample_and_says_its_counts_are_estimates(
        store: Store, tmp_path: Path) -> None:
    """With at most 15 texts per language and verdict read (SAMPLE_PER_CLASS is 2,000 in the
    app), October's 20 negative and 40 positive reviews are a sample: the same phrase still
    leads, the class totals are the real ones, counts are the sample's shares of them."""
    _store(store, tmp_path)
    full = themes.for_period(store, OCTOBER, SEPTEMBER)["fr"]
    result = themes.for_period(store, OCTOBER, SEPTEMBER, per_class=15)
    again = themes.for_period(store, OCTOBER, SEPTEMBER, per_class=15)
    block = result["fr"]
    assert (block.n_negative, block.n_positive, block.previous_negative) == (20, 40, 10)  # totals, not the sample
    assert block.read_negative == 15 and full.read_negative is None
    assert [t.phrase for t in block.themes] == [t.phrase for t in again["fr"].themes], "the same sample every run"
    assert block.themes and block.themes[0].phrase in {"mise à jour", "service client"}
    lead = block.themes[0]
    assert lead.estimated and lead.ids == []  # the drill-down searches the phrase instead
    assert lead.negative == round(lead.share / 100 * 20)
    assert all(not t.estimated and t.ids for t in full.themes)
    assert themes.to_dict(result)["fr"]["read_negative"] == 15


def test_the_sample_spreads_over_the_period(store: Store, tmp_path: Path) -> None:
    from feedback_tui.store.theme_texts import labelled_sample

    _store(store, tmp_path)
    sample = labelled_sample(store, OCTOBER, 10)
    negative = [row for row in sample.rows if row.negative]
    assert len(negative) == 10 and sample.totals[("fr", True)] == 20 and sample.sampled("fr", True)
    ids = sorted(row.id for row in negative)
    everything = sorted(i for (i,) in store.conn.execute(
        "SELECT id FROM reviews WHERE created_at >= '2026-10' AND rating <= 2"))
    assert ids != everything[:10], "not simply the first ten"
    assert not labelled_sample(store, OCTOBER, 100).sampled("fr", True)


def test_should_stop_ends_the_count_early() -> None:
    """The dashboard's worker stops when its screen is left: seconds of a core at 1M reviews."""
    rows = [LabelledText(i, "en", "the app crashes at login every time", i % 2 == 0) for i in range(400)]
    asked = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 2

    try:
        themes.compare(rows, None, should_stop=stop)
    except themes.Stopped:
        pass
    else:
        raise AssertionError("compare ran to its end")
    assert len(asked) == 3
    assert themes.compare(rows, None, should_stop=lambda: False) == themes.compare(rows, None)
