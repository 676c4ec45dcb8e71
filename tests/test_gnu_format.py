"""Catalogs are written byte for byte as GNU msgcat writes them, and a sync never fights GNU tools."""
from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.catalog.linebreak import possible_breaks
from app.catalog.po import format_catalog, new_catalog, parse_catalog, read_catalog
from app.catalog.po_format import FSI, reference_lines, wrap_string
from app.catalog.sync import sync_all
from tests.seeds import SEED_NOTES

ROOT = Path(__file__).resolve().parent.parent
SEEDS = SEED_NOTES  # the pristine seeds, never the user's content/
CORPUS = ROOT.parent / "shared" / "corpora" / "sklein-notes"
needs_msgcat = pytest.mark.skipif(shutil.which("msgcat") is None, reason="GNU gettext (msgcat) is not installed")


def msgcat(path: Path, *args: str) -> str:
    """What ``msgcat`` writes for the catalog at ``path`` (``--force-po`` so a header-only catalog is written too)."""
    done = subprocess.run(["msgcat", "--force-po", *args, str(path)], capture_output=True, text=True, check=True)
    return done.stdout


def gettext_021_reference_damage(ours: str, gnu: str) -> bool:
    """True when the only differences are ``#:`` lines of isolated file names, which gettext 0.21 re-splits.

    gettext 0.21 writes file names with spaces between U+2068 and U+2069 but reads them back as
    one reference per word: it re-fills long ones across lines and drops repeated words. No
    writer can be a fixed point of that; every string line must still agree.
    """
    ours_lines, gnu_lines = ours.splitlines(), gnu.splitlines()
    strip = [line for line in ours_lines if not line.startswith("#:")]
    if strip != [line for line in gnu_lines if not line.startswith("#:")]:
        return False
    return any(FSI in line for line in ours_lines if line.startswith("#:"))


def compare_with_msgcat(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(catalogs msgcat rewrites for another reason, catalogs only 0.21's file-name reading changes)."""
    def one(path: Path) -> tuple[Path, str]:
        ours, gnu = path.read_text(encoding="utf-8"), msgcat(path)
        if ours == gnu:
            return path, "same"
        return path, "references" if gettext_021_reference_damage(ours, gnu) else "different"

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(one, paths))
    return [p for p, r in results if r == "different"], [p for p, r in results if r == "references"]


def translate_everything(folder: Path) -> None:
    """Translate, fuzzy-mark and annotate entries so every kind of line is exercised."""
    for path in sorted(folder.rglob("*.po")):
        po = read_catalog(path)
        for number, entry in enumerate(po):
            if number % 3 == 0:
                entry.msgstr = entry.msgid.upper() + " « traduit » \\ \"ok\""
            elif number % 3 == 1:
                entry.msgstr, entry.previous_msgid = entry.msgid, entry.msgid[::-1]
                entry.flags.append("fuzzy")
        path.write_text(format_catalog(po), encoding="utf-8")


@needs_msgcat
def test_seed_catalogs_are_what_msgcat_writes(tmp_path):
    notes = tmp_path / "notes"
    shutil.copytree(SEEDS, notes)
    sync_all(notes, tmp_path / "po", ["en"], tmp_path / "state")
    translate_everything(tmp_path / "po")
    paths = sorted((tmp_path / "po").rglob("*.po"))
    assert len(paths) == 2
    assert compare_with_msgcat(paths) == ([], [])


@needs_msgcat
@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason="the sklein corpus is not in ../shared/corpora")
def test_corpus_catalogs_are_what_msgcat_writes(tmp_path):
    sync_all(CORPUS, tmp_path / "po", ["en"], tmp_path / "state")
    translate_everything(tmp_path / "po")
    paths = sorted((tmp_path / "po").rglob("*.po"))
    different, references = compare_with_msgcat(paths)
    assert different == []
    assert len(references) < len(paths) // 10  # long or repetitive file names only (33 of 547 with gettext 0.21)
    for path in references:  # what msgcat left: the sync must not fight it
        path.write_text(msgcat(path), encoding="utf-8")
    before = {p: p.read_bytes() for p in paths}
    report = sync_all(CORPUS, tmp_path / "po", ["en"], tmp_path / "state")
    assert report.states["updated"] == 0 and {p: p.read_bytes() for p in paths} == before


# -- generated text -------------------------------------------------------------------------------
_PIECES = st.sampled_from([
    "mot", "Écrire", "l’équipe", " ", "  ", "\u00a0", "\u202f", "-", "—", "–", "/", "«", "»", "\"", "'", "\\",
    ",", ".", ":", ";", "!", "?", "…", "(", ")", "[[lien|label]]", "**gras**", "_em_", "`code`", "%", "$", "#tag",
    "https://example.org/a-b_c?d=e", "\n", "\t", "😀", "👍🏽", "中文", "e\u0301", "\u200b", "\u2060", "12,5", "1 000",
    "anticonstitutionnellement", "x" * 90,
])
_TEXT = st.lists(_PIECES, min_size=0, max_size=40).map("".join)


@needs_msgcat
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(_TEXT.filter(bool), _TEXT, st.booleans(), _TEXT), min_size=1, max_size=8))
def test_generated_text_is_written_as_msgcat_writes_it(tmp_path, pairs):
    po = new_catalog("dossier/note avec espaces.md", "en")
    seen = set()
    for number, (msgid, msgstr, fuzzy, previous) in enumerate(pairs):
        if msgid in seen:
            continue
        seen.add(msgid)
        entry = polib.POEntry(msgid=msgid, msgstr=msgstr, comment="type: paragraph",
                              occurrences=[("content/fr/dossier/note avec espaces.md", str(number + 1))])
        if fuzzy and msgstr:
            entry.flags.append("fuzzy")
            entry.previous_msgid = previous or None
        po.append(entry)
    path = tmp_path / "generated.po"
    path.write_text(format_catalog(po), encoding="utf-8")
    assert msgcat(path) == path.read_text(encoding="utf-8")
    again = parse_catalog(path.read_bytes())
    assert [(e.msgid, e.msgstr) for e in again] == [(e.msgid, e.msgstr) for e in po]


# -- the rules themselves ---------------------------------------------------------------------------
def test_lines_end_with_the_space_and_long_strings_start_empty():
    text = "Un chief of staff aide le dirigeant à tenir ses priorités, sans devenir un assistant de direction."
    lines = wrap_string("msgid", text)
    assert lines[0] == 'msgid ""'
    assert all(line.endswith(' "') for line in lines[1:-1])
    assert "".join(line[1:-1] for line in lines[1:]) == text
    assert all(len(line) <= 79 for line in lines)


def test_short_strings_and_newlines():
    assert wrap_string("msgstr", "") == ['msgstr ""']
    assert wrap_string("msgid", "court") == ['msgid "court"']
    assert wrap_string("msgid", "a\nb") == ['msgid ""', '"a\\n"', '"b"']
    assert wrap_string("msgid", "a\n") == ['msgid "a\\n"']
    assert wrap_string("msgid", "x", prefix="#~ ") == ['#~ msgid "x"']


def test_no_break_inside_escapes_nor_before_a_final_newline():
    text = ('"' * 100) + "\n"
    lines = wrap_string("msgid", text)
    for line in lines[1:]:
        body = line[1:-1]
        assert not body.endswith("\\") or body.endswith("\\\\") or body.endswith('\\"')


def test_line_break_opportunities_follow_uax14():
    breaks = possible_breaks("mot-clé (voir «ci-dessous») : 12,5 %")
    text = "mot-clé (voir «ci-dessous») : 12,5 %"
    allowed = {text[:i] for i, b in enumerate(breaks) if b}
    assert "mot-" in allowed and "mot-clé " in allowed
    assert "mot-clé (voir «ci-dessous») : 12," not in allowed  # never inside a number


def test_references_fill_lines_and_isolate_names_with_spaces():
    refs = [("content/fr/a note with spaces.md", str(n)) for n in range(1, 8)]
    lines = reference_lines(refs)
    assert all(line.startswith("#: ") for line in lines)
    assert all(line.count("\u2068") == line.count("\u2069") for line in lines)  # a name is never split
    assert sum(line.count("\u2068") for line in lines) == 7
    long_name = [("content/fr/" + "mot " * 30 + ".md", "3")]
    assert reference_lines(long_name) == ["#: \u2068content/fr/" + "mot " * 30 + ".md\u2069:3"]


# -- a sync never fights another tool's wrapping -----------------------------------------------------
@needs_msgcat
def test_sync_keeps_catalogs_rewrapped_by_gnu_tools_and_check_is_clean(tmp_path):
    notes = tmp_path / "notes"
    shutil.copytree(SEEDS, notes)
    first = sync_all(notes, tmp_path / "po", ["en"], tmp_path / "state")
    assert not first.errors
    translate_everything(tmp_path / "po")
    for path in (tmp_path / "po").rglob("*.po"):
        path.write_text(msgcat(path, "--width=40"), encoding="utf-8")  # another tool's wrapping
    before = {p: p.read_bytes() for p in (tmp_path / "po").rglob("*.po")}
    check = sync_all(notes, tmp_path / "po", ["en"], tmp_path / "state", check=True)
    assert check.out_of_date == []
    again = sync_all(notes, tmp_path / "po", ["en"], tmp_path / "state")
    assert again.states["updated"] == 0
    assert {p: p.read_bytes() for p in before} == before
    # a real change of the French is written, in GNU's own wrapping
    chief = notes / "chief of staff.md"
    chief.write_text(chief.read_text(encoding="utf-8") + "\nUn paragraphe ajouté.\n", encoding="utf-8")
    sync_all(notes, tmp_path / "po", ["en"], tmp_path / "state")
    changed = [p for p in before if p.read_bytes() != before[p]]
    assert len(changed) == 1
    assert msgcat(changed[0]) == changed[0].read_text(encoding="utf-8")


@pytest.mark.parametrize("style, expected", [("full", ":"), ("file", "md\u2069\n"), ("never", None)])
def test_locations_setting(tmp_path, monkeypatch, style, expected):
    monkeypatch.setenv("PASSERELLE_PO_LOCATIONS", style)
    notes = tmp_path / "notes"
    shutil.copytree(SEEDS, notes)
    sync_all(notes, tmp_path / "po", ["en"], tmp_path / "state")
    text = next((tmp_path / "po").rglob("chief-of-staff.po")).read_text(encoding="utf-8")
    refs = [line for line in text.splitlines(keepends=True) if line.startswith("#:")]
    if expected is None:
        assert refs == []
    else:
        assert refs and all(expected in line for line in refs)
    if style == "file":  # a moved line rewrites nothing
        chief = notes / "chief of staff.md"
        before = {p: p.read_bytes() for p in (tmp_path / "po").rglob("*.po")}
        text = chief.read_text(encoding="utf-8")
        body = text.index("\n\n", text.index("---", 3))
        chief.write_text(text[:body] + "\n\n" + text[body:], encoding="utf-8")  # every later line moves
        report = sync_all(notes, tmp_path / "po", ["en"], tmp_path / "state")
        assert report.states["updated"] == 0
        assert {p: p.read_bytes() for p in before} == before


def test_unknown_locations_setting_is_refused(monkeypatch):
    from app.config import load_config

    with pytest.raises(ValueError, match="PO_LOCATIONS"):
        load_config("/tmp", {"PASSERELLE_PO_LOCATIONS": "sometimes"})


def _libunistring():
    import ctypes
    import ctypes.util

    try:
        lib = ctypes.CDLL(ctypes.util.find_library("unistring") or "libunistring.so.2")
    except OSError:
        return None
    lib.u8_possible_linebreaks.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_char_p]
    return lib


def test_break_opportunities_agree_with_libunistring_itself():
    """The library GNU gettext breaks lines with, asked directly (skipped where it is not installed)."""
    import ctypes
    import random

    lib = _libunistring()
    if lib is None:
        pytest.skip("libunistring is not installed")
    alphabet = list("aé b-c/,.:;!?()[]{}«»\"'’\\%$#*_`~|&+=<>019") + [
        "\u00a0", "\u202f", "\u2014", "\u2013", "\u2026", "\u200b", "\u200d", "\u0301", "\u2060", "\u05d0",
        "\U0001F1E6", "\U0001F466", "\U0001F3FB", "😀", "中", "\u3002", "\u3008", "\u2028", "\u00ad", "\u2068", "\t"]
    rng = random.Random(11)
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 10)))
        data = text.encode("utf-8")
        out = ctypes.create_string_buffer(len(data))
        lib.u8_possible_linebreaks(data, len(data), b"UTF-8", out)
        gnu, at = [], 0
        for ch in text:
            gnu.append({1: 0, 2: 1, 3: 2}[out.raw[at]])  # libunistring: 1 prohibited, 2 possible, 3 mandatory
            at += len(ch.encode("utf-8"))
        assert gnu == possible_breaks(text), text
