"""Database models: accounts, workflow state, reviews, publications and history."""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from flask_login import UserMixin
from sqlalchemy import DateTime, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db

ROLES = ("translator", "editor")


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


class User(UserMixin, db.Model):
    """A translator or editor account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Login name, unique, case-sensitive.
    username: Mapped[str] = mapped_column(String(80), unique=True)
    #: werkzeug scrypt hash of the password; never the password itself.
    password_hash: Mapped[str] = mapped_column(String(255))
    #: ``translator`` or ``editor``; editors may also translate.
    role: Mapped[str] = mapped_column(String(20))
    #: Disabled accounts cannot log in nor use their tokens.
    active: Mapped[bool] = mapped_column(default=True)
    #: When the account was created.
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    tokens: Mapped[list["ApiToken"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    def set_password(self, password: str) -> None:
        """Store the scrypt hash of ``password``."""
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        """Tell whether ``password`` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        """Disabled users are not active for Flask-Login."""
        return bool(self.active)

    def can(self, permission: str) -> bool:
        """Tell whether the user's role grants ``permission`` (``translate`` or ``review``)."""
        if permission == "translate":
            return self.role in ROLES
        if permission == "review":
            return self.role == "editor"
        return False


class ApiToken(db.Model):
    """A bearer token for the JSON API, stored as its SHA-256."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Owner of the token.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: Hex SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: When the token was created.
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Revoked tokens stay for the audit trail but no longer authenticate.
    revoked: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(back_populates="tokens")

    @staticmethod
    def hash(token: str) -> str:
        """Return the stored form of ``token``."""
        return hashlib.sha256(token.encode("utf-8")).hexdigest()


class UserSession(db.Model):
    """One logged-in browser session; deleting its row ends it, wherever its cookie was copied."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Whose session it is; every row of a user goes on logout everywhere, password change, disabling.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: Hex SHA-256 of the random key the signed session cookie carries; the key itself is never stored.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: When the user logged in; sessions older than ``PERMANENT_SESSION_LIFETIME`` are refused.
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LoginFailure(db.Model):
    """One failed login, kept for throttling by account and by address."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``user:<name>`` or ``addr:<ip>``.
    key: Mapped[str] = mapped_column(String(200))
    #: When the attempt failed.
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class NoteState(db.Model):
    """The stored workflow state of one note in one target language."""

    __tablename__ = "note_states"
    __table_args__ = (UniqueConstraint("source", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: French source file, relative to ``content/fr/`` (the note's identity).
    source: Mapped[str] = mapped_column(String(500))
    #: Target language code.
    lang: Mapped[str] = mapped_column(String(20))
    #: One of :class:`app.workflow.states.State` except the derived ``outdated``.
    state: Mapped[str] = mapped_column(String(30), default="untranslated")
    #: The editor's last request-changes comment, shown to translators until resubmission.
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    #: When the state last changed.
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReviewEvent(db.Model):
    """A workflow decision: submitted, approved, changes requested, unpublished."""

    __tablename__ = "review_events"
    __table_args__ = (Index("ix_review_events_note", "source", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: French source file of the note.
    source: Mapped[str] = mapped_column(String(500))
    #: Target language code.
    lang: Mapped[str] = mapped_column(String(20))
    #: ``submitted``, ``approved``, ``changes_requested`` or ``unpublished``.
    action: Mapped[str] = mapped_column(String(30))
    #: Who decided.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Free text from the editor or translator.
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    #: When.
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User | None] = relationship()


class Publication(db.Model):
    """An approved English snapshot with the French it was approved against."""

    __tablename__ = "publications"
    __table_args__ = (Index("ix_publications_note", "source", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: French source file of the note.
    source: Mapped[str] = mapped_column(String(500))
    #: Target language code.
    lang: Mapped[str] = mapped_column(String(20))
    #: Slug under which it was published (``content/<lang>/<slug>.md``).
    slug: Mapped[str] = mapped_column(String(500))
    #: Translated title at approval.
    title: Mapped[str] = mapped_column(Text)
    #: The full French file approved against.
    source_text: Mapped[str] = mapped_column(Text)
    #: SHA-256 of ``source_text`` encoded in UTF-8.
    source_sha256: Mapped[str] = mapped_column(String(64))
    #: The note's name (file name without ``.md``) at approval: its title when the French has no ``title:``,
    #: so a rename outdates the English title ("" in records made before the name was kept: unknown).
    source_name: Mapped[str] = mapped_column(String(500), default="", server_default="")
    #: The full translated Markdown published.
    text: Mapped[str] = mapped_column(Text)
    #: The editor who approved.
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: When it was approved.
    approved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: When it was unpublished, if it was.
    unpublished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    approver: Mapped[User | None] = relationship()


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
                            postgresql_ops={"norm": "gin_trgm_ops"}).ddl_if(dialect="postgresql"))

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


class MemoryGram(db.Model):
    """How many memory entries hold a trigram: lets a lookup start from the rarest ones (SQLite only)."""

    __tablename__ = "memory_grams"

    #: Three characters of a normalised msgid.
    gram: Mapped[str] = mapped_column(String(12), primary_key=True)
    #: Number of entries containing it.
    entries: Mapped[int] = mapped_column(default=0)
