"""The translation memory's rows in the database: writing a catalog's pairs, exact lookups, trigram candidates.

Candidates for a fuzzy match come from a trigram index, so a lookup reads a few hundred rows
whatever the size of the memory; they are then scored by :func:`app.workflow.memory.fuzzy_scores`
exactly as the in-memory scan scores every entry.

- SQLite: an FTS5 ``trigram`` table over the normalised msgids. ``memory_grams`` counts the entries
  holding each trigram, so a lookup unions the posting lists of the query's rarest trigrams only
  (:data:`POSTINGS_BUDGET` postings at most, and at least :data:`MIN_GRAMS` trigrams), weighs each
  by its rarity (``log(N / n)``) and keeps the :data:`CANDIDATES` entries of a possible length
  that share the most weight for their length.
- PostgreSQL: ``pg_trgm``'s GIN index with its similarity operator (threshold
  :data:`PG_SIMILARITY`), the :data:`CANDIDATES` most similar.
"""
from __future__ import annotations

import hashlib
import math
from collections import Counter

from sqlalchemy import bindparam, delete, select, text  # noqa: F401

from app.extensions import db
from app.models import MemoryEntry, MemoryGram
from app.pg_extensions import extension_schemas
from app.workflow.memory import Candidate

CANDIDATES = 200  #: candidates scored per lookup
POSTINGS_BUDGET = 20_000  #: SQLite: most postings read per lookup (beyond the first MIN_GRAMS trigrams)
MIN_GRAMS = 3
PG_SIMILARITY = 0.25  #: PostgreSQL: trigram similarity a candidate must reach


def msgid_hash(msgid: str) -> str:
    """The key of exact lookups."""
    return hashlib.sha1(msgid.encode("utf-8")).hexdigest()


def grams(norm: str) -> set[str]:
    """The trigrams of a normalised text, as FTS5's trigram tokenizer cuts them."""
    return {norm[i:i + 3] for i in range(len(norm) - 2)}


def _sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def remove_catalogs(lang: str, catalogs: list[str], counts: Counter) -> None:
    """Forget every pair of these catalogs; subtract their trigrams from ``counts`` (see :func:`count_grams`)."""
    for start in range(0, len(catalogs), 500):
        where = (MemoryEntry.lang == lang, MemoryEntry.catalog.in_(catalogs[start:start + 500]))
        if _sqlite():
            counts.subtract(g for (norm,) in db.session.execute(select(MemoryEntry.norm).where(*where)) for g in grams(norm))
        db.session.execute(delete(MemoryEntry).where(*where))


def add_pairs(lang: str, catalog: str, pairs: list[tuple[str, str, str]], counts: Counter) -> None:
    """Store ``(msgid, msgstr, norm)`` pairs of one catalog; add their trigrams to ``counts``."""
    if not pairs:
        return
    db.session.execute(MemoryEntry.__table__.insert(), [
        {"lang": lang, "catalog": catalog, "msgid_hash": msgid_hash(msgid), "msgid": msgid, "msgstr": msgstr, "norm": norm}
        for msgid, msgstr, norm in pairs])
    if _sqlite():
        counts.update(g for _, _, norm in pairs for g in grams(norm))


def count_grams(counts: Counter) -> None:
    """Apply the trigram count changes gathered by :func:`remove_catalogs` and :func:`add_pairs` (SQLite)."""
    changes = [{"gram": g, "n": n} for g, n in counts.items() if n]
    if not changes or not _sqlite():
        return
    db.session.execute(text("INSERT INTO memory_grams (gram, entries) VALUES (:gram, :n) "
                            "ON CONFLICT (gram) DO UPDATE SET entries = memory_grams.entries + excluded.entries"), changes)


def exact(lang: str, msgid: str) -> list[Candidate]:
    """Every stored pair whose French is exactly ``msgid``, in stored order."""
    rows = db.session.execute(select(MemoryEntry.id, MemoryEntry.msgid, MemoryEntry.msgstr, MemoryEntry.catalog)
                              .where(MemoryEntry.lang == lang, MemoryEntry.msgid_hash == msgid_hash(msgid))
                              .order_by(MemoryEntry.id))
    return [Candidate(m, s, c, i) for i, m, s, c in rows if m == msgid]


def candidates(lang: str, norm: str) -> dict[int, tuple[str, str, str, str]]:
    """Pairs likely to resemble ``norm``, by id: ``(norm, msgid, msgstr, catalog)``."""
    if _sqlite():
        return _sqlite_candidates(lang, norm)
    trgm = extension_schemas(db.session.connection()).get("pg_trgm", "public")
    db.session.execute(text(f"SET LOCAL pg_trgm.similarity_threshold = {PG_SIMILARITY}"))
    rows = db.session.execute(text(
        f"SELECT id, norm, msgid, msgstr, catalog FROM memory_entries WHERE lang = :lang AND norm OPERATOR({trgm}.%) :q "
        f"ORDER BY {trgm}.similarity(norm, :q) DESC, id LIMIT :limit"), {"lang": lang, "q": norm, "limit": CANDIDATES})
    return {i: (n, m, s, c) for i, n, m, s, c in rows}


def _sqlite_candidates(lang: str, norm: str) -> dict[int, tuple[str, str, str, str]]:
    wanted = sorted(grams(norm))
    if not wanted:
        return {}
    total = db.session.execute(select(db.func.max(MemoryEntry.id))).scalar_one() or 1  # about N, in O(log N)
    counts = dict(db.session.execute(select(MemoryGram.gram, MemoryGram.entries).where(
        MemoryGram.gram.in_(bindparam("grams", expanding=True))), {"grams": wanted}).all())
    rare = sorted((n, g) for g, n in counts.items() if n > 0)
    parts, params, spent = [], {}, 0
    for n, gram in rare:
        if spent + n > POSTINGS_BUDGET and len(parts) >= MIN_GRAMS:
            break
        spent += n
        k = len(parts)
        parts.append(f"SELECT rowid AS id, {math.log(total / n) + 1e-3:.6f} AS w FROM memory_fts WHERE memory_fts MATCH :g{k}")
        params[f"g{k}"] = '"' + gram.replace('"', '""') + '"'
    if not parts:
        return {}
    # A similarity of 60 needs lengths within 3/7 to 7/3 of each other; among those, the most shared rare
    # trigrams for their length (a Dice-like ratio: long entries share many trigrams with anything).
    shared = f"SELECT id, sum(w) AS s FROM ({' UNION ALL '.join(parts)}) GROUP BY id"
    sql = (f"SELECT e.id, e.norm, e.msgid, e.msgstr, e.catalog FROM ({shared}) AS c "
           "JOIN memory_entries AS e ON e.id = c.id WHERE e.lang = :lang AND length(e.norm) BETWEEN :shortest AND :longest "
           f"ORDER BY c.s / (length(e.norm) + :length) DESC, e.id LIMIT {CANDIDATES}")
    window = {"length": len(norm), "shortest": (3 * len(norm)) // 7, "longest": -(-7 * len(norm) // 3)}
    return {i: (n, m, s, c) for i, n, m, s, c in db.session.execute(text(sql), dict(params, lang=lang, **window))}
