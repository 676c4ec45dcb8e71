"""A reader in Chromium: reads the seed note, follows a wikilink, meets an unresolved name, switches language."""
from __future__ import annotations

import re

import pytest

from tests.browser import live_server, page  # noqa: F401
from tests.test_reader import CEO, COS, french_only  # noqa: F401

pytestmark = pytest.mark.browser


def test_reader_follows_a_wikilink_and_switches_to_english(french_only, page):  # noqa: F811
    page.goto("/")
    assert re.search(r"/fr/$", page.url)  # the context speaks French
    page.get_by_role("link", name=re.compile(r"^Ceo, n'oubliez pas")).click()
    assert page.url.endswith(f"/fr/notes/{CEO}")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("article").get_attribute("data-translation-state") == "source"

    unresolved = page.locator(".wikilink.unresolved", has_text="Prendre soin du collectif")
    assert unresolved.count() == 1
    assert unresolved.evaluate("el => el.tagName") == "SPAN"
    assert unresolved.evaluate("el => el.closest('a') === null")
    assert unresolved.get_attribute("title") == "Cette note n’existe pas encore"

    page.locator("article a.wikilink", has_text="chief of staff").click()
    assert page.url.endswith(f"/fr/notes/{COS}")
    assert page.get_by_role("heading", level=1).inner_text() == "chief of staff externe"
    assert page.get_by_role("link", name=re.compile(r"^Ceo, n'oubliez pas")).count() >= 1  # the backlink

    page.get_by_role("navigation", name="Langue").get_by_role("link", name="English").click()
    assert page.url.endswith(f"/en/notes/{COS}")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("article").get_attribute("data-translation-state") == "unavailable"
    assert "This note has not been translated into English yet." in page.locator("article").inner_text()
    back = page.get_by_role("link", name="Read it in French")
    assert back.get_attribute("hreflang") == "fr"

    back.click()
    assert page.url.endswith(f"/fr/notes/{COS}")
    page.goto("/")  # the choice of English is remembered over the browser's French
    assert page.url.endswith("/en/")
    assert page.js_errors == []


def test_skip_link_and_keyboard_focus(page):  # noqa: F811
    page.goto("/fr/")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.className")
    assert "skip-link" in focused
    assert page.locator(".skip-link").is_visible()
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_search_from_the_header(page):  # noqa: F811
    page.goto("/fr/")
    page.get_by_role("searchbox", name="Rechercher dans les notes").fill("ECONOMIE")
    page.get_by_role("search").get_by_role("button", name="Rechercher").click()
    assert "/fr/search?q=ECONOMIE" in page.url
    assert page.locator(".search-results a.note-link").all_inner_texts() == ["chief of staff externe"]
    assert page.locator(".search-results mark").first.inner_text() == "Économie"


def test_readable_on_a_phone(page):  # noqa: F811
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"/fr/notes/{CEO}")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.note-body p')).fontSize)")
    assert size >= 15
