"""The bounds that let a lookup prove its best fuzzy match: checked against the fstrcmp score they bound."""
from __future__ import annotations

import random

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from app.workflow.memory_bounds import grams, grams_and_quorum, grams_to_read, length_window, plan


def _edited(rng: random.Random, text: str) -> str:
    """``text`` with characters deleted, inserted and replaced at random, scattered or in runs."""
    chars = list(text)
    for _ in range(rng.randint(0, max(1, len(chars) // 3))):
        at = rng.randrange(len(chars) + 1)
        kind = rng.random()
        if kind < 0.3 and chars:
            del chars[min(at, len(chars) - 1)]
        elif kind < 0.6:
            chars.insert(at, rng.choice("ae sx"))
        elif chars:
            chars[min(at, len(chars) - 1)] = rng.choice("aeiou ")
    return "".join(chars)


def test_an_entry_scoring_the_bar_misses_fewer_query_trigrams_than_the_bound():
    rng = random.Random(5)
    words = "le la projet moment ce de notes traduction mémoire segment close".split()
    pairs = [("close", "c l o s e"), ("abcdefghij", "aXbcXdeXfgXhiXj"), ("traits", "tarifs :")]
    for _ in range(3000):
        query = " ".join(rng.choice(words) for _ in range(rng.randint(1, 12)))
        pairs.append((query, _edited(rng, query)))
    checked = 0
    for query, entry in pairs:
        score = fuzz.ratio(query, entry)
        if score < 60:
            continue
        shortest, longest = length_window(len(query), score)
        assert shortest <= len(entry) <= longest
        missing = len(grams(query) - grams(entry))
        assert missing < grams_to_read(len(query), len(entry), score), (query, entry, score)
        common = Indel.similarity(query, entry) // 2  # (a + b - indel distance) / 2: the longest common subsequence
        assert missing <= 3 * (len(query) - common) + 2 * (len(entry) - common)
        checked += 1
    assert checked > 1000


def test_close_and_spaced_close_share_no_trigram_so_the_plan_scans_their_length():
    assert fuzz.ratio("close", "c l o s e") > 70 and not grams("close") & grams("c l o s e")
    proof = plan(len("close"), len(grams("close")), fuzz.ratio("close", "c l o s e"))
    assert proof.scanned and proof.scanned[0] <= len("c l o s e") <= proof.scanned[1]


def test_a_high_bar_needs_few_trigrams_and_no_scan():
    query = "pour le moment ce projet ne m intéresse pas du tout"
    proof = plan(len(query), len(grams(query)), 95)
    assert proof.scanned is None and proof.posted[0] <= len(query) <= proof.posted[1]
    assert proof.prefix < len(grams(query)) // 2


def test_reading_more_trigrams_raises_the_quorum_it_demands():
    assert grams_and_quorum([10, 10, 12, 5000], prefix=2, budget=100) == (3, 2)  # 32 postings, at most 16 rows
    assert grams_and_quorum([10, 10, 100, 5000], prefix=2, budget=10_000) == (2, 1)  # more postings than rows saved
    assert grams_and_quorum([1, 2, 3], prefix=3, budget=0) == (3, 1)
