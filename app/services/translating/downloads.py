"""The record of catalogs downloaded for offline work: content-addressed bases, pruned.

Each download is a small row (token, note, language, who, when) pointing at its *base*, the
snapshot of the catalog's entries the upload is merged against. Bases are stored once per
content (SHA-256 of their canonical JSON): a hundred downloads of an unchanged catalog, or a
zip re-downloaded every morning, keep one copy.

Downloads are pruned as new ones are recorded: a download is kept while it is one of the
newest ``DOWNLOADS_KEEP_LATEST`` of its note and language, or younger than
``DOWNLOADS_KEEP_DAYS``; a base no download points at any more is deleted. An upload whose
download was pruned is refused with a request to download again (never merged two ways).
"""
from __future__ import annotations

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, exists, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from app.catalog.threeway import EntryState
from app.extensions import db
from app.models import CatalogBase, CatalogDownload, utcnow

log = logging.getLogger(__name__)
CHUNK = 500  #: sources per query (SQLite's bound-parameter limit)
INSERT_IGNORING = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}  #: dialects with ON CONFLICT DO NOTHING


@dataclass(frozen=True)
class Snapshot:
    """A catalog as it is handed out: its note's source file, language and entries by msgid."""

    source: str
    lang: str
    entries: dict[str, list]  #: msgid -> [entry id, version, msgstr, fuzzy]
    token: str = field(default_factory=lambda: secrets.token_hex(16))  #: names the download in the file's header


def canonical(entries: dict[str, list]) -> tuple[str, str]:
    """The snapshot's canonical JSON and its SHA-256: equal catalogs give equal digests."""
    text = json.dumps(entries, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def keep_rules() -> tuple[int, timedelta]:
    """How many downloads of a note and language are kept at least, and the age under which all are kept."""
    config = current_app.config
    return config["DOWNLOADS_KEEP_LATEST"], timedelta(days=config["DOWNLOADS_KEEP_DAYS"])


def _store_bases(texts: dict[str, str]) -> None:
    """Insert the bases not stored yet (concurrent downloads of the same catalog insert it once)."""
    if not texts:
        return
    dialect = db.session.get_bind().dialect.name
    rows = [{"digest": digest, "entries": text} for digest, text in texts.items()]
    if dialect in INSERT_IGNORING:
        db.session.execute(INSERT_IGNORING[dialect](CatalogBase).on_conflict_do_nothing(index_elements=["digest"]), rows)
        return
    known = set(db.session.scalars(select(CatalogBase.digest).where(CatalogBase.digest.in_(texts))))
    db.session.add_all(CatalogBase(**row) for row in rows if row["digest"] not in known)
    db.session.flush()


def record_downloads(snapshots: list[Snapshot], user_id: int | None, at: datetime) -> None:
    """Record the downloads of ``snapshots`` (each base stored once) and commit; then prune their notes' downloads."""
    texts, digests = {}, []
    for snap in snapshots:
        text, digest = canonical(snap.entries)
        texts[digest] = text
        digests.append(digest)
    for attempt in range(3):
        _store_bases(texts)
        db.session.add_all(CatalogDownload(token=snap.token, source=snap.source, lang=snap.lang, base=digest,
                                           user_id=user_id, at=at) for snap, digest in zip(snapshots, digests))
        try:
            db.session.commit()
            break
        except IntegrityError:  # a concurrent prune deleted a base we found stored: store it again
            db.session.rollback()
            if attempt == 2:
                raise
    prune_downloads({snap.source for snap in snapshots}, now=at)


def find_download(token: str) -> tuple[CatalogDownload, dict[str, EntryState]] | None:
    """The download named by ``token`` and its base by msgid, or None if unknown or pruned."""
    found = db.session.execute(select(CatalogDownload, CatalogBase.entries)
                               .join(CatalogBase, CatalogBase.digest == CatalogDownload.base)
                               .where(CatalogDownload.token == token)).first()
    if found is None:
        return None
    row, entries = found
    return row, {msgid: EntryState(v[2], bool(v[3]), v[0], v[1]) for msgid, v in json.loads(entries).items()}


def _doomed(sources: list[str] | None, keep: int, cutoff: datetime) -> list[tuple[int, str]]:
    """(id, base) of the downloads past the newest ``keep`` of their note and language and older than ``cutoff``."""
    rank = func.row_number().over(partition_by=(CatalogDownload.source, CatalogDownload.lang),
                                  order_by=(CatalogDownload.at.desc(), CatalogDownload.id.desc()))
    query = select(CatalogDownload.id, CatalogDownload.base, CatalogDownload.at, rank.label("rank"))
    if sources is not None:
        query = query.where(CatalogDownload.source.in_(sources))
    ranked = query.subquery()
    return [tuple(row) for row in db.session.execute(
        select(ranked.c.id, ranked.c.base).where(ranked.c.rank > keep, ranked.c.at < cutoff))]


def prune_downloads(sources: set[str] | None = None, *, now: datetime | None = None) -> int:
    """Delete the downloads no upload should still need (of ``sources``' notes, or all) and orphan bases.

    Returns how many downloads were deleted. Pruning is housekeeping: a failure (a concurrent
    prune) is logged and rolled back, and the next download prunes again.
    """
    keep, age = keep_rules()
    cutoff = (now or utcnow()) - age
    groups = [None] if sources is None else [sorted(sources)[i:i + CHUNK] for i in range(0, len(sources), CHUNK)]
    try:
        deleted, digests = 0, set()
        for chunk in groups:
            doomed = _doomed(chunk, keep, cutoff)
            for i in range(0, len(doomed), CHUNK):
                part = doomed[i:i + CHUNK]
                db.session.execute(delete(CatalogDownload).where(CatalogDownload.id.in_([d[0] for d in part])))
            deleted += len(doomed)
            digests.update(d[1] for d in doomed)
        if not deleted and sources is not None:
            return 0  # nothing to forget: no second commit
        orphan = ~exists().where(CatalogDownload.base == CatalogBase.digest)
        if sources is None:
            db.session.execute(delete(CatalogBase).where(orphan))
        for part in (sorted(digests)[i:i + CHUNK] for i in range(0, len(digests), CHUNK)):
            db.session.execute(delete(CatalogBase).where(CatalogBase.digest.in_(part), orphan))
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.warning("pruning catalog downloads failed (will be retried by the next download): %s", exc)
        return 0
    return deleted
