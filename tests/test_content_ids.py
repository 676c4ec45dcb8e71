"""Ids in a note's HTML never collide with the interface's own ids, and every anchor still leads somewhere.

A heading called "Main" used to get ``id="main"``, the id of the page's ``<main>`` (the skip link's
target); a block ``^note-title`` or a footnote could take other ids of the page. Note content ids
now start with ``user-content-`` (as the forges do), and the links that point into notes (``#…``,
footnotes, ``[[#Heading]]``, ``[[note#Heading]]``, ``[[note#^block]]``) point at the prefixed ids.
"""
from __future__ import annotations

from collections import Counter
from urllib.parse import unquote, urlsplit

import pytest

from tests.auth_support import log_in_as
from tests.test_api import fresh_garden, make_accounts
from tests.test_reader import Page, get_page

#: Headings and block ids named like elements of the interface.
CLASHING = """---
title: Ids en conflit
---
# Main

Un renvoi[^1] et [[#Note title]], [[#^search-q]], [[Cible#Backlinks title]] et [[Cible#^seg-1]].

## Note title

Du texte. ^search-q

## Main

Encore.

[^1]: La note de bas de page.
"""
TARGET = """# Backlinks title

Un paragraphe. ^seg-1

### Preview title
"""


@pytest.fixture
def app_config(app_config, paths):
    (paths["content"] / "fr" / "Ids en conflit.md").write_text(CLASHING, encoding="utf-8")
    (paths["content"] / "fr" / "Cible.md").write_text(TARGET, encoding="utf-8")
    return app_config


def ids_of(page: Page) -> Counter:
    return Counter(attrs["id"] for _, attrs in page.elements if "id" in attrs)


def test_note_ids_never_take_the_interface_ids(client):
    page = get_page(client, "/fr/notes/ids-en-conflit")
    ids = ids_of(page)
    assert [name for name, count in ids.items() if count > 1] == []
    assert {"main", "note-title"} <= set(ids)  # the interface keeps its own
    content = {name for name in ids if name.startswith("user-content-")}
    assert {"user-content-main", "user-content-note-title", "user-content-main-1", "user-content-block-search-q",
            "user-content-fn1", "user-content-fnref1"} <= content


def test_every_anchor_into_a_note_leads_to_its_target(client):
    page = get_page(client, "/fr/notes/ids-en-conflit")
    ids = set(ids_of(page))
    local = [a["href"] for a in page.find("a") if a.get("href", "").startswith("#")]
    assert len(local) >= 4  # [[#Note title]], [[#^search-q]], the footnote and its way back (and the skip link)
    assert [href for href in local if unquote(href[1:]) not in ids] == []
    other = [a["href"] for a in page.find("a") if a.get("href", "").startswith("/fr/notes/cible#")]
    assert sorted(other) == ["/fr/notes/cible#user-content-backlinks-title", "/fr/notes/cible#user-content-block-seg-1"]
    target_ids = set(ids_of(get_page(client, "/fr/notes/cible")))
    assert all(urlsplit(href).fragment in target_ids for href in other)


def test_the_translator_screen_around_a_note_has_unique_ids(app, client):
    fresh_garden(app, {"Ids en conflit.md": CLASHING, "Cible.md": TARGET})
    make_accounts(app)
    log_in_as(app, client, "translator")
    for url in ("/translate/en/ids-en-conflit", "/translate/en/cible"):
        response = client.get(url)
        assert response.status_code == 200, url
        ids = ids_of(Page(response.get_data(as_text=True)))
        assert [name for name, count in ids.items() if count > 1] == [], url
