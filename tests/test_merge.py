"""Sync semantics of merge_catalog, checked by hand, by hypothesis and against GNU msgmerge."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.catalog import minor
from app.catalog.merge import FUZZY_THRESHOLD, merge_catalog, similarity
from app.catalog.po import catalog_counts, format_catalog, new_catalog, parse_catalog

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "sklein-notes"
MSGMERGE = shutil.which("msgmerge")
MSGFMT = shutil.which("msgfmt")
SOURCE = "chief of staff.md"
REF = f"content/fr/{SOURCE}"
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Seg:
    """Stand-in for app.catalog.segment.Segment: merge only reads these three attributes."""

    msgid: str
    type: str = "paragraph"
    line: int = 1


@pytest.fixture(autouse=True)
def msgmerge_strictness():
    """These tests compare with GNU msgmerge: minor French changes turn fuzzy as there (tests/test_minor.py has the rest)."""
    minor.configure("fuzzy")
    yield
    minor.configure("keep")


def segs(*msgids: str) -> list[Seg]:
    return [Seg(m, "paragraph", 2 * i + 1) for i, m in enumerate(msgids)]


def catalog(*entries: polib.POEntry) -> polib.POFile:
    po = new_catalog(SOURCE, "en")
    for entry in entries:
        po.append(entry)
    return po


def state(po: polib.POFile) -> dict[str, tuple]:
    """msgid -> (state, msgstr, previous msgid) for every entry, obsolete included."""
    out = {}
    for e in po:
        kind = "obsolete" if e.obsolete else "untranslated" if not e.msgstr else "fuzzy" if e.fuzzy else "kept"
        out[e.msgid] = (kind, e.msgstr, e.previous_msgid)
    return out


INTRO = "Un Chief of Staff est le bras droit du dirigeant."
ROLE = "Il coordonne les équipes et prépare les décisions importantes."
ROLE_EDITED = "Il coordonne les équipes et prépare toutes les décisions importantes."
OUTRO = "Voir aussi [[chief of staff]]."


def test_cold_merge_builds_entries_in_document_order_and_collapses_duplicates():
    segments = [Seg("Chief of Staff", "title", 2), Seg(INTRO, "paragraph", 6), Seg("Rôle", "heading", 8),
                Seg(ROLE, "list item", 10), Seg("Rôle", "paragraph", 12), Seg("", "paragraph", 14)]
    po = merge_catalog(None, segments, SOURCE, "en")
    assert [e.msgid for e in po] == ["Chief of Staff", INTRO, "Rôle", ROLE]
    role = po.find("Rôle")
    assert role.occurrences == [(REF, "8"), (REF, "12")] and role.comment == "type: heading, paragraph"
    assert po.find(ROLE).comment == "type: list item"
    assert po.metadata["X-Source-File"] == REF and po.metadata["Language"] == "en"
    assert catalog_counts(po) == {"translated": 0, "fuzzy": 0, "untranslated": 4, "obsolete": 0}


def test_a_header_keeps_its_fields_and_gains_only_those_it_lacks():
    old = catalog(polib.POEntry(msgid=INTRO, msgstr="A Chief of Staff is the leader's right hand."))
    old.metadata["Plural-Forms"] = "nplurals=3; plural=(n==1 ? 0 : n==2 ? 1 : 2);"  # the translator's own
    old.metadata["Project-Id-Version"] = "Theirs 2"
    del old.metadata["Language"], old.metadata["Content-Type"]
    po = merge_catalog(parse_catalog(format_catalog(old).encode("utf-8"), "old.po"), segs(INTRO), SOURCE, "de")
    assert po.metadata["Plural-Forms"] == "nplurals=3; plural=(n==1 ? 0 : n==2 ? 1 : 2);"
    assert po.metadata["Project-Id-Version"] == "Theirs 2"
    assert (po.metadata["Language"], po.metadata["Content-Type"]) == ("de", "text/plain; charset=UTF-8")


def test_merging_into_an_existing_catalog_does_not_load_babel():
    """babel (locale data, ~20 ms to import) is needed for a new catalog's header only."""
    code = (
        "import sys; from app.catalog.merge import merge_catalog; from app.catalog.po import parse_catalog\n"
        "from app.catalog.segment import segment_note\n"
        f"old = parse_catalog({format_catalog(catalog(polib.POEntry(msgid=INTRO, msgstr='x'))).encode()!r}, 'old.po')\n"
        f"merge_catalog(old, segment_note({INTRO!r} + '\\n'), {SOURCE!r}, 'en')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'babel'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_unchanged_entries_keep_translation_flags_and_comments():
    old = catalog(
        polib.POEntry(msgid=INTRO, msgstr="A Chief of Staff is the leader's right hand.", tcomment="checked",
                      flags=["no-wrap"], occurrences=[(REF, "3")], comment="type: paragraph"),
        polib.POEntry(msgid=ROLE, msgstr="Old draft", flags=["fuzzy"], previous_msgid="Il coordonne."),
    )
    before = format_catalog(old)
    po = merge_catalog(old, [Seg(INTRO, "paragraph", 9), Seg(ROLE, "paragraph", 11)], SOURCE, "en")
    intro = po.find(INTRO)
    assert (intro.msgstr, intro.tcomment, intro.flags) == ("A Chief of Staff is the leader's right hand.", "checked", ["no-wrap"])
    assert intro.occurrences == [(REF, "9")] and intro.previous_msgid is None
    role = po.find(ROLE)  # exact match of a fuzzy entry: still fuzzy, same previous French
    assert role.fuzzy and role.previous_msgid == "Il coordonne." and role.msgstr == "Old draft"
    assert format_catalog(old) == before  # the old catalog is not modified


def test_edited_paragraph_becomes_fuzzy_and_nothing_else_changes():
    old = merge_catalog(None, segs(INTRO, ROLE, OUTRO), SOURCE, "en")
    for entry, english in zip(old, ["A Chief of Staff is the leader's right hand.",
                                     "They coordinate teams and prepare important decisions.",
                                     "See also [[chief of staff]]."]):
        entry.msgstr = english
    po = merge_catalog(old, segs(INTRO, ROLE_EDITED, OUTRO), SOURCE, "en")
    result = state(po)
    assert result[ROLE_EDITED] == ("fuzzy", "They coordinate teams and prepare important decisions.", ROLE)
    assert result[INTRO][0] == result[OUTRO][0] == "kept"
    assert ROLE not in result  # consumed by the fuzzy match, like msgmerge: not obsolete
    assert catalog_counts(po) == {"translated": 2, "fuzzy": 1, "untranslated": 0, "obsolete": 0}
    # Editing again keeps the French the English was written against.
    again = merge_catalog(po, segs(INTRO, ROLE_EDITED + " Souvent.", OUTRO), SOURCE, "en")
    assert state(again)[ROLE_EDITED + " Souvent."] == ("fuzzy", "They coordinate teams and prepare important decisions.", ROLE)


def test_new_removed_and_untranslated_entries():
    old = catalog(polib.POEntry(msgid=INTRO, msgstr="Intro EN"), polib.POEntry(msgid=ROLE, msgstr=""),
                  polib.POEntry(msgid=OUTRO, msgstr="Outro EN", tcomment="keep me"))
    po = merge_catalog(old, segs("Une phrase entièrement nouvelle sur un autre sujet."), SOURCE, "en")
    result = state(po)
    assert result["Une phrase entièrement nouvelle sur un autre sujet."] == ("untranslated", "", None)
    assert result[INTRO] == ("obsolete", "Intro EN", None) and result[OUTRO] == ("obsolete", "Outro EN", None)
    assert ROLE not in result  # untranslated and gone: dropped, as msgmerge does
    outro = po.find(OUTRO, include_obsolete_entries=True)
    assert outro.tcomment == "keep me" and outro.occurrences == [] and not outro.comment
    assert format_catalog(po).index("#~ msgid") > format_catalog(po).index("msgid \"Une phrase")


def test_obsolete_entries_revive_exactly_and_fuzzily():
    old = catalog(
        polib.POEntry(msgid=INTRO, msgstr="Intro EN", obsolete=True),
        polib.POEntry(msgid=ROLE, msgstr="Role EN", obsolete=True, flags=["fuzzy"]),
    )
    po = merge_catalog(old, segs(INTRO, ROLE_EDITED), SOURCE, "en")
    result = state(po)
    assert result[INTRO] == ("kept", "Intro EN", None)
    assert result[ROLE_EDITED] == ("fuzzy", "Role EN", ROLE)
    assert catalog_counts(po)["obsolete"] == 0


def test_threshold_and_ties():
    base = "abcdefghij"
    assert similarity(base, "abcdefXXXX") == pytest.approx(0.6)
    at_threshold = merge_catalog(catalog(polib.POEntry(msgid="abcdefXXXX", msgstr="T")), segs(base), SOURCE, "en")
    assert state(at_threshold)[base][0] == "fuzzy"  # msgmerge accepts exactly 0.6 (same-context bonus)
    below = merge_catalog(catalog(polib.POEntry(msgid="abcdeXXXXX", msgstr="T")), segs(base), SOURCE, "en")
    assert state(below)[base][0] == "untranslated"
    tie = catalog(polib.POEntry(msgid="abcdefghiX", msgstr="first"), polib.POEntry(msgid="abcdefghiY", msgstr="second"))
    assert merge_catalog(tie, segs(base), SOURCE, "en").find(base).msgstr == "first"
    best = catalog(polib.POEntry(msgid="abcdefgXYZ", msgstr="worse"), polib.POEntry(msgid="abcdefghiY", msgstr="better"))
    assert merge_catalog(best, segs(base), SOURCE, "en").find(base).msgstr == "better"
    assert FUZZY_THRESHOLD == 0.6


def test_coincidental_similarity_without_a_common_4gram_is_ignored_like_msgmerge():
    query = "## vraiment ?"
    assert similarity(query, "## Transformers ?") == pytest.approx(0.6)
    lone = catalog(polib.POEntry(msgid="## Transformers ?", msgstr="coincidental"))
    assert state(merge_catalog(lone, segs(query), SOURCE, "en"))[query][0] == "untranslated"
    assert similarity(query, "vraiment xxxxxxxx") == pytest.approx(0.6)
    both = catalog(polib.POEntry(msgid="## Transformers ?", msgstr="coincidental"),
                   polib.POEntry(msgid="vraiment xxxxxxxx", msgstr="related"))
    assert merge_catalog(both, segs(query), SOURCE, "en").find(query).msgstr == "related"


def test_one_old_translation_can_seed_several_new_entries():
    old = catalog(polib.POEntry(msgid=ROLE, msgstr="Role EN"))
    split = ["Il coordonne les équipes et prépare les décisions.", "Il coordonne les équipes, prépare les décisions importantes."]
    result = state(merge_catalog(old, segs(*split), SOURCE, "en"))
    assert result[split[0]] == result[split[1]] == ("fuzzy", "Role EN", ROLE)


@pytest.mark.skipif(MSGFMT is None, reason="GNU msgfmt is not installed")
def test_fuzzy_translation_keeps_msgfmt_happy_about_newlines(tmp_path):
    old = catalog(polib.POEntry(msgid="\nUne liste\nde lignes\n", msgstr="\nA list\nof lines\n"))
    po = merge_catalog(old, segs("Une liste\nde lignes"), SOURCE, "en")
    assert state(po)["Une liste\nde lignes"] == ("fuzzy", "A list\nof lines", "\nUne liste\nde lignes\n")
    path = tmp_path / "n.po"
    path.write_text(format_catalog(po), encoding="utf-8")
    checked = subprocess.run([MSGFMT, "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_header_is_preserved_and_source_updated():
    old = catalog(polib.POEntry(msgid=INTRO, msgstr="Intro EN"))
    old.metadata["Last-Translator"] = "Ada <ada@example.org>"
    old.header = "Custom header"
    po = merge_catalog(old, segs(INTRO), "renamed note.md", "en")
    assert po.metadata["Last-Translator"] == "Ada <ada@example.org>" and po.header == "Custom header"
    assert po.metadata["X-Source-File"] == "content/fr/renamed note.md"
    assert po.find(INTRO).occurrences == [("content/fr/renamed note.md", "1")]


# -- properties --------------------------------------------------------------------------

WORDS = ["le", "chef", "de", "cabinet", "coordonne", "les", "équipes", "et", "décide", "souvent", "[[note]]", "**gras**"]
msgids = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join)
old_states = st.sampled_from(["translated", "fuzzy", "untranslated", "obsolete", "obsolete-fuzzy"])


def build_old(specs: list[tuple[str, str]]) -> polib.POFile:
    po = catalog()
    for msgid, kind in specs:
        entry = polib.POEntry(msgid=msgid, msgstr="" if kind == "untranslated" else f"EN<{msgid}>")
        entry.obsolete = kind.startswith("obsolete")
        if kind.endswith("fuzzy"):
            entry.flags, entry.previous_msgid = ["fuzzy"], None if entry.obsolete else msgid + " avant"
        po.append(entry)
    return po


@settings(max_examples=300, deadline=None)
@given(
    old_specs=st.lists(st.tuples(msgids, old_states), max_size=12, unique_by=lambda t: t[0]),
    new_ids=st.lists(msgids, max_size=12),
)
def test_merge_is_idempotent_and_never_loses_a_translation(old_specs, new_ids):
    old = build_old(old_specs)
    segments = segs(*new_ids)
    merged = merge_catalog(old, segments, SOURCE, "en")
    text = format_catalog(merged)
    assert format_catalog(merge_catalog(merged, segments, SOURCE, "en")) == text
    assert format_catalog(merge_catalog(parse_catalog(text), segments, SOURCE, "en")) == text
    assert [e.msgid for e in merged if not e.obsolete] == list(dict.fromkeys(new_ids))
    surviving = {e.msgstr for e in merged if e.msgstr}
    assert {e.msgstr for e in old if e.msgstr} <= surviving
    for entry in merged:
        assert (entry.previous_msgid is not None) <= (entry.fuzzy and bool(entry.msgstr) and not entry.obsolete)
        assert not (entry.fuzzy and not entry.msgstr)
    keys = [(e.msgctxt, e.msgid) for e in merged]
    assert len(keys) == len(set(keys))


def test_merge_speed_on_100_notes_of_100_entries():
    """Syncing 100 changed notes (100 entries, one edited paragraph each) takes well under a second."""
    rng = random.Random(5)
    words = "le chef de cabinet coordonne les équipes et prépare les décisions du comité avec soin".split()
    notes = []
    for n in range(100):
        ids = list(dict.fromkeys(" ".join(rng.choices(words, k=rng.randint(8, 40))) + f" {n}.{i}" for i in range(100)))
        old = merge_catalog(None, segs(*ids), f"n{n}.md", "en")
        for entry in old:
            entry.msgstr = "EN " + entry.msgid
        ids[rng.randrange(100)] += " modifié"
        notes.append((old, segs(*ids)))
    start = time.process_time()  # CPU time: robust to other work on the machine
    for n, (old, segments) in enumerate(notes):
        merge_catalog(old, segments, f"n{n}.md", "en")
    assert time.process_time() - start < 1.0


# -- against GNU msgmerge ------------------------------------------------------------------


def corpus_paragraphs() -> list[str]:
    """Distinct paragraphs of the sklein notes (front matter dropped), in a fixed order."""
    seen: dict[str, None] = {}
    for path in sorted(CORPUS.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if text.startswith("---\n") and (end := text.find("\n---", 4)) >= 0:
            text = text[end + 4:]
        for block in text.split("\n\n"):
            block = block.strip("\n")
            if len(block) >= 15:
                seen.setdefault(block, None)
    return list(seen)


def edited(rng: random.Random, text: str) -> str:
    """A plausible edit of a paragraph (segments never start or end with a newline)."""
    return _edited(rng, text).strip("\n") or text


def _edited(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    kind = rng.choice(["word", "insert", "typo", "truncate", "append", "swap", "rewrite"])
    if kind == "word" and len(words) > 2:
        words[rng.randrange(len(words))] = rng.choice(["vraiment", "aussi", "donc", "très"])
    elif kind == "insert":
        words.insert(rng.randrange(len(words) + 1), rng.choice(["bien", "encore", "toujours"]))
    elif kind == "typo" and len(text) > 3:
        i = rng.randrange(len(text))
        return text[:i] + text[i + 1:]
    elif kind == "truncate":
        return text[: max(5, int(len(text) * rng.uniform(0.4, 0.8)))]
    elif kind == "append":
        return text + " " + rng.choice(["Voir aussi la note suivante.", "À compléter.", "(mis à jour)"])
    elif kind == "swap" and len(words) > 3:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    elif kind == "rewrite":
        return " ".join(rng.sample(words, len(words)))
    else:
        return text + "."
    return " ".join(words)


def random_case(rng: random.Random, pool: list[str]) -> tuple[polib.POFile, list[Seg]]:
    old_ids = rng.sample(pool, rng.randint(8, 40))
    current, obsolete = [], []
    for i, msgid in enumerate(old_ids):
        roll = rng.random()
        entry = polib.POEntry(msgid=msgid, msgstr=f"EN{i}: {msgid[:30]}".rstrip("\n"), comment="type: paragraph",
                              occurrences=[("content/fr/note.md", str(i + 1))])
        if roll < 0.1:
            entry.msgstr = ""
        elif roll < 0.2:
            entry.flags, entry.previous_msgid = ["fuzzy"], msgid[:-3] or "x"
        elif roll < 0.3:
            entry.obsolete, entry.occurrences, entry.comment = True, [], ""
        (obsolete if entry.obsolete else current).append(entry)
    old = new_catalog("note.md", "en")
    old.extend(current + obsolete)
    new_ids = []
    for msgid in old_ids:
        roll = rng.random()
        if roll < 0.55:
            new_ids.append(msgid)
        elif roll < 0.85:
            new_ids.append(edited(rng, msgid))
    new_ids += rng.sample(pool, rng.randint(0, 6))
    if rng.random() < 0.2:
        rng.shuffle(new_ids)
    return old, segs(*new_ids)


def run_all(commands: list[list[str]], parallel: int = 8) -> list[subprocess.CompletedProcess]:
    """Run commands a few at a time (msgmerge costs ~25 ms of start-up each)."""
    results = []
    for i in range(0, len(commands), parallel):
        procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for c in commands[i:i + parallel]]
        results += [subprocess.CompletedProcess(p.args, p.wait(), *p.communicate()) for p in procs]
    return results


@pytest.mark.skipif(MSGMERGE is None or MSGFMT is None, reason="GNU gettext (msgmerge, msgfmt) is not installed")
@pytest.mark.skipif(not CORPUS.is_dir(), reason="the sklein-notes corpus is not available")
def test_agrees_with_gnu_msgmerge(tmp_path):
    """Run our merge and `msgmerge --previous` on the same 100 random-ish cases.

    Cases are built deterministically from the sklein-notes paragraphs: old catalogs
    with translated, fuzzy (with previous msgid), untranslated and obsolete entries;
    new French keeping, editing (word change, insertion, typo, truncation, append,
    swap, shuffled rewrite), dropping and adding paragraphs.

    Tolerance: kept, untranslated and obsolete sets must agree exactly (exact matching
    leaves no room for interpretation). Fuzzy matches must agree on the state and on
    the previous msgid, and on the chosen old translation except when two candidates
    have exactly the same similarity: msgmerge then ranks them with its 4-gram index
    while we take the first in document order (both are equally good). A state may
    differ only where the best similarity is within 0.01 of the 0.6 threshold, since
    msgmerge's fstrcmp gives up on optimality for very long strings; at most 1 % of
    the entries. Obsolete sets must agree except for the sources of such ties.
    Observed on 700 cases (16,678 entries): identical states everywhere and one tie.
    """
    rng = random.Random(20240521)
    pool = corpus_paragraphs()
    cases = [random_case(rng, pool) for _ in range(100)]
    commands = []
    for n, (old, segments) in enumerate(cases):
        (tmp_path / f"{n}.old.po").write_text(format_catalog(old), encoding="utf-8")
        pot = format_catalog(merge_catalog(None, segments, "note.md", "en"))
        (tmp_path / f"{n}.new.pot").write_text(pot, encoding="utf-8")
        commands.append([MSGMERGE, "--previous", "-q", f"{tmp_path}/{n}.old.po", f"{tmp_path}/{n}.new.pot",
                         "-o", f"{tmp_path}/{n}.gnu.po"])
    assert all(done.returncode == 0 for done in run_all(commands))
    compared = borderline = 0
    for n, (old, segments) in enumerate(cases):
        ours = merge_catalog(parse_catalog((tmp_path / f"{n}.old.po").read_bytes()), segments, "note.md", "en")
        (tmp_path / f"{n}.ours.po").write_text(format_catalog(ours), encoding="utf-8")
        mine, theirs = state(ours), state(parse_catalog((tmp_path / f"{n}.gnu.po").read_bytes()))
        candidates = [e for e in old if e.msgstr]
        tie_sources: set[str] = set()
        for msgid in dict.fromkeys(s.msgid for s in segments):
            compared += 1
            a, b = mine[msgid], theirs[msgid]
            if a == b:
                continue
            best = max((similarity(msgid, e.msgid) for e in candidates), default=0.0)
            if a[0] != b[0]:
                assert abs(best - FUZZY_THRESHOLD) <= 0.01, (msgid, a, b, best)
                borderline += 1
                continue
            assert a[0] == b[0] == "fuzzy", (msgid, a, b)  # same state, different old translation
            source_a = next(e.msgid for e in candidates if e.msgstr == a[1])
            source_b = next(e.msgid for e in candidates if e.msgstr == b[1])
            assert similarity(msgid, source_a) == similarity(msgid, source_b), (msgid, a, b)
            tie_sources |= {source_a, source_b}
        obsolete_mine = {m for m, s in mine.items() if s[0] == "obsolete"}
        obsolete_theirs = {m for m, s in theirs.items() if s[0] == "obsolete"}
        assert obsolete_mine ^ obsolete_theirs <= tie_sources  # a tie leaves the other source unused
    assert compared > 1500 and borderline <= compared // 100
    checks = run_all([[MSGFMT, "-c", "-o", os.devnull, str(tmp_path / f"{n}.ours.po")] for n in range(len(cases))])
    assert [c.stderr for c in checks if c.returncode] == []
