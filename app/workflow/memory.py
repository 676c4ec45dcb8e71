"""Translation memory: suggestions for a French segment from translated segments of every note.

Exact matches (the same msgid, byte for byte) come first with score 100, found through a dict.
Fuzzy matches follow, scored with ``rapidfuzz.fuzz.ratio`` (normalised Indel similarity) over
lowercased, punctuation-folded text, capped at 99 so that 100 always means exact.

Why ``ratio`` and not ``token_set_ratio``: a translation memory must reward segments that say
the same thing in the same order. ``token_set_ratio`` scores 100 whenever one segment's words
are a subset of the other's ("Le COS" against a whole paragraph mentioning "le COS") and
ignores word order, so it would rank useless suggestions as perfect. ``ratio`` penalises
length differences and reordering, like the fuzzy-match percentages translators know from
CAT tools.

Speed: scoring 50,000 paragraphs character by character costs about 40-70 ms, too slow for a
screen that asks for every segment. So the candidates are picked in two passes, both single
``rapidfuzz.process.extract`` calls in C++:

- entries of at most 64 normalised characters are all scored directly (one machine word per
  comparison, cheap);
- longer entries are first compared word by word: each word becomes one character (words are
  numbered modulo 255, so collisions only let more through), and only those with a word-level
  ratio of at least ``threshold - 30`` are scored by characters. On seed sentences edited at
  random, this kept 99.7% of the long pairs scoring 60 or more; the ones it dropped had most of
  their words altered, which is no useful suggestion anyway.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

#: Normalised entries up to this length are scored directly; longer ones are pre-selected.
SHORT = 64
#: How far below ``threshold`` the word-level pre-selection of long entries cuts.
WORD_SLACK = 30


@dataclass(frozen=True)
class Suggestion:
    """A past translation: its French, its English, the score (100 = exact) and its note."""

    msgid: str
    msgstr: str
    score: int
    source: str


class TranslationMemory:
    """In-memory, thread-safe store of ``(msgid, msgstr, source)`` with exact and fuzzy lookup."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._clear()

    def _clear(self) -> None:
        self._msgids: list[str] = []
        self._msgstrs: list[str] = []
        self._sources: list[str] = []
        self._normalized: list[str] = []
        self._short: tuple[list[str], list[int]] = ([], [])  # normalised texts, entry indexes
        self._long: tuple[list[str], list[int]] = ([], [])  # word-coded texts, entry indexes
        self._word_codes: dict[str, str] = {}
        self._exact: dict[str, list[int]] = {}
        self._seen: set[tuple[str, str, str]] = set()

    def __len__(self) -> int:
        return len(self._msgids)

    def add(self, msgid: str, msgstr: str, source: str) -> None:
        """Remember one translation; empty texts and exact repeats are ignored."""
        if not msgid.strip() or not msgstr.strip():
            return
        with self._lock:
            if (msgid, msgstr, source) in self._seen:
                return
            self._seen.add((msgid, msgstr, source))
            self._exact.setdefault(msgid, []).append(len(self._msgids))
            self._msgids.append(msgid)
            self._msgstrs.append(msgstr)
            self._sources.append(source)
            normalized = default_process(msgid)
            texts, indexes = self._short if len(normalized) <= SHORT else self._long
            texts.append(normalized if len(normalized) <= SHORT else self._words(normalized))
            indexes.append(len(self._normalized))
            self._normalized.append(normalized)

    def _words(self, normalized: str) -> str:
        """Code each word of ``normalized`` as one character, for the word-level pass."""
        codes = self._word_codes
        return "".join(codes.get(w) or codes.setdefault(w, chr(1 + len(codes) % 255)) for w in normalized.split())

    def _fuzzy(self, query: str, threshold: int) -> list[tuple[float, int]]:
        """Return ``(score, entry index)`` of every entry scoring at least ``threshold``, best first."""
        found = [(score, self._short[1][k]) for _, score, k in process.extract(
            query, self._short[0], scorer=fuzz.ratio, processor=None, score_cutoff=threshold, limit=None)]
        candidates = [self._long[1][k] for _, _, k in process.extract(
            self._words(query), self._long[0], scorer=fuzz.ratio, processor=None,
            score_cutoff=max(0, threshold - WORD_SLACK), limit=None)]
        found += [(score, candidates[k]) for _, score, k in process.extract(
            query, [self._normalized[i] for i in candidates], scorer=fuzz.ratio, processor=None,
            score_cutoff=threshold, limit=None)]
        found.sort(key=lambda item: (-item[0], item[1]))
        return found

    def discard_source(self, source: str) -> None:
        """Forget every translation from ``source``, e.g. before re-adding a re-saved note."""
        with self._lock:
            keep = [i for i, s in enumerate(self._sources) if s != source]
            entries = [(self._msgids[i], self._msgstrs[i], self._sources[i]) for i in keep]
            self._clear()
            for msgid, msgstr, src in entries:
                self.add(msgid, msgstr, src)

    def suggest(
        self, msgid: str, limit: int = 5, threshold: int = 60, exclude_source: str | None = None
    ) -> list[Suggestion]:
        """Return up to ``limit`` suggestions: exact first, then fuzzy by score, one per English text."""
        if limit <= 0 or not msgid.strip():
            return []
        with self._lock:
            exact = [Candidate(self._msgids[i], self._msgstrs[i], self._sources[i], i) for i in self._exact.get(msgid, ())]
            query = default_process(msgid)
            fuzzy: list[tuple[float, Candidate]] = []
            if query and threshold < 100:
                fuzzy = [(score, Candidate(self._msgids[i], self._msgstrs[i], self._sources[i], i))
                         for score, i in self._fuzzy(query, max(0, threshold))]
        return pick(msgid, exact, fuzzy, limit, exclude_source)


@dataclass(frozen=True)
class Candidate:
    """A stored translation considered for a suggestion; ``order`` breaks ties (first stored first)."""

    msgid: str
    msgstr: str
    source: str
    order: int


def fuzzy_scores(query: str, candidates: dict[int, str], threshold: int) -> list[tuple[float, int]]:
    """``(score, key)`` of the normalised texts scoring at least ``threshold`` against ``query`` (normalised), best first.

    The score is ``rapidfuzz.fuzz.ratio``: 2 x matching characters / total length, which is GNU
    gettext's ``fstrcmp`` measure (as msgmerge uses it), here on lowercased, punctuation-folded text.
    """
    found = [(score, key) for _, score, key in process.extract(
        query, candidates, scorer=fuzz.ratio, processor=None, score_cutoff=threshold, limit=None)]
    found.sort(key=lambda item: (-item[0], item[1]))
    return found


def pick(msgid: str, exact: list[Candidate], fuzzy: list[tuple[float, Candidate]], limit: int,
         exclude_source: str | None = None) -> list[Suggestion]:
    """Up to ``limit`` suggestions: exact matches (100) in stored order, then fuzzy ones by score (at most 99),
    one per English text, none from ``exclude_source``."""
    results: list[Suggestion] = []
    seen_msgstrs: set[str] = set()

    def take(candidate: Candidate, score: int) -> bool:
        """Add ``candidate`` unless excluded or a repeat; tell whether the list is full."""
        if candidate.source != exclude_source and candidate.msgstr not in seen_msgstrs:
            seen_msgstrs.add(candidate.msgstr)
            results.append(Suggestion(candidate.msgid, candidate.msgstr, score, candidate.source))
        return len(results) >= limit

    if limit <= 0:
        return results
    for candidate in sorted(exact, key=lambda c: c.order):
        if take(candidate, 100):
            return results
    for score, candidate in sorted(fuzzy, key=lambda item: (-item[0], item[1].order)):
        if candidate.msgid != msgid and take(candidate, min(99, round(score))):
            break
    return results
