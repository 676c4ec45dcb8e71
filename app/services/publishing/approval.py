"""Publication: approve a translation into a pinned snapshot, request changes, unpublish, history.

The published file ``content/<lang>/<slug>.md`` and its :class:`~app.models.Publication` row are
written both-or-neither: the file is replaced atomically under its lock, then the row and the
state change are committed; if the commit fails, the previous file comes back (or the new one
goes). States move only through :func:`app.services.reviewing.workflow.transition`.
"""
from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import yaml
from sqlalchemy import select

from app.content.notes import Note
from app.extensions import db
from app.fsutil import atomic_write, file_lock
from app.models import Publication, User, utcnow
from app.services.publishing.journal import journaled, recover_publication
from app.services.publishing.drafts import Draft, build_draft, read_french
from app.services.reviewing.workflow import (WorkflowError, latest_publication, note_state_row, review_events, stored_state,
                                   transition)
from app.workflow.checks import has_errors
from app.workflow.states import Action, next_state

#: Longest comment an editor may attach to a request for changes.
MAX_COMMENT_LENGTH = 4000


class PublishingInputError(ValueError):
    """A malformed request (e.g. an empty comment), answered with 400."""


def published_text(draft: Draft, approved_at: datetime) -> str:
    """The file to publish: the assembled body under the publication front matter."""
    meta = {"title": draft.title}
    if draft.aliases:  # kept so that the snapshot segments like the French (changed-paragraph markers)
        meta["aliases"] = list(draft.aliases)
    meta |= {
        "tags": list(draft.note.tags),
        "source": draft.note.filename,
        "source_sha256": draft.french_sha256,
        "approved_at": iso_utc(approved_at),
    }
    head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=False, width=10_000)
    return f"---\n{head}---\n{draft.body}"


def iso_utc(moment: datetime) -> str:
    """``2024-05-01T09:30:00Z``: ISO 8601 in UTC to the second."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _refuse_unless_publishable(draft: Draft) -> None:
    if draft.catalog_error:
        raise WorkflowError(f"the catalog cannot be read: {draft.catalog_error}", {"catalog": draft.catalog_error})
    missing = draft.missing
    if any(missing.values()):
        parts = [f"{n} {what}" for what, n in (("untranslated", missing["untranslated"]), ("fuzzy", missing["fuzzy"]),
                                                ("with error-level checks", missing["errors"])) if n]
        entries = [{"id": s.id, "line": s.line, "status": s.status, "errors": [c.id for c in s.checks if c.severity == "error"]}
                   for s in draft.segments if s.status != "translated" or has_errors(s.checks)]
        raise WorkflowError("cannot approve: segments " + ", ".join(parts), {**missing, "entries": entries[:100]})


def _restore(path: Path, previous: bytes | None) -> None:
    """Put back what ``path`` held before (``None``: it did not exist)."""
    if previous is None:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
    else:
        atomic_write(path, previous)


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def approve_translation(garden, note: Note, lang: str, editor: User) -> Publication:
    """Publish the submitted, complete, error-free English of ``note``: file, record and state together."""
    path = garden.published_path(lang, note.slug)
    path.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(garden.catalog_path(lang, note.slug)), file_lock(path):
        recover_publication(path, lang)
        db.session.rollback()  # read what other processes committed before we took the locks
        next_state(stored_state(note.filename, lang), Action.APPROVE)  # 409 unless submitted
        draft = build_draft(garden, note, lang)
        _refuse_unless_publishable(draft)
        now = utcnow()
        text = published_text(draft, now)
        previous = _read_bytes(path)
        with journaled(path):  # a crash before the commit is undone by recover_publication
            atomic_write(path, text)
            try:
                publication = Publication(source=note.filename, lang=lang, slug=note.slug, title=draft.title,
                                          source_text=draft.french_text, source_sha256=draft.french_sha256,
                                          source_name=note.name, text=text, approved_by=editor.id, approved_at=now)
                db.session.add(publication)
                transition(note.filename, lang, Action.APPROVE, editor, commit=False)
                db.session.commit()
            except Exception:
                db.session.rollback()
                _restore(path, previous)
                raise
    _refresh_published(garden, lang)
    return publication


def clean_comment(comment) -> str:
    """The editor's comment stripped, or :class:`PublishingInputError` when empty, too long or not text."""
    if not isinstance(comment, str) or not comment.strip():
        raise PublishingInputError("a comment saying what to change is required")
    comment = comment.strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise PublishingInputError(f"the comment is longer than {MAX_COMMENT_LENGTH} characters")
    return comment


def request_changes(note: Note, lang: str, editor: User, comment) -> str:
    """Send a submitted note back to the translators with ``comment``; return the new state."""
    return transition(note.filename, lang, Action.REQUEST_CHANGES, editor, clean_comment(comment)).value


def clean_reason(reason) -> str:
    """The editor's reason for unpublishing, stripped, or :class:`PublishingInputError` when empty, too long or not text."""
    if not isinstance(reason, str) or not reason.strip():
        raise PublishingInputError("a reason for unpublishing is required")
    reason = reason.strip()
    if len(reason) > MAX_COMMENT_LENGTH:
        raise PublishingInputError(f"the reason is longer than {MAX_COMMENT_LENGTH} characters")
    return reason


def unpublish(garden, note: Note, lang: str, editor: User, reason: str | None = None) -> Publication | None:
    """Take the published English offline: remove the file, mark the record, keep the history (and ``reason``)."""
    path = garden.published_path(lang, note.slug)
    with file_lock(path):
        recover_publication(path, lang)
        db.session.rollback()  # read what other processes committed before we took the lock
        live = latest_publication(note.filename, lang, live_only=True)
        previous = _read_bytes(path)
        if live is None and previous is None:
            raise WorkflowError("this note is not published in this language", {"published": False})
        next_state(stored_state(note.filename, lang), Action.UNPUBLISH)  # 409 when the table refuses
        with journaled(path):  # a crash before the commit is undone by recover_publication
            if previous is not None:
                os.unlink(path)
            try:
                now = utcnow()
                for row in db.session.scalars(select(Publication).where(
                        Publication.source == note.filename, Publication.lang == lang, Publication.unpublished_at.is_(None))):
                    row.unpublished_at = now
                transition(note.filename, lang, Action.UNPUBLISH, editor, reason, commit=False)
                db.session.commit()
            except Exception:
                db.session.rollback()
                if previous is not None:
                    atomic_write(path, previous)
                raise
    _refresh_published(garden, lang)
    return live


def _refresh_published(garden, lang: str) -> None:
    index = garden.published.get(lang)
    if index is not None:
        index.refresh()


def _who(user: User | None) -> str | None:
    return user.username if user is not None else None


def publication_history(source: str, lang: str) -> dict:
    """Decisions (submissions, approvals, requests, unpublishing) and publications, newest first."""
    events = [{"action": e.action, "user": _who(e.user), "at": iso_utc(e.at), "comment": e.comment}
              for e in review_events(source, lang)]
    rows = db.session.scalars(select(Publication).where(Publication.source == source, Publication.lang == lang)
                              .order_by(Publication.approved_at.desc(), Publication.id.desc()))
    return {"events": events, "publications": [publication_data(p) for p in rows]}


def publication_data(p: Publication) -> dict:
    """The API form of a publication record (without its texts)."""
    return {"id": p.id, "slug": p.slug, "title": p.title, "approved_by": _who(p.approver),
            "approved_at": iso_utc(p.approved_at), "source_sha256": p.source_sha256,
            "unpublished_at": iso_utc(p.unpublished_at) if p.unpublished_at else None,
            "live": p.unpublished_at is None}


def adopt_published(garden) -> list[Publication]:
    """Record snapshots found in ``content/<lang>/`` that no record knows (a fresh database over committed files).

    Each gets a publication record (with the French approved against when its hash still matches
    the file on disk, else an empty ``source_text``: unknown) and reaches ``published`` through the
    transition table (submit, then approve, by nobody, with a comment saying so).
    """
    adopted = []
    for lang in garden.target_langs:
        for snapshot in garden.published[lang].notes():
            note = garden.notes.by_filename(snapshot.source)
            if note is None or note.slug != snapshot.slug or note_state_row(note.filename, lang) is not None \
                    or latest_publication(note.filename, lang) is not None:
                continue
            french, sha = read_french(garden, note)
            comment = f"adopted {lang}/{snapshot.slug}.md, published before this database existed"
            transition(note.filename, lang, Action.SUBMIT, None, comment, commit=False)
            transition(note.filename, lang, Action.APPROVE, None, comment, commit=False)
            adopted.append(Publication(source=note.filename, lang=lang, slug=snapshot.slug, title=snapshot.title,
                                       source_text=french if sha == snapshot.source_sha256 else "",
                                       source_sha256=snapshot.source_sha256, source_name=note.name,
                                       text=snapshot.text, approved_by=None,
                                       approved_at=_parse_utc(snapshot.approved_at) or utcnow()))
            db.session.add(adopted[-1])
    db.session.commit()
    return adopted


def _parse_utc(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
