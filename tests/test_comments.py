"""Comments on segments: threads on the note and review screens, counts on the dashboard, the API, hostile text."""
from __future__ import annotations

import re

import pytest

from app.services import accounts
from app.services.garden import get_garden
from tests.auth_support import log_in_as
from tests.review_support import LANG, SLUG, clean_garden, make_users, ready

ENTRIES = f"/api/v1/notes/{SLUG}/{LANG}/entries"


@pytest.fixture
def site(app):
    clean_garden(app)
    app.user_ids = make_users(app)
    with app.app_context():
        app.tokens = {name: accounts.create_token(name) for name in ("translator", "editor")}
    return app


def api(app, name):
    return {"Authorization": f"Bearer {app.tokens[name]}"}


def login(app, name):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    log_in_as(app, client, app.user_ids[name])
    return client


def first_entry(app):
    return app.test_client().get(ENTRIES, headers=api(app, "translator")).get_json()["entries"][1]


def test_api_thread_post_resolve_and_counts(site):
    client, entry = site.test_client(), first_entry(site)
    url = f"{ENTRIES}/{entry['id']}/comments"
    posted = client.post(url, json={"text": "  Is “COS” the right term?  "}, headers=api(site, "editor"))
    assert posted.status_code == 201
    comment = posted.get_json()["comment"]
    assert (comment["text"], comment["user"], comment["resolved"]) == ("Is “COS” the right term?", "editor", False)
    client.post(url, json={"text": "Yes, kept as in the French."}, headers=api(site, "translator"))
    thread = client.get(url, headers=api(site, "translator")).get_json()["comments"]
    assert [c["user"] for c in thread] == ["editor", "translator"]
    notes = client.get("/api/v1/notes", headers=api(site, "translator")).get_json()["notes"]
    assert next(n for n in notes if n["slug"] == SLUG)["languages"][LANG]["open_comments"] == 2
    resolve = f"/api/v1/notes/{SLUG}/{LANG}/comments/{comment['id']}/resolve"
    done = client.post(resolve, json={}, headers=api(site, "translator")).get_json()["comment"]
    assert done["resolved"] and done["resolved_by"] == "translator"
    overview = client.get(f"/api/v1/notes/{SLUG}/{LANG}/comments", headers=api(site, "translator")).get_json()
    assert overview["open"] == 1 and len(overview["comments"]) == 2
    reopened = client.post(resolve, json={"resolved": False}, headers=api(site, "editor")).get_json()["comment"]
    assert not reopened["resolved"]
    assert client.post(resolve, json={"resolved": "yes"}, headers=api(site, "editor")).status_code == 400
    assert client.post(f"/api/v1/notes/{SLUG}/{LANG}/comments/999/resolve", json={}, headers=api(site, "editor")).status_code == 404


@pytest.mark.parametrize("text", ["", "   ", "x" * 5001, "bell\x07", None, 42])
def test_bad_comments_are_400_and_stored_nowhere(site, text):
    client, entry = site.test_client(), first_entry(site)
    url = f"{ENTRIES}/{entry['id']}/comments"
    assert client.post(url, json={"text": text}, headers=api(site, "translator")).status_code == 400
    assert client.get(url, headers=api(site, "translator")).get_json()["comments"] == []


def test_unknown_entry_and_no_credentials(site):
    client = site.test_client()
    assert client.post(f"{ENTRIES}/nope/comments", json={"text": "x"}, headers=api(site, "translator")).status_code == 404
    assert client.post(f"{ENTRIES}/nope/comments", json={"text": "x"}).status_code == 401


def test_screens_show_threads_escaped_and_the_dashboard_counts(site):
    entry = first_entry(site)
    translator = login(site, "translator")
    hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    posted = translator.post(f"/translate/{LANG}/{SLUG}/entries/{entry['id']}/comments", data={"text": hostile})
    assert posted.status_code == 303 and posted.location.endswith(f"#seg-{entry['id']}")
    screen = translator.get(f"/translate/{LANG}/{SLUG}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in screen and "<script>alert(1)" not in screen
    assert "<img src=x" not in screen
    dashboard = translator.get("/translate/").get_data(as_text=True)
    assert "1 open comment" in dashboard
    empty = translator.post(f"/translate/{LANG}/{SLUG}/entries/{entry['id']}/comments", data={"text": " "},
                            follow_redirects=True)
    assert "Comment not added" in empty.get_data(as_text=True)
    comment_id = re.search(r'/comments/(\d+)/resolve', screen).group(1)
    resolved = translator.post(f"/translate/{LANG}/{SLUG}/comments/{comment_id}/resolve", data={"resolved": "1"})
    assert resolved.status_code == 303
    assert "open comment" not in translator.get("/translate/").get_data(as_text=True)


def test_review_screen_threads_and_request_changes_pointing_at_segments(site):
    ready(site)
    entry = first_entry(site)
    editor = login(site, "editor")
    page = editor.get(f"/review/{LANG}/{SLUG}").get_data(as_text=True)
    assert f'name="segments" value="{entry["id"]}"' in page and "Comments on segments" in page
    bad = editor.post(f"/review/{LANG}/{SLUG}/request-changes", data={"comment": "Fix it", "segments": ["gone"]})
    assert bad.status_code == 400
    done = editor.post(f"/review/{LANG}/{SLUG}/request-changes", data={"comment": "Use “chief of staff”.",
                                                                       "segments": [entry["id"]]})
    assert done.status_code == 303
    thread = site.test_client().get(f"{ENTRIES}/{entry['id']}/comments", headers=api(site, "translator")).get_json()
    [comment] = thread["comments"]
    assert comment["text"] == "Use “chief of staff”." and comment["review_event_id"] and comment["user"] == "editor"
    reply = editor.post(f"/translate/{LANG}/{SLUG}/entries/{entry['id']}/comments", data={"text": "ok", "back": "review"})
    assert reply.location.startswith(f"/review/{LANG}/{SLUG}")
    screen = login(site, "translator").get(f"/translate/{LANG}/{SLUG}").get_data(as_text=True)
    assert "with the request for changes" in screen


def test_api_request_changes_with_segments(site):
    ready(site)
    entry = first_entry(site)
    client = site.test_client()
    url = f"/api/v1/notes/{SLUG}/{LANG}/request-changes"
    for bad in ({"comment": "x", "segments": "abc"}, {"comment": "x", "segments": ["nope"]},
                {"comment": "x", "segments": [{"id": entry["id"], "comment": "\x00"}]}, {"comment": "x", "segments": [3]}):
        assert client.post(url, json=bad, headers=api(site, "editor")).status_code == 400, bad
    with site.app_context():
        from app.services.reviewing.workflow import stored_state
        assert stored_state(get_garden(0).notes.get(SLUG).filename, LANG).value == "submitted"  # nothing happened
    ok = client.post(url, json={"comment": "Please fix", "segments": [{"id": entry["id"], "comment": "This one"}]},
                     headers=api(site, "editor"))
    assert ok.status_code == 200 and ok.get_json()["state"] == "changes_requested"
    [comment] = client.get(f"{ENTRIES}/{entry['id']}/comments", headers=api(site, "editor")).get_json()["comments"]
    assert comment["text"] == "This one"


def test_a_request_comment_refused_in_threads_changes_nothing(site):
    ready(site)
    entry = first_entry(site)
    response = site.test_client().post(f"/api/v1/notes/{SLUG}/{LANG}/request-changes", headers=api(site, "editor"),
                                       json={"comment": "Fix\x07 this", "segments": [entry["id"]]})
    assert response.status_code == 400
    with site.app_context():
        from app.services.reviewing.workflow import stored_state
        assert stored_state(get_garden(0).notes.get(SLUG).filename, LANG).value == "submitted"
