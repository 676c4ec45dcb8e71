"""English pages once published: published, outdated (banner and marked paragraphs), unavailable; no draft leaks."""
from __future__ import annotations

import hashlib
import os
from datetime import datetime, timezone
from xml.etree import ElementTree as ET

import polib
import pytest
import yaml

from app.extensions import db
from app.models import Publication
from tests.test_reader import ATOM, CEO, COS, SM, XHTML, Page, french_only, get_page, write_note  # noqa: F401

NOTE = "Économie.md"
SLUG = "economie"
FRENCH = """---
title: Économie de coûts
tags: [gestion]
---
Premier paragraphe sur les coûts.

Deuxième paragraphe, qui va changer.

- un élément de liste
- voir [[chief of staff]]
"""
ENGLISH_BODY = """Paragraph one about costs.

Second paragraph, which will change.

- a list item
- see [[chief of staff]]
"""
APPROVED_AT = datetime(2024, 1, 10, 9, 30, tzinfo=timezone.utc)
CHANGED_AT = datetime(2024, 3, 5, 12, tzinfo=timezone.utc)
TOOLTIP = "The French of this paragraph changed since this translation was approved"


def sha256(text: str) -> str:
    """Hex SHA-256 of ``text`` in UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def publish(app, paths, filename: str, slug: str, title: str, body: str, tags=("costs",), record: bool = True) -> str:
    """Publish ``body`` as the English of ``filename``, against the French now on disk (as an approval would)."""
    french = (paths["content"] / "fr" / filename).read_text(encoding="utf-8")
    meta = {"title": title, "tags": list(tags), "source": filename, "source_sha256": sha256(french),
            "approved_at": APPROVED_AT.isoformat().replace("+00:00", "Z")}
    text = "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + body
    (paths["content"] / "en" / f"{slug}.md").write_text(text, encoding="utf-8")
    if record:
        with app.app_context():
            db.session.add(Publication(source=filename, lang="en", slug=slug, title=title, source_text=french,
                                       source_sha256=sha256(french), text=text, approved_at=APPROVED_AT))
            db.session.commit()
    return text


def change_french(paths, filename: str, old: str, new: str) -> None:
    """Edit the French note on disk and date the change."""
    path = paths["content"] / "fr" / filename
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    moment = CHANGED_AT.timestamp()
    os.utime(path, (moment, moment))


@pytest.fixture
def economie(app, french_only):
    """A French note with its English published against the current French (and nothing else published)."""
    paths = french_only
    write_note(paths, NOTE, FRENCH)
    publish(app, paths, NOTE, SLUG, "Cost savings", ENGLISH_BODY)
    return paths


def test_published_english_page(client, economie):
    page = get_page(client, f"/en/notes/{SLUG}")
    assert page.lang == "en"
    assert page.find("article", **{"data-translation-state": "published"})
    assert page.find("h1")[0].get("lang") is None and "Cost savings" in page.text
    assert "Paragraph one about costs." in page.text and "Premier paragraphe" not in page.text
    assert "Translation approved on January 10, 2024" in page.text
    assert not page.find("div", class_="notice notice-outdated")
    assert page.find("a", href="/en/tags/costs")
    assert page.alternates == {"fr": f"http://localhost/fr/notes/{SLUG}", "en": f"http://localhost/en/notes/{SLUG}",
                               "x-default": f"http://localhost/fr/notes/{SLUG}"}
    french = get_page(client, f"/fr/notes/{SLUG}")
    assert set(french.alternates) == {"fr", "en", "x-default"}


def test_english_wikilinks_go_to_english_where_published(app, client, economie, paths):
    page = get_page(client, f"/en/notes/{SLUG}")
    link = page.find("a", class_="wikilink", href=f"/fr/notes/{COS}")
    assert link and link[0]["lang"] == "fr" and link[0]["hreflang"] == "fr"
    publish(app, paths, "chief of staff.md", COS, "External chief of staff", "Why work with one?\n", record=False)
    page = get_page(client, f"/en/notes/{SLUG}")
    link = page.find("a", class_="wikilink", href=f"/en/notes/{COS}")
    assert link and "lang" not in link[0] and link[0]["title"] == "External chief of staff"
    backlinks = get_page(client, f"/en/notes/{COS}")
    assert backlinks.find("a", href=f"/en/notes/{SLUG}")  # published: English
    assert backlinks.find("a", href=f"/fr/notes/{CEO}", lang="fr")  # not published: French, marked


def test_outdated_page_has_a_dated_banner_and_marks_the_changed_paragraph(client, economie):
    change_french(economie, NOTE, "Deuxième paragraphe, qui va changer.", "Deuxième paragraphe, qui a changé.")
    response = client.get(f"/en/notes/{SLUG}")
    html = response.get_data(as_text=True)
    page = Page(html)
    assert page.find("article", **{"data-translation-state": "outdated"})
    banner = page.find("div", class_="notice notice-outdated")
    assert banner
    assert "changed on March 5, 2024, after this translation was approved on January 10, 2024" in page.text
    assert page.find("a", href=f"/fr/notes/{SLUG}", hreflang="fr")
    marked = page.find("p", class_="changed-since-approval")
    assert len(marked) == 1 and marked[0]["title"] == TOOLTIP
    assert '<p class="changed-since-approval" title="' + TOOLTIP + '"><span class="change-marker">' in html
    assert html.index("changed-since-approval") > html.index("Paragraph one about costs.")
    assert html.index("Second paragraph, which will change.") > html.index("changed-since-approval")
    assert "Second paragraph, which will change." in page.text  # the approved English stays
    assert "The passage whose original changed is marked." in page.text
    home = get_page(client, "/en/")
    assert home.find("a", href=f"/en/notes/{SLUG}") and "Original updated since" in home.text


def test_changed_list_item_and_removed_paragraph_are_marked(client, economie):
    change_french(economie, NOTE, "- un élément de liste\n", "- un élément de liste modifié\n")
    change_french(economie, NOTE, "Premier paragraphe sur les coûts.\n\n", "")
    html = client.get(f"/en/notes/{SLUG}").get_data(as_text=True)
    page = Page(html)
    assert page.find("li", class_="changed-since-approval")
    assert page.find("p", class_="changed-since-approval")
    assert len(page.find("p", class_="changed-since-approval")) == 1
    assert "The 2 passages whose original changed are marked." in page.text


def test_outdated_without_publication_record_keeps_the_banner(app, client, paths):
    write_note(paths, NOTE, FRENCH)
    publish(app, paths, NOTE, SLUG, "Cost savings", ENGLISH_BODY, record=False)
    change_french(paths, NOTE, "qui va changer", "qui a changé")
    page = get_page(client, f"/en/notes/{SLUG}")
    assert page.find("article", **{"data-translation-state": "outdated"})
    assert page.find("div", class_="notice notice-outdated")
    assert not page.find("p", class_="changed-since-approval")


def test_back_to_published_when_the_french_is_restored(client, economie):
    change_french(economie, NOTE, "qui va changer", "qui a changé")
    assert get_page(client, f"/en/notes/{SLUG}").find("article", **{"data-translation-state": "outdated"})
    change_french(economie, NOTE, "qui a changé", "qui va changer")
    assert get_page(client, f"/en/notes/{SLUG}").find("article", **{"data-translation-state": "published"})


def test_french_interface_strings_on_french_pages(client, economie):
    page = get_page(client, f"/fr/notes/{SLUG}")
    assert page.find("article", **{"data-translation-state": "source"})
    assert "Modifiée le" in page.text


def test_drafts_never_leak(app, client, french_only):
    paths = french_only
    catalog = polib.POFile()
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "en"}
    for msgid in ("chief of staff externe", "pourquoi travailler avec un chief of staff externe?"):
        catalog.append(polib.POEntry(msgid=msgid, msgstr="DRAFTLEAK " + msgid))
    folder = paths["translations"] / "en" / "notes"
    folder.mkdir(parents=True, exist_ok=True)
    catalog.save(str(folder / f"{COS}.po"))
    page = get_page(client, f"/en/notes/{COS}")
    assert page.find("article", **{"data-translation-state": "unavailable"})
    for url in (f"/en/notes/{COS}", "/en/", "/en/search?q=draftleak", "/en/feed.xml", "/sitemap.xml", "/en/tags/"):
        assert b"DRAFTLEAK" not in client.get(url).data, url
    assert not get_page(client, "/en/search?q=draftleak").find("a", class_="note-link")


def test_unpublished_note_is_unavailable_again(client, economie):
    (economie["content"] / "en" / f"{SLUG}.md").unlink()
    page = get_page(client, f"/en/notes/{SLUG}")
    assert page.find("article", **{"data-translation-state": "unavailable"})
    assert "This note has not been translated into English yet." in page.text


def test_english_listings_list_only_published(client, economie):
    home = get_page(client, "/en/")
    assert [a["href"] for a in home.find("a", class_="note-link")] == [f"/en/notes/{SLUG}"]
    assert "Read all 3 notes in French" in home.text
    search = get_page(client, "/en/search?q=COSTS")
    assert [a["href"] for a in search.find("a", class_="note-link")] == [f"/en/notes/{SLUG}"]
    assert not get_page(client, "/en/search?q=deuxi%C3%A8me").find("a", class_="note-link")  # French only
    tags = get_page(client, "/en/tags/")
    assert [a["href"] for a in tags.find("a", class_="tag")] == ["/en/tags/costs"]
    assert get_page(client, "/en/tags/costs").find("a", href=f"/en/notes/{SLUG}")
    feed = ET.fromstring(client.get("/en/feed.xml").data)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Cost savings"]
    assert entries[0].find(f"{ATOM}updated").text == "2024-01-10T09:30:00Z"
    urlset = ET.fromstring(client.get("/sitemap.xml").data)
    urls = {u.find(f"{SM}loc").text: u for u in urlset.findall(f"{SM}url")}
    assert f"http://localhost/en/notes/{SLUG}" in urls and f"http://localhost/en/notes/{COS}" not in urls
    for loc in (f"http://localhost/en/notes/{SLUG}", f"http://localhost/fr/notes/{SLUG}"):
        links = {l.get("hreflang"): l.get("href") for l in urls[loc].findall(f"{XHTML}link")}
        assert links == {"fr": f"http://localhost/fr/notes/{SLUG}", "en": f"http://localhost/en/notes/{SLUG}",
                         "x-default": f"http://localhost/fr/notes/{SLUG}"}
