"""Reviews in a script the lexicon does not read, and reviews a scraper stored several times.

Real exports behind these tests (../shared/REAL_DATA.md 1b and 2b, never committed): Korean
bank reviews from Google Play and the App Store. Detection chose between English and French
only, so every Korean review was stored as "en" and scored by the English lexicon; and the
App Store file repeats 960 of its 1,600 rows, which put copies of one review on both sides of
the model's cross-validation (0.97 balanced accuracy, 0.86 without the copies).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import raw_rows, write_csv

from feedback_tui import language_id, sentiment
from feedback_tui.store import training

# app-store-scraper's columns, as in 2b
HEADER = ["date", "developerResponse", "review", "rating", "isEdited", "title", "userName"]
NEGATIVE = ["비번 입력하면 바로 튕김 결제하려고 아무리 다시 눌러도 초기화면만 나오고 개발자들 잘라야함 {}",
            "업데이트 이후로 로그인이 안 되고 계속 오류가 나서 송금을 못 했어요 최악입니다 {}"]
POSITIVE = ["이체도 빠르고 화면도 깔끔해서 정말 편하게 잘 쓰고 있어요 감사합니다 {}",
            "카드 발급부터 결제까지 간편하고 상담원도 친절해서 만족합니다 추천해요 {}"]


@pytest.mark.parametrize(("text", "script"), [
    ("비번 입력하면 바로튕김 또다른 국민앱카드는", "ko"),
    ("Приложение не работает после обновления", "ru"),
    ("アプリが毎回落ちます", "ja"),
])
def test_a_text_in_another_script_is_never_english_or_french(text: str, script: str) -> None:
    assert sentiment.detect_language(text) == script
    scored = sentiment.analyze(text)
    assert (scored.label, scored.polarity, scored.language) == ("unknown", None, script)


@pytest.mark.parametrize(("text", "language"), [
    ("The app crashes every time I log in", "en"),
    ("L'appli plante à chaque connexion", "fr"),
    ("외국인이면 쓸 수가 없네요 As a foreigner I can't open an account, there is no English menu", "en"),
    ("🙂🙂 ok", "en"),  # two letters, both Latin
])
def test_latin_texts_still_choose_between_the_configured_languages(text: str, language: str) -> None:
    assert sentiment.detect_language(text) == language


def _rows(n: int, copies: int) -> list[list[object]]:
    rows: list[list[object]] = []
    for i in range(n):
        for stars, bodies in ((1, NEGATIVE), (5, POSITIVE)):
            row = [f"2024-0{1 + i % 6}-1{i % 9}", "", bodies[i % 2].format(i), stars, False, f"제목 {i}", f"user{i}"]
            rows.extend([row] * (1 + copies))  # the scraper fetched the same page again
    return rows


def test_copies_of_a_review_are_learned_once(run_cli, db_path: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "korean_app_store.csv", HEADER, _rows(30, copies=2))
    result = run_cli("import", path)
    assert result.exit_code == 0, result.output
    languages = raw_rows(db_path, "SELECT language, count(*) AS n FROM reviews GROUP BY language")
    assert [(r["language"], r["n"]) for r in languages] == [("ko", 180)]  # every row kept, none "en"

    trained = run_cli("train-sentiment", "--min-per-class", 20, "--folds", 3, "--json")
    assert trained.exit_code == 0, trained.output
    figures = json.loads(trained.output)
    assert figures["training"]["ko"]["status"] == "trained"
    assert figures["models"]["ko"]["n"] == {"negative": 30, "positive": 30}  # not 90 and 90

    report = run_cli("train-sentiment", "--report")
    assert "ko: model" in report.output and "learned from 60 of your texts" in report.output
    assert "the lexicon does not read ko" in report.output and "0.00 balanced accuracy" not in report.output
    scored = raw_rows(db_path, "SELECT count(*) AS n FROM reviews WHERE sentiment_model IS NOT NULL")
    assert scored[0]["n"] == 180


def test_short_texts_repeat_between_customers_and_are_all_kept() -> None:
    texts = ["Great app", "Great app", "Great app", "x" * 39 + " copied", "x" * 39 + " copied",
             "x" * 40, "x" * 40, "x" * 40 + "   "]
    labels = ["positive", "positive", "negative", "negative", "negative", "positive", "negative", "positive"]
    kept, kept_labels = training.without_copies(texts, labels)
    # the short ones all stay; a long text is kept once per verdict (whitespace aside)
    assert kept == ["Great app"] * 3 + ["x" * 39 + " copied", "x" * 40, "x" * 40]
    assert kept_labels == ["positive", "positive", "negative", "negative", "positive", "negative"]


@pytest.mark.parametrize(("styled", "plain"), [
    ("𝓘 𝓵𝓸𝓿𝓮 𝓽𝓱𝓮 𝓪𝓹𝓹 𝓫𝓾𝓽 𝓽𝓱𝓮 𝓪𝓭𝓼 𝓪𝓻𝓮 𝓪𝓷𝓷𝓸𝔂𝓲𝓷𝓰", "I love the app but the ads are annoying"),
    ("𝑆𝑢𝑝𝑒𝑟 𝑓𝑢𝑛, 𝑡ℎ𝑖𝑠 ℎ𝑒𝑙𝑝𝑠", "Super fun, this helps"),  # ℎ: a letterlike symbol
    ("Ｇｒｅａｔ ａｐｐ", "Great app"),
])
def test_styled_latin_letters_are_read_as_plain_ones(styled: str, plain: str) -> None:
    """2c (App Store, real): "Please 𝓻𝓮𝓶𝓸𝓿𝓮 𝓪𝓭𝓼" was stored as language "zxx" and scored "unknown"."""
    assert language_id.plain_letters(styled) == plain
    assert sentiment.detect_language(styled) == "en"
    assert sentiment.analyze(styled) == sentiment.analyze(plain)


def test_only_styled_letters_change() -> None:
    text = "Très bien… 2² ½ — ok 😀"
    assert language_id.plain_letters(text) == text
