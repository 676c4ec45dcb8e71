"""axe-core on the reader's pages, in both languages: no serious or critical violation."""
from __future__ import annotations

import pytest

from tests.browser import axe_violations, live_server, page  # noqa: F401
from tests.test_reader import CEO, COS, french_only  # noqa: F401
from tests.test_reader_published import economie  # noqa: F401  (a published and an outdated English note)
from tests.test_reader_published import NOTE, SLUG, change_french

pytestmark = pytest.mark.browser

PAGES = ["/fr/", "/en/", f"/fr/notes/{CEO}", f"/en/notes/{CEO}", f"/fr/notes/{COS}", "/fr/tags/", "/en/tags/tips",
         "/fr/search?q=economie", "/en/notes/nope"]


@pytest.mark.parametrize("path", PAGES)
def test_reader_pages_have_no_serious_violation(page, path):  # noqa: F811
    page.goto(path)
    assert axe_violations(page) == []


def test_untranslated_english_page(french_only, page):  # noqa: F811
    page.goto(f"/en/notes/{CEO}")
    assert page.locator("article").get_attribute("data-translation-state") == "unavailable"
    assert axe_violations(page) == []
    page.goto("/en/")
    assert axe_violations(page) == []


@pytest.mark.parametrize("width", [360, 1280])
def test_published_and_outdated_english_pages(page, economie, width):  # noqa: F811
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"/en/notes/{SLUG}")
    assert page.locator("article").get_attribute("data-translation-state") == "published"
    assert axe_violations(page) == []
    change_french(economie, NOTE, "qui va changer", "qui a changé")
    page.goto(f"/en/notes/{SLUG}?after-change")  # the page is cacheable for 60 s: ask for a new URL
    assert page.locator("article").get_attribute("data-translation-state") == "outdated"
    assert page.locator(".changed-since-approval").count() == 1
    assert axe_violations(page) == []
    page.goto("/en/?after-change")
    assert axe_violations(page) == []
