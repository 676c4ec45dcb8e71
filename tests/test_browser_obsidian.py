"""The Obsidian vault in Chromium, French and English: an image, a block embed, every callout, a note without
front matter; axe-core finds no serious violation on them."""
from __future__ import annotations

import pytest

from tests.browser import axe_violations, live_server, page  # noqa: F401
from tests.obsidian_support import ATTACHMENTS, BARE, CALLOUTS, EMBEDS, publish
from tests.obsidian_support import vault  # noqa: F401

pytestmark = pytest.mark.browser

CALLOUT_TYPES = ["note", "abstract", "info", "todo", "tip", "success", "question", "warning", "failure", "danger",
                 "bug", "example", "quote", "abstract"]


@pytest.fixture
def bare_published(app, vault):  # noqa: F811
    """The note without front matter, published too (its title from its file name)."""
    publish(app, BARE, lambda msgid: "Without front matter" if msgid == "Sans front matter" else "EN " + msgid)
    return vault


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_images_load(page, bare_published, lang):  # noqa: F811
    page.goto(f"/{lang}/notes/{ATTACHMENTS}")
    images = page.locator(".note-body img")
    assert images.count() == 7
    for index in range(images.count()):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete", arg=image.element_handle())
        assert image.evaluate("img => img.naturalWidth") > 0, image.get_attribute("src")
    assert page.locator("audio.embed-audio").count() == 1
    assert axe_violations(page) == []
    assert page.js_errors == []


@pytest.mark.parametrize("lang, text", [("fr", "Un paragraphe que l'on cite ailleurs."),
                                        ("en", "EN Un paragraphe que l'on cite ailleurs.")])
def test_block_embed(page, bare_published, lang, text):  # noqa: F811
    page.goto(f"/{lang}/notes/{EMBEDS}")
    first = page.locator(".embed-note").first
    assert first.locator("p").nth(1).inner_text() == text
    assert "Introduction" not in first.inner_text()
    assert axe_violations(page) == []


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_callout_has_its_colour_and_icon(page, bare_published, lang):  # noqa: F811
    page.goto(f"/{lang}/notes/{CALLOUTS}")
    callouts = page.locator("aside.callout")
    assert callouts.count() == len(CALLOUT_TYPES)
    colours = {}
    for index, kind in enumerate(CALLOUT_TYPES):
        callout = callouts.nth(index)
        assert f"callout-{kind}" in callout.get_attribute("class")
        icon = callout.locator(".callout-icon")
        assert icon.evaluate("el => getComputedStyle(el).maskImage || getComputedStyle(el).webkitMaskImage").startswith(
            'url("'), kind
        assert icon.bounding_box()["width"] > 0
        colours[kind] = callout.evaluate("el => getComputedStyle(el).borderLeftColor")
    assert colours["note"] != colours["warning"] != colours["danger"] != colours["success"]
    folded = page.locator("aside.callout-question details")
    assert folded.get_attribute("open") is None and not folded.locator("p").is_visible()
    folded.locator("summary").click()
    assert folded.locator("p").is_visible()
    assert page.locator("aside.callout-warning details").get_attribute("open") is not None
    assert axe_violations(page) == []


@pytest.mark.parametrize("lang, title", [("fr", "Sans front matter"), ("en", "Without front matter")])
def test_note_without_front_matter(page, bare_published, lang, title):  # noqa: F811
    page.goto(f"/{lang}/notes/{BARE}")
    assert page.get_by_role("heading", level=1).inner_text() == title
    assert page.locator(".note-body br").count() >= 1  # a single newline is a line break, as in Obsidian
    assert "privé" not in page.locator("main").inner_text()
    assert axe_violations(page) == []
