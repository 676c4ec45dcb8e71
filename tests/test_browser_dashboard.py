"""In Chromium, on a generated garden of 1,000 notes and a 500-segment note: issue 13's screens at work.

A translator finds a note by search, filters to what needs work, opens it, translates a segment,
and sees the totals and the chart move; finds the long note, filters it to what needs work and
translates a table cell from its context; an editor filters the queue, publishes a note and
unpublishes it with a reason. axe-core finds no serious or critical violation on these screens at
that size. Skipped with the reason when Chromium, Playwright or axe-core are missing (see
tests/browser.py).
"""
from __future__ import annotations

import re

import pytest

from app.services.garden import get_garden
from tests.browser import axe_violations, live_server, page, unpublish_with_reason  # noqa: F401  (fixtures)
from tests.long_note import long_note
from tests.review_support import LANG, PASSWORD, SLUG, clean_garden, fill, make_users, submit

pytestmark = pytest.mark.browser

NOTES = 1000
LONG = "guide-long"


@pytest.fixture
def big_garden(paths, request):
    """1,000 generated notes in ten folders besides the seeds, synced, with the accounts."""
    french = paths["content"] / "fr"
    for k in range(NOTES):
        folder = french / f"dossier {k % 10}"
        folder.mkdir(exist_ok=True)
        tags = "\ntags: [atelier]" if k % 50 == 0 else ""
        (folder / f"note {k:04d}.md").write_text(
            f"---\ntitle: Note générée {k:04d}{tags}\n---\n\nUn paragraphe de la note {k} avec quelques mots.\n\n"
            f"| Rôle | Temps |\n|---|---|\n| direction | {k % 5} jours |\n", encoding="utf-8")
    (french / "Le jardin des zèbres.md").write_text("---\ntags: [savane]\n---\n\nLes zèbres ont des rayures.\n\n"
                                                   "Ils vivent en troupeaux.\n", encoding="utf-8")
    (french / "Guide long.md").write_text(long_note(500), encoding="utf-8")
    app = request.getfixturevalue("app")
    clean_garden(app)
    make_users(app)
    fill(app, SLUG)
    submit(app, SLUG)
    return app


def log_in(tab, start: str, name: str) -> None:
    """Open ``start``, get sent to the login page, log in as ``name``."""
    tab.goto(start)
    tab.fill("#username", name)
    tab.fill("#password", PASSWORD)
    tab.locator("form.login-form button[type=submit]").click()
    tab.wait_for_url(re.compile(re.escape(start) + "$"))


def translated_words(tab) -> int:
    """The first figure of the totals: words translated in English."""
    cell = tab.locator("#totals-title ~ table.dash-table td.dash-num").first.inner_text()
    return int(re.sub(r"\D", "", cell))


def test_translator_and_editor_work_through_a_thousand_notes(big_garden, page):  # noqa: F811
    with big_garden.app_context():
        assert len(get_garden(0).notes.notes()) > NOTES
    log_in(page, "/translate/", "translator")
    assert page.locator("table.tr-dashboard tbody tr").count() == 50
    assert page.locator("svg.chart[role=img]").count() == 2 and page.locator("svg.chart title").count() == 2
    before = translated_words(page)  # the seed note translated for the editor
    assert axe_violations(page) == []

    page.fill("#dash-q", "zebres")
    page.select_option("#dash-show", "needs-work")
    with page.expect_navigation():
        page.locator("form.dash-controls button[type=submit]").click()
    assert "q=zebres" in page.url and "show=needs-work" in page.url
    rows = page.locator("table.tr-dashboard tbody tr")
    assert rows.count() == 1 and "Le jardin des zèbres" in rows.inner_text()
    assert axe_violations(page) == []

    rows.locator(f"a[href='/translate/{LANG}/le-jardin-des-zebres']").first.click()
    page.wait_for_url(re.compile(f"/translate/{LANG}/le-jardin-des-zebres$"))
    segment = page.locator("article.segment", has=page.locator(".segment-source", has_text="Les zèbres ont des rayures."))
    area = segment.locator("textarea")
    area.fill("Zebras have stripes.")
    area.press("Control+Enter")  # saved in place by the screen's script
    page.wait_for_function("id => document.getElementById(id).closest('article').classList.contains('segment-translated')",
                           arg=area.get_attribute("id"))

    page.goto("/translate/")
    assert translated_words(page) == before + 5, "the totals count the French words of the segment just translated"
    page.locator("details.dash-figures summary").first.click()
    last_week = page.locator("details.dash-figures tbody tr").last.locator("td").first.inner_text()
    assert last_week == f"{before + 5:,}".replace(",", "\u202f"), "the chart's figures end on today's count"

    page.fill("#dash-q", "guide long")
    with page.expect_navigation():
        page.locator("form.dash-controls button[type=submit]").click()
    page.locator(f"table.tr-dashboard a[href='/translate/{LANG}/{LONG}']").first.click()
    page.wait_for_url(re.compile(f"/translate/{LANG}/{LONG}$"))
    assert page.locator("article.segment").count() < 100, "a 500-segment note opens one page of sections"
    page.locator("a[data-filter=needs-work]").click()
    page.wait_for_url(re.compile(r"show=needs-work"))
    assert axe_violations(page) == []
    cell = page.locator("article.segment", has=page.locator(".segment-source", has_text="sert à la tâche 1.2"))
    context = cell.locator(".segment-context").inner_text()
    assert "Usage" in context and "outil 1.2" in context, "a table cell shows its column header and its row"
    cell.locator("textarea").fill("used for task 1.2")
    cell.locator("form.segment-form button[type=submit]").click()
    page.wait_for_function("a => a.classList.contains('segment-translated')", arg=cell.element_handle())

    page.goto("/translate/?page=2&sort=title")
    assert page.locator("nav.dash-pager a[rel=next]").get_attribute("href") == "/translate/?show=all&sort=title&page=3"

    editor = page.context.browser.new_context(base_url=page.url.split("/translate")[0], locale="fr-FR", bypass_csp=True)
    tab = editor.new_page()
    log_in(tab, "/review/", "editor")
    tab.select_option("#dash-show", "untranslated")
    tab.fill("#dash-q", "#atelier")
    with tab.expect_navigation():
        tab.locator("form.dash-controls button[type=submit]").click()
    assert tab.locator("table.dash-queue tbody tr").count() == NOTES // 50
    assert "Notes 1 à 20 sur 20" in tab.locator(".dash-summary").inner_text()
    assert axe_violations(tab) == []

    tab.goto(f"/review/{LANG}/{SLUG}")
    tab.locator("form[action$='/approve'] button").click()
    tab.wait_for_selector(".review-unpublish")
    history = unpublish_with_reason(tab, "Un contresens dans la conclusion")
    assert "Dépubliée" in history and "Un contresens dans la conclusion" in history
    assert axe_violations(tab) == []
    editor.close()
    assert page.js_errors == []
