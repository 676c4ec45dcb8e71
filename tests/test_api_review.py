"""The editor's API: every transition valid and invalid, every role, every error status."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Publication
from app.services import accounts
from app.services.publishing import approval
from app.services.garden import get_garden
from app.services.reviewing.workflow import stored_state, transition
from app.workflow.states import Action
from tests.auth_support import log_in_as
from tests.review_support import LANG, SLUG, clean_garden, fill, make_users, ready, source_of, submit, user

BASE = f"/api/v1/notes/{SLUG}/{LANG}"
COMMENT = {"comment": "Please keep “chief of staff” lowercase, as in the French."}


@pytest.fixture
def api(app):
    """The app over a clean garden, with a token per role: ``api.token[role]``."""
    clean_garden(app)
    make_users(app)
    with app.app_context():
        app.tokens = {name: accounts.create_token(name) for name in ("translator", "editor")}
    return app


def call(app, method, url, who=None, **kwargs):
    headers = {"Authorization": f"Bearer {app.tokens[who]}"} if who else {}
    return getattr(app.test_client(), method)(url, headers=headers, **kwargs)


def _approve(app):
    with app.app_context():
        garden = get_garden(0)
        approval.approve_translation(garden, garden.notes.get(SLUG), LANG, user("editor"))


#: How to bring the note to each starting point (``+`` means: a published file exists).
SETUPS = {
    "untranslated": lambda app: None,
    "in_progress": lambda app: _edit(app),
    "submitted": lambda app: ready(app),
    "changes_requested": lambda app: (ready(app), _act(app, Action.REQUEST_CHANGES)),
    "published": lambda app: (ready(app), _approve(app)),
    "published+in_progress": lambda app: (ready(app), _approve(app), _edit(app)),
    "published+submitted": lambda app: (ready(app), _approve(app), submit(app)),
    "published+changes_requested": lambda app: (ready(app), _approve(app), submit(app), _act(app, Action.REQUEST_CHANGES)),
}


def _edit(app):
    fill(app)
    _act(app, Action.EDIT, "translator")


def _act(app, action, name="editor"):
    with app.app_context():
        transition(source_of(app), LANG, action, user(name), comment="changes please")


#: action -> (request body, starting points where it is valid, state after it)
ACTIONS = {
    "approve": (None, {"submitted", "published+submitted"}, "published"),
    "request-changes": (COMMENT, {"submitted", "published+submitted"}, "changes_requested"),
    "unpublish": (None, {"published", "published+in_progress", "published+submitted", "published+changes_requested"}, None),
}
CASES = [(action, setup) for action in ACTIONS for setup in SETUPS]


@pytest.mark.parametrize(("action", "setup"), CASES, ids=[f"{a}-from-{s}" for a, s in CASES])
def test_every_transition_valid_or_refused_with_409(api, action, setup):
    SETUPS[setup](api)
    body, valid_from, after = ACTIONS[action]
    with api.app_context():
        before = stored_state(source_of(api), LANG).value
        published_before = get_garden(0).published_path(LANG, SLUG).exists()
    response = call(api, "post", f"{BASE}/{action}", "editor", json=body)
    with api.app_context():
        state = stored_state(source_of(api), LANG).value
        published = get_garden(0).published_path(LANG, SLUG).exists()
    if setup in valid_from:
        assert response.status_code == 200, response.get_json()
        assert state == (after or {"published": "in_progress"}.get(before, before))
        assert response.get_json()["state"] == state
        assert published is (action == "approve" or (published_before and action == "request-changes"))
    else:
        assert response.status_code == 409, response.get_json()
        body = response.get_json()
        assert body["status"] == 409 and body["error"]
        assert state == before and published is published_before


@pytest.mark.parametrize("who, status", [(None, 401), ("translator", 403), ("editor", 200)])
@pytest.mark.parametrize("action", ["approve", "request-changes", "unpublish", "publications"])
def test_roles(api, action, who, status):
    ready(api)
    if action == "unpublish":
        _approve(api)
        submit(api)
    method = "get" if action == "publications" else "post"
    response = call(api, method, f"{BASE}/{action}", who, json=COMMENT if action == "request-changes" else None)
    assert response.status_code == status, response.get_json()
    assert response.is_json
    if status != 200:
        assert response.get_json()["status"] == status


def test_a_session_works_like_a_token(api):
    client = api.test_client()
    ready(api)
    log_in_as(api, client, "editor")
    assert client.post(f"{BASE}/approve").status_code == 200


@pytest.mark.parametrize("url", [
    "/api/v1/notes/no-such-note/en/approve", "/api/v1/notes/chief-of-staff/de/approve",
    "/api/v1/notes/chief-of-staff/fr/approve", "/api/v1/notes/..%2F..%2Fetc/en/approve",
    "/api/v1/notes/no-such-note/en/request-changes", "/api/v1/notes/no-such-note/en/unpublish",
])
def test_unknown_note_or_language_is_404(api, url):
    response = call(api, "post", url, "editor", json=COMMENT)
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_unknown_note_history_is_404(api):
    assert call(api, "get", "/api/v1/notes/nope/en/publications", "editor").status_code == 404


@pytest.mark.parametrize("kwargs", [
    {"data": "{not json", "content_type": "application/json"},
    {"json": ["a list"]},
    {"json": {}},
    {"json": {"comment": ""}},
    {"json": {"comment": "   "}},
    {"json": {"comment": 12}},
    {"json": {"comment": "x" * (approval.MAX_COMMENT_LENGTH + 1)}},
    {},
])
def test_request_changes_needs_a_json_comment(api, kwargs):
    ready(api)
    response = call(api, "post", f"{BASE}/request-changes", "editor", **kwargs)
    assert response.status_code == 400
    assert response.get_json()["status"] == 400
    with api.app_context():
        assert stored_state(source_of(api), LANG).value == "submitted"


def test_malformed_json_on_approve_is_400_and_publishes_nothing(api):
    ready(api)
    response = call(api, "post", f"{BASE}/approve", "editor", data="{oops", content_type="application/json")
    assert response.status_code == 400
    with api.app_context():
        assert not get_garden(0).published_path(LANG, SLUG).exists()


def test_approve_answers_with_the_publication(api):
    ready(api)
    body = call(api, "post", f"{BASE}/approve", "editor").get_json()
    assert body["state"] == "published" and body["path"] == f"{LANG}/{SLUG}.md"
    publication = body["publication"]
    assert publication["approved_by"] == "editor" and publication["live"] is True
    assert len(publication["source_sha256"]) == 64 and publication["approved_at"].endswith("Z")


def test_approve_of_an_incomplete_note_names_what_is_missing(api):
    fill(api, keep=lambda entry: entry.msgid.startswith("direction"))
    with api.app_context():
        transition(source_of(api), LANG, Action.SUBMIT, user("translator"))  # as if filled outside the screens
    response = call(api, "post", f"{BASE}/approve", "editor")
    assert response.status_code == 409
    body = response.get_json()
    assert body["missing"]["untranslated"] == 1
    assert body["missing"]["entries"][0]["status"] == "untranslated"


def test_history_lists_decisions_with_who_and_when(api):
    ready(api)
    call(api, "post", f"{BASE}/request-changes", "editor", json=COMMENT)
    submit(api)
    call(api, "post", f"{BASE}/approve", "editor")
    call(api, "post", f"{BASE}/unpublish", "editor")
    body = call(api, "get", f"{BASE}/publications", "editor").get_json()
    assert [e["action"] for e in body["events"]] == ["unpublished", "approved", "submitted", "changes_requested", "submitted"]
    assert {e["user"] for e in body["events"]} == {"editor", "translator"}
    assert body["events"][3]["comment"] == COMMENT["comment"]
    assert all(e["at"].endswith("Z") for e in body["events"])
    assert body["publications"][0]["live"] is False and body["publications"][0]["unpublished_at"]
    assert body["state"] == "in_progress"
    with api.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Publication)) == 1
