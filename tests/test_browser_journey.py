"""The whole journey in Chromium: translate, review, publish, read, go stale, fix, republish.

A translator completes and submits a note on the translation screen; the editor reads the diffs
and approves; a reader switches to English and reads it; the French changes; the reader sees the
dated banner and the marked paragraph; the translator fixes the fuzzy segment and resubmits; the
editor approves again; the banner is gone. Everything happens in the temporary folders of the
``app`` fixture.
"""
from __future__ import annotations

import polib
import pytest

from app.catalog.po import entry_id, read_catalog
from app.services.garden import get_garden
from tests.browser import ROOT, live_server, page  # noqa: F401  (fixtures)
from tests.review_support import LANG, OTHER, PASSWORD, clean_garden, fake_english, make_users
from tests.seeds import SEED_TRANSLATIONS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OLD = "Jouer avec le couple COO COS"
NEW = "Jouer avec le duo COO COS"


@pytest.fixture
def app_config(app_config):
    """The journey runs with CSRF protection on, as in production."""
    return {**app_config, "WTF_CSRF_ENABLED": True}


def english_of(msgid: str) -> str:
    """What the translator types: the committed English of the seed note if there is one, else a stand-in."""
    path = SEED_TRANSLATIONS / LANG / "notes" / f"{OTHER}.po"
    known = {e.msgid: e.msgstr for e in read_catalog(path) if e.msgstr and not e.fuzzy} if path.exists() else {}
    return known.get(msgid) or fake_english(msgid)


def entry_id_of(msgid: str) -> str:
    """The id the screens give the entry of ``msgid``."""
    return entry_id(polib.POEntry(msgid=msgid))


def log_in(tab, name: str) -> None:
    tab.context.clear_cookies()
    tab.goto("/login")
    tab.fill('input[name="username"]', name)
    tab.fill('input[name="password"]', PASSWORD)
    with tab.expect_navigation():
        tab.locator('form:has(input[name="password"]) [type="submit"]').click()
    assert "/login" not in tab.url, "login failed"


def save_segment(tab, article, text: str) -> None:
    """Type ``text`` into one segment and save it (the screen's script PUTs it to the API)."""
    article.locator("textarea").fill(text)
    with tab.expect_response(lambda r: "/entries/" in r.url and r.request.method in ("PUT", "POST")) as saved:
        article.locator('form.segment-form [type="submit"]').click()
    assert saved.value.ok, saved.value.text()


def submit_for_review(tab) -> None:
    with tab.expect_navigation():
        tab.locator("#submit-button").click()
    assert tab.locator(".tr-alert-error").count() == 0, tab.locator(".tr-alert-error").inner_text()


def approve(tab) -> None:
    tab.goto("/review/")
    tab.locator(f'section:has(#queue-title) a[href="/review/{LANG}/{OTHER}"]').click()
    assert tab.locator('form[action$="/approve"]').count() == 1, "no approve form: " + tab.locator("main").inner_text()[:500]
    with tab.expect_navigation():
        tab.locator('form[action$="/approve"] [type="submit"]').click()
    assert tab.locator(".review-message-success").count() == 1


def test_translate_review_publish_read_outdate_fix_republish(app, page):
    clean_garden(app)
    make_users(app)
    with app.app_context():
        garden = get_garden(0)
        french_path = garden.note_path(garden.notes.get(OTHER))
        published_path = garden.published_path(LANG, OTHER)
        msgids = [e.msgid for e in read_catalog(garden.catalog_path(LANG, OTHER)) if not e.obsolete]
    changed_english = english_of(next(m for m in msgids if m.startswith(OLD)))

    # 1. The translator completes every segment and submits.
    log_in(page, "translator")
    page.goto(f"/translate/{LANG}/{OTHER}")
    for msgid in msgids:
        save_segment(page, page.locator(f"article#seg-{entry_id_of(msgid)}"), english_of(msgid))
    page.reload()
    submit_for_review(page)

    # 2. The editor reads the draft and the diffs, then approves.
    log_in(page, "editor")
    page.goto(f"/review/{LANG}/{OTHER}")
    assert changed_english in page.locator(f'article.review-rendered[lang="{LANG}"]').inner_text()
    assert page.locator("section:has(#english-diff-title)").count() == 1
    assert page.locator("section:has(#french-diff-title)").count() == 1
    approve(page)
    assert published_path.exists()

    # 3. A reader switches to English and reads it.
    page.context.clear_cookies()
    page.goto(f"/fr/notes/{OTHER}")
    with page.expect_navigation():
        page.locator(f'.lang-switcher a[hreflang="{LANG}"]').click()
    assert page.url.endswith(f"/{LANG}/notes/{OTHER}")
    article = page.locator("article.note")
    assert article.get_attribute("data-translation-state") == "published"
    assert changed_english in article.inner_text()
    assert page.locator(".notice-outdated").count() == 0

    # 4. The French changes: the reader keeps the approved English, with the banner and the marked paragraph.
    french_path.write_text(french_path.read_text(encoding="utf-8").replace(OLD, NEW, 1), encoding="utf-8")
    page.reload()
    assert article.get_attribute("data-translation-state") == "outdated"
    assert page.locator(".notice-outdated").is_visible()
    assert page.locator('.notice-outdated a[hreflang="fr"]').count() == 1
    marked = page.locator(".note-body .changed-since-approval")
    assert marked.count() == 1
    assert changed_english[:40] in marked.inner_text()
    assert marked.get_attribute("title")

    # 5. The translator sees the fuzzy segment with its diff, fixes it and resubmits.
    log_in(page, "translator")
    page.goto(f"/translate/{LANG}/{OTHER}")
    fuzzy = page.locator("article.segment-fuzzy")
    assert fuzzy.count() == 1
    assert "duo" in fuzzy.locator("ins").first.inner_text()
    fixed = changed_english.replace("Pairing a COO with a COS", "A COO and COS duo", 1)
    save_segment(page, fuzzy, fixed if fixed != changed_english else "DUO " + changed_english)
    page.reload()
    submit_for_review(page)

    # 6. The editor sees what changed in the French and in the English, and approves again.
    log_in(page, "editor")
    page.goto(f"/review/{LANG}/{OTHER}")
    assert "duo" in page.locator("section:has(#french-diff-title) ins").first.inner_text()
    assert page.locator("section:has(#english-diff-title) ins").count() >= 1
    assert page.locator(".review-checks .finding-info").count() == 1  # the segment whose French changed
    approve(page)

    # 7. The reader's banner is gone.
    page.context.clear_cookies()
    page.goto(f"/{LANG}/notes/{OTHER}")
    assert article.get_attribute("data-translation-state") == "published"
    assert page.locator(".notice-outdated").count() == 0
    assert page.locator(".changed-since-approval").count() == 0
    assert page.js_errors == []
