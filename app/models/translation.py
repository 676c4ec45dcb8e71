"""Translators' work: every saved entry, offline downloads and their bases, glossary terms, segment comments."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.common import utcnow
from app.models.accounts import User

class EntryHistory(db.Model):
    """One saved change to one catalog entry."""

    __tablename__ = "entry_history"
    __table_args__ = (Index("ix_entry_history_entry", "source", "lang", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: French source file of the note.
    source: Mapped[str] = mapped_column(String(500))
    #: Target language code.
    lang: Mapped[str] = mapped_column(String(20))
    #: Stable entry id (hash of context and msgid).
    entry_id: Mapped[str] = mapped_column(String(40))
    #: The French text of the entry at the time.
    msgid: Mapped[str] = mapped_column(Text)
    #: ``save`` for a translator's save; other actions may follow.
    action: Mapped[str] = mapped_column(String(30), default="save")
    #: The msgstr before the save.
    before: Mapped[str] = mapped_column(Text, default="")
    #: The msgstr after the save.
    after: Mapped[str] = mapped_column(Text, default="")
    #: Whether the entry was fuzzy before the save.
    was_fuzzy: Mapped[bool] = mapped_column(default=False)
    #: True from the row's commit until the catalog file holds the save; a crash in between is
    #: settled by :func:`app.services.translating.entries.settle_pending_saves` (kept if the file has it).
    pending: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Who saved.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: When.
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User | None] = relationship()


class CatalogBase(db.Model):
    """A catalog's entries as downloaded, stored once however many downloads share them (content-addressed)."""

    __tablename__ = "catalog_bases"

    #: SHA-256 (hex) of ``entries``: identical snapshots are one row.
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: JSON ``{msgid: [entry id, version, msgstr, fuzzy]}`` of every live entry at download time.
    entries: Mapped[str] = mapped_column(Text)


class CatalogDownload(db.Model):
    """A catalog handed to a translator for offline work; its base is the three-way merge's base on upload.

    Pruned (:mod:`app.services.translating.downloads`): the newest downloads of each note and
    language and every download younger than ``PASSERELLE_DOWNLOADS_KEEP_DAYS`` are kept.
    """

    __tablename__ = "catalog_downloads"
    __table_args__ = (Index("ix_catalog_downloads_note", "source", "lang", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random token written in the file's header (``X-Passerelle-Download``); names this snapshot.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    #: French source file of the note.
    source: Mapped[str] = mapped_column(String(500))
    #: Target language code.
    lang: Mapped[str] = mapped_column(String(20))
    #: Digest of the snapshot (:class:`CatalogBase`) the file was taken from.
    base: Mapped[str] = mapped_column(String(64), ForeignKey("catalog_bases.digest"), index=True)
    #: Who downloaded it.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: When it was downloaded.
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class GlossaryTerm(db.Model):
    """A French term and the English (or other target) term it must be translated with."""

    __tablename__ = "glossary_terms"
    __table_args__ = (UniqueConstraint("lang", "source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Target language code.
    lang: Mapped[str] = mapped_column(String(20))
    #: The French term as written by the editor (``chief of staff``, ``entreprise``).
    source_term: Mapped[str] = mapped_column(String(200))
    #: The term's normalised form (case, accents, inflection folded): one entry per term and language.
    source_key: Mapped[str] = mapped_column(String(200))
    #: The required translation; empty for a do-not-translate term (the French is kept).
    target_term: Mapped[str] = mapped_column(String(200), default="")
    #: A note for translators (usage, context).
    note: Mapped[str] = mapped_column(Text, default="")
    #: The term stays as it is in the translation.
    do_not_translate: Mapped[bool] = mapped_column(default=False)
    #: Who last changed it.
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: When it was last changed.
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SegmentComment(db.Model):
    """One comment in the thread of one segment, between translators and the editor."""

    __tablename__ = "segment_comments"
    __table_args__ = (Index("ix_segment_comments_entry", "source", "lang", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: French source file of the note.
    source: Mapped[str] = mapped_column(String(500))
    #: Target language code.
    lang: Mapped[str] = mapped_column(String(20))
    #: Stable id of the segment's entry (hash of context and msgid).
    entry_id: Mapped[str] = mapped_column(String(40))
    #: The French of the segment when the comment was written.
    msgid: Mapped[str] = mapped_column(Text)
    #: Plain text, shown escaped (never rendered as HTML).
    text: Mapped[str] = mapped_column(Text)
    #: Who wrote it.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: When it was written.
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Resolved comments no longer count as open.
    resolved: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Who resolved it.
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: When it was resolved.
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    #: The request-changes decision that pointed at this segment, if any.
    review_event_id: Mapped[int | None] = mapped_column(ForeignKey("review_events.id", ondelete="SET NULL"))

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    resolver: Mapped[User | None] = relationship(foreign_keys=[resolved_by])
