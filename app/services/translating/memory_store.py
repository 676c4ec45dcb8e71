"""The translation memory's rows in the database: writing a catalog's pairs, exact lookups, trigram postings, length scans.

Both databases answer the same three questions, so a lookup (:mod:`.memory`) makes the same choices and
gives the same suggestions on either:

- which entries hold a trigram: SQLite's FTS5 ``trigram`` table over the normalised msgids, PostgreSQL's
  ``pg_trgm`` GIN index through ``LIKE '%abc%'``. Only trigrams of three letters or digits are asked,
  the ones ``pg_trgm`` indexes as they are;
- how many entries hold each trigram (``memory_grams``) and have each length (``memory_lengths``): what
  reading them costs;
- every entry of some lengths, through a partial index on ``(lang, length(norm))`` that holds ``norm``
  (entries up to :data:`SCAN_LONGEST` characters).
"""
from __future__ import annotations

import hashlib
import math
from collections import Counter
from contextlib import contextmanager

from sqlalchemy import bindparam, delete, select, text

from app.extensions import db
from app.models import MemoryEntry, MemoryGram, MemoryLength
from app.workflow.memory import Candidate
from app.workflow.memory_bounds import grams

CANDIDATES = 200  #: first pass: candidates scored per lookup
SHORTLIST = 2_000  #: first pass: entries with the most rare weight, whose rows are read to rank them by length
POSTINGS_BUDGET = 20_000  #: first pass: most postings read (beyond the first MIN_GRAMS trigrams)
MIN_GRAMS = 3
SCAN_LONGEST = 200  #: entries up to this normalised length are in the length index (migration e4b1c7d93a52)


def msgid_hash(msgid: str) -> str:
    """The key of exact lookups."""
    return hashlib.sha1(msgid.encode("utf-8")).hexdigest()


def _sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def remove_catalogs(lang: str, catalogs: list[str], counts: Counter, lengths: Counter) -> None:
    """Forget every pair of these catalogs; subtract their trigrams and lengths (see :func:`record_counts`)."""
    for start in range(0, len(catalogs), 500):
        where = (MemoryEntry.lang == lang, MemoryEntry.catalog.in_(catalogs[start:start + 500]))
        for (norm,) in db.session.execute(select(MemoryEntry.norm).where(*where)):
            counts.subtract(grams(norm))
            lengths[len(norm)] -= 1
        db.session.execute(delete(MemoryEntry).where(*where))


def add_pairs(lang: str, catalog: str, pairs: list[tuple[str, str, str]], counts: Counter, lengths: Counter) -> None:
    """Store ``(msgid, msgstr, norm)`` pairs of one catalog; add their trigrams and lengths."""
    if not pairs:
        return
    db.session.execute(MemoryEntry.__table__.insert(), [
        {"lang": lang, "catalog": catalog, "msgid_hash": msgid_hash(msgid), "msgid": msgid, "msgstr": msgstr, "norm": norm}
        for msgid, msgstr, norm in pairs])
    for _, _, norm in pairs:
        counts.update(grams(norm))
        lengths[len(norm)] += 1


def record_counts(lang: str, counts: Counter, lengths: Counter) -> None:
    """Apply the trigram and length count changes gathered by :func:`remove_catalogs` and :func:`add_pairs`."""
    for table, key, changes in (("memory_grams", "gram", [{"k": g, "n": n} for g, n in counts.items() if n]),
                                ("memory_lengths", "lang, length", [{"k": b, "n": n} for b, n in lengths.items() if n])):
        if changes:
            values = "(:k, :n)" if table == "memory_grams" else "(:lang, :k, :n)"
            db.session.execute(text(f"INSERT INTO {table} ({key}, entries) VALUES {values} ON CONFLICT ({key}) "
                                    f"DO UPDATE SET entries = {table}.entries + excluded.entries"),
                               [dict(change, lang=lang) for change in changes])


def exact(lang: str, msgid: str) -> list[Candidate]:
    """Every stored pair whose French is exactly ``msgid``, in stored order."""
    rows = db.session.execute(select(MemoryEntry.id, MemoryEntry.msgid, MemoryEntry.msgstr, MemoryEntry.catalog)
                              .where(MemoryEntry.lang == lang, MemoryEntry.msgid_hash == msgid_hash(msgid))
                              .order_by(MemoryEntry.id))
    return [Candidate(m, s, c, i) for i, m, s, c in rows if m == msgid]


def gram_counts(wanted: set[str]) -> dict[str, int]:
    """How many entries hold each of these trigrams (0 for none)."""
    found = dict(db.session.execute(select(MemoryGram.gram, MemoryGram.entries).where(
        MemoryGram.gram.in_(bindparam("grams", expanding=True))), {"grams": sorted(wanted)}).all()) if wanted else {}
    return {g: max(0, found.get(g, 0)) for g in wanted}


def length_counts(lang: str, lengths: tuple[int, int]) -> dict[int, int]:
    """How many entries of ``lang`` have each normalised length within ``lengths``."""
    return dict(db.session.execute(select(MemoryLength.length, MemoryLength.entries).where(
        MemoryLength.lang == lang, MemoryLength.length.between(*lengths), MemoryLength.entries > 0)).all())


def size(lang: str) -> int:
    """How many entries ``lang`` has."""
    return db.session.execute(select(db.func.coalesce(db.func.sum(MemoryLength.entries), 0))
                              .where(MemoryLength.lang == lang)).scalar_one()


def _holding(k: int) -> str:
    """SQL for the ids of the entries holding the trigram bound as ``:g{k}``."""
    if _sqlite():
        return f"SELECT rowid AS id FROM memory_fts WHERE memory_fts MATCH :g{k}"
    return f"SELECT id FROM memory_entries WHERE norm LIKE :g{k}"  # every language, as SQLite's FTS table


@contextmanager
def _postings_from_the_index():
    """PostgreSQL's planner reads the whole table for a trigram held by a tenth of the entries, once per trigram;
    its trigram index serves these lookups far cheaper. (SQLite's FTS5 table is always an index.)"""
    if _sqlite():
        yield
        return
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    try:
        yield
    finally:
        db.session.execute(text("SET LOCAL enable_seqscan TO DEFAULT"))


def _join() -> str:
    """SQLite would rather walk every entry of a language by its index than look a few ids up: CROSS JOIN keeps the order."""
    return "CROSS JOIN" if _sqlite() else "JOIN"


def _gram_param(gram: str) -> str:
    return f'"{gram}"' if _sqlite() else f"%{gram}%"  # letters and digits only: nothing to escape


def spread_grams(norm: str, counts: dict[str, int]) -> list[tuple[int, str]]:
    """``(entries, trigram)``: the rarest held trigram of each word of ``norm``, rarest first.

    An edited segment shares every word but the edited one with its source, while the rarest trigrams
    of the whole text often all come from the one new word: one trigram a word keeps it to one vote."""
    chosen: dict[str, int] = {}
    for word in set(norm.split()):
        inside = [word[i:i + 3] for i in range(len(word) - 2) if counts.get(word[i:i + 3], 0) > 0]
        if inside:
            gram = min(inside, key=lambda g: (counts[g], g))
            chosen[gram] = counts[gram]
    return sorted((n, g) for g, n in chosen.items())


def rare_candidates(lang: str, norm: str, counts: dict[str, int], size: int) -> dict[int, str]:
    """First pass: the :data:`CANDIDATES` entries sharing the most rare trigrams with ``norm`` for their length, by id.

    Integer weights and one division, ties by id: both databases rank alike. Only the rows of the
    :data:`SHORTLIST` are read."""
    parts, params, spent = [], {}, 0
    for n, gram in spread_grams(norm, counts):
        if spent + n > POSTINGS_BUDGET and len(parts) >= MIN_GRAMS:
            break
        spent += n
        k = len(parts)
        parts.append(f"SELECT id, {round(1000 * math.log(max(size, n) / n)) + 1} AS w FROM ({_holding(k)}) AS p{k}")
        params[f"g{k}"] = _gram_param(gram)
    if not parts:
        return {}
    # The entries sharing the most rare weight (from the postings alone), then among those of a possible
    # length the most for their length (a Dice-like ratio: long entries share many trigrams with anything).
    ranked = (f"SELECT id, sum(w) AS s FROM ({' UNION ALL '.join(parts)}) AS postings GROUP BY id "
              f"ORDER BY s DESC, id LIMIT {SHORTLIST}")
    window = {"length": len(norm), "shortest": (3 * len(norm)) // 7, "longest": -(-7 * len(norm) // 3)}
    with _postings_from_the_index():
        return dict(db.session.execute(text(
            f"SELECT e.id, e.norm FROM ({ranked}) AS c {_join()} memory_entries AS e ON e.id = c.id "
            "WHERE e.lang = :lang AND length(e.norm) BETWEEN :shortest AND :longest "
            f"ORDER BY CAST(c.s AS DOUBLE PRECISION) / (length(e.norm) + :length) DESC, e.id LIMIT {CANDIDATES}"),
            dict(params, lang=lang, **window)).all())


def holding(lang: str, wanted: list[str], quorum: int, lengths: tuple[int, int]) -> dict[int, str]:
    """Every entry of ``lang`` with a normalised length within ``lengths`` holding ``quorum`` of these trigrams, by id."""
    if not wanted:
        return {}
    params = {f"g{k}": _gram_param(g) for k, g in enumerate(wanted)}
    params.update(lang=lang, quorum=quorum, shortest=lengths[0], longest=lengths[1])
    held = (f"SELECT id FROM ({' UNION ALL '.join(f'SELECT id FROM ({_holding(k)}) AS p{k}' for k in range(len(wanted)))}) "
            "AS postings GROUP BY id HAVING count(*) >= :quorum")
    with _postings_from_the_index():
        return dict(db.session.execute(text(
            f"SELECT e.id, e.norm FROM ({held}) AS h {_join()} memory_entries AS e ON e.id = h.id "
            "WHERE e.lang = :lang AND length(e.norm) BETWEEN :shortest AND :longest"), params).all())


def of_lengths(lang: str, lengths: tuple[int, int]) -> dict[int, str]:
    """Every entry of ``lang`` whose normalised length is within ``lengths`` (at most :data:`SCAN_LONGEST`), by id."""
    if lengths[1] > SCAN_LONGEST:
        raise ValueError(f"entries longer than {SCAN_LONGEST} characters are not in the length index")
    together = ("group_concat(id, ','), group_concat(norm, char(10))" if _sqlite()
                else "string_agg(CAST(id AS text), ','), string_agg(norm, chr(10))")
    ids, norms = db.session.execute(text(
        f"SELECT {together} FROM memory_entries WHERE lang = :lang AND length(norm) BETWEEN :shortest AND :longest "
        f"AND length(norm) <= {SCAN_LONGEST}"), {"lang": lang, "shortest": lengths[0], "longest": lengths[1]}).one()
    if not ids:
        return {}
    return dict(zip(map(int, ids.split(",")), norms.split("\n"), strict=True))  # a norm never holds a newline


def details(ids: list[int]) -> dict[int, Candidate]:
    """The stored pairs of these ids."""
    rows = db.session.execute(select(MemoryEntry.id, MemoryEntry.msgid, MemoryEntry.msgstr, MemoryEntry.catalog)
                              .where(MemoryEntry.id.in_(bindparam("ids", expanding=True))), {"ids": ids}) if ids else []
    return {i: Candidate(m, s, c, i) for i, m, s, c in rows}
