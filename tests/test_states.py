"""The workflow table: every (state, action) pair, valid or not, and the derived outdated state."""
from __future__ import annotations

import itertools

import pytest

from app.workflow.states import (
    STORED_STATES,
    TRANSITIONS,
    Action,
    InvalidTransition,
    State,
    allowed_actions,
    display_state,
    next_state,
)

S, A = State, Action

#: The table as the issue and the module docstring describe it, written out independently.
EXPECTED = {
    (S.UNTRANSLATED, A.EDIT): S.IN_PROGRESS,
    (S.IN_PROGRESS, A.EDIT): S.IN_PROGRESS,
    (S.CHANGES_REQUESTED, A.EDIT): S.CHANGES_REQUESTED,
    (S.SUBMITTED, A.EDIT): S.IN_PROGRESS,
    (S.PUBLISHED, A.EDIT): S.IN_PROGRESS,
    (S.UNTRANSLATED, A.SUBMIT): S.SUBMITTED,
    (S.IN_PROGRESS, A.SUBMIT): S.SUBMITTED,
    (S.CHANGES_REQUESTED, A.SUBMIT): S.SUBMITTED,
    (S.PUBLISHED, A.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, A.APPROVE): S.PUBLISHED,
    (S.SUBMITTED, A.REQUEST_CHANGES): S.CHANGES_REQUESTED,
    (S.PUBLISHED, A.UNPUBLISH): S.IN_PROGRESS,
    (S.IN_PROGRESS, A.UNPUBLISH): S.IN_PROGRESS,
    (S.SUBMITTED, A.UNPUBLISH): S.SUBMITTED,
    (S.CHANGES_REQUESTED, A.UNPUBLISH): S.CHANGES_REQUESTED,
}


def test_table_is_the_documented_one():
    assert dict(TRANSITIONS) == EXPECTED


@pytest.mark.parametrize(("state", "action"), list(itertools.product(State, Action)))
def test_every_state_action_pair(state, action):
    if (state, action) in EXPECTED:
        assert next_state(state, action) is EXPECTED[state, action]
    else:
        with pytest.raises(InvalidTransition) as excinfo:
            next_state(state, action)
        assert excinfo.value.state is state
        assert excinfo.value.action is action
        assert excinfo.value.message == str(excinfo.value)
        assert state.value.replace("_", " ") in excinfo.value.message


@pytest.mark.parametrize(("state", "action"), [("submitted", "approve"), ("published", "approve"), ("in_progress", "edit")])
def test_accepts_stored_strings(state, action):
    if (State(state), Action(action)) in EXPECTED:
        assert next_state(state, action) == EXPECTED[State(state), Action(action)]
    else:
        with pytest.raises(InvalidTransition):
            next_state(state, action)


def test_unknown_values_are_value_errors():
    with pytest.raises(ValueError):
        next_state("draft", "edit")
    with pytest.raises(ValueError):
        next_state("submitted", "publish")


def test_approve_and_request_changes_only_from_submitted():
    for state in State:
        for action in (A.APPROVE, A.REQUEST_CHANGES):
            assert ((state, action) in TRANSITIONS) == (state is S.SUBMITTED)


def test_outdated_is_never_a_target_nor_a_source():
    assert S.OUTDATED not in STORED_STATES
    assert all(S.OUTDATED not in key and target is not S.OUTDATED for key, target in TRANSITIONS.items())
    assert allowed_actions(S.OUTDATED) == []


def test_allowed_actions():
    assert allowed_actions("submitted") == [A.EDIT, A.APPROVE, A.REQUEST_CHANGES, A.UNPUBLISH]
    assert allowed_actions(S.UNTRANSLATED) == [A.EDIT, A.SUBMIT]
    assert allowed_actions(S.PUBLISHED) == [A.EDIT, A.SUBMIT, A.UNPUBLISH]


def test_the_whole_journey():
    state = S.UNTRANSLATED
    for action in (A.EDIT, A.SUBMIT, A.REQUEST_CHANGES, A.EDIT, A.SUBMIT, A.APPROVE, A.EDIT, A.SUBMIT, A.APPROVE, A.UNPUBLISH):
        state = next_state(state, action)
    assert state is S.IN_PROGRESS


def test_enums_are_strings():
    assert S.PUBLISHED == "published" and str(S.CHANGES_REQUESTED) == "changes_requested"
    assert A.REQUEST_CHANGES == "request_changes" and str(A.UNPUBLISH) == "unpublish"


OLD, NEW = "a" * 64, "b" * 64


@pytest.mark.parametrize(
    ("stored", "published_sha", "current_sha", "expected"),
    [
        (S.PUBLISHED, OLD, OLD, S.PUBLISHED),
        (S.PUBLISHED, OLD, NEW, S.OUTDATED),
        ("published", OLD, NEW, S.OUTDATED),
        (S.PUBLISHED, None, NEW, S.PUBLISHED),
        (S.IN_PROGRESS, OLD, NEW, S.IN_PROGRESS),
        (S.SUBMITTED, OLD, NEW, S.SUBMITTED),
        (S.CHANGES_REQUESTED, OLD, NEW, S.CHANGES_REQUESTED),
        (S.UNTRANSLATED, None, NEW, S.UNTRANSLATED),
    ],
)
def test_display_state(stored, published_sha, current_sha, expected):
    assert display_state(stored, published_sha256=published_sha, current_sha256=current_sha) is expected


def test_display_state_refuses_a_stored_outdated():
    with pytest.raises(ValueError):
        display_state(S.OUTDATED, published_sha256=OLD, current_sha256=NEW)
