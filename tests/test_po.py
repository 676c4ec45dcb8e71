"""Catalog header, counts, ids, strict reading and stable atomic writing (app/catalog/po.py)."""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess

import polib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.catalog.po import (
    CatalogError,
    catalog_counts,
    entry_digest,
    entry_id,
    format_catalog,
    new_catalog,
    parse_catalog,
    read_catalog,
    translations_of,
    write_catalog,
)
from app.fsutil import file_lock

MSGFMT = shutil.which("msgfmt")
needs_msgfmt = pytest.mark.skipif(MSGFMT is None, reason="GNU msgfmt is not installed")
SOURCE = "Ceo, n'oubliez pas votre COO ou Chief of Staff.md"
REF = f"content/fr/{SOURCE}"

TRICKY = [
    "Première ligne avec une coupure  \nseconde ligne  \ntroisième",
    'Des "guillemets droits", des « chevrons » et des “courbes”',
    "Un antislash \\ et un chemin C:\\Users\\moi\\",
    "Une\ttabulation\tau milieu",
    "Un #hashtag, un titre # faux et 100 % de %s %d %(name)s {0} sans drapeau",
    "Espace\u00a0insécable\u202fet fine : voilà !",
    "[[chief of staff|Chief of Staff]] et ![[image.png]] ^abc123",
    "Très longue phrase " * 12,
    "Ligne qui finit par un antislash \\",
    "- pas une liste, juste un tiret",
]


def msgfmt_check(path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [MSGFMT, "-c", "--statistics", "-o", os.devnull, str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C"},
    )


def sample_catalog() -> polib.POFile:
    po = new_catalog(SOURCE, "en")
    for number, text in enumerate(TRICKY, 1):
        po.append(
            polib.POEntry(
                msgid=text,
                msgstr=f"EN {number}: " + text.replace("ligne", "line") if number % 3 else "",
                comment="type: paragraph",
                occurrences=[(REF, str(number * 2))],
            )
        )
    po.append(
        polib.POEntry(
            msgid="Un paragraphe modifié",
            msgstr="An edited paragraph",
            flags=["fuzzy"],
            previous_msgid="Un paragraphe",
            tcomment="Check the tone with the author",
            comment="type: paragraph",
            occurrences=[(REF, "40"), (REF, "52")],
        )
    )
    po.append(polib.POEntry(msgid="Ancien texte", msgstr="Old text", obsolete=True))
    return po


def test_header_is_complete_and_stable():
    po = new_catalog("chief of staff.md", "en")
    meta = po.metadata
    assert meta["Project-Id-Version"] == "Passerelle"
    assert meta["Language"] == "en"
    assert meta["Content-Type"] == "text/plain; charset=UTF-8"
    assert meta["Content-Transfer-Encoding"] == "8bit"
    assert meta["MIME-Version"] == "1.0"
    assert meta["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert meta["X-Source-File"] == "content/fr/chief of staff.md"
    assert not any("Date" in key and value for key, value in meta.items())
    assert format_catalog(po) == format_catalog(new_catalog("chief of staff.md", "en"))


@pytest.mark.parametrize(
    ("lang", "language", "plural"),
    [
        ("fr", "fr", "nplurals=2; plural=(n > 1);"),
        ("ja", "ja", "nplurals=1; plural=0;"),
        ("pt-BR", "pt_BR", "nplurals=2; plural=(n > 1);"),
    ],
)
def test_header_follows_the_language(lang, language, plural):
    meta = new_catalog("a.md", lang, project="Demo").metadata
    assert (meta["Language"], meta["Plural-Forms"], meta["Project-Id-Version"]) == (language, plural, "Demo")


def test_counts_and_publishable_translations():
    po = sample_catalog()
    counts = catalog_counts(po)
    assert counts == {"translated": 7, "fuzzy": 1, "untranslated": 3, "obsolete": 1}
    published = translations_of(po)
    assert len(published) == 7
    assert "Un paragraphe modifié" not in published and "Ancien texte" not in published
    assert published[TRICKY[0]].startswith("EN 1: Première line")


def test_entry_id_and_digest():
    a = polib.POEntry(msgid="Bonjour", msgstr="")
    b = polib.POEntry(msgid="Bonjour", msgstr="Hello", occurrences=[(REF, "3")], flags=["fuzzy"])
    assert entry_id(a) == entry_id(b) and re.fullmatch(r"[0-9a-f]{16}", entry_id(a))
    assert entry_id(polib.POEntry(msgid="Bonjour", msgctxt="title")) != entry_id(a)
    assert entry_id(polib.POEntry(msgid="Bonjour!")) != entry_id(a)
    base = polib.POEntry(msgid="Bonjour", msgstr="Hello")
    digest = entry_digest(base)
    moved = polib.POEntry(msgid="Bonjour", msgstr="Hello", occurrences=[(REF, "99")], comment="type: title")
    assert entry_digest(moved) == digest  # only what a translator changes counts
    assert entry_digest(polib.POEntry(msgid="Bonjour", msgstr="Hi")) != digest
    assert entry_digest(polib.POEntry(msgid="Bonjour", msgstr="Hello", flags=["fuzzy"])) != digest
    fuzzy_prev = polib.POEntry(msgid="Bonjour", msgstr="Hello", flags=["fuzzy"], previous_msgid="Salut")
    assert entry_digest(fuzzy_prev) != entry_digest(polib.POEntry(msgid="Bonjour", msgstr="Hello", flags=["fuzzy"]))


def test_format_renders_references_and_comments_like_gettext():
    text = format_catalog(sample_catalog())
    assert "#: \u2068content/fr/Ceo, n'oubliez pas votre COO ou Chief of Staff.md\u2069:40\n" in text
    assert "#. type: paragraph\n" in text
    assert '#| msgid "Un paragraphe"\n' in text
    assert text.index("#~ msgid") > text.rindex("\n#: ")  # obsolete entries come last
    assert all(len(line) <= 79 for line in text.splitlines() if line.startswith(("msg", '"', "#|")))
    assert text.endswith('msgstr "Old text"\n')


def test_parse_round_trip_restores_everything():
    po = sample_catalog()
    again = parse_catalog(format_catalog(po).encode("utf-8"))
    assert format_catalog(again) == format_catalog(po)
    fuzzy = again.find("Un paragraphe modifié")
    assert fuzzy.occurrences == [(REF, "40"), (REF, "52")]
    assert fuzzy.previous_msgid == "Un paragraphe" and fuzzy.tcomment == "Check the tone with the author"
    assert [e.msgid for e in again if not e.obsolete][:len(TRICKY)] == TRICKY


@needs_msgfmt
def test_msgfmt_accepts_written_catalogs_and_agrees_on_counts(tmp_path):
    path = tmp_path / "translations" / "en" / "notes" / "ceo.po"
    po = sample_catalog()
    assert write_catalog(path, po)
    result = msgfmt_check(path)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    counts = catalog_counts(po)
    expected = f"{counts['translated']} translated messages, {counts['fuzzy']} fuzzy translation, "
    assert result.stderr.startswith(expected), result.stderr
    assert f"{counts['untranslated']} untranslated messages" in result.stderr


@needs_msgfmt
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    texts=st.lists(
        # NUL ends a C string and U+0004 separates msgctxt: gettext cannot represent them.
        st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\x04"), min_size=1),
        min_size=1,
        max_size=6,
        unique=True,
    )
)
def test_any_text_round_trips_and_passes_msgfmt(tmp_path, texts):
    po = new_catalog("note avec espaces.md", "en")
    for number, text in enumerate(texts, 1):
        # msgfmt -c requires msgid and msgstr to agree on leading/trailing newlines.
        msgstr = ("\n" if text.startswith("\n") else "") + "EN" + ("\n" if text.endswith("\n") else "")
        po.append(polib.POEntry(msgid=text, msgstr=msgstr, occurrences=[("content/fr/note avec espaces.md", str(number))]))
    data = format_catalog(po).encode("utf-8")
    again = parse_catalog(data)
    assert [(e.msgid, e.msgstr) for e in again] == [(e.msgid, e.msgstr) for e in po]
    assert all(e.occurrences == [("content/fr/note avec espaces.md", str(i))] for i, e in enumerate(again, 1))
    assert format_catalog(again).encode("utf-8") == data
    path = tmp_path / "any.po"
    path.write_bytes(data)
    result = msgfmt_check(path)
    assert result.returncode == 0, result.stderr


def test_write_is_skipped_when_bytes_are_unchanged(tmp_path):
    path = tmp_path / "en" / "notes" / "ceo.po"
    assert write_catalog(path, sample_catalog()) is True
    before = path.read_bytes()
    past = 1_600_000_000
    os.utime(path, (past, past))
    assert write_catalog(path, sample_catalog()) is False
    assert write_catalog(path, read_catalog(path)) is False  # read + write is byte-identical
    assert path.read_bytes() == before and path.stat().st_mtime == past
    leftovers = sorted(p.name for p in path.parent.iterdir())
    assert leftovers in (["ceo.po"], [".ceo.po.lock", "ceo.po"])  # no temp file; the lock may stay


def test_write_inside_the_callers_lock_does_not_deadlock(tmp_path):
    path = tmp_path / "ceo.po"
    with file_lock(path, timeout=2):
        assert write_catalog(path, sample_catalog())
        po = read_catalog(path)
        po.find(TRICKY[0]).msgstr = "First line  \nsecond line  \nthird"
        assert write_catalog(path, po)
    assert read_catalog(path).find(TRICKY[0]).msgstr == "First line  \nsecond line  \nthird"


def test_saving_one_entry_changes_only_its_lines(tmp_path):
    path = tmp_path / "ceo.po"
    write_catalog(path, sample_catalog())
    before = path.read_text(encoding="utf-8").splitlines()
    po = read_catalog(path)
    po.find(TRICKY[1]).msgstr = "A backslash \\ and a path C:\\Users\\me\\"
    assert write_catalog(path, po)
    after = path.read_text(encoding="utf-8").splitlines()
    changed = [
        line for line in difflib.unified_diff(before, after, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed == [
        '-msgstr "EN 2: Des \\"guillemets droits\\", des « chevrons » et des “courbes”"',
        '+msgstr "A backslash \\\\ and a path C:\\\\Users\\\\me\\\\"',
    ]


def test_a_broken_file_is_never_overwritten(tmp_path):
    path = tmp_path / "ceo.po"
    broken = b'msgid "a"\nmsgstr "b\n'
    path.write_bytes(broken)
    with pytest.raises(CatalogError) as info:
        write_catalog(path, sample_catalog())
    assert info.value.line == 2
    assert path.read_bytes() == broken
    assert write_catalog(path, sample_catalog(), force=True)
    read_catalog(path)


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        (b'msgid ""\nmsgstr ""\n\nmsgid "a"\nmsgstr "b"\nnonsense here\n', 6, "syntax"),
        (b'msgid "a"\nmsgstr "unterminated\n', 2, "quoted string"),
        (b'msgid "a"\nmsgstr "b" "c"\n', 2, "quoted string"),
        (b'msgid "a"\n\nmsgid "b"\nmsgstr "c"\n', 1, "without msgstr"),
        (b'msgid "a"\nmsgstr "b"\n\n#| msgid broken\nmsgid "c"\nmsgstr "d"\n', 4, "previous"),
        (b'msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n', 4, "duplicate"),
        (b'msgid "caf\xc3\xa9"\nmsgstr ""\n\nmsgid "th\xe9"\nmsgstr ""\n', 4, "UTF-8"),
        (
            b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=ISO-8859-1\\n"\n\nmsgid "a"\nmsgstr "b"\n',
            3,
            "charset",
        ),
    ],
)
def test_corrupt_catalogs_are_reported_with_their_line(tmp_path, content, line, reason):
    path = tmp_path / "bad.po"
    path.write_bytes(content)
    with pytest.raises(CatalogError) as info:
        read_catalog(path)
    error = info.value
    assert (error.path, error.line) == (str(path), line)
    assert reason.lower() in error.reason.lower()
    assert str(error).startswith(f"{path}:{line}: ")
    assert path.read_bytes() == content


def test_gettext_files_from_other_tools_are_read(tmp_path):
    path = tmp_path / "gnu.po"
    path.write_bytes(
        "\ufeff# Comment\n"
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        "#: content/fr/a.md:3 \u2068content/fr/b c.md\u2069:4\n"
        '#, fuzzy\n#| msgid "old"\nmsgid "new"\nmsgstr "neu"\n\n'
        '#, fuzzy\n#~| msgid "older"\n#~ msgid "gone"\n#~ msgstr "weg"\n'.encode("utf-8")
    )
    po = read_catalog(path)
    entry = po.find("new")
    assert entry.occurrences == [("content/fr/a.md", "3"), ("content/fr/b c.md", "4")]
    assert entry.previous_msgid == "old" and entry.fuzzy
    assert catalog_counts(po) == {"translated": 0, "fuzzy": 1, "untranslated": 0, "obsolete": 1}


@pytest.mark.parametrize(("data", "reason"), [(b"", "empty catalog"), (b"# only a comment\n", "empty catalog"),
                                            (b'msgid "Bonjour"\nmsgstr "Hello"\n', "no header entry"),
                                            (b'msgid ""\n"Bonjour"\nmsgstr "Hello"\n', "no header entry")])
def test_a_file_without_header_is_a_corrupt_catalog(tmp_path, data, reason):
    """An empty catalog is not an empty translation: something truncated it (issue 10)."""
    path = tmp_path / "empty.po"
    path.write_bytes(data)
    with pytest.raises(CatalogError, match=reason):
        read_catalog(path)
