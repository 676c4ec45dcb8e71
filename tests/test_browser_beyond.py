"""Issue 15 in a real browser: minor-change confirm, glossary marks, a comment thread, upload, editor pages; axe-core."""
from __future__ import annotations

import pytest

from app.services import accounts
from app.services.garden import get_garden
from app.services.publishing import approval
from app.services.translating import comments, glossary
from tests.browser import axe_violations, live_server, page  # noqa: F401  (fixtures)
from tests.review_support import LANG, PASSWORD, SLUG, change_french, clean_garden, make_users, ready, user

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config):
    """CSRF protection on, as in production."""
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def garden(app):
    """A published note whose French then got a typo fix, a glossary term, and a comment on a segment."""
    clean_garden(app)
    make_users(app)
    ready(app)
    with app.app_context():
        g = get_garden(0)
        approval.approve_translation(g, g.notes.get(SLUG), LANG, user("editor"))
        glossary.save_term(LANG, {"french": "chief of staff", "english": "", "do_not_translate": True}, user("editor"))
        accounts.create_token("editor")
    change_french(app, SLUG, "direction de projets stratégiques", "direction de projets stratègiques")
    with app.test_request_context():
        g = get_garden(0)
        note = g.notes.get(SLUG)
        from app.services.translating.entries import note_entries
        first = note_entries(g, note, LANG)[1]
        comments.add_comment(g, note, LANG, first["id"], "Is <b>this</b> right?", user("editor"))
    return app


def log_in(tab, name: str) -> None:
    tab.goto("/login")
    tab.fill("#username", name)
    tab.fill("#password", PASSWORD)
    tab.locator("form.login-form button[type=submit]").click()
    tab.wait_for_load_state()


def test_translator_screens_work_and_are_accessible(garden, page):  # noqa: F811
    log_in(page, "translator")
    page.goto(f"/translate/{LANG}/{SLUG}")
    assert page.locator("mark.glossary-term").first.inner_text().lower() == "chief of staff"
    assert page.locator(".comment-text").first.inner_text() == "Is <b>this</b> right?"
    assert axe_violations(page) == []
    page.locator(".minor-confirm button").click()
    page.wait_for_load_state()
    assert page.locator(".minor-change").count() == 0
    box = page.locator("details.comments[open] .comment-form input[name=text]").first
    box.fill("Yes, it is.")
    page.locator("details.comments[open] .comment-form button").first.click()
    page.wait_for_load_state()
    assert "Yes, it is." in page.locator(".comment-thread").first.inner_text()
    page.goto("/translate/")
    assert page.locator(".tr-open-comments").first.inner_text().startswith("2 ")  # two open comments
    assert axe_violations(page) == []
    for path in (f"/translate/{LANG}/{SLUG}/upload", f"/glossary/{LANG}"):
        page.goto(path)
        assert page.locator("main h1").count() == 1
        assert axe_violations(page) == []
    assert page.js_errors == []


def test_editor_screens_work_and_are_accessible(garden, page):  # noqa: F811
    log_in(page, "editor")
    page.goto("/review/")
    assert axe_violations(page) == []
    page.goto("/review/minor-changes")
    assert page.locator("input[name=change]").count() == 1
    assert axe_violations(page) == []
    page.locator("form button.button-primary").click()
    page.wait_for_load_state()
    assert page.locator("input[name=change]").count() == 0
    page.goto(f"/glossary/{LANG}")
    page.fill("#new-french", "entreprise")
    page.fill("#new-english", "company")
    page.locator("#add-term-title + form button[type=submit]").click()
    page.wait_for_load_state()
    assert "company" in page.locator("table.tr-glossary").inner_text()
    assert axe_violations(page) == []
    page.goto(f"/review/{LANG}/{SLUG}")
    assert axe_violations(page) == []
    assert page.js_errors == []


def test_a_long_thread_keeps_its_segment_on_the_screen(garden, page):  # noqa: F811
    """Sixty open comments, one of them 5000 characters without a space: the segment stays a screen high."""
    with garden.test_request_context():
        g = get_garden(0)
        note = g.notes.get(SLUG)
        from app.services.translating.entries import note_entries
        first = note_entries(g, note, LANG)[1]
        comments.add_comment(g, note, LANG, first["id"], "a" * 5000, user("editor"))
        for i in range(60):
            comments.add_comment(g, note, LANG, first["id"], f"Reply {i}", user("translator" if i % 2 else "editor"))
    log_in(page, "translator")
    page.goto(f"/translate/{LANG}/{SLUG}")
    thread = page.locator(f"#seg-{first['id']} .comment-thread")
    assert thread.count() == 1 and page.locator(f"#seg-{first['id']}").bounding_box()["height"] < 1200
    thread.evaluate("el => el.scrollTop = el.scrollHeight")
    assert page.locator(f"#seg-{first['id']} .comment-text").last.is_visible()  # the newest, scrolled to
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(page) == []
