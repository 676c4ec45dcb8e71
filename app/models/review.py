"""The review workflow: each note's stored state per language, the decisions taken on it, the publications."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.common import utcnow
from app.models.accounts import User

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
