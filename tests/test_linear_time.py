"""Everything that reads note text costs time linear in its size: the cost at 4n is about 4 times the cost at n.

Each family below is a hostile note shape: one short unit repeated (``'```x\\n' * k``,
``'[' * k``...), the shapes that made regular expressions backtrack or loops rescan (issue 10:
``strip_code`` took 35 s on 100 KB of fences, ``has_prose`` 21 s on 100 KB of ``[``). Every
family goes through every reader of note text: reading a note (front matter, wikilinks, tags),
segmenting it, rendering it, checking an entry, the search text; the diffs, the translation
memory, the catalog reader and writer and the merge get the families that reach them. Costs are
compared, never timed against a limit (see ``tests/growth.py``).
"""
from __future__ import annotations

import pytest

from app.catalog.assemble import assemble_note
from app.catalog.blocks import has_prose
from app.catalog.merge import merge_catalog
from app.catalog.minor import classify_change
from app.catalog.po import format_catalog, parse_catalog
from app.catalog.segment import segment_note
from app.content.frontmatter import parse_front_matter
from app.content.sections import block_section, heading_section, headings
from app.content.notes import parse_note
from app.content.wikilinks import find_hashtags, find_wikilinks, strip_code
from app.render.markdown import RenderOptions, render_note_body
from app.services.reading.search import plain_text
from app.workflow.checks import check_entry
from app.workflow.diff import changed_segments, line_diff_html, word_diff
from app.workflow.memory import TranslationMemory
from tests.growth import LIMIT, assert_linear, growth

#: name -> (prefix, unit, suffix): the note is ``prefix + unit * k + suffix``.
FAMILIES: dict[str, tuple[str, str, str]] = {
    "backtick fences": ("", "```x\n", ""),
    "tilde fences": ("", "~~~x\n", ""),
    "indented fences": ("", "   ```\n  ~~~\n", ""),
    "backticks": ("", "`", ""),
    "backtick runs": ("", "`` ` ```", "x"),
    "brackets": ("", "[", ""),
    "double brackets": ("", "[[", ""),
    "closing brackets": ("", "]", ""),
    "images": ("", "![", ""),
    "embeds": ("", "![[a", ""),
    "link openers": ("", "](", ""),
    "links without end": ("", "[a](b", ""),
    "angle brackets": ("", "<", ""),
    "angle words": ("", "<a ", ""),
    "autolinks": ("", "<http://a", ""),
    "wikilink anchors": ("", "[[a#", ""),
    "wikilink labels": ("", "[[a|", ""),
    "comments": ("", "%%x ", ""),
    "code spans then comment": ("", "`a` ", "%%x%%"),
    "percents": ("", "%", ""),
    "block ids": ("", " ^a", ""),
    "hashtags": ("", " #a", ""),
    "scheme dots": ("", "a.", ""),
    "scheme pluses": ("", "a+", ""),
    "urls": ("", "http://", ""),
    "entities": ("", "&#", ""),
    "spaces": ("a", " ", "b"),
    "trailing spaces": ("a", " ", ""),
    "closing parens": ("http://a.b/c", ")", ""),
    "quotes": ("[a](b ", '"', ""),
    "stars": ("", "*a ", ""),
    "underscores": ("", "a_ _b ", ""),
    "backslashes": ("", "\\", ""),
    "footnote refs": ("", "[^a]", "\n\n[^a]: x\n"),
    "footnote openers": ("", "[^", ""),
    "callouts": ("", "> [!note]\n\n", ""),
    "callout openers": ("", "[!", ""),
    "headings": ("", "# a\n\n", ""),
    "same headings": ("", "# Titre\n", ""),
    "list items": ("", "- a\n", ""),
    "checkboxes": ("", "- [ ] a\n", ""),
    "ordered items": ("", "1. a\n", ""),
    "quote lines": ("", "> a\n", ""),
    "list after list": ("", "- a\n\n^id\n\n", ""),
    "tables": ("", "|a|b|\n|-|-|\n\n", ""),
    "table rows": ("|a|b|\n|-|-|\n", "|a|b|\n", ""),
    "lines": ("", "a\n", ""),
    "hard breaks": ("", "a  \n", ""),
    "sentences": ("", "Une phrase. ", ""),
    "same sentence": ("", "a. ", ""),
    "html blocks": ("", "<div>\n", ""),
    "setext": ("", "a\n=\n", ""),
    "front matter lines": ("---\ntitle: x\n", "tags: a\n", "---\nTexte.\n"),
    "front matter flow": ("---\ntags: [", "a, ", "]\n---\nTexte.\n"),
    "front matter title": ("---\ntitle: ", "a b ", "\n---\nTexte.\n"),
    "front matter aliases": ("---\naliases:\n", "  - a\n", "---\nTexte.\n"),
    "front matter digits": ("---\ntitle: ", "1", "a\n---\nTexte.\n"),
    "front matter sexagesimal": ("---\ntitle: 1", ":11", "x\n---\nTexte.\n"),
    "front matter quoted": ('---\ntitle: "', "a\\\"", '"\n---\nTexte.\n'),
    "front matter keys": ("---\n", "? a\n", "---\nTexte.\n"),
}


def family(name: str):
    prefix, unit, suffix = FAMILIES[name]
    return lambda k: prefix + unit * k + suffix


OPTIONS = RenderOptions(resolve_link=lambda link: None)
READERS = {
    "read": lambda text: parse_note(text.encode("utf-8"), "x.md", "x"),
    "segment": segment_note,
    "render": lambda text: render_note_body(text, OPTIONS),
    "check": lambda text: check_entry(text, text + " x"),
    "search": lambda text: plain_text.__wrapped__(text),
    "minor": lambda text: classify_change(text, text + " x"),
}


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_every_reader_of_note_text_is_linear(name, reader):
    assert_linear(READERS[reader], family(name), label=f"{reader} on {name}")


@pytest.mark.parametrize(("reader", "name"), [
    ("render", "same headings"), ("segment", "list items"), ("segment", "headings"), ("segment", "tables"),
])
def test_quadratic_parts_behind_a_large_linear_cost(reader, name):
    """Loops that rescanned every line or token after each heading, list item or table: cheap per
    step, so they show only on notes of thousands of blocks (2,048 against 8,192 here)."""
    ratio = growth(READERS[reader], family(name), 2048)
    if ratio > LIMIT:
        ratio = min(ratio, growth(READERS[reader], family(name), 2048, repeat=4))
    assert ratio <= LIMIT, f"{reader} on {name}: cost x{ratio:.1f} from 2,048 to 8,192 blocks"


@pytest.mark.parametrize("name", ["backtick fences", "tilde fences", "backticks", "backtick runs", "brackets",
                                  "link openers", "angle brackets", "wikilink anchors"])
@pytest.mark.parametrize("func", [strip_code, find_wikilinks, find_hashtags, has_prose], ids=lambda f: f.__name__)
def test_the_functions_of_issue_10_are_linear(name, func):
    """``strip_code`` on fences and ``has_prose`` on ``[`` were the two reported."""
    assert_linear(func, family(name), label=f"{func.__name__} on {name}")


@pytest.mark.parametrize("make", [
    lambda k: " ".join(f"#tag{i}" for i in range(k)),  # distinct tags: deduplicated through a list, once
    lambda k: " ".join(f"[[note {i}]]" for i in range(k)),
    lambda k: "---\ntags: [" + ", ".join(f"t{i}" for i in range(k)) + "]\n---\n" + " ".join(f"#t{i}" for i in range(k)),
], ids=["distinct hashtags", "distinct wikilinks", "tags in both places"])
def test_reading_many_distinct_tags_and_links_is_linear(make):
    assert_linear(READERS["read"], make)


@pytest.mark.parametrize("name", ["same headings", "headings", "list after list", "block ids", "spaces", "trailing spaces",
                                  "tables", "callouts", "backtick fences", "code spans then comment"])
def test_embedded_sections_are_found_in_linear_time(name):
    """``![[note#Heading]]`` and ``![[note#^id]]`` parse the embedded note for its sections."""
    def sections(text):
        return headings(text), heading_section(text, "Titre"), block_section(text, "id")

    assert_linear(sections, family(name))


@pytest.mark.parametrize("name", ["front matter flow", "front matter lines", "front matter aliases", "front matter digits",
                                  "front matter sexagesimal", "front matter quoted", "front matter keys"])
def test_front_matter_yaml_is_linear(name):
    def yaml_only(text):
        return parse_front_matter(text.split("---\n")[1])

    assert_linear(yaml_only, family(name))


@pytest.mark.parametrize("name", ["front matter aliases", "list items", "tables", "callouts", "sentences"])
def test_assembling_a_translated_note_is_linear(name):
    def assemble(text):
        return assemble_note(text, TRANSLATIONS[text])

    TRANSLATIONS: dict[str, dict[str, str]] = {}

    def make(k):
        text = family(name)(k)
        TRANSLATIONS[text] = {s.msgid: f"EN: {s.msgid}" for s in segment_note(text)}
        return text

    assert_linear(assemble, make)


@pytest.mark.parametrize(("old", "new"), [
    ("a. " * 1, "b. "),  # many identical sentences, one changed
    ("mot ", "mot! "),
    ("a\n", "b\n"),
])
def test_diffs_are_linear(old, new):
    def make(k):
        return (old * k + new + old * k, old * (2 * k + 1))

    assert_linear(lambda pair: word_diff(*pair), make, label="word_diff")
    assert_linear(lambda pair: line_diff_html(*pair), make, label="line_diff_html")
    assert_linear(lambda pair: changed_segments(pair[0].split(" "), pair[1].split(" ")), make,
                  label="changed_segments")


@pytest.mark.parametrize("name", ["spaces", "trailing spaces", "lines", "link openers", "sentences"])
def test_the_static_export_rewrites_pages_in_linear_time(name):
    """The export's link and search-form patterns read the page, hence the note's text (a code block of
    spaces); pages are sanitized HTML, where a ``<`` of the note is ``&lt;``."""
    from app.services.publishing.export import _ANCHOR, _SEARCH_FORM

    def rewrite(page):
        return _ANCHOR.sub("", _SEARCH_FORM.sub("", page))

    assert_linear(rewrite, lambda k: "<pre><code>" + family(name)(k) + '</code></pre><a href="/fr/">x</a>')


def test_memory_suggestions_are_linear_in_the_query():
    memory = TranslationMemory()
    for i in range(200):
        memory.add(f"Une phrase numéro {i} du jardin. " * (1 + i % 5), f"Sentence {i}.", f"note-{i}")
    assert_linear(lambda query: memory.suggest(query), lambda k: "Une phrase du jardin. " * k)


def test_catalogs_with_long_entries_are_read_and_written_in_linear_time():
    def catalog(k):
        text = "---\ntitle: T\n---\n" + "Un long paragraphe sans fin " * k + "\n"
        po = merge_catalog(None, segment_note(text), "x.md", "en")
        for entry in po:
            entry.msgstr = entry.msgid.upper()
        return format_catalog(po)

    assert_linear(lambda data: parse_catalog(data), catalog, label="parse_catalog")
    assert_linear(lambda data: format_catalog(parse_catalog(data)), catalog, label="format_catalog")


def test_merging_a_changed_long_paragraph_is_linear():
    """msgmerge's similarity is quadratic in the length of the two texts; a long one is bounded by its ends."""
    def make(k):
        old_text = "---\ntitle: T\n---\n" + "Un long paragraphe " * k + "\n\nCourt.\n"
        old = merge_catalog(None, segment_note(old_text), "x.md", "en")
        for entry in old:
            entry.msgstr = entry.msgid.upper()
        middle = len(old_text) // 2
        new_text = old_text[:middle] + "tout à fait " + old_text[middle:]
        return old, segment_note(new_text)

    assert_linear(lambda pair: merge_catalog(pair[0], pair[1], "x.md", "en"), make, start=1024, most=16384,
                  label="merge_catalog")


def test_the_growth_check_fails_a_quadratic_reader_and_passes_a_linear_one():
    """The harness itself: a reader that rescans what it has read fails, one pass passes."""
    def rescanning(text: str) -> int:
        return sum(text[:i].count("x") for i in range(0, len(text), 16))

    def one_pass(text: str) -> int:
        return sum(1 for char in text if char == "x")

    with pytest.raises(AssertionError, match="from k="):
        assert_linear(rescanning, lambda k: "ab" * k, label="rescanning")
    assert assert_linear(one_pass, lambda k: "ab" * k, label="one pass") <= LIMIT
