"""The translation memory in the database: the same suggestions as the scan of every entry, kept in step with catalogs."""
from __future__ import annotations

import os
import random

import polib
import pytest
from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from app.catalog.po import format_catalog, new_catalog
from app.services.translating import memory
from app.workflow.memory import TranslationMemory
from tests.test_memory import SENTENCES, VOCABULARY, _mutate, _sentences


def write_catalog(folder, name: str, pairs: list[tuple[str, str]], fuzzy: set[str] = frozenset()) -> None:
    po = new_catalog(f"{name}.md", "en")
    for msgid, msgstr in pairs:
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr, flags=["fuzzy"] if msgid in fuzzy else []))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.po").write_text(format_catalog(po), encoding="utf-8")


@pytest.fixture
def garden(app, paths):
    with app.app_context():
        yield app.extensions["garden"]


def folder_of(paths):
    return paths["translations"] / "en" / "notes"


def test_same_suggestions_as_the_scan_of_every_entry(garden, paths):
    rng = random.Random(11)
    entries = _sentences(rng, VOCABULARY, 1500)
    scan = TranslationMemory()
    for k in range(0, len(entries), 30):
        pairs = [(m, f"EN {k + j}") for j, m in enumerate(entries[k:k + 30])]
        write_catalog(folder_of(paths), f"note-{k:04d}", pairs)
        for msgid, msgstr in pairs:
            scan.add(msgid, msgstr, f"note-{k:04d}")
    for msgid, msgstr, source in SENTENCES:
        write_catalog(folder_of(paths), source[:-3], [(msgid, msgstr)]) if source != "ceo.md" else None
    stored = memory.memory_for(garden, "en")
    for msgid, msgstr, source in SENTENCES:
        if source != "ceo.md":
            scan.add(msgid, msgstr, source[:-3])
    queries = [_mutate(rng, m, VOCABULARY) for m in rng.sample(entries, 60)] + rng.sample(entries, 10)
    same = proven = 0
    for query in queries:
        found, theirs = stored.lookup(query), scan.suggest(query)
        ours = found.suggestions
        proven += found.proven
        if found.proven:  # the best of every entry, whatever the first pass kept
            best = _exhaustive_best([(m, s) for m, s, _ in zip(scan._msgids, scan._msgstrs, scan._sources)], query)
            assert [(s.score, s.msgstr) for s in ours if s.score < 100][:1] == ([best] if best else []), query
        if theirs and theirs[0].score == 100:
            assert [(s.msgstr, s.score) for s in ours if s.score == 100] == [(s.msgstr, s.score) for s in theirs if s.score == 100]
        same += [(s.score, s.msgstr) for s in ours[:1]] == [(s.score, s.msgstr) for s in theirs[:1]]
        for suggestion in ours:  # GNU's fstrcmp measure on the normalised texts, as the scan computes it
            exact = suggestion.msgid == query
            assert suggestion.score == (100 if exact else min(99, round(fuzz.ratio(default_process(query),
                                                                                  default_process(suggestion.msgid)))))
    assert same >= 0.95 * len(queries), same
    assert proven >= len(queries) // 2, proven  # 48 of 70 when written


def test_the_stored_memory_follows_the_catalogs(garden, paths):
    folder = folder_of(paths)
    write_catalog(folder, "a", [("Gain de temps", "Time saved"), ("Réduction des risques", "Lower risks")],
                  fuzzy={"Réduction des risques"})
    stored = memory.memory_for(garden, "en")
    assert [s.msgstr for s in stored.suggest("Gain de temps")] == ["Time saved"]
    assert "Lower risks" not in [s.msgstr for s in stored.suggest("Réduction des risques")]  # fuzzy: never suggested
    write_catalog(folder, "a", [("Gain de temps", "Saving time")])
    os.utime(folder / "a.po", ns=(0, 10**18))
    assert [s.msgstr for s in memory.memory_for(garden, "en").suggest("Gain de temps")] == ["Saving time"]
    (folder / "a.po").unlink()
    assert "Saving time" not in [s.msgstr for s in memory.memory_for(garden, "en").suggest("Gain de temps")]


def _exhaustive_best(entries: list[tuple[str, str]], query: str) -> tuple[int, str] | None:
    """The best fuzzy suggestion by scoring every entry (first stored wins a tie), as ``(score, English)``."""
    norm = default_process(query)
    scored = [(fuzz.ratio(norm, default_process(m)), -k, s) for k, (m, s) in enumerate(entries) if m != query]
    best = max((item for item in scored if item[0] >= 60), default=None)
    return best and (min(99, round(best[0])), best[2])


def test_a_short_query_sharing_no_trigram_with_its_best_match_still_finds_it(garden, paths):
    # From bench/memory.py at 30,000 entries: "traits" scores 67 against "Tarifs :" without a trigram in common.
    entries = [("Tarifs :", "Prices:"), ("Gain de temps", "Time saved")] + [(f"Une note sur le sujet {k}", f"A note {k}")
                                                                             for k in range(50)]
    write_catalog(folder_of(paths), "a", entries)
    scan = TranslationMemory()
    for msgid, msgstr in entries:
        scan.add(msgid, msgstr, "a")
    stored = memory.memory_for(garden, "en")
    assert [(s.score, s.msgstr) for s in stored.suggest("traits")[:1]] == [(s.score, s.msgstr) for s in scan.suggest("traits")[:1]]
    assert stored.suggest("traits")[0].msgstr == "Prices:" and stored.lookup("traits").proven


def test_the_proof_finds_the_best_match_the_first_pass_left_out(garden, paths, monkeypatch):
    rng = random.Random(7)
    entries = list(dict.fromkeys(" ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(2, 7))) for _ in range(600)))
    pairs = [(m, f"EN {k}") for k, m in enumerate(entries)]
    for k in range(0, len(pairs), 30):
        write_catalog(folder_of(paths), f"note-{k:04d}", pairs[k:k + 30])
    stored = memory.memory_for(garden, "en")
    monkeypatch.setattr(memory.memory_store, "CANDIDATES", 1)  # a first pass that keeps one candidate misses, as at scale
    queries = [_mutate(rng, m, VOCABULARY) for m in rng.sample(entries, 40)]
    for query in queries:
        best = _exhaustive_best(pairs, query)
        assert [(s.score, s.msgstr) for s in stored.suggest(query) if s.score < 100][:1] == ([best] if best else []), query
    assert all(stored.lookup(query).proven for query in queries)  # short sentences: every length can be read


def test_an_entry_removed_by_a_concurrent_refresh_is_left_out(garden, paths, monkeypatch):
    """Another worker refreshing the memory between a lookup's two queries removes rows: no 500, no ghost."""
    write_catalog(folder_of(paths), "a", [("Gain de temps pour tous", "Time saved for all"),
                                          ("Gain de temps pour chacun", "Time saved for each")])
    stored = memory.memory_for(garden, "en")
    real = memory.memory_store.details

    def one_row_gone(ids):
        found = real(ids)
        gone = next((i for i, c in found.items() if c.msgstr == "Time saved for each"), None)
        found.pop(gone, None)  # as if its catalog had been re-read and the row replaced meanwhile
        return found

    monkeypatch.setattr(memory.memory_store, "details", one_row_gone)
    assert [s.msgstr for s in stored.suggest("Gain de temps pour toutes")] == ["Time saved for all"]
