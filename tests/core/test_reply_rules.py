"""The pure reply rules: placeholders, template suggestion, platform limits.

No database and no app here: ``feedback_tui.reply_rules`` is pure, so each rule
is checked against values written out by hand.
"""

from __future__ import annotations

import re

import pytest

from feedback_tui import reply_rules as replies
from feedback_tui.reply_rules import DEFAULT_TEMPLATES, Limit, Template, check, fill, limit_for, measure, questions, suggest

REVIEW = {"author": "Ann", "product": "Panier App", "source": "google_play", "rating": 2,
          "sentiment": "negative", "language": "en"}


def by_name(name: str) -> Template:
    return next(t for t in DEFAULT_TEMPLATES if t.name == name)


# -- fill -------------------------------------------------------------------------------------
def test_fill_replaces_every_stored_field() -> None:
    body = "{author} · {product} · {source} · {rating} · {agent}"
    assert fill(body, REVIEW, "camille") == "Ann · Panier App · Google Play · 2 · camille"


def test_fill_a_missing_author_goes_with_its_space_and_a_missing_product_is_a_neutral_word() -> None:
    review = {"author": None, "product": "  ", "source": "website", "rating": None}
    assert fill("Hi {author}, thanks for {product} ({rating})", review, "bo") == "Hi, thanks for our app ()"
    assert fill("Hi {author}!", {"author": "   "}, "bo") == "Hi!"


def test_fill_falls_back_in_the_templates_language() -> None:
    review = {"author": None, "product": None, "source": None}
    body = "Bonjour {author}, merci pour votre retour sur {product}. {agent}, {company}"
    assert fill(body, review, "bo", language="fr") == \
        "Bonjour, merci pour votre retour sur notre application. bo, l'équipe support"
    assert fill("{company}", review, "bo", language="en") == "the support team"
    assert fill("{company}", review, "bo", language="fr", company="Panier") == "Panier"


@pytest.mark.parametrize("template", [t for t in DEFAULT_TEMPLATES if t.language == "fr"], ids=lambda t: t.name)
def test_french_seeded_templates_with_nothing_known_have_no_english_word(template: Template) -> None:
    filled = fill(template.body, {"author": None, "product": "com.example.shop", "source": "google_play"}, "bo",
                  {q: "1234" for q in questions(template.body)}, language="fr")
    assert "{" not in filled and "}" not in filled
    words = set(re.findall(r"[\w.]+", filled.lower()))
    assert not words & {"there", "our", "the", "from", "team", "app", "store", "com.example.shop"}


def test_no_brand_in_the_seeded_templates() -> None:
    assert not [t.name for t in DEFAULT_TEMPLATES if "Panier" in t.body]


def test_product_never_shows_a_package_id() -> None:
    assert replies.product_name("com.example.shop") == "Shop"
    assert replies.product_name("fr.panier.courses_en_ligne") == "Courses en ligne"
    assert replies.product_name("fr.panier.app") == "Panier"
    assert replies.product_name("com.example.shop", {"com.example.shop": "Panier"}) == "Panier"
    assert replies.product_name("Panier Web") == "Panier Web"
    assert replies.product_name("v2.0") == "v2.0"  # a version, not a package id
    assert fill("{product}", {"product": "com.example.shop"}, "bo") == "Shop"


def test_fill_strips_the_author_and_keeps_accents() -> None:
    assert fill("Bonjour {author},", {"author": "  Chloé P. "}, "bo") == "Bonjour Chloé P.,"


@pytest.mark.parametrize(("author", "greeting"), [
    ("\U0001f644\U0001f926\U0001f3fb\u200d\u2640\ufe0f\U0001f922", "Hi, thanks"),  # emoji only (real App Store names)
    ("Anna \U0001f338", "Hi Anna, thanks"),
    ("\U0001f338\U0001f33flynelbat\U0001f33f", "Hi lynelbat, thanks"),
    ("A Google user", "Hi, thanks"),  # Google Play's name for 492 of 700 reviews of a real export
    ("Un utilisateur Google", "Hi, thanks"),
    ("Ethan N.", "Hi Ethan N., thanks"),
    ("Zoë-Marie", "Hi Zoë-Marie, thanks"),
    ("x\x1b[31my", "Hi x[31my, thanks"),  # a control character is never sent
])
def test_the_greeting_uses_the_letters_of_a_name_never_emoji_or_a_stores_anonymous_label(author: str,
                                                                                      greeting: str) -> None:
    assert fill("Hi {author}, thanks", {"author": author}, "bo") == greeting


def test_fill_double_braces_write_literal_braces() -> None:
    assert fill("{{author}} is {author}; }} and {{", REVIEW, "bo") == "{author} is Ann; } and {"
    # an escaped question is not a question
    assert questions("{{?not asked}}") == []
    assert fill("{{?not asked}}", REVIEW, "bo") == "{?not asked}"


def test_fill_keeps_an_unknown_name_so_the_agent_sees_it() -> None:
    assert fill("Dear {customer}, {author}", REVIEW, "bo") == "Dear {customer}, Ann"
    assert fill("{ author }", REVIEW, "bo") == "Ann", "spaces inside the braces are tolerated"
    assert fill("{}", REVIEW, "bo") == "{}"


def test_fill_questions_take_the_answers_and_unanswered_ones_stay() -> None:
    body = "Order {?order number}, date {?delivery date}, again {?order number}"
    assert fill(body, REVIEW, "bo", {"order number": "A-17"}) == "Order A-17, date {?delivery date}, again A-17"
    assert fill(body, REVIEW, "bo") == body


def test_fill_does_not_reinterpret_values_containing_braces() -> None:
    """An author called ``{agent}`` stays literal: values are not filled again."""
    assert fill("Hi {author}, {agent}", {"author": "{agent}"}, "bo") == "Hi {agent}, bo"


# -- questions ------------------------------------------------------------------------------------
def test_questions_in_order_without_repeats_and_trimmed() -> None:
    assert questions("{?b} {author} {? a } {?b} {?c}") == ["b", "a", "c"]
    assert questions("no placeholders") == []


def test_the_shipped_negative_templates_ask_for_the_case_number() -> None:
    assert questions(by_name("Excuses (FR)").body) == ["numéro de dossier"]
    assert questions(by_name("Apology (EN)").body) == ["case number"]
    for template in DEFAULT_TEMPLATES:
        if template.tone != "negative":
            assert questions(template.body) == [], template.name


def test_shipped_templates_cover_both_languages_and_all_tones() -> None:
    assert {(t.language, t.tone) for t in DEFAULT_TEMPLATES} == {
        (lang, tone) for lang in ("en", "fr") for tone in ("positive", "neutral", "negative")}
    assert len({t.name for t in DEFAULT_TEMPLATES}) == len(DEFAULT_TEMPLATES)


# -- tone and suggestion ---------------------------------------------------------------------------
@pytest.mark.parametrize(("rating", "sentiment", "tone"), [
    (5, "negative", "positive"),  # the stars win over the sentiment
    (4, None, "positive"),
    (3, "positive", "neutral"),
    (2, "positive", "negative"),
    (1, None, "negative"),
    (None, "positive", "positive"),
    (None, "negative", "negative"),
    (None, "neutral", "neutral"),
    (None, None, "neutral"),
    (None, "mixed", "neutral"),
])
def test_tone_by_rating_else_sentiment(rating: int | None, sentiment: str | None, tone: str) -> None:
    assert replies.tone_of(rating, sentiment) == tone


@pytest.mark.parametrize(("review", "expected"), [
    ({"rating": 1, "language": "fr"}, "Excuses (FR)"),
    ({"rating": 5, "language": "fr"}, "Merci (FR)"),
    ({"rating": 3, "language": "fr"}, "Suivi (FR)"),
    ({"rating": 2, "language": "en"}, "Apology (EN)"),
    ({"rating": None, "sentiment": "positive", "language": "en"}, "Thanks (EN)"),
    ({"rating": None, "sentiment": "negative", "language": "fr"}, "Excuses (FR)"),
    ({"rating": None, "sentiment": None, "language": "fr"}, "Suivi (FR)"),
    # a language without templates, or none at all: English
    ({"rating": 1, "language": "de"}, "Apology (EN)"),
    ({"rating": 5, "language": None}, "Thanks (EN)"),
    ({"rating": 4}, "Thanks (EN)"),
    # text against stars (issue 17's mismatch): the text is answered, not the stars
    ({"rating": 5, "sentiment": "negative", "mismatch": True, "language": "en"}, "Apology (EN)"),
    ({"rating": 4, "sentiment": "negative", "mismatch": True, "language": "fr"}, "Excuses (FR)"),
    ({"rating": 1, "sentiment": "positive", "mismatch": True, "language": "fr"}, "Suivi (FR)"),
    ({"rating": 5, "sentiment": "negative", "mismatch": False, "language": "en"}, "Thanks (EN)"),
])
def test_suggest_by_tone_and_language(review: dict[str, object], expected: str) -> None:
    chosen = suggest(list(DEFAULT_TEMPLATES), review)
    assert chosen is not None and chosen.name == expected


def test_suggest_falls_back_to_the_neutral_template_of_the_language() -> None:
    templates = [Template("en neg", "en", "negative", "x"), Template("fr neutral", "fr", "neutral", "y")]
    chosen = suggest(templates, {"rating": 1, "language": "fr"})
    assert chosen is not None and chosen.name == "fr neutral"


def test_suggest_falls_back_to_english_of_the_same_tone() -> None:
    templates = [Template("fr pos", "fr", "positive", "x"), Template("en neg", "en", "negative", "y")]
    chosen = suggest(templates, {"rating": 1, "language": "fr"})
    assert chosen is not None and chosen.name == "en neg"


def test_suggest_falls_back_to_the_first_template_then_none() -> None:
    templates = [Template("de pos", "de", "positive", "x"), Template("es pos", "es", "positive", "y")]
    chosen = suggest(templates, {"rating": 1, "language": "fr"})
    assert chosen is not None and chosen.name == "de pos"
    assert suggest([], {"rating": 1, "language": "fr"}) is None


# -- limits ----------------------------------------------------------------------------------------
def test_default_limits() -> None:
    assert limit_for("google_play") == Limit(350, "characters")
    assert limit_for("google_business") == Limit(4096, "bytes")
    assert limit_for("trustpilot") is None, "no limit by default"
    assert limit_for("app_store") is None
    assert limit_for(None) is None
    assert limit_for("") is None


def test_config_overrides_a_default_adds_a_source_or_removes_a_limit() -> None:
    overrides = {
        "google_play": {"max": 500},
        "trustpilot": {"max": 1000, "unit": "bytes"},
        "google_business": {"max": None},
    }
    assert limit_for("google_play", overrides) == Limit(500, "characters")
    assert limit_for("trustpilot", overrides) == Limit(1000, "bytes")
    assert limit_for("google_business", overrides) is None, "max = none removes the default"
    assert limit_for("google_play", {"google_play": {"max": 0}}) is None
    assert limit_for("app_store", overrides) is None
    assert limit_for("google_play", {}) == Limit(350, "characters")


def test_measure_bytes_versus_characters_for_multibyte_text() -> None:
    text = "Désolé 😞"  # é is 2 bytes in UTF-8, the emoji 4
    assert measure(text, Limit(10, "characters")) == 8
    assert measure(text, None) == 8
    assert measure(text, Limit(10, "bytes")) == 8 + 2 + 3


def test_check_refuses_past_the_limit_naming_source_and_limit() -> None:
    limit = Limit(350, "characters")
    assert check("a" * 350, limit, "google_play") is None
    problem = check("a" * 351, limit, "google_play")
    assert problem == "google_play replies are limited to 350 characters; this one has 351"


def test_check_counts_bytes_where_the_platform_counts_bytes() -> None:
    limit = Limit(4096, "bytes")
    fits_in_characters = "é" * 2100  # 2,100 characters but 4,200 bytes
    problem = check(fits_in_characters, limit, "google_business")
    assert problem == "google_business replies are limited to 4096 bytes; this one has 4200"
    assert check("é" * 2048, limit, "google_business") is None
    assert check("é" * 2100, Limit(4096, "characters"), "x") is None


def test_check_empty_and_unanswered_question() -> None:
    assert check("", None, "website") == "the reply is empty"
    assert check("  \n\t ", None, "website") == "the reply is empty"
    assert check("Your order {?order number}", None, "website") == "fill in the placeholder {?order number} first"
    assert check("Braces {{?x}} are fine", None, "website") is None
    assert check("Any length " * 1000, None, "website") is None


@pytest.mark.parametrize(("stored", "name"), [
    ("www.cdiscount.com", "Cdiscount"), ("www.lepetitvapoteur.com", "Lepetitvapoteur"),  # 3a's company
    ("boutique.lushan.fr", "Lushan"), ("lomi.coffee", "Lomi"), ("shop.example.co.uk", "Example"),
    ("fr.trustpilot.com", "Trustpilot"), ("nutri-naturel.com", "Nutri-naturel"),
    ("Cdiscount", "Cdiscount"), ("Booking.com", "Booking.com"), ("Character.AI", "Character.AI"),  # names kept
    ("com.example.shop", "Shop"), ("fr.panier.app", "Panier"),  # package ids, as before
    ("v2.0", "v2.0"), ("app2", "app2"), ("zeta", "zeta"),
    ("8", ""), ("1321994487", ""), ("id1321994487", ""), ("B07XYZ1234", ""),  # ids: no name
    ("com", ""), ("www.com", ""), ("FR", ""),  # a domain ending alone
])
def test_product_from_a_domain_or_an_id_reads_as_a_name_or_nothing(stored: str, name: str) -> None:
    """3a's Trustpilot company is a domain: "www.lepetitvapoteur.com" gave "Com"; 4a's TripAdvisor
    restaurant is a number: "8" was used as it is ("votre avis sur 8 !")."""
    assert replies.product_name(stored) == name
    assert replies.product_name(stored, {stored: "Le Kuma"}) == "Le Kuma"  # the config's [products] first


@pytest.mark.parametrize("template", DEFAULT_TEMPLATES, ids=lambda t: t.name)
def test_a_product_without_a_readable_name_leaves_its_words_out(template: Template) -> None:
    filled = fill(template.body, {"author": "Ann", "product": "8", "source": "tripadvisor", "rating": 5}, "bo",
                  language=template.language)
    assert " 8" not in filled and "{product}" not in filled and "  " not in filled
    assert not re.search(r"\b(sur|on|about) *[!.]", filled), filled
    assert "notre application" not in filled and "our app" not in filled  # a restaurant is no app


def test_a_product_left_out_takes_its_preposition_and_space() -> None:
    french = "Bonjour {author}, merci pour votre avis sur {product} ! Et votre retour sur {product}."
    assert fill(french, {"author": "Ann", "product": "8"}, "bo", language="fr") == \
        "Bonjour Ann, merci pour votre avis ! Et votre retour."
    assert fill(french, {"author": "Ann", "product": "www.cdiscount.com"}, "bo", language="fr") == \
        "Bonjour Ann, merci pour votre avis sur Cdiscount ! Et votre retour sur Cdiscount."
    english = "Thanks for your feedback on {product}, and for reviewing {product}!"
    assert fill(english, {"product": "1321994487"}, "bo") == "Thanks for your feedback, and for reviewing!"
    assert fill("Merci pour {product}", {"product": None}, "bo", language="fr") == "Merci pour notre application"
