"""Requesting changes that point at segments: the editor's request, plus a comment on each segment named."""
from __future__ import annotations

from sqlalchemy import select

from app.content.notes import Note
from app.extensions import db
from app.models import ReviewEvent, User
from app.services.garden import Garden
from app.services.publishing import approval
from app.services.translating.comments import add_comment, clean_comment
from app.services.translating.entries import InvalidInput, find_entry, read_note_catalog

MAX_SEGMENTS = 500


class SegmentsError(ValueError):
    """The segments pointed at are malformed or do not exist (400)."""


def clean_segments(garden: Garden, note: Note, lang: str, segments: object) -> list[tuple[str, str | None]]:
    """``[(entry id, own comment or None)]`` from ids or ``{"id", "comment"}`` objects; every id must exist now."""
    if segments in (None, ""):
        return []
    if not isinstance(segments, list) or len(segments) > MAX_SEGMENTS:
        raise SegmentsError(f'segments must be a list of at most {MAX_SEGMENTS} entry ids or {{"id", "comment"}} objects')
    po, _ = read_note_catalog(garden, note, lang)
    cleaned, seen = [], set()
    for item in segments:
        ident, comment = (item, None) if isinstance(item, str) else (
            (item.get("id"), item.get("comment")) if isinstance(item, dict) else (None, None))
        if not isinstance(ident, str) or (comment is not None and not isinstance(comment, str)):
            raise SegmentsError('each segment is an entry id or {"id": "...", "comment": "..."}')
        if find_entry(po, ident) is None:
            raise SegmentsError(f"no segment {ident[:40]!r} in this note (the French may have changed)")
        try:
            own = clean_comment(comment) if comment else None
        except InvalidInput as exc:
            raise SegmentsError(f"the comment on segment {ident[:40]!r} is refused: {exc.message}") from None
        if ident not in seen:
            seen.add(ident)
            cleaned.append((ident, own))
    return cleaned


def request_changes(garden: Garden, note: Note, lang: str, user: User, comment: object, segments: object = None) -> str:
    """Send the note back with ``comment``; each segment named gets a comment (its own, or the request's)."""
    pointed = clean_segments(garden, note, lang, segments)
    if pointed and isinstance(comment, str) and comment.strip():
        try:
            clean_comment(comment)  # it goes into the segments' threads too: refuse it before any change
        except InvalidInput as exc:
            raise SegmentsError(f"the comment is refused: {exc.message}") from None
    state = approval.request_changes(note, lang, user, comment)
    if pointed:
        event = db.session.scalar(select(ReviewEvent).where(ReviewEvent.source == note.filename, ReviewEvent.lang == lang,
                                                            ReviewEvent.action == "changes_requested")
                                  .order_by(ReviewEvent.id.desc()).limit(1))
        for ident, own in pointed:
            add_comment(garden, note, lang, ident, own or approval.clean_comment(comment), user,
                        review_event_id=event.id if event else None, commit=False)
        db.session.commit()
    return state
