"""Full-text search: stems, accents, ranking, highlighting, incremental index, languages and pages."""
from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import select

from app.content.fulltext import analyzer, highlight, plain_text, snippet
from app.extensions import db
from app.models import SearchDocument
from tests.test_reader import get_page
from tests.test_reader_published import publish


def write(paths, name: str, text: str) -> None:
    """Write a French note, with a later mtime than any earlier one (so every refresh sees it)."""
    path = paths["content"] / "fr" / name
    path.write_text(text, encoding="utf-8")
    stamp = os.stat(path).st_mtime_ns + 10_000_000
    os.utime(path, ns=(stamp, stamp))


def links(page) -> list[str]:
    return [a["href"] for a in page.find("a", class_="note-link")]


# -- the analysis, without an app --------------------------------------------------------------------
def test_stems_fold_accents_and_inflections():
    words = analyzer("fr")
    assert words.term("stratégique") == words.term("stratégie") == words.term("STRATEGIQUES")
    assert words.term("Économie") == words.term("economie")
    assert analyzer("en").term("strategies") == analyzer("en").term("strategy")
    assert analyzer("xx").term("Été") == "ete"  # no stemmer for the language: folded words


def test_highlight_escapes_everything_but_the_marks():
    html = str(highlight("<b>Stratégie</b> & <script>x</script>", analyzer("fr").query_terms("stratégique"), "fr"))
    assert html == "&lt;b&gt;<mark>Stratégie</mark>&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;"
    long = "mot " * 200 + "collectif " + "fin " * 200
    cut = str(snippet(long, analyzer("fr").query_terms("collectifs"), "fr"))
    assert "<mark>collectif</mark>" in cut and cut.startswith("… ") and cut.endswith(" …") and len(cut) < 300


def test_plain_text_drops_markup_and_private_comments():
    assert plain_text("# Titre\n\n**gras** [[cible|libellé]] %%secret%% ==surligné==") == "Titre gras libellé surligné"


# -- through the site --------------------------------------------------------------------------------
def test_stemming_and_accents_find_inflected_words(client, paths):
    write(paths, "plan.md", "---\ntitle: Plan\n---\nUne stratégie pour le collectif.\n")
    for query in ("stratégique", "STRATEGIQUE", "strategies", "collectifs stratégie", "strat"):
        page = get_page(client, "/fr/search", query_string={"q": query})
        assert "/fr/notes/plan" in links(page), query
        assert page.find("mark"), query
    assert not links(get_page(client, "/fr/search?q=stratégie+introuvable"))  # every word must match


def test_title_matches_rank_first_then_frequency(client, paths):
    write(paths, "a.md", "---\ntitle: Jardin\n---\nUn mot sur la permaculture.\n")
    write(paths, "b.md", "---\ntitle: Potager\n---\nPermaculture, permaculture et encore permaculture.\n")
    write(paths, "c.md", "---\ntitle: Permaculture\n---\nRien d'autre.\n")
    assert links(get_page(client, "/fr/search?q=permaculture")) == ["/fr/notes/c", "/fr/notes/b", "/fr/notes/a"]


def test_hostile_text_is_escaped_in_results(client, paths):
    write(paths, "x.md", '---\ntitle: "<img src=x onerror=alert(1)> piège"\n---\n<script>alert(1)</script> piège\n')
    html = client.get("/fr/search?q=piège").get_data(as_text=True)
    assert "<img src=x" not in html and "<script>alert" not in html
    assert "<mark>piège</mark>" in html


def test_the_index_follows_edits_incrementally(app, client, paths):
    write(paths, "n.md", "---\ntitle: Note\n---\nAncien contenu.\n")
    assert links(get_page(client, "/fr/search?q=ancien")) == ["/fr/notes/n"]
    with app.app_context():
        before = dict(db.session.execute(select(SearchDocument.slug, SearchDocument.id)).all())
    write(paths, "n.md", "---\ntitle: Note\n---\nNouveau contenu.\n")
    assert links(get_page(client, "/fr/search?q=nouveau")) == ["/fr/notes/n"]
    assert not links(get_page(client, "/fr/search?q=ancien"))
    (paths["content"] / "fr" / "n.md").unlink()
    os.utime(paths["content"] / "fr")
    assert not links(get_page(client, "/fr/search?q=nouveau"))
    with app.app_context():
        after = dict(db.session.execute(select(SearchDocument.slug, SearchDocument.id)).all())
    assert "n" not in after
    assert {slug: i for slug, i in before.items() if slug != "n"} == after  # other rows were not rewritten


def test_english_finds_only_published_translations(app, client, paths):
    write(paths, "eco.md", "---\ntitle: Économie\n---\nDes quetzals partout.\n")
    assert not links(get_page(client, "/en/search?q=quetzals"))
    publish(app, paths, "eco.md", "eco", "Economy", "Quetzal feathers everywhere.\n")
    page = get_page(client, "/en/search?q=feather")
    assert links(page) == ["/en/notes/eco"] and page.find("mark")
    assert not links(get_page(client, "/en/search?q=partout"))  # the French is not searched in English


def test_results_are_paginated(client, paths):
    for i in range(25):
        write(paths, f"n{i:02}.md", f"---\ntitle: Note {i:02}\n---\nQuetzal numéro {i}.\n")
    first = get_page(client, "/fr/search?q=quetzal")
    assert len(links(first)) == 20 and "25 notes trouvées" in first.text
    assert first.find("a", rel="next", href="/fr/search?page=2&q=quetzal")
    second = get_page(client, "/fr/search?q=quetzal&page=2")
    assert len(links(second)) == 5 and second.find("a", rel="prev")
    assert not set(links(first)) & set(links(second))
    assert "Page 2 sur 2" in second.text


def test_home_and_tag_pages_are_paginated(client, paths):
    for i in range(60):
        write(paths, f"p{i:02}.md", f"---\ntitle: Page {i:02}\ntags: [lot]\n---\nTexte {i}.\n")
    home = get_page(client, "/fr/")
    assert len(links(home)) == 50 and "62 notes" in home.text
    rest = get_page(client, "/fr/?page=2")
    assert len(links(rest)) == 12 and rest.find("link", rel="canonical", href="http://localhost/fr/?page=2")
    assert not set(links(home)) & set(links(rest))
    assert client.get("/fr/?page=3").status_code == 404
    assert client.get("/fr/?page=abc").status_code == 404
    assert len(links(get_page(client, "/fr/tags/lot"))) == 50
    assert len(links(get_page(client, "/fr/tags/lot?page=2"))) == 10
    assert re.search(r"60 notes", get_page(client, "/fr/tags/").text)
