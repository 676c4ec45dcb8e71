"""The shortcuts of PO writing give what the long way gives: line breaks, escapes, whole catalogs."""
from __future__ import annotations

import polib
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.catalog import linebreak, linebreak_fast
from app.catalog.po import format_catalog, new_catalog
from app.catalog.po_format import _ESCAPES, _escape

# Pieces the shortcut takes (French prose, Markdown, URLs, punctuation of every class it knows)…
_PAIR_TABLE_PIECES = [
    "mot", "Écrire", "l’équipe", "l'a", " ", "  ", "\u00a0", "\u202f", "-", "—", "–", "/", "«", "»", '"', "'", "\\",
    ",", ".", ":", ";", "!", "?", "…", "(", ")", "[", "]", "{", "}", "[[lien|label]]", "**gras**", "_em_", "`code`",
    "%", "$", "€", "#tag", "https://example.org/a-b_c?d=e", "12,5", "1 000", "+", "=", "<", ">", "&", "*", "~", "^",
    "anticonstitutionnellement", "x" * 90, "\u2010", "\u2011", "\u2018", "\u201c", "\u201d", "\u2022",
]
# …and pieces it must leave to the long way (marks, joiners, flags, Hebrew, wide, zero-width, mandatory breaks).
_OTHER_PIECES = ["e\u0301", "\u00ad", "\u200b", "\u200d", "\u2060", "\u05d0", "\u05d0-", "\U0001F1E6\U0001F1F7", "😀",
                 "👍🏽", "中文", "\u3002", "\u3008", "\u2028", "\u2068", "\t", "\x01", "\u0e01"]
_PROSE = st.lists(st.sampled_from(_PAIR_TABLE_PIECES), max_size=50).map("".join)
_ANY = st.lists(st.sampled_from(_PAIR_TABLE_PIECES + _OTHER_PIECES), max_size=50).map("".join)


def _reference_escape(portion: str) -> tuple[str, set[int]]:
    """GNU's escaping character by character: the index after each backslash may not break."""
    out: list[str] = []
    prohibited: set[int] = set()
    for char in portion:
        if char in _ESCAPES:
            out += ("\\", _ESCAPES[char])
            prohibited.add(len(out) - 1)
        else:
            out.append(char)
    text = "".join(out)
    if portion.endswith("\n"):
        prohibited.add(len(text) - 2)
    return text, prohibited


@settings(max_examples=400, deadline=None)
@given(text=_PROSE)
def test_pair_table_breaks_are_the_state_machines(text):
    codes = linebreak_fast.class_codes(text)
    assert codes is not None
    expected = [i for i, state in enumerate(linebreak.possible_breaks(text)) if state]
    assert linebreak_fast.pair_table_breaks(codes) == expected


@settings(max_examples=600, deadline=None)
@given(text=_ANY, width=st.integers(1, 90), start=st.integers(0, 20), data=st.data())
def test_width_breaks_shortcut_agrees_with_the_long_way(text, width, start, data):
    prohibited = set(data.draw(st.lists(st.integers(0, max(len(text) - 1, 0)), max_size=4))) if text else set()
    assert linebreak_fast.width_breaks(text, width, start, prohibited) == \
        linebreak.width_breaks(text, width, start, prohibited)


@settings(max_examples=300, deadline=None)
@given(portion=st.text(alphabet=st.sampled_from(list(_ESCAPES) + list("ab é«"))))
def test_escape_is_the_character_by_character_escape(portion):
    assert _escape(portion) == _reference_escape(portion)


def test_a_long_french_paragraph_breaks_where_the_long_way_breaks():
    text = ("Un chief of staff aide le dirigeant à tenir ses priorités\u202f; il n’est ni assistant ni « bras "
            "droit » : voir [[chief of staff|le rôle]] et https://example.org/chief-of-staff?lang=fr — 12,5 % du temps.")
    assert linebreak_fast.class_codes(text) is not None  # the shortcut is taken
    for width in range(1, len(text) + 3):  # every width, so lines that fit exactly are met too
        for start in (0, 7, 11):
            assert linebreak_fast.width_breaks(text, width, start, set()) == linebreak.width_breaks(text, width, start, set())


@settings(max_examples=100, deadline=None)
@given(pairs=st.lists(st.tuples(_ANY.filter(bool), _ANY), min_size=1, max_size=6))
def test_catalogs_are_byte_identical_with_either_way(pairs):
    po = new_catalog("dossier/note.md", "en")
    for number, (msgid, msgstr) in enumerate(dict(pairs).items()):
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr, occurrences=[("content/fr/dossier/note.md", str(number))]))
    fast = format_catalog(po)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(linebreak_fast, "width_breaks", linebreak.width_breaks)
        assert format_catalog(po) == fast


def test_text_that_fills_the_width_exactly_is_not_broken():
    for text in ("aaaa bbbbb", "l’a vu, puis-je ?", "[[x|y]] z"):
        for start in (0, 3):
            width = start + len(text)
            assert linebreak_fast.width_breaks(text, width, start, set()) == linebreak.width_breaks(text, width, start, set()) == []
            assert linebreak_fast.width_breaks(text, width - 1, start, set()) == linebreak.width_breaks(text, width - 1, start, set()) != []


# -- the sync's test "is the catalog on disk what we would write?" ------------------------------------
_STRING = st.lists(st.sampled_from(["mot", " ", "\n", '"', "\\", "é", "x" * 40, "[[a b]]", "\u00a0"]), max_size=8).map("".join)
_ENTRY = st.fixed_dictionaries({
    "msgid": _STRING.filter(bool), "msgstr": st.just("") | _STRING, "msgctxt": st.none() | _STRING,
    "flags": st.lists(st.sampled_from(["fuzzy", "no-wrap", "wrap", "python-format"]), max_size=2, unique=True),
    "obsolete": st.booleans(), "plural": st.booleans(),
    "occurrences": st.lists(st.tuples(st.sampled_from(["content/fr/a.md", "./content/fr/b c.md"]),
                                      st.sampled_from(["1", "12", ""])), max_size=3),
})


def _catalog(entries: list[dict]) -> polib.POFile:
    po = new_catalog("a.md", "en")
    for fields in entries:
        entry = polib.POEntry(msgid=fields["msgid"], msgctxt=fields["msgctxt"], flags=list(fields["flags"]),
                              obsolete=fields["obsolete"], occurrences=list(fields["occurrences"]))
        if fields["plural"]:
            entry.msgid_plural, entry.msgstr_plural = fields["msgid"] + "s", {0: fields["msgstr"], 1: fields["msgstr"]}
        else:
            entry.msgstr = fields["msgstr"]
        po.append(entry)
    return po


_UNTRANSLATED_OBSOLETE = {"msgid": "a", "msgstr": "", "msgctxt": None, "flags": [], "obsolete": True, "plural": False,
                          "occurrences": []}


@settings(max_examples=300, deadline=None)
@example(old=[_UNTRANSLATED_OBSOLETE], changes=[(0, "msgid", "b")])  # never written: its msgid does not count
@example(old=[dict(_UNTRANSLATED_OBSOLETE, obsolete=False, plural=True)], changes=[(0, "msgstr", "b")])
@given(old=st.lists(_ENTRY, max_size=4), changes=st.lists(st.tuples(st.integers(0, 3), st.sampled_from(
    ["msgstr", "msgid", "flags", "obsolete", "occurrences", "msgctxt"]), _STRING), max_size=3))
def test_catalogs_whose_strings_differ_are_never_written_alike(old, changes):
    """What lets the sync skip formatting the old catalog: different strings always mean different bytes."""
    from app.catalog.note_catalog import _with_reference_tokens, _written_strings

    new = [dict(fields) for fields in old]
    for index, field, value in changes:
        if index < len(new):
            new[index][field] = {"flags": ["no-wrap"], "obsolete": not new[index]["obsolete"],
                                 "occurrences": [("content/fr/a.md", "3")]}.get(field, value or "z")
    a, b = _catalog(old), _catalog(new)
    if _written_strings(a) != _written_strings(b):
        assert format_catalog(a) != format_catalog(b)
        assert _with_reference_tokens(a) != _with_reference_tokens(b)


def test_kept_line_classes_are_uniseg_s_for_every_code_point():
    """The classes kept for Latin and punctuation are those uniseg gives, code point by code point."""
    from app.catalog.linebreak_classes import kept_class, kept_code_points

    kept = kept_code_points()
    assert len(kept) > 7000
    for code in kept:
        assert kept_class(code) == linebreak.uniseg_line_class(chr(code)), hex(code)
    assert kept_class(0x0530) is None and kept_class(0x4E00) is None and kept_class(0x1FB00) is None


def test_a_latin_catalog_is_written_without_importing_uniseg():
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys; from app.catalog.po import format_catalog, new_catalog; import polib\n"
            "po = new_catalog('n.md', 'en')\n"
            "po.append(polib.POEntry(msgid='« Un paragraphe assez long pour être coupé — avec ’ et … et 12 € — "
            "puis encore des mots 🤔 → ✅ des mots et des mots pour dépasser largement la largeur de la page. »'))\n"
            "format_catalog(po)\n"
            "print('uniseg' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
