"""Where an entry scoring at least a given fstrcmp score can hide from a trigram index, and what finds it for sure.

The score of two normalised texts of lengths ``a`` (the query) and ``b`` (an entry) is
``200 * M / (a + b)``, ``M`` the length of their longest common subsequence (``rapidfuzz.fuzz.ratio``,
GNU's ``fstrcmp``). An entry scoring at least ``bar`` therefore obeys two bounds:

- length (msgmerge's bound): ``M <= min(a, b)``, so ``b`` lies between ``bar * a / (200 - bar)`` and
  ``(200 - bar) * a / bar``;
- trigrams (the q-gram lemma): the entry is the query with ``D = a - M`` characters deleted and
  ``I = b - M`` inserted. A deletion breaks at most 3 of the query's trigrams, an insertion at most 2,
  so at most ``3D + 2I`` of the query's distinct trigrams are missing from the entry: any
  ``3D + 2I + 1`` of them include one the entry holds. Reading the postings of that many trigrams
  (the rarest) finds every such entry.

The trigram bound proves something only for high scores: two texts can score 71 without a trigram in
common ("close" and "c l o s e", GNU's own example). Where it proves nothing (short queries, low bars),
only reading every entry of that length is sure. :func:`plan` splits the possible lengths between the two.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

EPSILON = 1e-9  #: scores are floats: a bar is lowered by this much so that an equal score is never excluded


def grams(norm: str) -> set[str]:
    """The distinct trigrams of a normalised text (every three consecutive characters, as FTS5's trigram tokenizer)."""
    return {norm[i:i + 3] for i in range(len(norm) - 2)}


def indexed_grams(norm: str) -> set[str]:
    """The trigrams of three letters or digits: those both databases' trigram indexes look up exactly."""
    return {g for g in grams(norm) if g.isalnum()}


def length_window(a: int, bar: float) -> tuple[int, int]:
    """The shortest and longest entry that can score at least ``bar`` (> 0) against a query of length ``a``."""
    return math.ceil(bar * a / (200 - bar) - EPSILON), math.floor((200 - bar) * a / bar + EPSILON)


def grams_to_read(a: int, b: int, bar: float) -> int:
    """How many distinct query trigrams an entry of length ``b`` scoring at least ``bar`` cannot all miss (0: none can score)."""
    common = math.ceil(bar * (a + b) / 200 - EPSILON)  # the fewest characters in common
    if common > min(a, b):
        return 0
    return 3 * (a - common) + 2 * (b - common) + 1


@dataclass(frozen=True)
class Plan:
    """How to find every entry scoring at least a bar: postings of the ``prefix`` rarest trigrams for entry
    lengths ``posted`` (an inclusive range, or None), and every entry of the lengths ``scanned`` (or None)."""

    prefix: int
    posted: tuple[int, int] | None
    scanned: tuple[int, int] | None


def plan(a: int, usable: int, bar: float) -> Plan:
    """The plan for a query of length ``a`` with ``usable`` indexed trigrams, for entries scoring at least ``bar``."""
    shortest, longest = length_window(a, bar)
    prefix, posted, scanned = 0, [], []
    for b in range(max(1, shortest), longest + 1):
        needed = grams_to_read(a, b, bar)
        if not needed:
            continue
        if needed <= usable:
            prefix = max(prefix, needed)
            posted.append(b)
        else:
            scanned.append(b)
    return Plan(prefix, (min(posted), max(posted)) if posted else None, (min(scanned), max(scanned)) if scanned else None)


ROW_COST = 6  #: reading an entry's row costs about as much as this many postings (SQLite, measured)


def grams_and_quorum(counts: list[int], prefix: int, budget: int) -> tuple[int, int]:
    """How many of the rarest trigrams to read (their entry counts ``counts``, rarest first), and how many of them
    an entry must hold to be read: an entry missing at most ``prefix - 1`` trigrams holds ``read - prefix + 1``.

    Reading more trigrams costs their postings but raises that quorum, so fewer rows are read; the choice
    minimises postings + ``ROW_COST`` x postings / quorum (the most rows the quorum lets through), reading at
    most ``budget`` postings beyond the first ``prefix`` trigrams' ones."""
    best, choice, postings = None, (prefix, 1), sum(counts[:prefix])
    for read in range(prefix, len(counts) + 1):
        if read > prefix:
            postings += counts[read - 1]
            if postings > budget:
                break
        quorum = read - prefix + 1
        cost = postings * (1 + ROW_COST / quorum)
        if best is None or cost < best:
            best, choice = cost, (read, quorum)
    return choice
