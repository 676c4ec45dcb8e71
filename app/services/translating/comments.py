"""Comments on segments: one thread per segment between translators and the editor, resolved when settled.

A thread belongs to an entry id (the French of the segment); when the French changes, the
thread of the French the translation came from (``#| msgid``) is shown with the new one, as the
save history is. Text is plain: stored as written, always shown escaped (never as HTML).
"""
from __future__ import annotations

import re
from collections import defaultdict

import polib
from flask import g
from sqlalchemy import func, select

from app.catalog.po import entry_id
from app.content.notes import Note
from app.extensions import db
from app.models import SegmentComment, User, utcnow
from app.services.garden import Garden
from app.services.translating.entries import InvalidInput, NotFound, find_entry, read_note_catalog
from app.services.translating.entry_views import as_utc

MAX_COMMENT_LENGTH = 5000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_comment(text: object) -> str:
    """A comment's text, validated (non-empty, at most :data:`MAX_COMMENT_LENGTH`, no control characters)."""
    if not isinstance(text, str):
        raise InvalidInput("text must be a string")
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise InvalidInput("the comment is empty", "empty")
    if len(text) > MAX_COMMENT_LENGTH:
        raise InvalidInput(f"the comment is too long ({len(text)} characters, at most {MAX_COMMENT_LENGTH})", "too_long",
                           length=len(text), limit=MAX_COMMENT_LENGTH)
    if _CONTROL.search(text):
        raise InvalidInput("the comment contains control characters", "control")
    return text


def previous_id(entry: dict) -> str | None:
    """The entry id of the French an entry (API form) was translated from, when it changed since."""
    previous = entry.get("previous_msgid")
    return entry_id(polib.POEntry(msgid=previous)) if previous else None


def note_threads(note: Note, lang: str) -> dict[str, list[SegmentComment]]:
    """Every comment of the note in ``lang`` by entry id, oldest first (one query, cached per request)."""
    cache = g.setdefault("segment_threads", {})
    key = (note.filename, lang)
    if key not in cache:
        query = (select(SegmentComment).where(SegmentComment.source == note.filename, SegmentComment.lang == lang)
                 .order_by(SegmentComment.at, SegmentComment.id))
        grouped: dict[str, list[SegmentComment]] = defaultdict(list)
        for row in db.session.scalars(query):
            grouped[row.entry_id].append(row)
        cache[key] = grouped
    return cache[key]


def segment_thread(note: Note, lang: str, entry: dict) -> list[SegmentComment]:
    """The thread of one segment (API form of the entry), with the thread of its previous French."""
    threads = note_threads(note, lang)
    older = threads.get(previous_id(entry) or "", [])
    return sorted([*older, *threads.get(entry["id"], [])], key=lambda row: (as_utc(row.at), row.id))


def add_comment(garden: Garden, note: Note, lang: str, ident: str, text: object, user: User, *,
                review_event_id: int | None = None, commit: bool = True) -> SegmentComment:
    """Add a comment to the thread of entry ``ident`` (which must exist now), or :class:`NotFound` / :class:`InvalidInput`."""
    text = clean_comment(text)
    po, _ = read_note_catalog(garden, note, lang)
    entry = find_entry(po, ident)
    if entry is None:
        raise NotFound(f"no entry {ident!r} in {note.slug!r} ({lang}); the French may have changed")
    row = SegmentComment(source=note.filename, lang=lang, entry_id=ident, msgid=entry.msgid, text=text, user_id=user.id,
                         review_event_id=review_event_id, at=utcnow())
    db.session.add(row)
    if commit:
        db.session.commit()
    g.pop("segment_threads", None)
    return row


def resolve_comment(note: Note, lang: str, comment_id: int, user: User, resolved: bool = True) -> SegmentComment:
    """Mark a comment resolved (or open again), or :class:`NotFound`."""
    row = db.session.get(SegmentComment, comment_id)
    if row is None or row.source != note.filename or row.lang != lang:
        raise NotFound(f"no comment {comment_id} on {note.slug!r} ({lang})")
    row.resolved = resolved
    row.resolved_by, row.resolved_at = (user.id, utcnow()) if resolved else (None, None)
    db.session.commit()
    g.pop("segment_threads", None)
    return row


def open_counts(lang: str) -> dict[str, int]:
    """Open (unresolved) comments per French source file in ``lang``, in one query (cached per request)."""
    cache = g.setdefault("open_comment_counts", {})
    if lang not in cache:
        query = (select(SegmentComment.source, func.count()).where(SegmentComment.lang == lang,
                                                                    SegmentComment.resolved.is_(False))
                 .group_by(SegmentComment.source))
        cache[lang] = {source: count for source, count in db.session.execute(query)}
    return cache[lang]


def comment_data(row: SegmentComment) -> dict:
    """The API form of a comment."""
    return {"id": row.id, "entry_id": row.entry_id, "msgid": row.msgid, "text": row.text,
            "user": row.user.username if row.user else None, "at": as_utc(row.at).isoformat(),
            "resolved": row.resolved, "resolved_by": row.resolver.username if row.resolver else None,
            "review_event_id": row.review_event_id}
