"""Entry checks: each one caught and not caught, French typography, translation of messages."""
from __future__ import annotations

import pytest

from app.workflow.checks import CHECKS, ERROR, WARNING, CheckResult, N_, check_entry, has_errors

NBSP, NNBSP = "\u00a0", "\u202f"


def ids(msgid: str, msgstr: str, **kwargs) -> list[str]:
    return [result.id for result in check_entry(msgid, msgstr, **kwargs)]


def test_empty_translation_is_not_checked():
    assert check_entry("Bonjour [[monde]] https://x.fr", "") == []


def test_a_good_translation_of_a_seed_paragraph_passes():
    msgid = (
        "Suivant la taille il y aura plus ou moins besoin d’un temps plein. si vous voulez en savoir "
        "plus sur le [[chief of staff]] qui permet de profiter d'un COS sans un recrutement full time "
        "direct et pour des moments clés."
    )
    msgstr = (
        "Depending on size, a full-time role may or may not be needed. If you want to know more about "
        "the [[chief of staff|external chief of staff]], who lets you have a COS without a full-time "
        "hire, and for key moments."
    )
    assert check_entry(msgid, msgstr) == []


def test_catalogue_lists_every_check_once():
    assert [c[0] for c in CHECKS] == ["wikilinks", "urls", "hard-breaks", "single-line", "markup", "punctuation", "whitespace", "double-space", "identical", "glossary"]
    assert {c[1] for c in CHECKS} == {ERROR, WARNING}


# --- wikilinks -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("msgid", "msgstr"),
    [
        ("le [[chief of staff]] externe", "the external [[chief of staff|COS]]"),
        ("le [[chief of staff]] externe", "the external [[Chief Of Staff]]"),
        ("voir [[note#Une section|ici]]", "see [[note#une section|here]]"),
        ("![[schéma.png]] et [[a]] puis [[b]]", "[[b]] and [[a]] then ![[schéma.png]]"),
        ("du code `[[pas un lien]]` ici", "some code `[[not a link]]` here"),
    ],
)
def test_wikilinks_same_targets_pass(msgid, msgstr):
    assert "wikilinks" not in ids(msgid, msgstr)


@pytest.mark.parametrize(
    ("msgid", "msgstr"),
    [
        ("le [[chief of staff]] externe", "the external [[chef de cabinet]]"),
        ("le [[chief of staff]] externe", "the external chief of staff"),
        ("voir [[note#Une section]]", "see [[note#A section]]"),
        ("voir [[note#Une section]]", "see [[note]]"),
        ("[[a]] et [[a]]", "[[a]] and a"),
        ("![[schéma.png]]", "[[schéma.png]]"),
        ("voir [[note^abc123]]", "see [[note#abc123]]"),
    ],
)
def test_wikilinks_changed_targets_are_errors(msgid, msgstr):
    results = [r for r in check_entry(msgid, msgstr) if r.id == "wikilinks"]
    assert len(results) == 1 and results[0].severity == ERROR


def test_wikilink_message_names_missing_and_extra():
    [result] = [r for r in check_entry("le [[chief of staff]]", "the [[COS]]") if r.id == "wikilinks"]
    assert result.format() == "Wikilink targets differ from the French: [[chief of staff]] missing, [[COS]] not in the French."
    [result] = [r for r in check_entry("le [[chief of staff]]", "the chief") if r.id == "wikilinks"]
    assert "[[chief of staff]]" in result.format() and "missing" in result.format()


# --- urls ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("msgid", "msgstr"),
    [
        ("plus de détails -> https://liut.me/cos", "more details -> https://liut.me/cos"),
        ("voir https://liut.me/cos.", "see https://liut.me/cos!"),
        ("« https://liut.me/cos »", "“https://liut.me/cos”"),
        ("un [lien](https://a.fr/x_(y)) ici", "a [link](https://a.fr/x_(y)) here"),
        ("(voir https://a.fr/page)", "(see https://a.fr/page)"),
        ("un [lien](<https://a.fr/a b>)", "a [link](<https://a.fr/a b>)"),
    ],
)
def test_urls_same_pass(msgid, msgstr):
    assert "urls" not in ids(msgid, msgstr)


@pytest.mark.parametrize(
    ("msgid", "msgstr"),
    [
        ("voir https://liut.me/cos", "see https://liut.me/COS"),
        ("voir https://liut.me/cos", "see liut.me/cos"),
        ("un [lien](https://a.fr)", "a [link](https://a.com)"),
        ("un [lien](https://a.fr) et https://a.fr", "a [link](https://a.fr)"),
        ("voir <https://a.fr>", "see <https://a.fr/en>"),
        ("écrire à mailto:a@b.fr", "write to mailto:a@b.com"),
    ],
)
def test_changed_urls_are_errors(msgid, msgstr):
    results = [r for r in check_entry(msgid, msgstr) if r.id == "urls"]
    assert len(results) == 1 and results[0].severity == ERROR


# --- hard breaks ---------------------------------------------------------------------------

def test_hard_breaks_kept_pass():
    assert "hard-breaks" not in ids("première ligne  \nseconde\\\ntroisième", "first line  \nsecond\\\nthird")


@pytest.mark.parametrize(
    "msgstr",
    ["first line\nsecond\\\nthird", "first line  second  third", "first line  \nsecond  \nthird  \nfourth"],
)
def test_hard_breaks_changed_are_errors(msgstr):
    results = [r for r in check_entry("première ligne  \nseconde\\\ntroisième", msgstr) if r.id == "hard-breaks"]
    assert len(results) == 1 and results[0].severity == ERROR
    assert results[0].params["expected"] == 2


def test_line_count_changed_is_an_error():
    [result] = [r for r in check_entry("une ligne\net une autre", "one line and another") if r.id == "hard-breaks"]
    assert result.params == {"expected": 2, "actual": 1}
    assert result.format() == "Lines: the French has 2, the translation 1."


def test_errors_block():
    assert has_errors(check_entry("[[a]]", "[[b]]"))
    assert not has_errors(check_entry("Bonjour.", "Hello"))
    assert not has_errors([])


# --- markup --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("msgid", "msgstr"),
    [
        ("**Expertise spécialisée** : les dirigeants", "**Specialised expertise**: leaders"),
        ("*En résumé, travailler avec un COS*", "_In short, working with a COS_"),
        ("***très*** important", "***very*** important"),
        ("un mot snake_case et un __init__ ici", "a snake_case word and an __init__ here"),
        ("* un élément de liste avec *emphase*", "* a list item with *emphasis*"),
        ("5 * 3 font 15", "5 * 3 is 15"),
        ("la commande `ls -l` puis [la doc](https://a.fr/un_deux)", "the `ls -l` command then [the docs](https://a.fr/un_deux)"),
        ("[[note_avec_tirets|lien]] et https://a.fr/x*y", "[[note_avec_tirets|link]] and https://a.fr/x*y"),
    ],
)
def test_markup_balanced_passes(msgid, msgstr):
    assert "markup" not in ids(msgid, msgstr)


@pytest.mark.parametrize(
    ("msgid", "msgstr", "kind"),
    [
        ("**Expertise spécialisée** : les dirigeants", "Specialised expertise: leaders", "strong"),
        ("**Expertise spécialisée** : les dirigeants", "**Specialised expertise: leaders", "strong"),
        ("*En résumé*, voilà", "In short, there", "emphasis"),
        ("_En résumé_, voilà", "_In short, there", "emphasis"),
        ("la commande `ls -l`", "the ls -l command", "code"),
        ("[la doc](https://a.fr)", "the docs https://a.fr", "links"),
    ],
)
def test_markup_unbalanced_is_a_warning(msgid, msgstr, kind):
    results = [r for r in check_entry(msgid, msgstr) if r.id == "markup"]
    assert [r.params["kind"] for r in results] == [kind]
    assert results[0].severity == WARNING


# --- punctuation ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("msgid", "msgstr"),
    [
        (f"Pourquoi travailler avec un chief of staff externe{NBSP}?", "Why work with an external chief of staff?"),
        (f"Que fait le chief of staff{NNBSP}?", "What does the chief of staff do?"),
        ("Que fait le chief of staff ?", "What does the chief of staff do?"),
        (f"Attention{NNBSP}!", "Careful!"),
        (f"Les avantages{NBSP}:", "The benefits:"),
        (f"D’abord{NNBSP};", "First;"),
        ("Et ensuite…", "And then..."),
        ("**quels sont les avantages ?**  ", "**what are the benefits?**  "),
        (f"Il a dit «{NBSP}oui{NBSP}».", "He said “yes”."),
        ("C’est l’entreprise", "It’s the company"),
    ],
)
def test_punctuation_equivalent_passes(msgid, msgstr):
    assert "punctuation" not in ids(msgid, msgstr)


@pytest.mark.parametrize(
    ("msgid", "msgstr", "expected", "actual"),
    [
        (f"Pourquoi{NBSP}?", "Why.", "?", "."),
        ("Pourquoi ?", "Why", "?", ""),
        ("Voilà", "There!", "", "!"),
        (f"Les avantages{NNBSP}:", "The benefits", ":", ""),
        ("Fin.", "End…", ".", "…"),
    ],
)
def test_punctuation_changed_is_a_warning(msgid, msgstr, expected, actual):
    [result] = [r for r in check_entry(msgid, msgstr) if r.id == "punctuation"]
    assert result.severity == WARNING
    assert (result.params["expected"], result.params["actual"]) == (expected, actual)


# --- whitespace and double spaces ----------------------------------------------------------

@pytest.mark.parametrize(
    ("msgid", "msgstr", "count"),
    [(" début", "start", 1), ("fin  ", "end", 1), ("fin", "end ", 1), (" les deux ", "both", 2), ("  a  ", "  b  ", 0)],
)
def test_leading_and_trailing_whitespace(msgid, msgstr, count):
    assert ids(msgid, msgstr).count("whitespace") == count


@pytest.mark.parametrize(
    ("msgid", "msgstr", "warned"),
    [
        ("un chief of staff", "a chief  of staff", True),
        ("un chief of staff", f"a chief {NBSP}of staff", True),
        ("ligne  \nsuite", "line  \nnext", False),
        (f"Pourquoi{NBSP}?", "Why ?", False),
        ("un  double voulu", "a  wanted double", False),
        ("fin  ", "end  ", False),
    ],
)
def test_double_space(msgid, msgstr, warned):
    assert ("double-space" in ids(msgid, msgstr)) is warned


# --- identical -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "intended", "warned"),
    [
        ("direction de projets stratégiques", False, True),
        ("direction de projets stratégiques", True, False),
        ("COO", False, True),
        ("2024", False, False),
        ("https://liut.me/cos", False, False),
        ("[[chief of staff]]", False, False),
        ("`make run` — 42 %", False, False),
    ],
)
def test_identical(text, intended, warned):
    assert ("identical" in ids(text, text, intended_identical=intended)) is warned


# --- results and messages ------------------------------------------------------------------

def test_results_come_errors_first():
    results = check_entry("**Voir** [[a]] ?", "See [[b]]")
    severities = [r.severity for r in results]
    assert severities == sorted(severities, key=[ERROR, WARNING].index)
    assert {r.id for r in results} == {"wikilinks", "markup", "punctuation"}


def test_format_translates_then_fills():
    result = CheckResult("hard-breaks", ERROR, "Lines: the French has {expected}, the translation {actual}.", {"expected": 2, "actual": 1})
    french = {result.message: "Lignes : {expected} en français, {actual} dans la traduction."}
    assert result.format(lambda s: french.get(s, s)) == "Lignes : 2 en français, 1 dans la traduction."
    assert result.as_dict() == {"id": "hard-breaks", "severity": ERROR, "message": "Lines: the French has 2, the translation 1."}


def test_a_broken_translation_falls_back_to_english():
    result = CheckResult("identical", WARNING, "Count: {count}.", {"count": 3})
    assert result.format(lambda s: "Nombre : {nombre}.") == "Count: 3."


def test_n_is_a_no_op():
    assert N_("x {y}") == "x {y}"


def test_a_line_break_is_an_error_where_the_text_is_also_a_single_line_place():
    from app.workflow.checks import check_entry, has_errors

    results = check_entry("Même texte.", "Same\ntext.", places=["paragraph", "table cell"])
    single = [r for r in results if r.id == "single-line"]
    assert single and single[0].severity == "error" and "table cell" in single[0].format()
    assert has_errors(results)
    french = single[0].format(lambda s: {"table cell": "cellule de tableau"}.get(s, s))
    assert "cellule de tableau" in french
    assert not [r for r in check_entry("Même texte.", "Same text.", places=["paragraph", "heading"]) if r.id == "single-line"]
    assert not [r for r in check_entry("Un\ndeux", "One\ntwo", places=["paragraph"]) if r.id == "single-line"]


def test_every_place_type_is_listed_and_checked_on_the_screen_data(tmp_path):
    from app.catalog.merge import merge_catalog
    from app.catalog.segment import segment_note
    from app.services.translating.entry_views import entry_checks, entry_types

    note = "---\ntitle: Même texte\n---\n# Même texte\n\n| Même texte |\n|---|\n| a |\n\nMême texte\n"
    po = merge_catalog(None, segment_note(note), "n.md", "en")
    entry = po.find("Même texte")
    assert entry_types(entry) == ["title", "heading", "table cell", "paragraph"]
    entry.msgstr = "Same\ntext"
    assert any(r.id == "single-line" and r.params["place"] == "title" for r in entry_checks(entry))
