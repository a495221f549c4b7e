"""Replies: templates with placeholders, per-platform length limits, suggestions.

Pure functions, no I/O: the store keeps templates and drafts, the composer
screen calls these to fill a template and check a reply before sending.

Placeholders: ``{author}``, ``{product}``, ``{source}``, ``{rating}``,
``{agent}``, ``{company}``, and ``{?question}``, which asks the agent for a value
that is not stored (an order number, a promised date). ``{{`` and ``}}`` write
braces. A value that is missing falls back to words in the *template's*
language (a French template never says "there" or "our service"), and a
missing author takes its space with it ("Bonjour," rather than "Bonjour ,"). A product stored
under no readable name (an id, a number) is left out with the word before it ("merci pour
votre avis !"): it is a product, but perhaps not "our app".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from feedback_tui.text import clean

STORED_FIELDS = ("author", "product", "source", "rating", "agent", "company")
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{(\?)?([^{}]*)\}")

# Characters for most stores; bytes where the platform counts bytes. None: no limit.
DEFAULT_LIMITS: dict[str, tuple[int, str]] = {
    "google_play": (350, "characters"),
    "google_business": (4096, "bytes"),
}


@dataclass(frozen=True)
class Template:
    name: str
    language: str
    tone: str  # positive | neutral | negative
    body: str


# The apology asks the agent for the case number of the ticket they open (``{?…}``):
# a value no export holds, and the customer can quote it back to support.
# No brand here: ``{company}`` comes from the config (``company = "…"``), so the
# same seeded templates serve every team.
DEFAULT_TEMPLATES: tuple[Template, ...] = (
    Template("Thanks (EN)", "en", "positive",
             "Hi {author}, thank you for taking the time to review {product}! We're delighted it works well for "
             "you. See you soon, {agent}, {company}"),
    Template("Follow-up (EN)", "en", "neutral",
             "Hi {author}, thanks for your feedback on {product}. We read every review and we're working on what "
             "you mentioned. If there is anything else, reply here or write to support. {agent}"),
    Template("Apology (EN)", "en", "negative",
             "Hi {author}, we're sorry about this experience. We've opened case {?case number} to fix it: "
             "write to support with that number and we'll look into it today. {agent}"),
    Template("Merci (FR)", "fr", "positive",
             "Bonjour {author}, merci beaucoup pour votre avis sur {product} ! Nous sommes ravis que le service "
             "vous plaise. À bientôt, {agent}, {company}"),
    Template("Suivi (FR)", "fr", "neutral",
             "Bonjour {author}, merci pour votre retour sur {product}. Nous lisons chaque avis et nous travaillons "
             "sur les points que vous évoquez. {agent}"),
    Template("Excuses (FR)", "fr", "negative",
             "Bonjour {author}, nous sommes désolés de cette expérience. Nous avons ouvert le dossier "
             "{?numéro de dossier} pour la régler au plus vite : écrivez au support en rappelant ce numéro, "
             "nous revenons vers vous aujourd'hui. {agent}"),
)

# What a missing value becomes, in the template's language (English for any other).
FALLBACKS: dict[str, dict[str, str]] = {
    "en": {"product": "our app", "company": "the support team", "source": "the store"},
    "fr": {"product": "notre application", "company": "l'équipe support", "source": "la boutique"},
}

# How a source's id reads in a reply.
SOURCE_NAMES = {"google_play": "Google Play", "app_store": "the App Store", "trustpilot": "Trustpilot",
                "google_business": "Google"}

_PACKAGE_ID = re.compile(r"^[A-Za-z][\w-]*(\.[A-Za-z][\w-]*){2,}$")
# Domain endings (a shop's Trustpilot page is its domain, "www.cdiscount.com"). A reverse-DNS
# package id starts with one (com.example.shop); a domain ends with one. The words below can
# also end a package id as its product (com.example.shop, fr.panier.app): they make a domain
# only when the value does not start as a package id does.
_ENDINGS = frozenset("""com net org info biz eu fr de uk be ch es it nl lu ca us au nz jp kr cn in br pt pl
    se no dk fi at ie ma tn dz sn re ru cz gr ro hu mx ar cl za tr il""".split())
_WORD_ENDINGS = frozenset("shop store online site app ai io co coffee wine bio paris bzh tech me tv".split())
_PACKAGE_STARTS = frozenset({"com", "org", "net", "io", "co", "app", "dev"})
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gouv", "ac", "gov"})  # www.shop.co.uk
_DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
_ID_LIKE = re.compile(r"^(?:[\W\d_]+|[\w-]*\d[\w-]*)$")  # no letter, or a token holding digits
_GENERIC_SEGMENTS = {"app", "apps", "android", "ios", "mobile", "client", "prod", "release"}  # fr.panier.app: "Panier"
_AUTHOR = re.compile(r"[ \t]*\{\s*author\s*\}")
# Words that lead to the product, left out with it: "votre avis sur {product} !" -> "votre avis !".
_PRODUCT = re.compile(r"[ \t]*(?:\b(?:on|about|for|of|with|sur|pour|de|du|avec|concernant)[ \t]+)?"
                      r"\{\s*product\s*\}", re.IGNORECASE)


def product_name(product: str | None, names: dict[str, str] | None = None) -> str:
    """The name a customer knows a product by, or "" when the stored value names nothing a
    customer would read (:func:`fill` then leaves the words about the product out).

    The config's ``[products]`` table first (``"com.example.shop" = "Shop"``, ``"8" = "Kuma"``);
    else a package id (``com.example.shop_app``) becomes its last segment made
    readable ("Shop app"; ``fr.panier.app`` is "Panier": a segment like
    "app" or "android" names no product), since a reply never shows a bundle id; a lowercase
    domain (``www.cdiscount.com``, Trustpilot's company) its name part ("Cdiscount"); a number,
    an id-like token (``id1321994487``, TripAdvisor's restaurant ``8``) or a bare domain
    ending (``com``) nothing; else the stored name as it is.
    """
    value = clean(product, single_line=True).strip()
    if not value:
        return ""
    mapped = (names or {}).get(value)
    if mapped:
        return clean(mapped, single_line=True).strip()
    if " " in value:
        return value
    domain = _domain_name(value)
    if domain is not None:
        return domain
    if _PACKAGE_ID.match(value):
        segments = [part for part in value.split(".")[1:] if part.lower() not in _GENERIC_SEGMENTS]
        last = (segments[-1] if segments else value.rsplit(".", 1)[-1]).replace("_", " ").replace("-", " ").strip()
        return _readable(last[:1].upper() + last[1:] if last else "")
    return _readable(value)


def _readable(name: str) -> str:
    """``name``, or "" for what names nothing: a domain ending, a number, an id-like token
    (digits in a single word: ``8``, ``1321994487``, ``B07XYZ1234``; ``v2.0`` and ``Tipsy`` stay)."""
    if name.lower() in _ENDINGS or name.lower() in _GENERIC_SEGMENTS:
        return ""
    if _ID_LIKE.match(name) and (not any(ch.isalpha() for ch in name) or sum(ch.isdigit() for ch in name) >= 4):
        return ""
    return name


def _domain_name(value: str) -> str | None:
    """The name part of a lowercase domain ("www.cdiscount.com" -> "Cdiscount", "boutique.lushan.fr"
    -> "Lushan", "shop.example.co.uk" -> "Example"); None for what is not one, such as a
    reverse-DNS id (``com.example.shop``, ``fr.panier.app``)."""
    if not (value.islower() or value.startswith("www.")) or not _DOMAIN.match(value.lower()):
        return None
    labels = value.lower().split(".")
    package_like = labels[0] in _PACKAGE_STARTS or len(labels[0]) == 2
    if not (labels[-1] in _ENDINGS or (labels[-1] in _WORD_ENDINGS and not package_like)):
        return None
    labels = [label for label in labels if label != "www"]
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        labels = labels[:-1]
    if len(labels) < 2:
        return ""  # "www.com": an ending, no name
    name = labels[-2]
    return _readable(name[:1].upper() + name[1:])


def tone_of(rating: int | None, sentiment: str | None, mismatch: bool = False) -> str:
    """Positive / neutral / negative from the stars, else from the sentiment.

    A review whose text contradicts its stars (``mismatch``) is answered for its
    text: a 5★ "the app crashes every time" gets the apology, not "we're delighted
    it works well for you"; a 1★ with a glowing text gets the neutral answer.
    """
    if mismatch and sentiment == "negative":
        return "negative"
    if mismatch and sentiment == "positive":
        return "neutral"
    if rating is not None:
        return "positive" if rating >= 4 else "negative" if rating <= 2 else "neutral"
    if sentiment in ("positive", "negative"):
        return sentiment
    return "neutral"


def suggest(templates: list[Template], review: dict[str, Any]) -> Template | None:
    """The template for the review's tone in its language (English when there is none)."""
    tone = tone_of(review.get("rating"), review.get("sentiment"), bool(review.get("mismatch")))
    language = review.get("language") if review.get("language") in {t.language for t in templates} else "en"
    for wanted in ((language, tone), (language, "neutral"), ("en", tone)):
        for template in templates:
            if (template.language, template.tone) == wanted:
                return template
    return templates[0] if templates else None


# What stores and exports write where a customer's name is hidden: no greeting by it.
ANONYMOUS_NAMES = frozenset({"a google user", "google user", "un utilisateur google", "utilisateur google",
                             "anonymous", "anonyme", "anon", "unknown", "inconnu", "n/a", "none", "null"})
_DROPPED_IN_NAMES = {"So", "Sk", "Cf", "Cc", "Cs", "Co", "Cn"}  # emoji, modifiers, invisible and control characters


def greeting_name(author: str | None) -> str:
    """The author's name as a reply greets them: their letters without the emoji
    and symbols around them ("Anna 🌸" -> "Anna"), and nothing for a name that has
    no letter ("🙄🤦🏻‍♀️") or that a store wrote for an anonymous customer
    ("A Google user"), so that the greeting reads "Hi, thank you…"."""
    text = "".join(ch for ch in (author or "") if unicodedata.category(ch) not in _DROPPED_IN_NAMES
                   and not 0xFE00 <= ord(ch) <= 0xFE0F)
    text = " ".join(text.split()).strip(" ,;:·")
    if not any(ch.isalpha() for ch in text) or text.casefold() in ANONYMOUS_NAMES:
        return ""
    return clean(text, single_line=True)


def questions(body: str) -> list[str]:
    """The ``{?question}`` prompts of a template, in order, without repeats."""
    found: list[str] = []
    for match in _PLACEHOLDER.finditer(body):
        if match.group(1) and match.group(2).strip() not in found:
            found.append(match.group(2).strip())
    return found


def fill(body: str, review: dict[str, Any], agent: str, answers: dict[str, str] | None = None, *,
         language: str | None = None, company: str | None = None, products: dict[str, str] | None = None) -> str:
    """The template with its placeholders replaced.

    ``language`` is the template's: a stored field that is empty becomes words
    of that language ("notre application"), a missing author disappears with
    the space before it; an unknown ``{name}`` is left as it is so the agent
    sees it.
    """
    answers = answers or {}
    fallback = FALLBACKS.get((language or "en").lower(), FALLBACKS["en"])
    source = clean(review.get("source"), single_line=True).strip()
    author = greeting_name(review.get("author"))
    stored_product = clean(review.get("product"), single_line=True).strip()
    product = product_name(stored_product, products)
    values = {
        "author": author,
        "product": product or fallback["product"],
        "source": SOURCE_NAMES.get(source, source) or fallback["source"],
        "rating": str(review.get("rating") or ""),
        "agent": clean(agent, single_line=True),
        "company": clean(company, single_line=True).strip() or fallback["company"],
    }  # names are data: a control sequence in one is never sent in a reply, nor shown raw
    if not author:
        body = _AUTHOR.sub("", body)
    if stored_product and not product:  # a product that has no readable name: not "our app", left out
        body = _PRODUCT.sub("", body)

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = match.group(2).strip()
        if match.group(1):
            return answers.get(name, token)
        return values.get(name, token)

    return _PLACEHOLDER.sub(replace, body)


@dataclass(frozen=True)
class Limit:
    size: int
    unit: str  # characters | bytes


def limit_for(source: str | None, overrides: dict[str, dict[str, Any]] | None = None) -> Limit | None:
    """The reply length limit of a source: the config first, then the defaults."""
    if not source:
        return None
    override = (overrides or {}).get(source)
    if override is not None:
        if not override.get("max"):
            return None
        return Limit(int(override["max"]), str(override.get("unit", "characters")))
    default = DEFAULT_LIMITS.get(source)
    return Limit(*default) if default else None


def measure(text: str, limit: Limit | None) -> int:
    if limit is not None and limit.unit == "bytes":
        return len(text.encode("utf-8"))
    return len(text)


def check(text: str, limit: Limit | None, source: str | None) -> str | None:
    """Why this reply cannot be sent, or None."""
    if not text.strip():
        return "the reply is empty"
    unanswered = questions(text)
    if unanswered:
        return f"fill in the placeholder {{?{unanswered[0]}}} first"
    if limit is not None and measure(text, limit) > limit.size:
        return (f"{source} replies are limited to {limit.size} {limit.unit}; "
                f"this one has {measure(text, limit)}")
    return None
