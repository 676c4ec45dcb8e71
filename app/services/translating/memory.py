"""The translation memory of each target language, kept in the database in step with the catalogs.

The memory holds the translated, non-fuzzy entries of every catalog of a language, current and
obsolete (a vanished segment's English still helps). It lives in the database
(:mod:`.memory_store`): exact matches through an index of msgid hashes, fuzzy ones in two passes, then
GNU's ``fstrcmp`` score:

1. the :data:`~.memory_store.CANDIDATES` entries sharing the most rare trigrams with the query, one
   trigram from each word of it (:func:`~.memory_store.spread_grams`), ranked for their length;
2. the proof: with the best score found as the bar, :func:`app.workflow.memory_bounds.plan` says which
   trigrams' postings and which lengths' entries hold every entry that could score as much. When that
   costs at most :data:`PROOF_BUDGET` rows, they are read and scored, and the best fuzzy suggestion is
   the best of every entry by fstrcmp (:attr:`Lookup.proven`). Otherwise (long queries whose best match
   is weak or absent: the trigram bound proves nothing below a score of about 80, and reading every
   entry of a length costs more than the budget) the first pass stands.

Keeping it current costs one ``stat`` of the language's catalog folder per lookup: every catalog
write is an atomic rename into that folder, which changes its mtime. When it changed, the
catalogs' stamps are compared with those recorded (``memory_catalogs``) and only the catalogs
whose size or mtime changed (or that appeared or vanished) are read again. A folder changed less
than a second before it was looked at is checked again next time (a write in the same clock tick
would not change its mtime). Refreshes are serialised across processes by a file lock.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.utils import default_process
from sqlalchemy import delete, select

from app.catalog.po import CatalogError, read_catalog
from app.extensions import db
from app.fsutil import file_lock
from app.models import MemoryCatalog
from app.services.garden import Garden
from app.services.translating import memory_store
from app.workflow.memory import Suggestion, fuzzy_scores, pick
from app.workflow.memory_bounds import grams_and_quorum, indexed_grams, length_window, plan

log = logging.getLogger(__name__)
RACY_NS = 1_000_000_000
PROOF_BUDGET = 20_000  #: second pass: most rows read to prove the best match (postings and entries of scanned lengths)

_seen: dict[tuple[str, str], tuple[int, int]] = {}  #: (folder, lang) -> folder (mtime_ns, inode) at the last full check
_lock = threading.Lock()


def _catalog_stamps(folder: Path) -> dict[str, tuple[int, int]]:
    stamps = {}
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return stamps
    for entry in entries:
        if not entry.name.endswith(".po") or entry.name.startswith("."):
            continue
        try:
            info = entry.stat()
        except FileNotFoundError:
            continue
        stamps[entry.name[:-3]] = (info.st_size, info.st_mtime_ns)
    return stamps


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _translated_pairs(path: Path) -> list[tuple[str, str]]:
    try:
        po = read_catalog(path)
    except (CatalogError, OSError) as exc:
        log.warning("translation memory skips %s: %s", path, exc)
        return []
    pairs, seen = [], set()
    for e in po:
        if e.msgid and e.msgstr and not e.fuzzy and not e.msgid_plural and e.msgid.strip() and e.msgstr.strip():
            if (e.msgid, e.msgstr) not in seen:
                seen.add((e.msgid, e.msgstr))
                pairs.append((e.msgid, e.msgstr))
    return pairs


@dataclass(frozen=True)
class Lookup:
    """Suggestions for one msgid; ``proven`` when no entry left unread could have been the best fuzzy match."""

    suggestions: list[Suggestion]
    proven: bool
    scored: int  #: entries scored


class StoredMemory:
    """The translation memory of one language, as stored in the database."""

    def __init__(self, lang: str):
        self.lang = lang

    def suggest(self, msgid: str, limit: int = 5, threshold: int = 60, exclude_source: str | None = None) -> list[Suggestion]:
        """Up to ``limit`` suggestions: exact first, then fuzzy by score, one per English text."""
        return self.lookup(msgid, limit, threshold, exclude_source).suggestions

    def lookup(self, msgid: str, limit: int = 5, threshold: int = 60, exclude_source: str | None = None) -> Lookup:
        """The suggestions of :meth:`suggest`, and whether their best fuzzy match is proven the memory's best."""
        if limit <= 0 or not msgid.strip():
            return Lookup([], True, 0)
        exact = memory_store.exact(self.lang, msgid)
        query = default_process(msgid)
        if not query or threshold >= 100 or len([c for c in exact if c.source != exclude_source]) >= limit:
            return Lookup(pick(msgid, exact, [], limit, exclude_source), True, 0)
        threshold = max(0, threshold)
        usable = memory_store.gram_counts(indexed_grams(query))
        lengths = memory_store.length_counts(self.lang, length_window(len(query), threshold or 1))
        norms = memory_store.rare_candidates(self.lang, query, usable, memory_store.size(self.lang))
        found = self._scored(query, norms, threshold)
        eligible = [score for score, c in found if c.msgid != msgid and c.source != exclude_source]
        proof = plan(len(query), len(usable), max([threshold, *eligible]))
        rarest = sorted(usable, key=lambda g: (usable[g], g))
        scanned = sum(n for b, n in lengths.items() if proof.scanned and proof.scanned[0] <= b <= proof.scanned[1])
        cost = scanned + sum(usable[g] for g in rarest[:proof.prefix])
        proven = cost <= PROOF_BUDGET and not (proof.scanned and proof.scanned[1] > memory_store.SCAN_LONGEST)
        read, quorum = grams_and_quorum([usable[g] for g in rarest], proof.prefix, PROOF_BUDGET - scanned) if proof.posted else (0, 1)
        if proven:
            more = memory_store.holding(self.lang, rarest[:read], quorum, proof.posted) if proof.posted else {}
            more.update(memory_store.of_lengths(self.lang, proof.scanned) if proof.scanned else {})
            found += self._scored(query, {i: n for i, n in more.items() if i not in norms}, threshold)
            norms.update(more)
        return Lookup(pick(msgid, exact, found, limit, exclude_source), proven, len(norms))

    @staticmethod
    def _scored(query: str, norms: dict[int, str], threshold: int) -> list:
        """``(score, candidate)`` of the entries among ``norms`` scoring at least ``threshold``.

        An entry a concurrent refresh removed between the candidates' query and this one (its
        catalog changed) is left out: it is no longer in the memory.
        """
        scores = fuzzy_scores(query, norms, threshold)
        stored = memory_store.details([i for _, i in scores])
        return [(score, stored[i]) for score, i in scores if i in stored]

    def __len__(self) -> int:
        return db.session.execute(select(db.func.count()).where(memory_store.MemoryEntry.lang == self.lang)).scalar_one()


def refresh(garden: Garden, lang: str, lock_dir: str | os.PathLike) -> int:
    """Bring the stored memory of ``lang`` in step with its catalogs; return how many catalogs were read."""
    folder = garden.catalog_path(lang, "x").parent
    key = (str(folder), lang)
    try:
        st = os.stat(folder)
        seen = (st.st_mtime_ns, st.st_ino)
    except OSError:
        seen = (0, 0)
    if _seen.get(key) == seen:
        return 0
    with _lock, file_lock(Path(lock_dir) / f"memory-{lang}"):
        racy = seen[0] > time.time_ns() - RACY_NS
        stamps = _catalog_stamps(folder)
        stored = {c: ((size, mtime), digest) for c, size, mtime, digest in db.session.execute(
            select(MemoryCatalog.catalog, MemoryCatalog.size, MemoryCatalog.mtime_ns, MemoryCatalog.sha256)
            .where(MemoryCatalog.lang == lang))}
        touched = [name for name, stamp in stamps.items() if name not in stored or stored[name][0] != stamp]
        digests = {name: _digest(folder / f"{name}.po") for name in touched}
        changed = [name for name in touched if name not in stored or stored[name][1] != digests[name]]
        removed = [name for name in stored if name not in stamps]
        counts: Counter = Counter()
        lengths: Counter = Counter()
        memory_store.remove_catalogs(lang, changed + removed, counts, lengths)
        for start in range(0, len(touched) + len(removed), 500):
            names = (touched + removed)[start:start + 500]
            db.session.execute(delete(MemoryCatalog).where(MemoryCatalog.lang == lang, MemoryCatalog.catalog.in_(names)))
        for name in sorted(changed):
            pairs = _translated_pairs(folder / f"{name}.po")
            memory_store.add_pairs(lang, name, [(m, s, default_process(m)) for m, s in pairs], counts, lengths)
        if touched:
            now = time.time_ns()  # a catalog written within the last second is checked by content next time
            db.session.execute(MemoryCatalog.__table__.insert(), [
                {"lang": lang, "catalog": name, "size": stamps[name][0], "sha256": digests[name],
                 "mtime_ns": stamps[name][1] if stamps[name][1] < now - RACY_NS else -1} for name in touched])
        memory_store.record_counts(lang, counts, lengths)
        db.session.commit()
        if not racy:
            _seen[key] = seen
        if changed or removed:
            log.info("translation memory %s: %d catalogs read, %d forgotten", lang, len(changed), len(removed))
        return len(changed)


def memory_for(garden: Garden, lang: str) -> StoredMemory:
    """The up-to-date translation memory of ``lang``."""
    from flask import current_app

    refresh(garden, lang, current_app.instance_path)
    return StoredMemory(lang)


def suggestions_for(garden: Garden, lang: str, msgid: str, *, slug: str | None = None, current: str = "",
                    limit: int = 5, memory: StoredMemory | None = None) -> list[Suggestion]:
    """Suggestions for ``msgid`` in ``lang``: exact first, then fuzzy by score, without the entry's own text."""
    found = (memory or memory_for(garden, lang)).suggest(msgid, limit=limit + 1)
    kept = [s for s in found if not (s.source == slug and s.msgid == msgid and s.msgstr == current)]
    return kept[:limit]


def suggestion_data(suggestions: list[Suggestion]) -> list[dict]:
    """The API form of suggestions."""
    return [{"msgid": s.msgid, "msgstr": s.msgstr, "score": s.score, "source": s.source} for s in suggestions]
