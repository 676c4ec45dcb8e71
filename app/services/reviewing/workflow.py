"""Stored workflow state per note and language, moved only through the transition table."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import NoteState, Publication, ReviewEvent, User, utcnow
from app.workflow.states import Action, InvalidTransition, State, display_state, next_state

#: Review events recorded for these actions (edits are recorded in the entry history instead).
RECORDED_ACTIONS = {
    Action.SUBMIT: "submitted",
    Action.APPROVE: "approved",
    Action.REQUEST_CHANGES: "changes_requested",
    Action.UNPUBLISH: "unpublished",
}


class WorkflowError(Exception):
    """A workflow request refused for a reason the user can act on (answered with 409)."""

    def __init__(self, message: str, missing: dict | None = None):
        super().__init__(message)
        self.message = message
        self.missing = missing or {}


def stored_state(source: str, lang: str) -> State:
    """The stored state of a note in ``lang`` (``untranslated`` when never touched)."""
    row = db.session.scalar(select(NoteState).where(NoteState.source == source, NoteState.lang == lang))
    return State(row.state) if row else State.UNTRANSLATED


def note_state_row(source: str, lang: str) -> NoteState | None:
    """The stored state row (with the editor's last comment), or None."""
    return db.session.scalar(select(NoteState).where(NoteState.source == source, NoteState.lang == lang))


def states_by_source(lang: str) -> dict[str, NoteState]:
    """Every stored state row of ``lang`` keyed by source file, in one query."""
    return {row.source: row for row in db.session.scalars(select(NoteState).where(NoteState.lang == lang))}


def latest_publication(source: str, lang: str, *, live_only: bool = False) -> Publication | None:
    """The most recent publication of a note in ``lang`` (only a still-published one with ``live_only``)."""
    query = select(Publication).where(Publication.source == source, Publication.lang == lang)
    if live_only:
        query = query.where(Publication.unpublished_at.is_(None))
    return db.session.scalar(query.order_by(Publication.approved_at.desc(), Publication.id.desc()).limit(1))


def current_state(source: str, lang: str, current_sha256: str, *, note=None) -> State:
    """The state to show: stored, with ``outdated`` derived from the live publication (minor changes aside given ``note``)."""
    stored = stored_state(source, lang)
    live = latest_publication(source, lang, live_only=True) if stored is State.PUBLISHED else None
    if note is not None:
        from app.services.reading.outdated import shown_state

        return shown_state(stored, live.source_sha256 if live else None, note, lang=lang)
    return display_state(stored, published_sha256=live.source_sha256 if live else None, current_sha256=current_sha256)


def transition(source: str, lang: str, action: Action, user: User | None, comment: str | None = None, *, commit: bool = True) -> State:
    """Apply ``action`` through the transition table, record it, and return the new state.

    Raises :class:`~app.workflow.states.InvalidTransition` (409) when the table refuses it.
    """
    row = note_state_row(source, lang)
    current = State(row.state) if row else State.UNTRANSLATED
    new = next_state(current, action)
    if row is None:
        row = NoteState(source=source, lang=lang, state=new.value)
        db.session.add(row)
    if new is not current or action is not Action.EDIT:
        row.state = new.value
        row.updated_at = utcnow()
    if action is Action.REQUEST_CHANGES:
        row.comment = comment
    elif action in (Action.SUBMIT, Action.APPROVE):
        row.comment = None
    if action in RECORDED_ACTIONS:
        db.session.add(ReviewEvent(source=source, lang=lang, action=RECORDED_ACTIONS[action],
                                   user_id=user.id if user else None, comment=comment))
    if commit:
        db.session.commit()
    return new


def review_events(source: str, lang: str) -> list[ReviewEvent]:
    """The decision history of a note in ``lang``, newest first."""
    query = select(ReviewEvent).where(ReviewEvent.source == source, ReviewEvent.lang == lang)
    return list(db.session.scalars(query.order_by(ReviewEvent.at.desc(), ReviewEvent.id.desc())))


__all__ = ["InvalidTransition", "WorkflowError", "transition", "stored_state", "current_state",
           "latest_publication", "review_events", "states_by_source", "note_state_row"]
