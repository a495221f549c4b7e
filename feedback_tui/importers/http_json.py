"""Reviews from any JSON API, described by a small mapping instead of code.

A mapping (a ``[sources.NAME]`` table, or a TOML file given to ``fetch json
--map``) says where the list of reviews is, where each field is inside one
item, how to reach the next page and how to authenticate::

    url = "https://api.example.com/v1/reviews"
    items = "data"                      # dotted path to the list ("" = the answer itself)
    next = "links.next"                 # pagination: a next-page URL ...
    # page_param = "page"               # ... or a page number (page_start = 1) ...
    # cursor = "meta.next_cursor"       # ... or a cursor sent back as cursor_param
    # cursor_param = "cursor"
    auth_header = "Authorization"
    auth_prefix = "Bearer "
    secret_env = "ACME_TOKEN"           # the NAME of an environment variable, never the token
    [fields]                            # or [sources.NAME.fields]
    id = "id"
    body = "attributes.text"
    rating = "attributes.stars"
    created_at = "attributes.date"

Paths are dotted keys; a number picks a list element (``images.0.url``).
Without ``fields``, item keys are matched by the same names as file imports
(``id``, ``text``, ``stars``, ``date``...).

The secret is read from the environment when the run starts, sent only to
the host of ``url`` (never to a next link or a redirect elsewhere), and
removed from every message.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from feedback_tui.errors import UsageProblem
from feedback_tui.importers.base import REVIEW_ALIASES, Defaults, RawRow, json_cell, map_columns, to_review
from feedback_tui.importers.http import FetchError, HttpClient, Page, rebase, same_origin, with_params
from feedback_tui.models import Reject

# Mapping key -> canonical review field.
FIELD_NAMES: dict[str, str] = {
    "id": "external_id", "external_id": "external_id", "body": "body", "rating": "rating", "title": "title",
    "author": "author", "created_at": "created_at", "updated_at": "updated_at", "language": "language",
    "product": "product", "url": "url", "reply": "reply", "reply_at": "reply_at",
}
OPTION_KEYS = frozenset({
    "url", "items", "fields", "next", "page_param", "page_start", "cursor", "cursor_param", "params",
    "auth_header", "auth_prefix", "auth_param", "secret_env", "source", "product", "max_pages", "incremental",
})
_LIST_KEYS = ("reviews", "items", "data", "results", "entries")
_MISSING = object()


@dataclass(frozen=True, slots=True)
class JsonApiOptions:
    """A validated mapping for one JSON API."""

    url: str
    source: str
    fields: dict[str, str] = field(default_factory=dict)  # canonical field -> path; empty = guess from keys
    items: str | None = None
    next: str | None = None
    page_param: str | None = None
    page_start: int = 1
    cursor: str | None = None
    cursor_param: str = "cursor"
    params: dict[str, str] = field(default_factory=dict)
    auth_header: str | None = None
    auth_prefix: str = ""
    auth_param: str | None = None
    secret_env: str | None = None
    product: str | None = None
    max_pages: int | None = None
    incremental: bool = False

    @property
    def pagination(self) -> str:
        if self.next:
            return "next link"
        if self.cursor:
            return "cursor"
        if self.page_param:
            return "page number"
        return "single page"


def _text_option(table: Mapping[str, Any], key: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{key} must be text, got {value!r}")
    return value


def options_from_table(table: Mapping[str, Any], *, default_source: str, url: str | None = None) -> JsonApiOptions:
    """Validate a mapping table; :class:`ValueError` names the bad key.

    ``url`` (from the command line) overrides the table's ``url``.
    """
    unknown = sorted(set(table) - OPTION_KEYS)
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(OPTION_KEYS))})")
    url = url or _text_option(table, "url")
    if not url:
        raise ValueError("needs url (the first page of the API)")
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise ValueError(f"url must start with http:// or https://, got {url!r}")
    raw_fields = table.get("fields", {})
    if not isinstance(raw_fields, Mapping):
        raise ValueError("fields must be a table of field = \"json.path\"")
    fields: dict[str, str] = {}
    for key, path in raw_fields.items():
        if key not in FIELD_NAMES:
            raise ValueError(f"fields: unknown field {key!r} (known: {', '.join(sorted(FIELD_NAMES))})")
        if not isinstance(path, str) or not path:
            raise ValueError(f"fields.{key} must be a dotted path such as \"attributes.text\"")
        fields[FIELD_NAMES[key]] = path
    if fields and "body" not in fields:
        raise ValueError("fields must say where the review text is (body = \"...\")")
    pagers = [key for key in ("next", "page_param", "cursor") if table.get(key)]
    if len(pagers) > 1:
        raise ValueError(f"choose one way to paginate, not {' and '.join(pagers)}")
    if (table.get("auth_header") or table.get("auth_param")) and not table.get("secret_env"):
        raise ValueError("auth_header/auth_param need secret_env (the name of the environment variable holding the secret)")
    if table.get("secret_env") and not (table.get("auth_header") or table.get("auth_param")):
        raise ValueError("secret_env needs auth_header (e.g. \"Authorization\") or auth_param (a query parameter)")
    params = table.get("params", {})
    if not isinstance(params, Mapping):
        raise ValueError("params must be a table of query parameters")
    max_pages = table.get("max_pages")
    if max_pages is not None and (not isinstance(max_pages, int) or isinstance(max_pages, bool) or max_pages < 1):
        raise ValueError(f"max_pages must be a whole number of at least 1, got {max_pages!r}")
    page_start = table.get("page_start", 1)
    if not isinstance(page_start, int) or isinstance(page_start, bool):
        raise ValueError(f"page_start must be a whole number, got {page_start!r}")
    incremental = table.get("incremental", False)
    if not isinstance(incremental, bool):
        raise ValueError("incremental must be true or false")
    return JsonApiOptions(
        url=url,
        source=_text_option(table, "source") or default_source,
        fields=fields,
        items=_text_option(table, "items"),
        next=_text_option(table, "next"),
        page_param=_text_option(table, "page_param"),
        page_start=page_start,
        cursor=_text_option(table, "cursor"),
        cursor_param=_text_option(table, "cursor_param") or "cursor",
        params={str(k): str(v) for k, v in params.items()},
        auth_header=_text_option(table, "auth_header"),
        auth_prefix=_text_option(table, "auth_prefix") or "",
        auth_param=_text_option(table, "auth_param"),
        secret_env=_text_option(table, "secret_env"),
        product=_text_option(table, "product"),
        max_pages=max_pages,
        incremental=incremental,
    )


# -- pure parsing ------------------------------------------------------------
def get_path(document: object, path: str | None, default: object = None) -> object:
    """``get_path({"a": {"b": [1, 2]}}, "a.b.1")`` -> 2; a missing step gives ``default``."""
    if path is None or path in ("", "."):
        return document
    node = document
    for step in path.split("."):
        if isinstance(node, Mapping) and step in node:
            node = node[step]
        elif isinstance(node, list) and step.lstrip("-").isdigit() and -len(node) <= int(step) < len(node):
            node = node[int(step)]
        else:
            return default
    return node


def page_items(document: object, options: JsonApiOptions, url: str, page: int) -> list[object]:
    """The list of review items on one page."""
    if options.items is not None:
        items = get_path(document, options.items, _MISSING)
        if items is _MISSING or items is None:
            return []  # many APIs drop the key on an empty last page
        if not isinstance(items, list):
            raise FetchError(f"{url} (page {page}): \"{options.items}\" is not a list")
        return items
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in _LIST_KEYS:
            if isinstance(document.get(key), list):
                return document[key]
    raise FetchError(f"{url} (page {page}): no list of reviews found; set items = \"path.to.list\" in the mapping")


def parse_page(document: object, *, url: str, page: int, options: JsonApiOptions, imported_at: str) -> Page:
    """Validated rows of one page; a reject's line is the item's position on the page."""
    result = Page(number=page, url=url)
    items = page_items(document, options, url, page)
    columns = options.fields or {
        name: key for name, key in map_columns(
            sorted({k for item in items if isinstance(item, dict) for k in item}), REVIEW_ALIASES).items()
    }
    defaults = Defaults(source=options.source, imported_at=imported_at)
    for index, item in enumerate(items, start=1):
        raw = json.dumps(item, ensure_ascii=False)
        if not isinstance(item, dict):
            result.rows.append(Reject(index, f"page {page}: expected an object for each item", raw))
            continue
        values = {name: json_cell(get_path(item, path)) for name, path in columns.items()}
        values["source"] = options.source
        values["product"] = values.get("product") or options.product
        row = to_review(RawRow(index, values, raw), defaults)
        if row is None:
            continue
        if isinstance(row, Reject):
            row.reason = f"page {page}: {row.reason}"
        result.rows.append(row)
    return result


def next_url(document: object, options: JsonApiOptions, current: str, page: int, first: str,
             item_count: int) -> str | None:
    """The URL of the page after ``current``, or None when this was the last."""
    if options.next:
        link = get_path(document, options.next)
        return urljoin(current, link) if isinstance(link, str) and link.strip() else None
    if options.cursor:
        cursor = get_path(document, options.cursor)
        if cursor is None or cursor == "" or cursor is False:
            return None
        return with_params(first, {options.cursor_param: str(cursor)})
    if options.page_param:
        if not item_count:
            return None
        return with_params(first, {options.page_param: str(options.page_start + page)})
    return None


# -- fetching ----------------------------------------------------------------
def read_secret(options: JsonApiOptions) -> str | None:
    """The secret, from the environment variable the mapping names (at run time only)."""
    if not options.secret_env:
        return None
    secret = os.environ.get(options.secret_env, "")
    if not secret.strip():
        raise UsageProblem(f"source {options.source!r}: the environment variable {options.secret_env} "
                           "is not set (it must hold the API secret)")
    return secret.strip()


def start_url(options: JsonApiOptions, base_url: str | None = None) -> str:
    """The first page, without any secret (this is what the run records)."""
    url = rebase(options.url, base_url)
    params = dict(options.params)
    if options.page_param:
        params[options.page_param] = str(options.page_start)
    return with_params(url, params) if params else url


def fetch_pages(client: HttpClient, options: JsonApiOptions, *, imported_at: str,
                base_url: str | None = None) -> Iterator[Page]:
    """Fetch and parse pages until the API says there are no more or the page cap is hit."""
    secret = read_secret(options)
    client.redactor.add(secret)
    first = start_url(options, base_url)
    limit = min(options.max_pages or client.settings.max_pages, client.settings.max_pages)
    seen: set[str] = set()
    url: str | None = first
    number = 0
    while url is not None:
        number += 1
        seen.add(url)
        headers: dict[str, str] = {}
        request_url = url
        if secret and same_origin(url, first):
            if options.auth_header:
                headers[options.auth_header] = f"{options.auth_prefix}{secret}"
            if options.auth_param:
                request_url = with_params(url, {options.auth_param: secret})
        document = client.get_json(request_url, page=number, headers=headers)
        shown = client.redactor.url(url)
        page = parse_page(document, url=shown, page=number, options=options, imported_at=imported_at)
        following = next_url(document, options, url, number, first, len(page.rows))
        if following in seen:
            page.notes.append(f"page {number} links back to an earlier page; stopped there")
            following = None
        if following is not None and number >= limit:
            page.notes.append(f"stopped at the page limit ({limit}); raise max_pages to fetch more")
            following = None
        yield page
        url = following


__all__ = ["JsonApiOptions", "FIELD_NAMES", "fetch_pages", "get_path", "next_url", "options_from_table",
           "page_items", "parse_page", "read_secret", "start_url"]
