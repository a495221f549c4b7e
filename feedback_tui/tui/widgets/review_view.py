"""A review (or a survey answer) in full, as Rich renderables.

Shared by the review screen and the composer, which shows the review above
the reply. Every piece of text from the data goes through :func:`plain`, so
nothing in a review is parsed as markup or reaches the terminal raw.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text

from feedback_tui.store.rows import ReviewDetail
from feedback_tui.tui.safe_text import highlighted, plain
from feedback_tui.tui.widgets.rating import stars

SENTIMENT_STYLES = {"positive": "green", "neutral": "yellow", "negative": "red", "unknown": "dim"}


def _section(title: str) -> Text:
    return Text(f"\n{title}", style="bold underline")


def _size(characters: int) -> str:
    return f"{characters / 1_000_000:.1f} M characters" if characters >= 100_000 else f"{characters:,} characters"


def render_review(detail: ReviewDetail, terms: tuple[str, ...] = ()) -> Group:
    """The review (or survey answer) as Rich renderables built from plain text, never markup;
    ``terms`` (the inbox's search) are highlighted in the title and the text."""
    parts: list[Any] = []
    head = Text()
    head.append(stars(detail.rating, detail.survey_kind) + "  ", style="yellow")
    head.append_text(plain(detail.source))
    if detail.undated:  # its date is its import's: say so, or it reads as a review of that day
        head.append("  ·  ")
        head.append(f"date not in the file: imported {(detail.created_at or '')[:10]}", style="yellow")
    else:
        head.append("  ·  " + (detail.created_at or "")[:16].replace("T", " ") + " UTC", style="dim")
    head.append("  ·  ")
    head.append_text(plain(detail.author or "anonymous", single_line=True))
    parts.append(head)
    meta = Text(style="dim")
    for label, value in (("language", detail.language), ("product", detail.product), ("status", detail.status),
                         ("assignee", detail.assignee), ("flags", detail.flags)):
        if value:
            meta.append(f"{label}: ")
            meta.append_text(plain(str(value), single_line=True))
            meta.append("   ")
    parts.append(meta)
    label = detail.sentiment or "not scored"
    sentiment = Text("sentiment: ")
    sentiment.append(label, style=SENTIMENT_STYLES.get(label, ""))
    if detail.polarity is not None:
        sentiment.append(f" (polarity {detail.polarity:+.2f}, subjectivity {detail.subjectivity or 0:.2f})",
                         style="dim")
    if detail.scored_by:
        sentiment.append(f" · scored by {'the lexicon' if detail.scored_by == 'lexicon' else detail.scored_by}",
                         style="dim")
    parts.append(sentiment)
    if detail.mismatch:
        parts.append(Text("mismatch: the text contradicts the stars (5 in the inbox lists them all)", style="bold red"))
    if detail.tags:
        tags = Text("tags: ")
        tags.append_text(plain(", ".join(detail.tags)))
        parts.append(tags)
    if detail.title:
        parts.append(Text(""))
        parts.append(highlighted(detail.title, terms, "bold"))
    parts.append(Text(""))
    parts.append(highlighted(detail.body, terms))
    if detail.body_length > len(detail.body or ""):
        parts.append(Text(f"… cut here: the whole text has {detail.body_length:,} characters "
                          f"({_size(detail.body_length)}); x saves it to a file.", style="bold yellow"))
    if detail.url:
        link = Text("source: ", style="dim")
        link.append_text(plain(detail.url, "dim", single_line=True))
        parts.append(link)
    parts.append(_section(f"Replies ({len(detail.replies)})"))
    if not detail.replies and detail.survey_kind is None:
        parts.append(Text("No reply yet: r to answer.", style="dim"))
    for reply in detail.replies:
        line = Text(f"{(reply.created_at or 'date unknown')[:16].replace('T', ' ')} · ", style="dim")
        line.append_text(plain(reply.agent, "dim", single_line=True))
        status = "withdrawn" if reply.withdrawn_at else reply.delivery_status
        line.append(f" · {status}", style="red" if status in ("failed", "withdrawn") else "dim")
        if reply.updated_at and not reply.withdrawn_at:
            line.append(f" · edited {reply.updated_at[:16].replace('T', ' ')}", style="dim")
        if reply.created_at and detail.created_at and reply.created_at < detail.created_at:
            # the stores date a review by its latest edit: this reply answered an earlier version
            line.append(" · before this version of the review: its author edited it since", style="yellow")
        parts.append(line)
        if reply.delivery_status == "failed" and reply.delivery_error:
            parts.append(plain(f"delivery failed: {reply.delivery_error} (r, then ctrl+r retries)", "red"))
        parts.append(plain(reply.text, "strike dim" if reply.withdrawn_at else ""))
    if detail.notes:
        parts.append(_section(f"Internal notes ({len(detail.notes)})"))
        for note in detail.notes:
            line = Text(f"{note.created_at[:16].replace('T', ' ')} · ", style="dim")
            line.append_text(plain(note.agent, "dim", single_line=True))
            parts.append(line)
            parts.append(plain(note.text))
    if detail.activity:
        parts.append(_section(f"Activity ({len(detail.activity)})"))
        for entry in detail.activity:
            line = Text(f"{entry.created_at[:16].replace('T', ' ')} · ", style="dim")
            line.append_text(plain(entry.agent, "dim", single_line=True))
            line.append(" · ", style="dim")
            line.append_text(plain(entry.what, "strike dim" if entry.undone_at else "", single_line=True))
            if entry.undone_at:
                line.append(f" (undone {entry.undone_at[:16].replace('T', ' ')})", style="dim")
            parts.append(line)
    if detail.history:
        parts.append(_section("Earlier versions"))
        for version in detail.history:
            rating = f"{version.rating:g}" if version.rating is not None else "—"
            parts.append(Text(f"before {version.replaced_at[:10]}: {rating}★", style="dim"))
            parts.append(plain(version.body, "dim"))
    return Group(*parts)
