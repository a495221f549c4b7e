"""Cells real exports write in more than one way: ratings, replies, dates in words, date order."""

from __future__ import annotations

import pytest

from feedback_tui.importers.dates import infer_order, parse_date, parse_relative
from feedback_tui.importers.values import clean_html, json_path, parse_rating, split_reply


@pytest.mark.parametrize(("text", "scale", "expected"), [
    ("4", 5, (4, None)), ("4.0", 5, (4, None)), ("3,5", 5, (3.5, None)), ("0,5", 5, (0.5, None)),
    ("4,5/5", 5, (4.5, None)), ("4.0 out of 5 stars", 5, (4, None)), ("5 étoiles : excellent", 5, (5, None)),
    ("1 étoile : mauvais", 5, (1, None)), ("8/10", 5, (4, "8/10")), ("7", 10, (3.5, "7")), ("85/100", 5, (4.25, "85/100")),
    ("4.25", 5, (4.25, None)),
])
def test_ratings_are_read_exactly(text: str, scale: int, expected: tuple) -> None:
    value, original = parse_rating(text, scale)
    assert (value, original) == expected and type(value) is type(expected[0])


@pytest.mark.parametrize("text", ["1,000", "4.9999999999999999", "0", "six", "6", "-1", "4/7", "0,2"])
def test_values_that_are_not_a_rating_are_rejected(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_rating(text)
    assert repr(text) in str(caught.value)


def test_reply_objects_and_python_dict_reprs() -> None:
    repr_reply = "{'id': 7, 'body': \"We're on it\", 'modified': '2021-11-20T23:14:05Z'}"
    assert split_reply(repr_reply) == ("We're on it", "2021-11-20T23:14:05Z")
    assert split_reply('{"message": "Merci !", "publishedDate": "2024-05-01T08:00:00Z"}') == (
        "Merci !", "2024-05-01T08:00:00Z")
    assert split_reply("{curly} but plain text") == ("{curly} but plain text", None)
    assert split_reply("{'id': __import__('os').getpid()}")[0].startswith("{'id'")  # never evaluated


def test_html_clean_up_and_json_paths() -> None:
    assert clean_html("a<br />b<BR>c &#34;d&#34; &amp; &lt;e&gt;") == 'a\nb\nc "d" & <e>'
    item = {"dates": {"publishedDate": "x"}, "im:rating": {"label": "4"}, "list": [{"a": 1}]}
    assert json_path(item, "dates.publishedDate") == "x"
    assert json_path(item, "im:rating.label") == "4" and json_path(item, "list.0.a") == 1
    assert json_path(item, "dates.missing.deeper") is None


@pytest.mark.parametrize(("text", "expected"), [
    ("14 mars 2021", "2021-03-14T00:00:00Z"), ("Rédigé le 6 décembre 2024", "2024-12-06T00:00:00Z"),
    ("1er janvier 2025", "2025-01-01T00:00:00Z"), ("March 31, 2024", "2024-03-31T00:00:00Z"),
    ("Date of experience: 29 February 2024", "2024-02-29T00:00:00Z"),
    ("Reviewed in the United States on January 1, 2020", "2020-01-01T00:00:00Z"),
])
def test_dates_in_words(text: str, expected: str) -> None:
    assert parse_date(text) == expected


def test_month_first_dates_and_meridiem() -> None:
    assert parse_date("2/11/2006", "mdy") == "2006-02-11T00:00:00Z"
    assert parse_date("2/11/2006") == "2006-11-02T00:00:00Z"
    assert parse_date("12/31/2019 11:59 PM", "mdy") == "2019-12-31T23:59:00Z"
    assert parse_date("1/1/2020 12:00 AM", "mdy") == "2020-01-01T00:00:00Z"
    with pytest.raises(ValueError, match="mm/dd/yyyy"):
        parse_date("13/01/2020", "mdy")


def test_order_inference() -> None:
    assert infer_order(["02/11/2021", "13/11/2021"]) == ("dmy", ["02/11/2021", "13/11/2021"])
    assert infer_order(["8/16/2020", "2/11/2006"])[0] == "mdy"
    assert infer_order(["02/11/2021", "2021-01-01"]) == (None, ["02/11/2021"])
    assert infer_order(["2021-01-01"]) == (None, [])
    with pytest.raises(ValueError, match="both orders"):
        infer_order(["13/01/2020", "01/13/2020"])


def test_relative_dates_count_back_from_the_retrieval() -> None:
    base = "2024-03-01T12:00:00Z"
    assert parse_relative("3 days ago", base) == "2024-02-27T12:00:00Z"
    assert parse_relative("a day ago", base) == "2024-02-29T12:00:00Z"
    assert parse_relative("il y a 2 semaines", base) == "2024-02-16T12:00:00Z"
    assert parse_relative("yesterday-ish", base) is None
