"""In Chromium: a long note filtered to what needs work, saves that update the state and the submit hint, and an
editor unpublishing with a reason from a screen that has the account area; axe on each screen."""
from __future__ import annotations

import re

import pytest

from tests.browser import axe_violations, live_server, page, unpublish_with_reason  # noqa: F401  (fixtures)
from tests.long_note import long_note
from tests.review_support import LANG, PASSWORD, SLUG, clean_garden, fill, make_users, submit

pytestmark = pytest.mark.browser
LONG = "guide-long"
LEFT = ("Le paragraphe 4 de la partie 7 explique une idée de plus, avec soin.", "sert à la tâche 7.2")


@pytest.fixture
def app_config(app_config):
    """CSRF protection on, as in production: the script must send its header."""
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def site(app):
    """A 500-segment note translated but for two segments of section 7, and the seed note published."""
    garden = app.extensions["garden"]
    (garden.content_dir / garden.source_lang / "Guide long.md").write_text(long_note(500), encoding="utf-8")
    clean_garden(app)
    app.user_ids = make_users(app)
    fill(app, LONG, keep=lambda entry: entry.msgid in LEFT)
    fill(app, SLUG)
    submit(app, SLUG)
    return app


def log_in(tab, start: str, username: str) -> None:
    tab.goto(start)
    assert "/login" in tab.url
    tab.fill("#username", username)
    tab.fill("#password", PASSWORD)
    tab.locator("form.login-form button[type=submit]").click()
    tab.wait_for_url(re.compile(re.escape(start.split("?")[0])))


def test_a_translator_filters_a_long_note_and_finishes_it_without_a_reload(site, page):  # noqa: F811
    log_in(page, f"/translate/{LANG}/{LONG}", "translator")
    assert axe_violations(page) == []
    page.locator("a[data-filter=needs-work]").click()
    page.wait_for_url(re.compile(r"show=needs-work"))
    assert page.locator("a[data-filter=needs-work]").inner_text().endswith("(2)")
    assert page.locator("article.segment").count() == 2
    assert page.locator("[data-role=note-state]").inner_text() == "à traduire"  # the browser asks for French
    assert page.locator("[data-role=gaps]").is_visible() and page.locator("[data-role=ready]").is_hidden()
    assert axe_violations(page) == []
    cell = page.locator("article.segment", has_text="sert à la tâche 7.2")
    assert "Colonne" in cell.locator(".segment-context").inner_text()
    assert "Usage" in cell.locator(".segment-context").inner_text() and "outil 7.2" in cell.locator(".segment-context").inner_text()
    for article in page.locator("article.segment").all():
        area = article.locator("textarea")
        area.fill("EN " + article.locator(".segment-source .segment-text").inner_text())
        article.locator("form.segment-form button[type=submit]").click()
        page.wait_for_function("a => a.classList.contains('segment-translated')", arg=article.element_handle())
    page.wait_for_function("() => !document.querySelector('[data-role=ready]').hidden")
    assert page.locator("[data-role=note-state]").inner_text() == "en cours"
    assert page.locator("[data-role=gaps]").is_hidden()
    assert page.locator("[data-count=untranslated]").first.inner_text() == "0"
    assert page.js_errors == []


def test_an_editor_unpublishes_with_a_reason_from_a_screen_with_the_account_area(site, page):  # noqa: F811
    log_in(page, f"/review/{LANG}/{SLUG}", "editor")
    page.locator("form[action$='/approve'] button").click()
    page.wait_for_selector(".review-unpublish")
    assert page.locator(".account button", has_text="Se déconnecter").first.is_visible()
    assert axe_violations(page) == []
    history = unpublish_with_reason(page, "Un contresens dans la conclusion")
    assert "Dépubliée" in history and "Un contresens dans la conclusion" in history
    assert axe_violations(page) == []
    page.goto(f"/{LANG}/notes/{SLUG}")
    assert "was withdrawn on" in page.locator(".notice-unavailable").inner_text()
    assert page.js_errors == []
