"""The minor/substantive rule (a table of cases, the hard ones included) and how catalogs record a minor change."""
from __future__ import annotations

import shutil
import subprocess

import polib
import pytest

from app.catalog import minor
from app.catalog.merge import merge_catalog
from app.catalog.po import format_catalog, parse_catalog
from app.catalog.segment import segment_note

MINOR = [
    # whitespace, non-breaking spaces, hard line breaks
    ("Bonjour le  monde.", "Bonjour le monde."),
    ("Pourquoi ?", "Pourquoi\u202f?"),
    ("Un chef de cabinet", "Un chef\u00a0de cabinet"),
    # punctuation and typographic variants
    ("Il a dit \"oui\" hier", "Il a dit « oui » hier"),
    ("C'est l'heure", "C’est l’heure"),
    ("Un outil - simple - efficace", "Un outil — simple — efficace"),
    ("Voilà, c'est tout.", "Voilà c'est tout…"),
    ("Le chef, de cabinet", "Le chef de cabinet"),
    # case and diacritics
    ("le Chief of Staff", "le chief of staff"),
    ("Etre a la hauteur", "Être à la hauteur"),
    ("une evolution reguliere", "une évolution régulière"),
    # typo fixes inside long words
    ("Il faut accompagenr le dirigeant", "Il faut accompagner le dirigeant"),
    ("les décisions importante", "les décisions importantes"),
    ("une entreprize moderne", "une entreprise moderne"),
    ("Le dirigaent et son équipe", "Le dirigeant et son équipe"),
    # words joined or split without letters changing
    ("un porte monnaie", "un porte-monnaie"),
    # markup untouched, a typo fixed inside emphasis and inside a wikilink label
    ("Voir **l'equipe** dirigeante", "Voir **l'équipe** dirigeante"),
    ("Voir [[chief of staff|le chef de cabinnet]]", "Voir [[chief of staff|le chef de cabinet]]"),
    # ligatures written out or not, as French authors fix them (typographic variants)
    ("le COO met en oeuvre", "le COO met en œuvre"),
    ("leur coeur de métier", "leur cœur de métier"),
    ("un curriculum vitae", "un curriculum vitæ"),
]

SUBSTANTIVE = [
    # a word added or removed, a negation, a number
    ("C'est utile.", "C'est inutile.", "words"),
    ("C'est possible.", "C'est impossible.", "words"),
    ("Il vient demain.", "Il ne vient pas demain.", "negation"),
    ("Il faut le faire.", "Il ne faut jamais le faire.", "negation"),
    ("Une équipe de 12 personnes", "Une équipe de 13 personnes", "number"),
    ("Prix : 1,5 million", "Prix : 1.5 million", "number"),
    ("Les chefs de cabinet", "Les chefs de cabinet externes", "words"),
    ("Le chef de cabinet externe", "Le chef de cabinet", "words"),
    ("Il vient.", "Il vient ?", "question"),
    # links, code, emphasis
    ("Voir [[chief of staff]]", "Voir [[chef de cabinet]]", "wikilink"),
    ("Voir [[chief of staff]]", "Voir [[chief of staff#Rôle]]", "wikilink"),
    ("Lire https://example.org/a", "Lire https://example.org/b", "url"),
    ("Lire [le guide](https://a.example/x)", "Lire [le guide](https://a.example/y)", "url"),
    ("Lancer `make test` ici", "Lancer `make tests` ici", "code"),
    ("Un point **important** ici", "Un point important ici", "emphasis"),
    ("Un **point** important", "Un point **important**", "emphasis"),
    # short words and prefixes carry meaning; big edits are rewording
    ("Il part mais revient", "Il part mai revient", "words"),
    ("Une approche globale", "Une approche locale", "words"),
    ("un atout", "à tout", "words"),
    ("Le premier rôle", "Le dernier rôle", "words"),
    ("accompagenr accompagenr accompagenr accompagenr", "accompagner accompagner accompagner accompagner", "words"),
]


@pytest.mark.parametrize(("old", "new"), MINOR)
def test_minor_changes(old, new):
    change = minor.classify_change(old, new)
    assert change.kind == "minor", change


@pytest.mark.parametrize(("old", "new", "reason"), SUBSTANTIVE)
def test_substantive_changes(old, new, reason):
    change = minor.classify_change(old, new)
    assert (change.kind, change.reason) == ("substantive", reason)
    assert minor.classify_change(new, old).kind == "substantive"  # the rule is symmetric on these


def test_known_limit_a_typo_fix_that_makes_another_word():
    """Documented limit (docs/minor-changes.md): without a dictionary, direction → diction looks like a typo fix."""
    assert minor.classify_change("Le poste de direction", "Le poste de diction").kind == "minor"


def test_identical_is_no_change():
    assert minor.classify_change("Même texte", "Même texte").kind == "same"
    assert not minor.is_minor("Même texte", "Même texte")


def test_cost_is_linear():
    """A huge segment is classified without quadratic blow-up (the guard and word passes are regex scans)."""
    old = "Une phrase assez longue pour compter. " * 20000
    assert minor.classify_change(old, old.replace("longue", "lonque", 1)).kind == "minor"


# --- catalogs -----------------------------------------------------------------------------------

NOTE = "---\ntitle: Essai\n---\nIl faut accompagenr le dirigeant.\n\nC'est utile.\n\nUn troisième paragraphe.\n"
FIXED = "---\ntitle: Essai\n---\nIl faut accompagner le dirigeant.\n\nC'est inutile.\n\nUn troisième paragraphe.\n"
ENGLISH = {"Essai": "Trial", "Il faut accompagenr le dirigeant.": "The leader must be supported.",
           "C'est utile.": "It is useful.", "Un troisième paragraphe.": "A third paragraph."}


def translated_catalog(text: str = NOTE) -> polib.POFile:
    po = merge_catalog(None, segment_note(text), "essai.md", "en")
    for entry in po:
        entry.msgstr = ENGLISH[entry.msgid]
    return parse_catalog(format_catalog(po))


def by_msgid(po: polib.POFile) -> dict[str, polib.POEntry]:
    return {e.msgid: e for e in po if not e.obsolete}


def test_minor_change_keeps_the_translation_and_records_the_previous_french():
    po = merge_catalog(translated_catalog(), segment_note(FIXED), "essai.md", "en", minor_changes="keep")
    entries = by_msgid(po)
    kept = entries["Il faut accompagner le dirigeant."]
    assert (kept.msgstr, kept.fuzzy, kept.previous_msgid) == ("The leader must be supported.", False,
                                                               "Il faut accompagenr le dirigeant.")
    assert minor.pending(kept)
    changed = entries["C'est inutile."]
    assert changed.fuzzy and changed.previous_msgid == "C'est utile." and not minor.has_mark(changed)
    text = format_catalog(po)
    assert "# passerelle: minor-change\n" in text and '#| msgid "Il faut accompagenr le dirigeant."' in text
    again = parse_catalog(text)  # stable: a second sync rewrites nothing
    assert format_catalog(merge_catalog(again, segment_note(FIXED), "essai.md", "en")) == text


def test_fuzzy_mode_is_msgmerge_strictness():
    po = merge_catalog(translated_catalog(), segment_note(FIXED), "essai.md", "en", minor_changes="fuzzy")
    entry = by_msgid(po)["Il faut accompagner le dirigeant."]
    assert entry.fuzzy and not minor.has_mark(entry)


def test_two_minor_changes_compare_with_what_was_translated():
    """A second change is judged against the French the English was made from, not the last minor step."""
    step1 = merge_catalog(translated_catalog(), segment_note(FIXED), "essai.md", "en")
    step2_text = FIXED.replace("accompagner le dirigeant", "accompagner la dirigeante")
    step2 = by_msgid(merge_catalog(step1, segment_note(step2_text), "essai.md", "en"))
    entry = step2["Il faut accompagner la dirigeante."]
    assert entry.fuzzy and entry.previous_msgid == "Il faut accompagenr le dirigeant."
    back = by_msgid(merge_catalog(step1, segment_note(NOTE), "essai.md", "en"))  # the French came back
    entry = back["Il faut accompagenr le dirigeant."]
    assert not entry.fuzzy and entry.previous_msgid is None and not minor.has_mark(entry)


def test_confirming_removes_the_mark_and_the_previous_french():
    entry = by_msgid(merge_catalog(translated_catalog(), segment_note(FIXED), "essai.md", "en"))[
        "Il faut accompagner le dirigeant."]
    entry.tcomment = "my own note\n" + entry.tcomment
    minor.unmark(entry)
    assert entry.tcomment == "my own note" and entry.previous_msgid is None and not minor.pending(entry)


GNU = pytest.mark.skipif(not shutil.which("msgcat"), reason="GNU gettext (msgcat) is not installed")


@GNU
def test_gnu_tools_accept_and_keep_the_mark(tmp_path):
    po = merge_catalog(translated_catalog(), segment_note(FIXED), "essai.md", "en")
    path = tmp_path / "essai.po"
    path.write_text(format_catalog(po), encoding="utf-8")
    subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], check=True, capture_output=True)
    for command in (["msgcat", str(path)], ["msgattrib", str(path)]):
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        assert out == path.read_text(encoding="utf-8"), command  # byte for byte: the file is as GNU writes it
    pot = tmp_path / "essai.pot"
    pot.write_text("".join(line for line in path.read_text().splitlines(keepends=True) if not line.startswith("# ")))
    merged = subprocess.run(["msgmerge", "--previous", "-q", str(path), str(pot)], check=True,
                            capture_output=True, text=True).stdout
    entry = by_msgid(parse_catalog(merged))["Il faut accompagner le dirigeant."]
    assert minor.pending(entry)  # msgmerge keeps translator comments (and drops #| on translated entries)


@GNU
def test_gnu_tools_drop_unknown_flags(tmp_path):
    """Why the mark is a comment: a ``#,`` flag GNU does not know is lost by msgcat."""
    path = tmp_path / "flag.po"
    path.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                    '#, minor-change\nmsgid "a"\nmsgstr "b"\n', encoding="utf-8")
    out = subprocess.run(["msgcat", str(path)], check=True, capture_output=True, text=True).stdout
    assert "minor-change" not in out


def test_only_minor_changes_of_a_whole_note():
    assert minor.only_minor_changes(NOTE, NOTE.replace("accompagenr", "accompagner"))
    assert minor.only_minor_changes(NOTE, NOTE.replace("Essai", "essai"))  # the title, case only
    assert not minor.only_minor_changes(NOTE, FIXED)  # utile → inutile
    assert not minor.only_minor_changes(NOTE, NOTE + "\nUn paragraphe de plus.\n")
    with_code = NOTE + "\n```\nmake test\n```\n"
    assert not minor.only_minor_changes(with_code, with_code.replace("make test", "make tests"))  # outside segments
    assert not minor.only_minor_changes(NOTE, NOTE.replace("title: Essai", "title: Essai\ntags: [x]"))
