"""The full-text index of what readers can find, kept in the database in step with the garden.

One row per note and language readers can read (every readable French note; in a target language,
only published translations whose French note exists). A row is replaced when the SHA-256 of its
file changes, so keeping the index current costs a comparison of digests, and work only for the
notes that changed. SQLite ranks with FTS5's ``bm25`` over folded Snowball stems (title weighted
10, body 1); PostgreSQL with ``ts_rank`` over a ``tsvector`` built by its own French or English
configuration after ``unaccent`` (title weight A, body D). Both match every query word, by prefix of
its stem (see :mod:`app.content.fulltext`).
"""
from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass

from sqlalchemy import delete, select, text
from sqlalchemy.exc import IntegrityError

from app.content.fulltext import analyzer, plain_text, stemmer_name
from app.extensions import db
from app.models import SearchDocument
from app.pg_extensions import extension_schemas
from app.services.garden import Garden

log = logging.getLogger(__name__)
BATCH = 500  #: rows inserted per statement when (re)building


@dataclass(frozen=True)
class Hit:
    """One document found: its slug, title and plain body (for the snippet)."""

    slug: str
    title: str
    body: str


@dataclass(frozen=True)
class _Doc:
    lang: str
    slug: str
    digest: str
    title: str
    markdown: str


def _documents(garden: Garden) -> dict[tuple[str, str], _Doc]:
    """What readers of each language can find now, by ``(lang, slug)``."""
    docs = {}
    for note in garden.notes.notes():
        docs[(garden.source_lang, note.slug)] = _Doc(garden.source_lang, note.slug, note.sha256, note.title, note.body)
    for lang in garden.target_langs:
        for published in garden.published[lang].notes():
            if garden.notes.get(published.slug) is None:
                continue  # the French note was removed or cannot be read: not listed either
            digest = hashlib.sha256(published.text.encode("utf-8")).hexdigest()
            docs[(lang, published.slug)] = _Doc(lang, published.slug, digest, published.title, published.body)
    return docs


def _row(doc: _Doc) -> dict:
    words = analyzer(doc.lang)
    body = plain_text(doc.markdown)
    return {"lang": doc.lang, "slug": doc.slug, "digest": doc.digest, "title": doc.title, "body": body,
            "title_terms": " ".join(words.terms(doc.title)), "body_terms": " ".join(words.terms(body))}


class SearchIndex:
    """Keeps the ``search_documents`` rows of one app in step with its garden, and queries them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.synced_version: tuple | None = None  #: the garden's index generations at the last sync
        self._pg_config: dict[str, str] = {}

    # -- keeping current ------------------------------------------------------------------------
    def ensure_current(self, garden: Garden) -> int:
        """Bring the rows in step with ``garden`` unless nothing changed since; return rows written."""
        version = (garden.notes.generation, *(index.generation for index in garden.published.values()))
        if version == self.synced_version:
            return 0
        with self._lock:
            if version == self.synced_version:
                return 0
            for attempt in range(3):  # another worker may insert the same rows at the same time
                try:
                    written = self._sync(garden)
                    break
                except IntegrityError:
                    db.session.rollback()
                    if attempt == 2:
                        raise
            self.synced_version = version
            return written

    def _sync(self, garden: Garden) -> int:
        docs = _documents(garden)
        stored = {(lang, slug): (id_, digest) for id_, lang, slug, digest in db.session.execute(
            select(SearchDocument.id, SearchDocument.lang, SearchDocument.slug, SearchDocument.digest))}
        stale = [id_ for key, (id_, digest) in stored.items() if key not in docs or docs[key].digest != digest]
        fresh = [doc for key, doc in docs.items() if key not in stored or stored[key][1] != doc.digest]
        for start in range(0, len(stale), BATCH):
            db.session.execute(delete(SearchDocument).where(SearchDocument.id.in_(stale[start:start + BATCH])))
        for start in range(0, len(fresh), BATCH):
            rows = [_row(doc) for doc in fresh[start:start + BATCH]]
            db.session.execute(SearchDocument.__table__.insert(), rows)
        if fresh and db.engine.dialect.name == "postgresql":
            self._pg_vectors(garden)
        db.session.commit()
        if stale or fresh:
            log.info("search index: %d rows removed, %d written", len(stale), len(fresh))
        return len(fresh)

    def _pg_vectors(self, garden: Garden) -> None:
        unaccent = extension_schemas(db.session.connection()).get("unaccent", "public") + ".unaccent"
        for lang in garden.languages:
            db.session.execute(text(
                f"UPDATE search_documents SET tsv = setweight(to_tsvector(CAST(:config AS regconfig), {unaccent}(title)), 'A')"
                f" || setweight(to_tsvector(CAST(:config AS regconfig), {unaccent}(body)), 'D')"
                " WHERE lang = :lang AND tsv IS NULL"), {"config": self._config(lang), "lang": lang})

    def _config(self, lang: str) -> str:
        """PostgreSQL's text search configuration for ``lang`` (``french``, ``english``…), else ``simple``."""
        if lang not in self._pg_config:
            name = stemmer_name(lang) or "simple"
            found = db.session.execute(text("SELECT 1 FROM pg_ts_config WHERE cfgname = :name"), {"name": name}).first()
            self._pg_config[lang] = name if found else "simple"
        return self._pg_config[lang]

    # -- querying -------------------------------------------------------------------------------
    def search(self, lang: str, terms: list[str], words: list[str], limit: int, offset: int = 0) -> tuple[list[Hit], int]:
        """Documents of ``lang`` matching every term, best first: a page of hits and the total."""
        if not terms:
            return [], 0
        if db.engine.dialect.name == "postgresql":
            return self._search_pg(lang, words, limit, offset)
        match = " AND ".join('"' + term.replace('"', '""') + '"*' for term in terms)
        # the full-text match first (materialised), then its rows: never one FTS probe per document of the language
        hits = ("WITH hits AS MATERIALIZED (SELECT rowid AS id, bm25(search_fts, 10.0, 1.0) AS rank FROM search_fts "
                "WHERE search_fts MATCH :match) ")
        where = "FROM hits JOIN search_documents AS d ON d.id = hits.id WHERE d.lang = :lang"
        params = {"match": match, "lang": lang, "limit": limit, "offset": offset}
        total = db.session.execute(text(f"{hits}SELECT count(*) {where}"), params).scalar_one()
        rows = db.session.execute(text(
            f"{hits}SELECT d.slug, d.title, d.body {where} ORDER BY hits.rank, d.title LIMIT :limit OFFSET :offset"),
            params).all()
        return [Hit(*row) for row in rows], total

    def _search_pg(self, lang: str, words: list[str], limit: int, offset: int) -> tuple[list[Hit], int]:
        if not words:
            return [], 0
        unaccent = extension_schemas(db.session.connection()).get("unaccent", "public") + ".unaccent"
        query = " & ".join(f"'{word}':*" for word in words)  # words are \w+ runs: no quote nor operator
        tsquery = f"to_tsquery(CAST(:config AS regconfig), {unaccent}(:query))"
        params = {"config": self._config(lang), "query": query, "lang": lang, "limit": limit, "offset": offset}
        where = f"FROM search_documents WHERE lang = :lang AND tsv @@ {tsquery}"
        total = db.session.execute(text(f"SELECT count(*) {where}"), params).scalar_one()
        rows = db.session.execute(text(
            f"SELECT slug, title, body {where} ORDER BY ts_rank(tsv, {tsquery}) DESC, title LIMIT :limit OFFSET :offset"),
            params).all()
        return [Hit(*row) for row in rows], total
