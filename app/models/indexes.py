"""Derived indexes kept in the database: full-text search documents and the translation memory."""
from __future__ import annotations

from sqlalchemy import Index, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

class SearchDocument(db.Model):
    """One note as readers of one language find it in search (a derived index, rebuilt from the files)."""

    __tablename__ = "search_documents"
    __table_args__ = (UniqueConstraint("lang", "slug"),
                      Index("ix_search_documents_tsv", "tsv", postgresql_using="gin").ddl_if(dialect="postgresql"))

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Language of the page found (the source, or a target with a published translation).
    lang: Mapped[str] = mapped_column(String(20))
    #: Slug of the note.
    slug: Mapped[str] = mapped_column(String(500))
    #: SHA-256 of the file indexed: a different one means the row is replaced.
    digest: Mapped[str] = mapped_column(String(64))
    #: Title as readers see it.
    title: Mapped[str] = mapped_column(Text)
    #: Body as plain text (Markdown removed), for snippets.
    body: Mapped[str] = mapped_column(Text)
    #: Folded Snowball stems of the title, space-separated (what SQLite's FTS5 indexes).
    title_terms: Mapped[str] = mapped_column(Text, default="")
    #: Folded Snowball stems of the body, space-separated.
    body_terms: Mapped[str] = mapped_column(Text, default="")
    #: PostgreSQL only: title (weight A) and body (D) by the language's text search configuration, unaccented.
    tsv: Mapped[str | None] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"), default=None)


class MemoryEntry(db.Model):
    """One translated, non-fuzzy catalog entry in the translation memory (derived from the catalogs)."""

    __tablename__ = "memory_entries"
    __table_args__ = (Index("ix_memory_entries_exact", "lang", "msgid_hash"), Index("ix_memory_entries_catalog", "lang", "catalog"),
                      Index("ix_memory_entries_trgm", "norm", postgresql_using="gin",
                            postgresql_ops={"norm": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
                      # Entries by length with their norm (SQLite: (lang, length(norm), norm), see migration e4b1c7d93a52).
                      Index("ix_memory_entries_length", "lang", text("length(norm)"), postgresql_include=["norm", "id"],
                            postgresql_where=text("length(norm) <= 200")).ddl_if(dialect="postgresql"))

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Target language of the catalog.
    lang: Mapped[str] = mapped_column(String(20))
    #: Catalog file name without ``.po`` (the note's slug).
    catalog: Mapped[str] = mapped_column(String(500))
    #: SHA-1 of ``msgid``, for exact matches.
    msgid_hash: Mapped[str] = mapped_column(String(40))
    #: The French text.
    msgid: Mapped[str] = mapped_column(Text)
    #: Its translation.
    msgstr: Mapped[str] = mapped_column(Text)
    #: ``msgid`` lowercased, punctuation folded (rapidfuzz's ``default_process``): what is compared.
    norm: Mapped[str] = mapped_column(Text)


class MemoryCatalog(db.Model):
    """The stamp of a catalog file as the translation memory last read it."""

    __tablename__ = "memory_catalogs"

    #: Target language.
    lang: Mapped[str] = mapped_column(String(20), primary_key=True)
    #: Catalog file name without ``.po``.
    catalog: Mapped[str] = mapped_column(String(500), primary_key=True)
    #: Size in bytes when read.
    size: Mapped[int] = mapped_column()
    #: Modification time (ns) when read; -1 when it was too recent to prove the file unchanged later.
    mtime_ns: Mapped[int] = mapped_column(db.BigInteger)
    #: SHA-256 of the bytes read: a file whose stamp changed but not its bytes is not parsed again.
    sha256: Mapped[str] = mapped_column(String(64), default="")


class MemoryLength(db.Model):
    """How many memory entries of a language have a normalised length: what scanning those lengths costs."""

    __tablename__ = "memory_lengths"

    #: Target language.
    lang: Mapped[str] = mapped_column(String(20), primary_key=True)
    #: Length of the normalised msgid, in characters.
    length: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: Number of entries of that length.
    entries: Mapped[int] = mapped_column(default=0)


class MemoryGram(db.Model):
    """How many memory entries hold a trigram (all languages): lets a lookup start from the rarest ones."""

    __tablename__ = "memory_grams"

    #: Three characters of a normalised msgid.
    gram: Mapped[str] = mapped_column(String(12), primary_key=True)
    #: Number of entries containing it.
    entries: Mapped[int] = mapped_column(default=0)
