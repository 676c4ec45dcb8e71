"""Word and line diffs: exact reconstruction, escaping, readable chunks, changed segments."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from app.workflow.diff import changed_segments, line_diff, line_diff_html, tokenize, word_diff, word_diff_html

#: Texts made of words, spaces (plain, non-breaking, runs), newlines, punctuation and HTML specials.
text = st.lists(st.sampled_from(list("ab cé,.'’\u00a0\u202f\n\t<&>*[]") + ["chat", "noir", "  ", "COS"]), max_size=30).map("".join)


def side(ops, keep):
    return "".join(t for op, t in ops if op in keep)


@given(text)
def test_tokens_join_back(s):
    assert "".join(tokenize(s)) == s


@settings(max_examples=300)
@given(text, text)
def test_word_diff_reconstructs_both_sides(old, new):
    ops = word_diff(old, new)
    assert side(ops, ("equal", "delete")) == old
    assert side(ops, ("equal", "insert")) == new
    assert all(t for _, t in ops)
    assert all(a[0] != b[0] for a, b in zip(ops, ops[1:]) if "equal" in (a[0], b[0]))


@given(st.text(max_size=40), st.text(max_size=40))
def test_word_diff_reconstructs_any_unicode(old, new):
    ops = word_diff(old, new)
    assert side(ops, ("equal", "delete")) == old and side(ops, ("equal", "insert")) == new


@given(text, text)
def test_html_diff_is_escaped_text(old, new):
    html = str(word_diff_html(old, new))
    stripped = re.sub(r'</?(?:del|ins)(?: class="diff-space")?>', "", html)
    assert "<" not in stripped and ">" not in stripped


def test_word_diff_of_a_fuzzy_segment():
    ops = word_diff("les avantages concret d'un COS externe", "les avantages concrets d’un COS externe")
    assert ops == [
        ("equal", "les avantages "),
        ("delete", "concret"),
        ("insert", "concrets"),
        ("equal", " d"),
        ("delete", "'"),
        ("insert", "’"),
        ("equal", "un COS externe"),
    ]


def test_lone_spaces_between_changes_fold_into_one_change():
    assert word_diff("le chat noir dort", "le chien blanc dort") == [
        ("equal", "le "), ("delete", "chat noir"), ("insert", "chien blanc"), ("equal", " dort"),
    ]
    assert word_diff("la stratégie de l'entreprise", "the company's strategy") == [
        ("delete", "la stratégie de l'entreprise"), ("insert", "the company's strategy"),
    ]


def test_changes_are_narrowed_to_tokens():
    assert word_diff("le chat dort.", "le chat dort !") == [("equal", "le chat dort"), ("delete", "."), ("insert", " !")]
    assert word_diff("travailler  avec", "travailler avec") == [
        ("equal", "travailler"), ("delete", "  "), ("insert", " "), ("equal", "avec"),
    ]
    assert word_diff("a, b", "a; b") == [("equal", "a"), ("delete", ","), ("insert", ";"), ("equal", " b")]


def test_long_paragraphs_keep_word_detail():
    old = " ".join(f"Phrase {i} : le COS aide le CEO de la société {i % 7}." for i in range(400))
    new = old.replace("Phrase 5 :", "Phrase cinq :").replace("société 3.", "société trois.")
    ops = word_diff(old, new)
    assert side(ops, ("equal", "delete")) == old and side(ops, ("equal", "insert")) == new
    assert ("delete", "5") in ops and ("insert", "cinq") in ops
    assert ops.count(("insert", "trois")) == old.count("société 3.")


def test_pathological_texts_stay_exact():
    old = " ".join(f"mot{i % 97} de la phrase" for i in range(1500))  # no sentence end at all
    for new in (old.replace("mot5 ", "MOT5 "), " ".join(reversed(old.split())), ""):
        ops = word_diff(old, new)
        assert side(ops, ("equal", "delete")) == old and side(ops, ("equal", "insert")) == new


def test_identical_and_empty():
    assert word_diff("même texte", "même texte") == [("equal", "même texte")]
    assert word_diff("", "") == []
    assert word_diff("", "nouveau") == [("insert", "nouveau")]
    assert word_diff("ancien", "") == [("delete", "ancien")]


def test_script_is_escaped():
    html = word_diff_html("<script>alert(1)</script> ok", "<script>alert(2)</script> ok")
    assert isinstance(html, Markup)
    assert "<script>" not in html
    assert str(html) == "&lt;script&gt;alert(<del>1</del><ins>2</ins>)&lt;/script&gt; ok"


def test_line_diff_ops():
    assert line_diff("a\nb\nc", "a\nB\nc\nd") == [
        ("equal", "a"), ("delete", "b"), ("insert", "B"), ("equal", "c"), ("insert", "d"),
    ]


@given(text, text)
def test_line_diff_reconstructs_lines(old, new):
    ops = line_diff(old, new)
    assert [t for op, t in ops if op != "insert"] == old.splitlines()
    assert [t for op, t in ops if op != "delete"] == new.splitlines()


def test_line_diff_html_marks_words_inside_changed_lines():
    old = "# Titre\n\nLe COS aide le CEO.\n<script>x</script>\nfin"
    new = "# Titre\n\nLe COS aide beaucoup le CEO.\n<script>x</script>\nfin\najout"
    html = str(line_diff_html(old, new, context=None))
    assert html.startswith('<div class="line-diff">')
    assert '<span class="diff-text">Le COS aide <ins>beaucoup </ins>le CEO.</span>' in html
    assert '<span class="diff-text">Le COS aide le CEO.</span>' in html  # the old line, nothing deleted
    assert '<span class="diff-text"><ins>ajout</ins></span>' in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count('class="diff-line diff-equal"') == 4


def test_line_diff_html_context_skips_unchanged_stretches():
    old = "\n".join(f"ligne {i}" for i in range(20))
    new = old.replace("ligne 10", "ligne dix")
    html = str(line_diff_html(old, new, context=2))
    assert html.count('class="diff-skip"') == 2
    assert html.count('class="diff-line diff-equal"') == 4
    assert "ligne 3<" not in html
    assert str(line_diff_html(old, old)) == '<div class="line-diff"></div>'
    assert str(line_diff_html("", "", context=None)) == '<div class="line-diff"></div>'


def test_line_diff_html_unpaired_deletions():
    html = str(line_diff_html("a\nb\nc", "a", context=None))
    assert html.count("<del>") == 2 and "<ins>" not in html


def test_changed_segments_edit_insert_delete():
    old = ["Titre", "Premier paragraphe.", "Deuxième paragraphe.", "Fin."]
    assert changed_segments(old, old) == []
    assert changed_segments(old, ["Titre", "Premier paragraphe modifié.", "Deuxième paragraphe.", "Fin."]) == [1]
    assert changed_segments(old, ["Titre", "Premier paragraphe.", "Nouveau.", "Deuxième paragraphe.", "Fin."]) == [2]
    assert changed_segments(old, ["Titre", "Deuxième paragraphe.", "Fin."]) == []
    assert changed_segments(old, ["Titre", "Premier paragraphe.", "Fin.", "Ajout 1", "Ajout 2"]) == [3, 4]
    assert changed_segments([], ["a", "b"]) == [0, 1]
    assert changed_segments(["a", "b"], []) == []


@pytest.mark.parametrize("old, new", [("externe ?", "externe\u202f?"), ("spécialisée :", "spécialisée\u00a0:"),
                                      ("un  mot", "un mot")])
def test_a_changed_space_alone_is_marked_to_be_seen(old, new):
    html = str(word_diff_html(old, new))
    assert 'class="diff-space"' in html
    assert 'class="diff-space"' not in str(word_diff_html("utile", "inutile"))
