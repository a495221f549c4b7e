"""Apple App Store customer reviews, from the public RSS feed in its JSON form.

``https://itunes.apple.com/{country}/rss/customerreviews/page={n}/id={id}/sortby=mostrecent/json``
gives up to 10 pages of 50 reviews, newest first. Its quirks, all handled
here:

* every value is wrapped: ``{"label": "..."}``, and the rating is a string;
* the first entry of a page may describe the app itself (``im:name``,
  ``im:image``, no rating) instead of being a review;
* a feed with a single entry has ``entry`` as an object, not a list;
* an empty feed (no reviews, or a throttled answer) has no ``entry`` key;
* a review only carries ``updated``: it is both its date and its last edit.

Parsing is pure (a decoded JSON document in, :class:`Page` out) so it is
tested on the files in ``fixtures/http/`` without a server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from feedback_tui.importers.base import Defaults, RawRow, text_value, to_review
from feedback_tui.importers.http import FetchError, HttpClient, Page, rebase
from feedback_tui.models import Reject

SOURCE = "app_store"
BASE_URL = "https://itunes.apple.com"
MAX_PAGES = 10  # Apple serves no more than 10 pages of 50 reviews
PAGE_SIZE = 50
_APP_ENTRY_KEYS = ("im:name", "im:image", "im:artist", "im:releaseDate", "im:price")


@dataclass(frozen=True, slots=True)
class AppStoreOptions:
    """What to fetch: one app in one country's store."""

    app_id: str
    country: str = "us"
    pages: int = MAX_PAGES
    product: str | None = None  # stored product name; the app id when not given

    def __post_init__(self) -> None:
        if not self.app_id.isdigit():
            raise ValueError(f"app id must be the number from the App Store link (…/id123456789), got {self.app_id!r}")
        if len(self.country) != 2 or not self.country.isalpha():
            raise ValueError(f"country must be a two-letter store code such as us or fr, got {self.country!r}")
        if not 1 <= self.pages <= MAX_PAGES:
            raise ValueError(f"pages must be from 1 to {MAX_PAGES} (the feed has no more), got {self.pages}")


def options_from_table(table: Mapping[str, Any]) -> AppStoreOptions:
    """Options from a ``[sources.NAME]`` table (``app_id``, ``country``, ``pages``, ``product``).

    Raises :class:`ValueError` with a message naming the bad key.
    """
    app_id = table.get("app_id")
    if app_id is None:
        raise ValueError("kind 'appstore' needs app_id (the number in the App Store link)")
    pages = table.get("pages", MAX_PAGES)
    if not isinstance(pages, int) or isinstance(pages, bool):
        raise ValueError(f"pages must be a whole number, got {pages!r}")
    product = table.get("product")
    return AppStoreOptions(app_id=str(app_id), country=str(table.get("country", "us")).lower(), pages=pages,
                           product=str(product) if product is not None else None)


def feed_url(app_id: str, country: str, page: int, base_url: str | None = None) -> str:
    url = f"{BASE_URL}/{country}/rss/customerreviews/page={page}/id={app_id}/sortby=mostrecent/json"
    return rebase(url, base_url)


def origin_url(options: AppStoreOptions, base_url: str | None = None) -> str:
    """What the import run records: the feed without a page number."""
    url = f"{BASE_URL}/{options.country}/rss/customerreviews/id={options.app_id}/sortby=mostrecent/json"
    return rebase(url, base_url)


def _label(entry: Mapping[str, Any], *keys: str) -> str | None:
    """``entry[k1][k2]...["label"]`` as text, or None when any level is missing."""
    node: Any = entry
    for key in keys:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    if isinstance(node, Mapping):
        node = node.get("label")
    return text_value(node) if isinstance(node, (str, int, float)) else None


def feed_entries(document: object, url: str, page: int) -> list[object]:
    """The ``feed.entry`` items: a list, one object, or none at all."""
    feed = document.get("feed") if isinstance(document, dict) else None
    if not isinstance(feed, dict):
        raise FetchError(f"{url} (page {page}): not an App Store reviews feed (no \"feed\" object)")
    entries = feed.get("entry")
    if entries is None:
        return []
    if isinstance(entries, dict):
        return [entries]
    if isinstance(entries, list):
        return entries
    raise FetchError(f"{url} (page {page}): \"feed.entry\" is neither a list nor an object")


def is_app_entry(entry: Mapping[str, Any]) -> bool:
    """The entry that describes the app (name, icon, price) rather than a review."""
    return any(key in entry for key in _APP_ENTRY_KEYS) and "im:rating" not in entry


def parse_page(document: object, *, url: str, page: int, options: AppStoreOptions, imported_at: str) -> Page:
    """Turn one decoded feed page into validated review rows and rejects.

    A reject's line is the entry's position on the page (1-based, the app
    entry included) and its reason names the page.
    """
    result = Page(number=page, url=url)
    defaults = Defaults(source=SOURCE, imported_at=imported_at)
    for index, entry in enumerate(feed_entries(document, url, page), start=1):
        raw = json.dumps(entry, ensure_ascii=False)
        if not isinstance(entry, dict):
            result.rows.append(Reject(index, f"page {page}: expected an object for each entry", raw))
            continue
        if is_app_entry(entry):
            name = _label(entry, "im:name")
            if name:
                result.notes.append(f"app: {name}")
            continue
        values = {
            "external_id": _label(entry, "id"),
            "author": _label(entry, "author", "name"),
            "rating": _label(entry, "im:rating"),
            "title": _label(entry, "title"),
            "body": _label(entry, "content"),
            "created_at": _label(entry, "updated"),
            "source": SOURCE,
            "product": options.product or options.app_id,
        }
        if not values["external_id"]:
            result.rows.append(Reject(index, f"page {page}: review without an id", raw, "external_id"))
            continue
        if not values["created_at"]:
            # The import time would be a made-up date for a review of the past.
            result.rows.append(Reject(index, f"page {page}: review without a date", raw, "created_at"))
            continue
        row = to_review(RawRow(index, values, raw), defaults, body_required=True)  # the feed has no star-only entries
        if row is None:
            continue
        if isinstance(row, Reject):
            row.reason = f"page {page}: {row.reason}"
        result.rows.append(row)
    return result


def fetch_pages(client: HttpClient, options: AppStoreOptions, *, imported_at: str,
                base_url: str | None = None) -> Iterator[Page]:
    """Fetch and parse pages newest first; stop at the first page without entries.

    The caller decides when to stop earlier (reviews already stored, a
    cancel request) simply by not asking for the next page.
    """
    limit = min(options.pages, client.settings.max_pages, MAX_PAGES)
    for number in range(1, limit + 1):
        url = feed_url(options.app_id, options.country, number, base_url)
        document = client.get_json(url, page=number)
        page = parse_page(document, url=url, page=number, options=options, imported_at=imported_at)
        if number == limit and len(page.rows) >= PAGE_SIZE and limit < MAX_PAGES:
            page.notes.append(f"stopped at the page limit ({limit}); older reviews were not fetched")
        yield page
        if not page.rows:  # an empty or throttled feed: nothing further either
            return


__all__ = ["AppStoreOptions", "SOURCE", "MAX_PAGES", "feed_url", "feed_entries", "fetch_pages", "is_app_entry",
           "options_from_table", "origin_url", "parse_page"]
