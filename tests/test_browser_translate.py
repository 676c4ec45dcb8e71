"""In Chromium: a translator logs in, reads the diff of a fuzzy segment and fixes it with the keyboard.

Also: a memory suggestion used with its button, a conflict resolved in place, and axe-core on the
dashboard and the note screen with no serious or critical violation. Skipped with the reason
when Chromium, Playwright or axe-core are missing (see tests/browser.py).
"""
from __future__ import annotations

import re

import pytest

from app.catalog.po import read_catalog
from app.services.translating import entries
from app.services.accounts import find_user
from app.services.garden import get_garden
from tests.browser import axe_violations, live_server, page  # noqa: F401  (fixtures)
from tests.test_api import LINK_EN, LINK_FR, PASSWORD, SEED, fresh_garden, make_accounts

pytestmark = pytest.mark.browser

LANG = "en"
OLD_FR = "pourquoi travailler avec un chief of staff externe?"
NEW_FR = "pourquoi travailler avec un chief of staff à temps partiel?"
OLD_EN = "Why work with an external chief of staff?"
FIXED_EN = "Why work with a part-time chief of staff?"


@pytest.fixture
def app_config(app_config):
    """CSRF protection on, as in production: the script must send its header."""
    return {**app_config, "WTF_CSRF_ENABLED": True}


def save_as(app, username: str, slug: str, msgid: str, msgstr: str) -> None:
    """Save a translation through the service, as ``username``."""
    with app.app_context():
        garden = get_garden(0)
        note = garden.notes.get(slug)
        entry = next(e for e in entries.note_entries(garden, note, LANG) if e["msgid"] == msgid)
        entries.save_entry(garden, note, LANG, entry["id"], msgstr, entry["version"], find_user(username))


@pytest.fixture
def fuzzy_garden(app):
    """Fresh catalogs and accounts; one segment of the seed note translated, then its French changed."""
    fresh_garden(app)
    make_accounts(app)
    save_as(app, "translator", SEED, OLD_FR, OLD_EN)
    french = app.extensions["garden"].content_dir / "fr" / "chief of staff.md"
    french.write_text(french.read_text(encoding="utf-8").replace(OLD_FR, NEW_FR), encoding="utf-8")
    with app.app_context():
        get_garden(0)  # syncs the changed note: the segment becomes fuzzy
    return app


def log_in(tab, start: str) -> None:
    """Open ``start``, get sent to the login page, log in as the translator."""
    tab.goto(start)
    assert "/login" in tab.url
    tab.fill("#username", "translator")
    tab.fill("#password", PASSWORD)
    tab.locator("form.login-form button[type=submit]").click()
    tab.wait_for_url(re.compile(r"/translate/"))


def assert_accessible(tab) -> None:
    """axe-core finds no serious or critical violation on the current page."""
    assert axe_violations(tab) == []


def test_translator_fixes_a_fuzzy_segment_from_its_diff_with_the_keyboard(fuzzy_garden, page):  # noqa: F811
    log_in(page, "/translate/")
    assert_accessible(page)
    page.locator(f"a[href='/translate/{LANG}/{SEED}']").first.click()
    page.wait_for_url(re.compile(f"/translate/{LANG}/{SEED}$"))
    assert_accessible(page)

    segment = page.locator("article.segment-fuzzy")
    assert segment.count() == 1
    assert segment.locator("del").first.inner_text() == "externe"
    assert segment.locator("ins").first.inner_text() == "à temps partiel"
    area = segment.locator("textarea")
    assert area.input_value() == OLD_EN
    saved_id = area.get_attribute("id")

    area.click()
    page.keyboard.press("Control+a")
    page.keyboard.type(FIXED_EN)
    page.keyboard.press("Control+Enter")

    same = page.locator(f"#{saved_id}").locator("xpath=ancestor::article")
    page.wait_for_function("id => !document.getElementById(id).closest('article').classList.contains('segment-fuzzy')", arg=saved_id)
    assert "segment-translated" in same.get_attribute("class")
    assert same.locator("[data-role=save-status]").inner_text().strip()
    assert same.locator("[data-role=diff]").is_hidden()
    focused = page.evaluate("document.activeElement.id")
    assert focused.startswith("msgstr-") and focused != saved_id
    next_segment = page.locator(f"#{focused}").locator("xpath=ancestor::article")
    assert next_segment.get_attribute("data-needs-work") == "true"

    po = read_catalog(fuzzy_garden.extensions["garden"].catalog_path(LANG, SEED))
    entry = next(e for e in po if e.msgid == NEW_FR)
    assert entry.msgstr == FIXED_EN and not entry.fuzzy and entry.previous_msgid is None
    page.reload()
    assert page.locator("article.segment-fuzzy").count() == 0
    assert page.js_errors == []


def test_a_memory_suggestion_fills_the_text_box(fuzzy_garden, page):  # noqa: F811
    garden = fuzzy_garden.extensions["garden"]
    save_as(fuzzy_garden, "translator", "essai-des-controles", LINK_FR, LINK_EN)
    (garden.content_dir / "fr" / "Copie.md").write_text(f"---\ntitle: Copie\n---\n{LINK_FR}\n", encoding="utf-8")
    with fuzzy_garden.app_context():
        get_garden(0)
    log_in(page, f"/translate/{LANG}/copie")
    segment = page.locator("article.segment", has=page.locator(".segment-source", has_text="Voir [[chief of staff"))
    segment.locator("button.use-text").first.click()
    area = segment.locator("textarea")
    assert area.input_value() == LINK_EN
    assert page.evaluate("document.activeElement.id") == area.get_attribute("id")
    page.keyboard.press("Control+Enter")
    page.wait_for_function("id => document.getElementById(id).closest('article').classList.contains('segment-translated')",
                           arg=area.get_attribute("id"))
    assert page.js_errors == []


def test_a_conflict_shows_both_versions_and_lets_the_translator_choose(fuzzy_garden, page):  # noqa: F811
    log_in(page, f"/translate/{LANG}/{SEED}")
    area_id = page.locator("article.segment-fuzzy").locator("textarea").get_attribute("id")
    area = page.locator(f"[id='{area_id}']")  # stays valid when the segment stops being fuzzy
    segment = page.locator("article", has=area)
    save_as(fuzzy_garden, "editor", SEED, NEW_FR, "The editor's fix")
    area.click()
    page.keyboard.press("Control+a")
    page.keyboard.type("My fix")
    page.keyboard.press("Control+Enter")
    conflict = segment.locator(".conflict")
    conflict.wait_for()
    assert conflict.locator("[data-role=theirs]").inner_text() == "The editor's fix"
    assert conflict.locator("[data-role=mine]").inner_text() == "My fix"
    assert area.input_value() == "My fix"
    conflict.locator("[data-role=use-theirs]").click()
    assert area.input_value() == "The editor's fix"
    page.keyboard.press("Control+Enter")
    page.wait_for_function("id => document.getElementById(id).closest('article').classList.contains('segment-translated')",
                           arg=area_id)
    assert segment.locator(".conflict").count() == 0
    po = read_catalog(fuzzy_garden.extensions["garden"].catalog_path(LANG, SEED))
    assert next(e for e in po if e.msgid == NEW_FR).msgstr == "The editor's fix"
    assert page.js_errors == []
