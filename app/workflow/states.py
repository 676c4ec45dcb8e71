"""Workflow state of one note in one target language, with every guarded transition in one table.

The stored states and what moves a note between them (``TRANSITIONS`` is the only place that
decides; an action missing from it for a state is refused with :class:`InvalidTransition`,
which the web layer answers with 409):

==================  ==================  ==================  ============================================
state               action              next state          why
==================  ==================  ==================  ============================================
untranslated        edit                in_progress         the first saved segment starts the work
in_progress         edit                in_progress         more work on the draft
changes_requested   edit                changes_requested   the editor's request stays visible (with its
                                                            comment, on the dashboard) until the
                                                            translator resubmits, as a pull request
                                                            keeps "changes requested" until re-review
submitted           edit                in_progress         editing withdraws the submission: the editor
                                                            never reviews a moving target, and the
                                                            translator resubmits when done
published           edit                in_progress         a new draft starts; the published file stays
                                                            and keeps serving readers until the next
                                                            approval or an unpublish
untranslated        submit              submitted           allowed when the catalog is complete (a note
                                                            filled outside the screens, e.g. by a PO
                                                            editor and a sync)
in_progress         submit              submitted           the normal hand-over to the editor
changes_requested   submit              submitted           the translator answered the request
published           submit              submitted           re-approval without edits: the French changed
                                                            in a part that needs no new English (code,
                                                            embeds), and only a fresh approval clears the
                                                            outdated banner
submitted           approve             published           only a submitted note can be approved
submitted           request_changes     changes_requested   only a submitted note can be sent back
published           unpublish           in_progress         the file goes, the catalog stays as a draft
in_progress         unpublish           in_progress         a published note being re-translated can
submitted           unpublish           submitted           still be taken offline: only the published
changes_requested   unpublish           changes_requested   file goes, the draft's state is unchanged
==================  ==================  ==================  ============================================

Completeness, checks and whether a published file exists are facts the caller verifies with
the catalog and the publication records (submit and approve need a complete catalog without
error-level checks; unpublish needs a published file); this table only guards the order.

``outdated`` is never stored: :func:`display_state` derives it from the stored ``published``
state and the SHA-256 of the French text the publication was approved against, so it can
never go stale. Whether readers get an English page is the publication record's business,
not the state's: a note in ``in_progress`` after an edit may still have its approved English
online.
"""
from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType


class State(str, Enum):
    """Workflow state of a note in one language; ``OUTDATED`` is derived only, never stored."""

    UNTRANSLATED = "untranslated"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    PUBLISHED = "published"
    OUTDATED = "outdated"

    def __str__(self) -> str:
        return self.value


class Action(str, Enum):
    """Something a translator or an editor does to a note in one language."""

    EDIT = "edit"
    SUBMIT = "submit"
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    UNPUBLISH = "unpublish"

    def __str__(self) -> str:
        return self.value


#: States that may be written to the database (``OUTDATED`` is not one of them).
STORED_STATES: tuple[State, ...] = tuple(s for s in State if s is not State.OUTDATED)

_S, _A = State, Action
TRANSITIONS: Mapping[tuple[State, Action], State] = MappingProxyType({
    (_S.UNTRANSLATED, _A.EDIT): _S.IN_PROGRESS,
    (_S.IN_PROGRESS, _A.EDIT): _S.IN_PROGRESS,
    (_S.CHANGES_REQUESTED, _A.EDIT): _S.CHANGES_REQUESTED,
    (_S.SUBMITTED, _A.EDIT): _S.IN_PROGRESS,
    (_S.PUBLISHED, _A.EDIT): _S.IN_PROGRESS,
    (_S.UNTRANSLATED, _A.SUBMIT): _S.SUBMITTED,
    (_S.IN_PROGRESS, _A.SUBMIT): _S.SUBMITTED,
    (_S.CHANGES_REQUESTED, _A.SUBMIT): _S.SUBMITTED,
    (_S.PUBLISHED, _A.SUBMIT): _S.SUBMITTED,
    (_S.SUBMITTED, _A.APPROVE): _S.PUBLISHED,
    (_S.SUBMITTED, _A.REQUEST_CHANGES): _S.CHANGES_REQUESTED,
    (_S.PUBLISHED, _A.UNPUBLISH): _S.IN_PROGRESS,
    (_S.IN_PROGRESS, _A.UNPUBLISH): _S.IN_PROGRESS,
    (_S.SUBMITTED, _A.UNPUBLISH): _S.SUBMITTED,
    (_S.CHANGES_REQUESTED, _A.UNPUBLISH): _S.CHANGES_REQUESTED,
})
del _S, _A


class InvalidTransition(Exception):
    """``action`` is not allowed in ``state``; the web layer answers 409."""

    def __init__(self, state: State, action: Action, message: str | None = None) -> None:
        self.state = state
        self.action = action
        verb, adjective = action.value.replace("_", " "), state.value.replace("_", " ")
        self.message = message or f"cannot {verb} a note that is {adjective}"
        super().__init__(self.message)


def next_state(state: State | str, action: Action | str) -> State:
    """Return the state after ``action`` in ``state``, or raise :class:`InvalidTransition`."""
    state, action = State(state), Action(action)
    try:
        return TRANSITIONS[state, action]
    except KeyError:
        raise InvalidTransition(state, action) from None


def allowed_actions(state: State | str) -> list[Action]:
    """Return the actions the table allows in ``state``, in :class:`Action` order."""
    state = State(state)
    return [action for action in Action if (state, action) in TRANSITIONS]


def is_outdated(published_sha256: str | None, current_sha256: str) -> bool:
    """Tell whether the French changed since it was approved (no record: not outdated)."""
    return bool(published_sha256) and published_sha256 != current_sha256


def display_state(stored: State | str, *, published_sha256: str | None, current_sha256: str) -> State:
    """Return the state to show: ``PUBLISHED`` becomes ``OUTDATED`` when the French changed."""
    stored = State(stored)
    if stored is State.OUTDATED:
        raise ValueError("'outdated' is derived and must never be stored")
    if stored is State.PUBLISHED and is_outdated(published_sha256, current_sha256):
        return State.OUTDATED
    return stored
