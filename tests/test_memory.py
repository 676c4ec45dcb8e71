"""Translation memory: exact before fuzzy, threshold, dedupe, exclusion, recall and speed."""
from __future__ import annotations

import random
import time

import pytest
from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from app.workflow.memory import Suggestion, TranslationMemory

SENTENCES = [
    ("Le COS aide le CEO à tenir la vision.", "The COS helps the CEO hold the vision.", "cos.md"),
    ("Le COS aide le CEO à tenir sa vision.", "The COS helps the CEO keep their vision.", "ceo.md"),
    ("Le COO aide le CEO à tenir la vision.", "The COO helps the CEO hold the vision.", "ceo.md"),
    ("Gain de temps", "Time saved", "cos.md"),
    ("Gain de temps", "Saving time", "ceo.md"),
    ("Gain de temps", "Time saved", "other.md"),
    ("Réduction des risques", "Lower risks", "cos.md"),
]


@pytest.fixture
def memory() -> TranslationMemory:
    tm = TranslationMemory()
    for msgid, msgstr, source in SENTENCES:
        tm.add(msgid, msgstr, source)
    return tm


def test_len_and_ignored_adds(memory):
    assert len(memory) == 7
    memory.add("Gain de temps", "Time saved", "cos.md")  # exact repeat
    memory.add("Vide", "", "x.md")
    memory.add("  ", "Blank", "x.md")
    assert len(memory) == 7


def test_exact_first_then_fuzzy_by_score(memory):
    found = memory.suggest("Le COS aide le CEO à tenir la vision.")
    assert found[0] == Suggestion("Le COS aide le CEO à tenir la vision.", "The COS helps the CEO hold the vision.", 100, "cos.md")
    scores = [s.score for s in found]
    assert scores == sorted(scores, reverse=True)
    assert all(s.score < 100 for s in found[1:])
    assert {s.msgstr for s in found[1:]} == {"The COO helps the CEO hold the vision.", "The COS helps the CEO keep their vision."}
    assert [s.msgstr for s in memory.suggest("Le COS aide le CEO à tenir la vision")][:1] == ["The COS helps the CEO hold the vision."]


def test_fuzzy_only_when_no_exact(memory):
    found = memory.suggest("Le COS aide le PDG à tenir la vision.")
    assert found and all(60 <= s.score < 100 for s in found)
    assert found[0].msgstr in {"The COS helps the CEO hold the vision.", "The COO helps the CEO hold the vision."}


def test_case_and_punctuation_differences_score_99_not_100(memory):
    [top, *_] = memory.suggest("le cos aide le ceo a tenir la vision")
    assert top.score < 100


def test_threshold(memory):
    assert memory.suggest("Tout autre chose sans rapport") == []
    loose = memory.suggest("Le COS aide le PDG", threshold=40)
    strict = memory.suggest("Le COS aide le PDG", threshold=90)
    assert loose and strict == []
    assert all(s.score >= 40 for s in loose)
    assert [s.score for s in memory.suggest("Gain de temps", threshold=100)] == [100, 100]


def test_dedupe_identical_translations(memory):
    found = memory.suggest("Gain de temps")
    assert [(s.msgstr, s.source) for s in found] == [("Time saved", "cos.md"), ("Saving time", "ceo.md")]


def test_exclude_source(memory):
    found = memory.suggest("Gain de temps", exclude_source="cos.md")
    assert [(s.msgstr, s.source) for s in found] == [("Saving time", "ceo.md"), ("Time saved", "other.md")]
    assert all(s.source != "ceo.md" for s in memory.suggest("Le COS aide le CEO à tenir sa vision.", exclude_source="ceo.md"))


def test_limit(memory):
    assert len(memory.suggest("Le COS aide le CEO à tenir la vision.", limit=1)) == 1
    assert memory.suggest("Gain de temps", limit=0) == []
    assert memory.suggest("", limit=5) == []


def test_discard_source(memory):
    memory.discard_source("cos.md")
    assert len(memory) == 4
    assert all(s.source != "cos.md" for s in memory.suggest("Gain de temps"))
    memory.add("Gain de temps", "Time gained", "cos.md")
    assert "Time gained" in [s.msgstr for s in memory.suggest("Gain de temps")]


def _mutate(rng: random.Random, sentence: str, vocabulary: list[str]) -> str:
    words = sentence.split()
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(words))
        kind = rng.random()
        if kind < 0.4:
            j = rng.randrange(len(words[i]) + 1)
            words[i] = words[i][:j] + rng.choice("aeisx") + words[i][j + 1:]
        elif kind < 0.7:
            words[i] = rng.choice(vocabulary)
        elif kind < 0.85:
            words.insert(i, rng.choice(vocabulary))
        elif len(words) > 1:
            del words[i]
    return " ".join(words)


def _sentences(rng: random.Random, vocabulary: list[str], count: int) -> list[str]:
    return [" ".join(rng.choices(vocabulary, k=rng.randint(3, 60))) for _ in range(count)]


VOCABULARY = (
    "le la les un une des de du et à en pour avec sur dans qui que entreprise stratégie COO COS chief of "
    "staff dirigeants transformation équipe projet organisation croissance budget recrutement méthode culture "
    "accompagnement changement processus efficace opérationnel vision collaboration externe temps partagé "
    "avantages expertise managers objectifs décisions ressources structure performance"
).split()


def test_fuzzy_agrees_with_a_full_scan():
    """The pre-selection of long entries finds each edited sentence, with the full scan's scores.

    It may drop unrelated sentences that a character scan rates at 60 only because this test's
    vocabulary is tiny (their word-level ratio is about 10-25): those are not real matches.
    """
    rng = random.Random(7)
    tm = TranslationMemory()
    entries = _sentences(rng, VOCABULARY, 3000)
    for k, msgid in enumerate(entries):
        tm.add(msgid, f"EN {k}", "garden.md")
    normalized = [default_process(e) for e in entries]
    for k in rng.sample(range(len(entries)), 40):
        query = _mutate(rng, entries[k], VOCABULARY)
        full_scan = {f"EN {j}": fuzz.ratio(default_process(query), n) for j, n in enumerate(normalized)}
        found = {s.msgstr: s.score for s in tm.suggest(query, limit=len(entries), threshold=60)}
        if full_scan[f"EN {k}"] >= 60:
            assert f"EN {k}" in found
        for msgstr, score in found.items():
            assert score == min(99, round(full_scan[msgstr])) or entries[int(msgstr[3:])] == query


def test_speed_on_50k_entries():
    """Print the lookup time for 50,000 entries (a figure for the report, not an assertion)."""
    rng = random.Random(1)
    tm = TranslationMemory()
    start = time.perf_counter()
    for k, msgid in enumerate(_sentences(rng, VOCABULARY, 50_000)):
        tm.add(msgid, msgid.upper(), f"note-{k % 500}.md")
    built = time.perf_counter() - start
    queries = _sentences(rng, VOCABULARY, 50) + [_mutate(rng, m, VOCABULARY) for m in rng.sample(tm._msgids, 50)]
    wall, cpu = [], []
    for query in queries:
        start, start_cpu = time.perf_counter(), time.process_time()
        tm.suggest(query)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    wall.sort()
    cpu.sort()
    print(
        f"\ntranslation memory, {len(tm)} entries (built in {built:.2f} s), {len(queries)} lookups: "
        f"wall median {wall[len(wall) // 2]:.1f} ms, p95 {wall[int(len(wall) * 0.95)]:.1f} ms, max {wall[-1]:.1f} ms; "
        f"CPU median {cpu[len(cpu) // 2]:.1f} ms"
    )
    assert len(tm) == 50_000
