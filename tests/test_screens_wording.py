"""Wording met on a real garden: language names in the interface's language, plurals of word counts, distinct landmarks."""
from __future__ import annotations

import re

import pytest

from app.render.chart import Series, line_chart

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


@pytest.mark.parametrize("weeks", range(2, 30))
def test_the_labels_under_the_chart_never_sit_next_to_each_other(weeks):
    """Twelve weeks labelled every other week put the last week's label on the one before it ("25 nov.2 déc.")."""
    labels = [f"w{n}" for n in range(weeks)]
    svg = str(line_chart("c", "t", "d", labels, [Series("s", tuple(range(weeks)))]))
    shown = [labels.index(name) for name in re.findall(r'<text class="chart-label"[^>]*>(w\d+)</text>', svg)]
    every = max(1, -(-weeks // 6))
    assert shown[0] == 0 and shown[-1] == weeks - 1
    assert all(b - a >= every for a, b in zip(shown, shown[1:])), shown
