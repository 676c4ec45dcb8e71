"""The editor's screens: access by role, what the queue and the note review show, the decision forms."""
from __future__ import annotations

import re

import pytest

from app.services.garden import get_garden
from app.services.reviewing.workflow import stored_state
from tests.auth_support import log_in_as
from tests.browser import axe_violations, live_server, page  # noqa: F401  (fixtures)
from tests.review_support import (LANG, OTHER, PASSWORD, SLUG, change_french, clean_garden, fake_english, fill, make_users, ready,
                                  source_of, submit, user)

NOTE_URL = f"/review/{LANG}/{SLUG}"


@pytest.fixture
def site(app):
    """The app over a clean garden with accounts."""
    clean_garden(app)
    app.user_ids = make_users(app)
    return app


def client_as(app, name=None):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # the interface in English, whatever the default
    if name:
        log_in_as(app, client, app.user_ids[name])
    return client


def _approve_via_screen(app):
    return client_as(app, "editor").post(f"{NOTE_URL}/approve")


@pytest.mark.parametrize("url", ["/review/", NOTE_URL])
@pytest.mark.parametrize("who, status", [("editor", 200), ("translator", 403)])
def test_screens_by_role(site, url, who, status):
    response = client_as(site, who).get(url)
    assert response.status_code == status
    if status == 200:
        assert response.headers["Cache-Control"] == "no-store"
        assert "<script" not in response.get_data(as_text=True) and " style=" not in response.get_data(as_text=True)


@pytest.mark.parametrize("url, method", [("/review/", "get"), (NOTE_URL, "get"), (f"{NOTE_URL}/approve", "post"),
                                         (f"{NOTE_URL}/unpublish", "post"), (f"{NOTE_URL}/request-changes", "post")])
def test_anonymous_visitors_go_to_the_login_page(site, url, method):
    response = getattr(client_as(site), method)(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("action", ["approve", "request-changes", "unpublish"])
def test_translators_cannot_decide(site, action):
    ready(site)
    assert client_as(site, "translator").post(f"{NOTE_URL}/{action}", data={"comment": "x"}).status_code == 403
    with site.app_context():
        assert stored_state(source_of(site), LANG).value == "submitted"


@pytest.mark.parametrize("url", ["/review/en/no-such-note", "/review/de/chief-of-staff", "/review/fr/chief-of-staff"])
def test_unknown_note_or_language_is_404(site, url):
    assert client_as(site, "editor").get(url).status_code == 404


def test_queue_lists_submitted_outdated_and_recent(site):
    ready(site)
    ready(site, OTHER)
    client_as(site, "editor").post(f"/review/{LANG}/{OTHER}/approve")
    change_french(site, OTHER, "Pour [[Prendre soin du collectif]]", "Pour [[Prendre soin du collectif]], toujours.")
    editor = client_as(site, "editor")
    html = editor.get("/review/").get_data(as_text=True)  # submitted notes by default
    submitted = html.split('id="queue-title"')[1].split("</section>")[0]
    assert f'href="/review/{LANG}/{SLUG}"' in submitted and f'href="/review/{LANG}/{OTHER}"' not in submitted
    outdated = editor.get("/review/?show=outdated").get_data(as_text=True).split('id="queue-title"')[1].split("</section>")[0]
    assert f'href="/review/{LANG}/{OTHER}"' in outdated and f'href="/review/{LANG}/{SLUG}"' not in outdated
    recent = html.split('id="recent-title"')[1].split("</section>")[0]
    assert f"/{LANG}/notes/{OTHER}" in recent and "editor" in recent


def test_note_screen_shows_drafts_checks_and_forms(site):
    fill(site, keep=lambda e: e.msgid.startswith("direction"))
    with site.app_context():
        from app.services.reviewing.workflow import transition
        from app.workflow.states import Action
        transition(source_of(site), LANG, Action.SUBMIT, user("translator"))
    html = client_as(site, "editor").get(NOTE_URL).get_data(as_text=True)
    assert "EN chief of staff externe" in html  # the English title of the draft
    assert "EN que fait le chief of staff?" in html and "que fait le chief of staff?" in html  # both renderings
    assert 'lang="en"' in html and 'lang="fr"' in html
    assert "review-blockers" in html  # the untranslated segment blocks approval
    assert 'action="/review/en/chief-of-staff/approve"' not in html
    assert 'action="/review/en/chief-of-staff/request-changes"' in html
    assert 'name="csrf_token"' in html and 'name="comment"' in html
    assert re.search(r"<td[^>]*>\s*direction de projets stratégiques", html)


def test_approve_then_the_english_diff_and_french_diff(site):
    ready(site)
    response = _approve_via_screen(site)
    assert response.status_code == 303 and response.headers["Location"].endswith(NOTE_URL)
    with site.app_context():
        assert get_garden(0).published_path(LANG, SLUG).exists()
    change_french(site, SLUG, "direction de projets stratégiques", "direction de grands projets stratégiques")
    fill(site, translate=lambda m: "EN " + m.replace("grands ", "big "))
    submit(site)
    html = client_as(site, "editor").get(NOTE_URL).get_data(as_text=True)
    english = html.split('id="english-diff-title"')[1].split("</section>")[0]
    french = html.split('id="french-diff-title"')[1].split("</section>")[0]
    assert "<ins>big </ins>" in english or "<ins>big" in english
    assert "<ins>grands" in french
    assert "French changed since the last approval" in html  # the changed segment is marked in the checks
    assert 'action="/review/en/chief-of-staff/approve"' in html
    assert 'action="/review/en/chief-of-staff/unpublish"' in html


def test_request_changes_needs_a_comment_and_keeps_nothing_lost(site):
    ready(site)
    client = client_as(site, "editor")
    response = client.post(f"{NOTE_URL}/request-changes", data={"comment": "   "})
    assert response.status_code == 400
    assert 'role="alert"' in response.get_data(as_text=True)
    response = client.post(f"{NOTE_URL}/request-changes", data={"comment": "Translate “externe” as “external”."})
    assert response.status_code == 303
    html = client.get(NOTE_URL).get_data(as_text=True)
    assert "Translate “externe” as “external”." in html and 'role="status"' in html
    with site.app_context():
        assert stored_state(source_of(site), LANG).value == "changes_requested"


def test_a_refused_decision_says_why_with_409(site):
    response = client_as(site, "editor").post(f"{NOTE_URL}/approve")
    assert response.status_code == 409
    assert 'role="alert"' in response.get_data(as_text=True)
    response = client_as(site, "editor").post(f"{NOTE_URL}/unpublish", data={"reason": "Erreur", "confirm": "yes"})
    assert response.status_code == 409


def test_unpublish_from_the_screen(site):
    ready(site)
    _approve_via_screen(site)
    editor = client_as(site, "editor")
    for data in ({}, {"reason": "  ", "confirm": "yes"}, {"reason": "Contresens au deuxième paragraphe"}):
        response = editor.post(f"{NOTE_URL}/unpublish", data=data)  # no reason, or not confirmed: nothing happens
        assert response.status_code == 400 and 'role="alert"' in response.get_data(as_text=True)
        with site.app_context():
            assert get_garden(0).published_path(LANG, SLUG).exists()
    assert "Contresens au deuxième paragraphe" in response.get_data(as_text=True)  # what the editor typed is kept
    response = editor.post(f"{NOTE_URL}/unpublish", data={"reason": "Contresens au deuxième paragraphe", "confirm": "yes"})
    assert response.status_code == 303
    with site.app_context():
        assert not get_garden(0).published_path(LANG, SLUG).exists()
    html = editor.get(NOTE_URL).get_data(as_text=True)
    history = html.split('id="history-title"')[1]
    assert history.index("Unpublished") < history.index("Approved and published") < history.index("Submitted for review")
    assert history.index("Contresens au deuxième paragraphe") < history.index("Approved and published")
    page = site.test_client().get(f"/{LANG}/notes/{SLUG}").get_data(as_text=True)
    assert "was withdrawn on" in page and "not been translated" not in page


def test_committed_snapshots_show_without_records(app):
    """Over the repository's own content (published English, no records yet), the screens work."""
    with app.app_context():
        shipped = [p.slug for p in get_garden(0).published[LANG].notes()]
    if not shipped:
        pytest.skip("the project ships no published English yet")
    app.user_ids = make_users(app)
    client = client_as(app, "editor")
    queue = client.get("/review/").get_data(as_text=True)
    recent = queue.split('id="recent-title"')[1]
    assert all(f"/review/{LANG}/{slug}" in recent for slug in shipped)
    for slug in shipped:
        html = client.get(f"/review/{LANG}/{slug}").get_data(as_text=True)
        assert "The French has not changed since it was approved." in html


def test_decisions_need_the_csrf_token(request, app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    app = request.getfixturevalue("app")
    clean_garden(app)
    app.user_ids = make_users(app)
    ready(app)
    client = client_as(app, "editor")
    assert client.post(f"{NOTE_URL}/approve").status_code == 400
    with app.app_context():
        assert not get_garden(0).published_path(LANG, SLUG).exists()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(NOTE_URL).get_data(as_text=True)).group(1)
    assert client.post(f"{NOTE_URL}/approve", data={"csrf_token": token}).status_code == 303
    with app.app_context():
        assert get_garden(0).published_path(LANG, SLUG).exists()


def _login(tab, name):
    tab.goto("/login")
    tab.fill('input[name="username"]', name)
    tab.fill('input[name="password"]', PASSWORD)
    tab.locator('form:has(input[name="password"]) [type="submit"]').click()
    tab.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.parametrize("url", ["/review/", NOTE_URL])
def test_review_screens_have_no_serious_accessibility_violation(site, page, url):
    ready(site)
    ready(site, OTHER)
    with site.app_context():
        from app.services.publishing import approval
        garden = get_garden(0)
        approval.approve_translation(garden, garden.notes.get(OTHER), LANG, user("editor"))
    change_french(site, OTHER, "Pour [[Prendre soin du collectif]]", "Pour [[Prendre soin du collectif]] !")
    _login(page, "editor")
    page.goto(url)
    assert page.locator("main h1").count() == 1
    assert axe_violations(page) == []
    assert page.js_errors == []


def test_check_findings_show_in_the_interface_language(site):
    """A segment with a check finding (identical to the French) renders its message, in French too."""
    fill(site, translate=lambda msgid: msgid if msgid.startswith("pourquoi") else fake_english(msgid))
    submit(site)
    english = client_as(site, "editor").get(NOTE_URL)
    assert english.status_code == 200
    assert "finding-warning" in english.get_data(as_text=True)
    french = client_as(site, "editor")
    french.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    page_fr = french.get(NOTE_URL)
    assert page_fr.status_code == 200 and "finding-warning" in page_fr.get_data(as_text=True)
