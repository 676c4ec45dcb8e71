"""Segmenter and reassembly on examples: msgids, types and lines; what translations change."""
from __future__ import annotations

import pytest

from app.catalog.assemble import assemble_note
from app.catalog.segment import SEGMENT_TYPES, FrontMatterError, Segment, segment_note


def entries(text: str) -> list[tuple[str, str]]:
    """(type, msgid) of each segment."""
    return [(s.type, s.msgid) for s in segment_note(text)]


def located(text: str) -> list[tuple[int, str, str]]:
    """(line, type, msgid) of each segment."""
    return [(s.line, s.type, s.msgid) for s in segment_note(text)]


def translate(text: str, change) -> str:
    """The note assembled with ``change(msgid)`` for every segment."""
    return assemble_note(text, {s.msgid: change(s.msgid) for s in segment_note(text)})


def shape(text: str) -> list[tuple[int, str]]:
    return [(s.line, s.type) for s in segment_note(text)]


# --- front matter -----------------------------------------------------------------------------

def test_title_then_aliases_then_blocks_with_file_lines():
    text = "---\naliases:\n  - Chef\n  - COS\ntitle: Le chef\ntags:\n  - atome\n---\n# Titre\n\nTexte.\n"
    assert located(text) == [(5, "title", "Le chef"), (3, "alias", "Chef"), (4, "alias", "COS"),
                             (9, "heading", "Titre"), (11, "paragraph", "Texte.")]


@pytest.mark.parametrize("value, msgids", [
    ("aliases: Une seule", ["Une seule"]),
    ("aliases: [Un, 'deux', \"trois\"]", ["Un", "deux", "trois"]),
    ("aliases: []", []),
    ("aliases:", []),
    ("aliases: null", []),
    ("aliases:\n  - ''\n  - 12\n  - Texte", ["Texte"]),
])
def test_aliases_forms(value, msgids):
    assert [m for t, m in entries(f"---\n{value}\n---\n") if t == "alias"] == msgids


def test_title_scalar_styles():
    text = ("---\ntitle: >-\n  Projet 2 - \"Réaliser un petit\n  projet\"\n"
            "aliases:\n  - 'l''été'\n  - \"dq \\\"x\\\"\"\n  - plain # comment\n---\n")
    assert located(text) == [(3, "title", 'Projet 2 - "Réaliser un petit projet"'),
                             (6, "alias", "l'été"), (7, "alias", 'dq "x"'), (8, "alias", "plain")]


def test_non_prose_front_matter_is_not_translatable():
    text = "---\ntitle: 2024\nnanoid: abc\ntags: [a, b]\ntype: note\ncreated_at: 2024-01-01\n---\nCorps.\n"
    assert entries(text) == [("paragraph", "Corps.")]


def test_broken_front_matter_is_reported_with_its_line():
    with pytest.raises(FrontMatterError) as error:
        segment_note("---\ntitle: ok\ntags: [a\n---\nCorps.\n")
    assert error.value.line >= 3
    with pytest.raises(FrontMatterError):
        segment_note("---\n- une liste\n---\n")


def test_no_front_matter_and_unclosed_fence():
    assert located("Texte seul.") == [(1, "paragraph", "Texte seul.")]
    assert entries("---\ntitle: x\n\nTexte.\n") == [("paragraph", "title: x"), ("paragraph", "Texte.")]


# --- headings and paragraphs ------------------------------------------------------------------

def test_atx_and_setext_headings():
    text = "# Un titre #\n\n### C# et F# ###   \n\nDeux lignes\nde titre\n===\n\n#\n"
    assert located(text) == [(1, "heading", "Un titre"), (3, "heading", "C# et F#"),
                             (5, "heading", "Deux lignes\nde titre")]


def test_paragraph_keeps_line_breaks_and_hard_breaks():
    text = "Première ligne  \ndeuxième\\\ntroisième\t\nfin de phrase.   \n"
    assert entries(text) == [("paragraph", "Première ligne  \ndeuxième\\\ntroisième\t\nfin de phrase.")]


def test_block_ids_stay_out_of_msgids():
    text = "Un paragraphe. ^abc123\n\n- un élément ^item-1\n\nLigne\n^solo\n\n^seul\n"
    assert entries(text) == [("paragraph", "Un paragraphe."), ("list item", "un élément"),
                             ("paragraph", "Ligne")]


def test_inline_markup_and_obsidian_syntax_stay_in():
    text = ("**Gras** et _em_, [[chief of staff]], [[cible|libellé]], [[note#titre]], #étiquette,"
            " https://liut.me/cos, « guillemets » et l’apostrophe.\n")
    assert entries(text) == [("paragraph", text.rstrip("\n"))]


# --- lists ------------------------------------------------------------------------------------

def test_nested_lists_with_continuations_and_tasks():
    text = ("- premier\n  suite du premier\n  - imbriqué\n    encore\n- [ ] tâche\n- [x] faite  \n"
            "  deuxième ligne\n\n1. un\n2. deux\n   1. un imbriqué\n")
    assert located(text) == [
        (1, "list item", "premier\nsuite du premier"), (3, "list item", "imbriqué\nencore"),
        (5, "list item", "tâche"), (6, "list item", "faite  \ndeuxième ligne"),
        (9, "list item", "un"), (10, "list item", "deux"), (11, "list item", "un imbriqué")]


def test_loose_list_item_with_two_paragraphs_and_lazy_line():
    text = "- premier paragraphe\n\n  second paragraphe\n- ligne\nparesseuse\n"
    assert entries(text) == [("list item", "premier paragraphe"), ("list item", "second paragraphe"),
                             ("list item", "ligne\nparesseuse")]


def test_empty_task_and_link_only_items_are_skipped():
    assert entries("- [ ]\n- [[Une note]]\n- ![[image.png]]\n- vraie phrase\n") == [
        ("list item", "vraie phrase")]


# --- tables -----------------------------------------------------------------------------------

def test_table_cells_one_by_one():
    text = ("| Nom | Valeur | Note |\n|:--- | :---: | ---:|\n| un \\| deux | 42 |   texte  |\n"
            "| seul |\n| a | b | c | surplus |\n")
    assert located(text) == [
        (1, "table cell", "Nom"), (1, "table cell", "Valeur"), (1, "table cell", "Note"),
        (3, "table cell", "un \\| deux"), (3, "table cell", "texte"), (4, "table cell", "seul"),
        (5, "table cell", "a"), (5, "table cell", "b"), (5, "table cell", "c")]


def test_table_without_outer_pipes_inside_a_quote():
    text = "> Titre | Autre\n> --- | ---\n> case | cellule\n"
    assert entries(text) == [("table cell", "Titre"), ("table cell", "Autre"),
                             ("table cell", "case"), ("table cell", "cellule")]


# --- quotes and callouts ----------------------------------------------------------------------

def test_blockquote_paragraphs_lose_their_prefix():
    text = "> première ligne  \n>  deuxième\nparesseuse\n>\n> > imbriquée\n"
    assert located(text) == [(1, "blockquote", "première ligne  \ndeuxième\nparesseuse"),
                             (5, "blockquote", "imbriquée")]


def test_callout_title_and_body():
    text = ("> [!note] Un titre\n> Le corps\n> sur deux lignes.\n>\n> - un point\n> Suite\n\n"
            "> [!tip]- \n> Replié sans titre.\n\n> [!QUOTE]\n>\n> Citation.\n")
    assert located(text) == [
        (1, "callout", "Un titre"), (2, "callout", "Le corps\nsur deux lignes."),
        (5, "list item", "un point\nSuite"), (9, "callout", "Replié sans titre."), (13, "callout", "Citation.")]


def test_quote_in_list_and_list_in_quote():
    text = "- élément\n  > citation\n\n> 1. numéro\n>    suite\n"
    assert entries(text) == [("list item", "élément"), ("blockquote", "citation"),
                             ("list item", "numéro\nsuite")]


# --- what is not translatable -----------------------------------------------------------------

def test_code_html_embeds_tags_urls_and_rules_are_skipped():
    text = ("```python\n# pas un titre\n- pas une liste\n```\n\n    code indenté\n\n<div>\n<br>\n</div>\n\n"
            "<!-- commentaire -->\n\n![[schema.png]]\n\n#tag #autre\n\nhttps://example.org\n\n"
            "[[Note liée]]\n\n***\n\n---\n\n%% commentaire Obsidian %%\n\n`code seul`\n\n2024-05-01\n\n"
            "[lien](https://exemple.fr) à garder\n")
    assert entries(text) == [("paragraph", "[lien](https://exemple.fr) à garder")]


def test_footnote_definition_text_is_a_paragraph():
    text = "Texte[^1] suivi.\n\n[^1]: La note\n    continue ici.\n"
    assert entries(text) == [("paragraph", "Texte[^1] suivi."), ("paragraph", "La note\ncontinue ici.")]


# --- file-level edges -------------------------------------------------------------------------

def test_crlf_bom_and_missing_final_newline():
    text = "\ufeff---\r\ntitle: Titre\r\n---\r\n# Tête\r\n\r\nLigne un  \r\nligne deux\r\n\r\n- a\r\n  b"
    assert located(text) == [(2, "title", "Titre"), (4, "heading", "Tête"),
                             (6, "paragraph", "Ligne un  \nligne deux"), (9, "list item", "a\nb")]


def test_lone_carriage_returns_and_tabs():
    text = "Un\rdeux\n\n-\tpuce\n\t suite\n"
    assert located(text) == [(1, "paragraph", "Un\ndeux"), (4, "list item", "puce\nsuite")]


def test_segments_are_frozen_and_typed():
    segment = segment_note("# Titre\n")[0]
    assert segment == Segment("Titre", "heading", 1)
    with pytest.raises(AttributeError):
        segment.msgid = "x"  # type: ignore[misc]
    assert set(SEGMENT_TYPES) == {"title", "alias", "heading", "paragraph", "list item", "table cell",
                                  "blockquote", "callout", "html"}


def test_empty_and_blank_notes():
    assert segment_note("") == []
    assert segment_note("\n  \n\t\n") == []
    assert segment_note("---\n---\n") == []


# --- assembly examples ------------------------------------------------------------------------

def test_translated_segments_replace_only_their_text():
    text = "---\ntitle: Le chef\ntags: [a]\n---\n## Rôle ##\n\n- un ^id1\n- deux\n\n| Nom | Rôle |\n|--|--|\n| Chef | 42 |\n"
    out = assemble_note(text, {"Le chef": "The boss", "Rôle": "Role", "un": "one", "Nom": "Name", "deux": ""})
    assert out == ("---\ntitle: The boss\ntags: [a]\n---\n## Role ##\n\n- one ^id1\n- deux\n\n"
                   "| Name | Role |\n|--|--|\n| Chef | 42 |\n")


@pytest.mark.parametrize("original, translation, written", [
    ("title: Le chef", "The boss", "title: The boss"),
    ("title: Le chef", "The boss: a guide", 'title: "The boss: a guide"'),
    ("title: Le chef", "#1 boss", 'title: "#1 boss"'),
    ("title: Le chef", "yes", 'title: "yes"'),
    ("title: Le chef", "two\nlines", 'title: "two\\nlines"'),
    ("title: 'Le chef'", "It's", "title: 'It''s'"),
    ('title: "Le chef"', "The boss", 'title: "The boss"'),
    ("title: Le chef # note", "Boss", "title: Boss # note"),
    ("aliases: [Un, deux]", "a, b", 'aliases: [Un, "a, b"]'),
    ("aliases:\n  - deux", "- two", 'aliases:\n  - "- two"'),
    ("title: >-\n  Un titre plié sur\n  deux lignes", "A title folded over two lines",
     "title: >-\n  A title folded\n  over two lines"),
    ("title: |\n  ligne un\n  ligne deux", "line one\nline two", "title: |\n  line one\n  line two"),
])
def test_front_matter_values_are_patched_in_place(original, translation, written):
    text = f"---\n{original}\nnanoid: x\n---\nCorps.\n"
    msgid = [s.msgid for s in segment_note(text) if s.type in ("title", "alias")][-1]
    out = assemble_note(text, {msgid: translation})
    assert out == f"---\n{written}\nnanoid: x\n---\nCorps.\n"
    assert translation in [s.msgid for s in segment_note(out)]


@pytest.mark.parametrize("text, translation, expected", [
    ("- un\n", "one\ntwo", "- one\n  two\n"),
    ("- [ ] un\n", "one\ntwo", "- [ ] one\n      two\n"),
    ("> un\n", "one\ntwo\nthree", "> one\n> two\n> three\n"),
    ("> 1. un\n", "one\ntwo", "> 1. one\n>    two\n"),
    ("- un\n   deux\n", "one\ntwo\nthree", "- one\n   two\n   three\n"),
    ("Un\ndeux  \ntrois ^b1\n", "One", "One ^b1\n"),
    ("Un  \ndeux\n", "One  \ntwo", "One  \ntwo\n"),
    ("Fin", "End\nmore", "End\nmore"),
    ("Fin\r\n\r\nA", "End\nmore", "End\r\nmore\r\n\r\nA"),
    ("\ufeff# Titre\n", "Title\nsplit", "\ufeff# Title split\n"),
    ("| Un | x |\n|--|--|\n", "one | two\nthree", "| one \\| two three | x |\n|--|--|\n"),
    ("> [!note] Titre\n> Corps.\n", "Title\nsplit", "> [!note] Title split\n> Corps.\n"),
    ("- un\n- deux\n", "\none\n", "- one\n- deux\n"),
    ("- un\n- deux\n", "\n", "- un\n- deux\n"),
    ("- un\n- deux\n", "  ", "- un\n- deux\n"),
])
def test_line_count_changes_keep_container_markup(text, translation, expected):
    msgid = segment_note(text)[0].msgid
    assert assemble_note(text, {msgid: translation}) == expected


def test_structure_neutral_translations_keep_segments_in_place():
    text = "---\ntitle: Titre\n---\n# Un\n\nDeux  \nlignes\n\n> [!tip] Astuce\n> corps\n\n- a\n  - b\n"
    out = translate(text, lambda m: "\n".join("EN " + line for line in m.split("\n")))
    assert shape(out) == shape(text)
    assert [s.msgid for s in segment_note(out)] == ["EN Titre", "EN Un", "EN Deux  \nEN lignes", "EN Astuce",
                                                    "EN corps", "EN a", "EN b"]
