"""Rendering Obsidian Markdown to HTML: CommonMark, Obsidian syntax, changed-paragraph markers, seed notes."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from app.content.index import NoteIndex
from app.content.wikilinks import WikiLink
from app.render import EmbedTarget, LinkTarget, RenderOptions, heading_id, render_markdown, render_note_body
from tests.seeds import SEED_NOTES

SEEDS = SEED_NOTES
NOTES = {"known": ("/fr/notes/known", "Known note"), "autre": ("/fr/notes/autre", "Autre note")}


def resolve_link(link: WikiLink) -> LinkTarget | None:
    found = NOTES.get(link.target.lower())
    if found is None:
        return None
    lang = "fr" if link.target == "autre" else None
    return LinkTarget(href=found[0], title=found[1], lang=lang)


def resolve_embed(link: WikiLink) -> EmbedTarget | None:
    if link.target == "photo.png":
        return EmbedTarget(kind="image", src="/media/photo.png", title="")
    if link.target == "known":
        return EmbedTarget(kind="note", src="/fr/notes/known", title="Known note", html="<p>Embedded body</p>")
    if link.target == "bare note":
        return EmbedTarget(kind="note", src="/fr/notes/bare", title="Bare note")
    return None


def render(markdown: str, **changes) -> str:
    options = RenderOptions(resolve_link=resolve_link, resolve_embed=resolve_embed,
                            tag_href=lambda tag: f"/fr/tags/{quote(tag)}")
    for name, value in changes.items():
        setattr(options, name, value)
    return render_markdown(markdown, options)


# -- CommonMark basics ----------------------------------------------------------------------------
def test_emphasis_and_strong():
    assert render("**bold** _em_ *em2* ~~gone~~") == "<p><strong>bold</strong> <em>em</em> <em>em2</em> <s>gone</s></p>\n"


def test_headings_get_ids_and_duplicates_are_numbered():
    html = render("# Écrire l’été\n\n## Same\n\n## Same")
    assert '<h1 id="user-content-ecrire-lete">Écrire l’été</h1>' in html
    assert '<h2 id="user-content-same">Same</h2>' in html and '<h2 id="user-content-same-1">Same</h2>' in html


@pytest.mark.parametrize("text, expected", [
    ("Que fait le chief of staff ?", "que-fait-le-chief-of-staff"),
    ("  **Bold** _heading_ ", "bold-heading"),
    ("L'été 2024", "lete-2024"),
    ("日本語", "日本語"),
    ("???", "section"),
])
def test_heading_id(text, expected):
    assert heading_id(text) == expected


def test_hard_break_needs_two_trailing_spaces_with_strict_line_breaks():
    html = render("two spaces  \nnext\nsoft\nbreak", strict_line_breaks=True)
    assert html == "<p>two spaces<br>\nnext\nsoft\nbreak</p>\n"


def test_single_newlines_are_line_breaks_by_default_as_in_obsidian():
    html = render("two spaces  \nnext\nsoft\nbreak")
    assert html == "<p>two spaces<br>\nnext<br>\nsoft<br>\nbreak</p>\n"


def test_bare_urls_become_links_without_trailing_punctuation():
    html = render("See https://example.org/a_(b), www.example.com. Or <https://x.org>.")
    assert '<a rel="noopener noreferrer" href="https://example.org/a_(b)">https://example.org/a_(b)</a>,' in html
    assert '<a rel="noopener noreferrer" href="http://www.example.com">www.example.com</a>.' in html
    assert '<a rel="noopener noreferrer" href="https://x.org">https://x.org</a>.' in html


def test_internal_links_get_no_rel():
    assert render("[home](/fr/)") == '<p><a href="/fr/">home</a></p>\n'


def test_curly_quotes_and_nbsp_pass_through_untouched():
    text = "« Bonjour\u00a0! » “curly” ‘single’ l’été \"straight\" -- ..."
    assert render(text) == f"<p>{text}</p>\n"


def test_tables_use_align_not_style():
    html = render("| a | b | c |\n|:-|:-:|-:|\n| 1 | 2 | 3 |")
    assert '<th align="left">a</th>' in html and '<th align="center">b</th>' in html
    assert '<td align="right">3</td>' in html and "style" not in html


def test_footnotes():
    html = render("Text[^1].\n\n[^1]: The note.")
    assert '<sup class="footnote-ref"><a href="#user-content-fn1" id="user-content-fnref1">[1]</a></sup>' in html
    assert '<section class="footnotes">' in html and '<li id="user-content-fn1" class="footnote-item">' in html
    assert '<a href="#user-content-fnref1" class="footnote-backref">' in html


def test_front_matter_is_not_rendered():
    html = render("---\ntitle: Hello\ntags: [a]\n---\nBody")
    assert html == "<p>Body</p>\n"


# -- wikilinks ------------------------------------------------------------------------------------
def test_resolved_wikilink():
    assert render("[[known]]") == '<p><a class="wikilink" href="/fr/notes/known" title="Known note">known</a></p>\n'


def test_wikilink_label_and_heading_anchor():
    html = render("[[Known|the label]] and [[known#Que fait le chief of staff ?]]")
    assert '<a class="wikilink" href="/fr/notes/known" title="Known note">the label</a>' in html
    assert 'href="/fr/notes/known#user-content-que-fait-le-chief-of-staff"' in html
    assert ">known &gt; Que fait le chief of staff ?</a>" in html


def test_same_page_heading_and_block_references():
    html = render("[[#Some Heading]] [[known#^abc123|see]]")
    assert '<a class="wikilink" href="#user-content-some-heading">Some Heading</a>' in html
    assert 'href="/fr/notes/known#user-content-block-abc123"' in html


def test_wikilink_to_other_language_is_marked():
    assert 'lang="fr" hreflang="fr"' in render("[[autre]]")


def test_unresolved_wikilink_is_a_span_with_title():
    html = render("[[Prendre soin du collectif]]", unresolved_title="Cette note n’existe pas encore")
    assert html == ('<p><span class="wikilink unresolved" title="Cette note n’existe pas encore">'
                    "Prendre soin du collectif</span></p>\n")


def test_wikilinks_in_code_stay_literal():
    html = render("`[[known]]`\n\n```\n[[known]] #tag\n```\n\n    [[known]]")
    assert "<code>[[known]]</code>" in html and "<code>[[known]] #tag\n</code>" in html
    assert "wikilink" not in html and 'class="tag"' not in html


def test_wikilink_with_escaped_pipe_in_table():
    html = render("| a |\n|---|\n| [[known\\|label]] |")
    assert '<td><a class="wikilink" href="/fr/notes/known" title="Known note">label</a></td>' in html


def test_empty_wikilink_stays_text():
    assert render("[[]] and [[|x]]") == "<p>[[]] and [[|x]]</p>\n"


# -- embeds ---------------------------------------------------------------------------------------
def test_image_embed():
    assert render("![[photo.png]]") == ('<p><img class="embed-image" src="/media/photo.png" alt="photo.png" '
                                        'loading="lazy"></p>\n')


def test_image_embed_with_width_height_and_alt():
    assert 'alt="photo.png" loading="lazy" width="300">' in render("![[photo.png|300]]")
    assert 'alt="A cat" loading="lazy" width="30" height="40">' in render("![[photo.png|A cat|30x40]]")


def test_missing_embed_is_text_not_a_broken_image():
    html = render("![[gone.png|200]]", missing_embed_text="Image absente : {name}")
    assert html == '<p><span class="embed missing">Image absente : gone.png</span></p>\n'
    assert "<img" not in html


def test_note_embed_on_its_own_line_is_a_block():
    html = render("Before\n\n![[known]]\n\nAfter")
    assert ('<div class="embed embed-note"><p class="embed-title"><a class="wikilink" href="/fr/notes/known" '
            'title="Known note">Known note</a></p>\n<p>Embedded body</p>\n</div>') in html


def test_note_embed_inline_or_without_html_is_a_link():
    html = render("See ![[known]] and ![[bare note]]")
    assert '<span class="embed embed-note"><a class="wikilink" href="/fr/notes/known"' in html
    assert '<a class="wikilink" href="/fr/notes/bare" title="Bare note">Bare note</a>' in html
    assert "Embedded body" not in html


def test_markdown_images_are_lazy():
    assert render("![alt](/a.png)") == '<p><img src="/a.png" alt="alt" loading="lazy"></p>\n'


# -- callouts -------------------------------------------------------------------------------------
def test_callout_with_title():
    html = render("> [!note] My title\n> Body text")
    assert html == ('<aside class="callout callout-note" role="note">\n<p class="callout-title"><span class="callout-icon callout-icon-note"></span>My title</p>\n'
                    "<p>Body text</p>\n</aside>\n")


def test_callout_default_title_and_type_class():
    html = render("> [!WARNING]\n>\n> Careful")
    assert '<aside class="callout callout-warning" role="note">' in html
    assert '<p class="callout-title"><span class="callout-icon callout-icon-warning"></span>Warning</p>' in html and "<p>Careful</p>" in html


def test_foldable_callouts_use_details():
    closed = render("> [!tip]- Hidden **tip**\n> Inside")
    assert '<details>\n<summary class="callout-title"><span class="callout-icon callout-icon-tip"></span>Hidden <strong>tip</strong></summary>' in closed
    assert "<p>Inside</p>\n</details>\n</aside>" in closed
    assert '<details open="">' in render("> [!faq]+ Open\n> Inside")


def test_plain_blockquote_stays_a_blockquote():
    assert render("> [!not a callout]\n\n> quote") == ("<blockquote>\n<p>[!not a callout]</p>\n</blockquote>\n"
                                                       "<blockquote>\n<p>quote</p>\n</blockquote>\n")


# -- hashtags -------------------------------------------------------------------------------------
def test_hashtags_link_to_tag_pages():
    html = render("A #tag, (#other) and #JaiDécouvert #nested/tag")
    assert '<a class="tag" href="/fr/tags/tag">#tag</a>,' in html
    assert '(<a class="tag" href="/fr/tags/other">#other</a>)' in html
    assert f'href="/fr/tags/{quote("JaiDécouvert")}">#JaiDécouvert</a>' in html
    assert '<a class="tag" href="/fr/tags/nested/tag">#nested/tag</a>' in html


def test_hashtag_without_tag_pages_is_a_span():
    assert render("#tag", tag_href=None) == '<p><span class="tag">#tag</span></p>\n'


@pytest.mark.parametrize("markdown", [
    "# Heading", "a#b", "https://example.org/page#frag", "[x](https://example.org/#frag)", "`#code`",
    "#123", "\\#escaped", "&#35;entity", "<https://example.org/#x>",
])
def test_not_hashtags(markdown):
    assert 'class="tag"' not in render(markdown)


# -- block ids ------------------------------------------------------------------------------------
def test_block_id_on_paragraph():
    assert render("A paragraph ^abc123") == '<p id="user-content-block-abc123">A paragraph</p>\n'


def test_block_id_on_tight_list_item():
    assert '<li id="user-content-block-item-2">two</li>' in render("- one\n- two ^item-2")


@pytest.mark.parametrize("markdown, opening", [
    ("- a\n- b\n\n^list", '<ul id="user-content-block-list">'),
    ("| a |\n|---|\n| 1 |\n\n^tab", '<table id="user-content-block-tab">'),
    ("> quote\n\n^q", '<blockquote id="user-content-block-q">'),
])
def test_block_id_alone_names_the_previous_block(markdown, opening):
    html = render(markdown)
    assert opening in html and "^" not in html


def test_caret_in_the_middle_or_footnote_is_not_a_block_id():
    assert render("x ^abc\ny", strict_line_breaks=True) == "<p>x ^abc\ny</p>\n"
    assert "footnote-ref" in render("Text [^1]\n\n[^1]: n")


# -- changed since approval -----------------------------------------------------------------------
MARKER = '<span class="change-marker"><span class="visually-hidden">{}</span></span>'
DOC = "# Title\n\nFirst para\nstill first\n\nSecond para\n\n- item a\n- item b\n\n| h |\n|---|\n| cell |\n\n> [!note] Call\n> body\n"


def test_changed_paragraph_gets_class_tooltip_and_marker():
    html = render(DOC, changed_lines={6: "Le français a changé"})
    assert ('<p class="changed-since-approval" title="Le français a changé">'
            + MARKER.format("Le français a changé") + "Second para</p>") in html
    assert html.count("changed-since-approval") == 1


ICON = '<span class="callout-icon callout-icon-note"></span>'


@pytest.mark.parametrize("line, expected", [
    (1, '<h1 id="user-content-title" class="changed-since-approval" title="T">' + MARKER.format("T") + "Title</h1>"),
    (3, '<p class="changed-since-approval" title="T">' + MARKER.format("T") + "First para"),
    (9, '<li class="changed-since-approval" title="T">' + MARKER.format("T") + "item b</li>"),
    (13, '<tr class="changed-since-approval" title="T">\n<td>' + MARKER.format("T") + "cell</td>"),
    (15, '<p class="callout-title changed-since-approval" title="T">' + ICON + MARKER.format("T") + "Call</p>"),
    (16, '<p class="changed-since-approval" title="T">' + MARKER.format("T") + "body</p>"),
])
def test_changed_block_kinds(line, expected):
    html = render(DOC, changed_lines={line: "T"})
    assert expected in html and html.count("change-marker") == 1


def test_line_inside_a_block_or_blank_marks_nothing():
    assert "changed-since-approval" not in render(DOC, changed_lines={4: "T", 2: "T", 99: "T"})


def test_tooltip_is_escaped():
    html = render("Para", changed_lines={1: '"><script>alert(1)</script>'})
    assert "<script" not in html and 'title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html


def test_line_offset_shifts_lines():
    assert "changed-since-approval" in render("a\n\nb", changed_lines={13: "T"}, line_offset=10)


def test_render_note_body_uses_file_lines():
    text = "---\ntitle: x\ntags: [a]\n---\nIntro\n\nChanged here\n"
    options = RenderOptions(resolve_link=resolve_link, changed_lines={7: "Changed"})
    html = render_note_body(text, options)
    assert html.startswith("<p>Intro</p>")
    assert '<p class="changed-since-approval" title="Changed">' + MARKER.format("Changed") + "Changed here</p>" in html


# -- raw HTML and the seed notes ------------------------------------------------------------------
def test_raw_html_is_sanitized_not_trusted():
    html = render('<div onclick="x()">hi</div>\n\n<script>alert(1)</script>\n\nok <b style="color:red">b</b>')
    assert "onclick" not in html and "<script" not in html and "style" not in html
    assert "<div>hi</div>" in html and "<b>b</b>" in html


@pytest.fixture(scope="module")
def seed_index() -> NoteIndex:
    index = NoteIndex(SEEDS)
    index.refresh()
    return index


def test_seed_notes_render_with_links_resolved(seed_index):
    def resolve(link: WikiLink) -> LinkTarget | None:
        note = seed_index.resolve(link.target)
        return LinkTarget(f"/fr/notes/{note.slug}", note.title) if note else None

    options = RenderOptions(resolve_link=resolve, unresolved_title="Cette note n’existe pas encore")
    ceo = seed_index.get("ceo-noubliez-pas-votre-coo-ou-chief-of-staff")
    html = render_note_body(ceo.text, options)
    assert ('<a class="wikilink" href="/fr/notes/chief-of-staff" title="chief of staff externe">'
            "chief of staff</a>") in html
    assert ('<span class="wikilink unresolved" title="Cette note n’existe pas encore">'
            "Prendre soin du collectif</span>") in html
    assert "<ol>" in html and "l’entreprise" in html and "title:" not in html
    cos = render_note_body(seed_index.get("chief-of-staff").text, options)
    assert '<h3 id="user-content-que-fait-le-chief-of-staff">que fait le chief of staff?</h3>' in cos
    assert '<a rel="noopener noreferrer" href="https://liut.me/cos">https://liut.me/cos</a>' in cos
    assert re.search(r"<em>En résumé,.*optimale\.</em>", cos)


def test_shift_headings_keeps_order_and_bounds():
    from app.render.markdown import shift_headings

    html = '<h1 id="a">A</h1><p>x</p><h3>B</h3><h6>C</h6>'
    assert shift_headings(html, 2) == '<h2 id="a">A</h2><p>x</p><h4>B</h4><h6>C</h6>'
    assert shift_headings("<p>no heading</p>", 3) == "<p>no heading</p>"
    assert shift_headings("<h4>x</h4>", 2) == "<h2>x</h2>"
