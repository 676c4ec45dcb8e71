"""Wording met on a real garden: language names in the interface's language, plurals of word counts, distinct landmarks."""
from __future__ import annotations

import re

import pytest

from tests.long_note import long_note
from tests.review_support import LANG, clean_garden, make_users
from tests.test_french_screens import french_client, visible


@pytest.fixture
def site(app):
    """A garden with a one-word note (a journal note: front matter only, its title a date) and a long note."""
    garden = app.extensions["garden"]
    source = garden.content_dir / garden.source_lang
    (source / "2023-01-07_1052.md").write_text("---\ntype: journal_note\n---\n", encoding="utf-8")
    (source / "Guide long.md").write_text(long_note(120), encoding="utf-8")
    clean_garden(app)
    app.user_ids = make_users(app)
    return app


def _client(app, who: str, lang: str):
    client = french_client(app, who)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    return client


@pytest.mark.parametrize("lang, expected", [("fr", "1 mot, 1 à faire"), ("en", "1 word, 1 to do")])
def test_a_one_word_note_is_counted_in_the_singular_on_the_dashboard(site, lang, expected):
    text = visible(_client(site, "translator", lang).get("/translate/?q=2023-01-07").get_data(as_text=True))
    assert expected in text and not re.search(r"\b1 (mots|words)\b", text)


@pytest.mark.parametrize("lang, expected", [("fr", "0 sur 1 mot traduit"), ("en", "0 of 1 word translated")])
def test_a_one_word_note_is_counted_in_the_singular_in_the_review_queue(site, lang, expected):
    text = visible(_client(site, "editor", lang).get("/review/?show=all&q=2023-01-07").get_data(as_text=True))
    assert expected in text and not re.search(r"\b1 (mots|words)\b", text)


@pytest.mark.parametrize("lang, target, source", [("fr", "Anglais", "Français"), ("en", "English", "French")])
def test_language_names_are_written_in_the_interface_language(site, lang, target, source):
    dashboard = _client(site, "translator", lang).get("/translate/").get_data(as_text=True)
    assert re.search(rf'<th scope="col">{target}</th>', dashboard)
    hidden = re.findall(r'<span class="visually-hidden"> [^<]*\((\w+)\)</span>', dashboard)
    assert hidden and {name.lower() for name in hidden} == {target.lower()}
    screen = _client(site, "translator", lang).get(f"/translate/{LANG}/guide-long").get_data(as_text=True)
    assert f'<p class="segment-label">{source}</p>' in screen


def test_the_two_pagers_of_a_long_note_are_told_apart(site):
    """Landmarks need distinct names (axe: landmark-unique): the pager above the segments and the one below."""
    html = _client(site, "translator", "fr").get(f"/translate/{LANG}/guide-long").get_data(as_text=True)
    labels = re.findall(r'<nav class="tr-pager" aria-label="([^"]+)"', html)
    assert len(labels) == 2 and len(set(labels)) == 2
