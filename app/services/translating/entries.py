"""Translating one note: its entries and their versions, saves that never lose work, history.

An entry's ``version`` is ``"<saves>-<digest>"``: the number of saved history rows of the entry
and :func:`~app.catalog.po.entry_digest` (msgstr, fuzzy flag, previous msgid). It changes on
every save that changes something (saving the identical text of a translated entry writes
nothing and adds no history row, as Weblate ignores an unchanged submission) and whenever the file changes
under us (a sync making it fuzzy, an edit in Poedit), and
:func:`~app.services.translating.entry_views.entry_version` is the only place that computes it.

A save happens under the catalog's cross-process lock: re-read, compare the version, commit
the history row as pending, write the file atomically, then mark the row done with the
workflow state. When the write fails the row is deleted; when the last commit fails the old
bytes are written back; a process killed in between leaves a pending row that the next read
of that catalog settles under the lock: a save is in both the file and the database, or in
neither.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

import polib
from flask import current_app
from sqlalchemy import delete, func, select, update

from app.catalog import minor
from app.catalog.fuzzy_reasons import fuzzy_reasons
from app.catalog.po import CatalogError, entry_id, parse_catalog, write_catalog
from app.content.notes import Note
from app.extensions import db
from app.fsutil import atomic_write, file_lock
from app.models import EntryHistory, User
from app.services.reviewing import workflow
from app.services.garden import Garden
from app.services.translating.errors import CatalogUnreadable, Conflict, InvalidInput, NotFound, TranslationError  # noqa: F401  (screens name them from here)
from app.services.translating.entry_views import entry_data, entry_history, entry_version, history_data, save_counts
from app.workflow.states import Action

log = logging.getLogger(__name__)

#: Control characters a translation may not contain (tab and newline are fine).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def catalog_file(garden: Garden, note: Note, lang: str) -> Path:
    """The catalog of ``note`` in ``lang``."""
    return garden.catalog_path(lang, note.slug)


def _display_path(garden: Garden, path: Path) -> str:
    try:
        return str(path.relative_to(garden.translations_dir.parent))
    except ValueError:
        return path.name


def _read_and_parse(garden: Garden, path: Path, slug: str, lang: str) -> tuple[polib.POFile, bytes]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"no catalog for {slug!r} in {lang!r} yet; run `passerelle sync`") from None
    try:
        return parse_catalog(data, _display_path(garden, path)), data
    except CatalogError as exc:
        raise CatalogUnreadable(f"the catalog cannot be read ({exc}); fix it in a PO editor, it was left untouched") from None


def read_note_catalog(garden: Garden, note: Note, lang: str) -> tuple[polib.POFile, bytes]:
    """The parsed catalog of ``note`` in ``lang`` and its bytes, synced first if it does not exist yet.

    Reads take no lock. A pending history row means a save is in flight (or was killed): then
    the reader waits for the catalog's lock, which the save holds until it is done, reads the
    file again and settles under the lock only what a dead process left behind.
    """
    path = catalog_file(garden, note, lang)
    if not path.exists():
        ensure_catalog(garden, note, lang)
    po, data = _read_and_parse(garden, path, note.slug, lang)
    if not _has_pending_saves(note.filename, lang):
        return po, data
    with file_lock(path):  # reentrant: a save calling us already holds it
        db.session.rollback()  # see what the save we waited for committed
        po, data = _read_and_parse(garden, path, note.slug, lang)
        settle_pending_saves(note.filename, lang, po)
        return po, data


def _has_pending_saves(source: str, lang: str) -> bool:
    query = select(EntryHistory.id).where(EntryHistory.source == source, EntryHistory.lang == lang,
                                          EntryHistory.pending.is_(True)).limit(1)
    return db.session.scalar(query) is not None


def ensure_catalog(garden: Garden, note: Note, lang: str) -> None:
    """Create the note's catalog from its French when it does not exist yet (errors are logged)."""
    from app.catalog.note_catalog import sync_note

    result = sync_note(note.text, note.filename, catalog_file(garden, note, lang), lang)
    if result.error is not None:
        log.warning("could not create the catalog of %s: %s", note.filename, result.error)


def live_entries(po: polib.POFile) -> list[polib.POEntry]:
    """The entries a translator works on, in document order (obsolete ones left out)."""
    return [entry for entry in po if not entry.obsolete and entry.msgid]


def find_entry(po: polib.POFile, wanted: str) -> polib.POEntry | None:
    """The live entry whose id is ``wanted``, or None."""
    return next((entry for entry in live_entries(po) if entry_id(entry) == wanted), None)


def _save_count(source: str, lang: str, ident: str) -> int:
    query = select(func.count()).select_from(EntryHistory).where(
        EntryHistory.source == source, EntryHistory.lang == lang, EntryHistory.entry_id == ident,
        EntryHistory.pending.is_(False))
    return db.session.scalar(query) or 0


def note_entries(garden: Garden, note: Note, lang: str, gettext: Callable[[str], str] = lambda s: s) -> list[dict]:
    """Every live entry of the note in ``lang`` in API form."""
    po, _ = read_note_catalog(garden, note, lang)
    counts, reasons = save_counts(note.filename, lang), fuzzy_reasons(po)
    return [entry_data(entry, counts.get(entry_id(entry), 0), gettext, lang, reasons.get(entry_id(entry)))
            for entry in live_entries(po)]


def note_state(note: Note, lang: str) -> str:
    """The workflow state to show for the note in ``lang`` (``outdated`` derived)."""
    return workflow.current_state(note.filename, lang, note.sha256, note=note).value


def one_entry(garden: Garden, note: Note, lang: str, ident: str, gettext: Callable[[str], str] = lambda s: s) -> dict:
    """One entry in API form, or :class:`NotFound`."""
    po, _ = read_note_catalog(garden, note, lang)
    entry = find_entry(po, ident)
    if entry is None:
        raise NotFound(f"no entry {ident!r} in {note.slug!r} ({lang}); the French may have changed")
    return entry_data(entry, _save_count(note.filename, lang, ident), gettext, lang, fuzzy_reasons(po).get(ident))


def clean_translation(msgstr: object) -> str:
    """Validate a submitted translation and normalise its line endings, or :class:`InvalidInput`."""
    if not isinstance(msgstr, str):
        raise InvalidInput("msgstr must be a string")
    # msgids never start or end with a line break; a textarea's stray newline would make the
    # entry fail `msgfmt -c`, so it is dropped
    msgstr = msgstr.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    limit = current_app.config["MAX_TRANSLATION_LENGTH"]
    if len(msgstr) > limit:
        raise InvalidInput(f"msgstr is too long ({len(msgstr)} characters, at most {limit})", "too_long",
                           length=len(msgstr), limit=limit)
    if _CONTROL.search(msgstr):
        raise InvalidInput("msgstr contains control characters", "control")
    return msgstr


def save_entry(garden: Garden, note: Note, lang: str, ident: str, msgstr: object, base_version: object,
               user: User, gettext: Callable[[str], str] = lambda s: s) -> dict:
    """Save one translation if ``base_version`` is current; return the entry, or raise :class:`Conflict`."""
    msgstr = clean_translation(msgstr)
    if not isinstance(base_version, str) or not base_version:
        raise InvalidInput("base_version must be the version string the edit started from")
    path = catalog_file(garden, note, lang)
    if not path.exists():
        ensure_catalog(garden, note, lang)
    with file_lock(path):
        db.session.rollback()  # read what other processes committed before we took the lock
        po, old_bytes = read_note_catalog(garden, note, lang)
        entry = find_entry(po, ident)
        if entry is None:
            raise NotFound(f"no entry {ident!r} in {note.slug!r} ({lang}); the French may have changed")
        saves = _save_count(note.filename, lang, ident)
        if base_version != entry_version(entry, saves):
            raise Conflict("someone saved this entry since you started; nothing was overwritten",
                           entry_data(entry, saves, gettext, lang, fuzzy_reasons(po).get(ident)))
        if msgstr == entry.msgstr and not entry.fuzzy and not minor.pending(entry):
            return entry_data(entry, saves, gettext, lang)  # nothing changes: no history row, no write
        row = EntryHistory(source=note.filename, lang=lang, entry_id=ident, msgid=entry.msgid, action="save",
                           before=entry.msgstr, after=msgstr, was_fuzzy=entry.fuzzy, user_id=user.id)
        entry.msgstr = msgstr
        entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
        entry.previous_msgid = entry.previous_msgctxt = entry.previous_msgid_plural = None
        minor.unmark(entry)  # a save is the translator's word on the entry: a pending minor change is settled
        _commit_with_file(path, po, old_bytes, row, note, lang, user)
    return entry_data(entry, saves + 1, gettext, lang)


def _commit_with_file(path: Path, po: polib.POFile, old_bytes: bytes, row: EntryHistory | list[EntryHistory],
                      note: Note, lang: str, user: User, *, edit: bool = True) -> None:
    """Commit the history row as pending, write the file, mark the row done: a save is in both or neither.

    A crash (even ``kill -9``) after the first commit leaves a pending row that the next save or
    sync of this catalog settles with :func:`settle_pending_saves`: kept when the file holds the
    save, deleted when it does not.
    """
    rows = row if isinstance(row, list) else [row]
    for row in rows:
        row.pending = True
        db.session.add(row)
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    try:
        write_catalog(path, po)
    except BaseException:
        db.session.rollback()
        for row in rows:
            db.session.delete(row)
        db.session.commit()
        raise
    try:
        for row in rows:
            row.pending = False
        if edit:  # confirming a minor change of the French is no edit of the English
            workflow.transition(note.filename, lang, Action.EDIT, user, commit=False)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        atomic_write(path, old_bytes)
        raise


def settle_pending_saves(source: str, lang: str, po: polib.POFile) -> int:
    """Settle saves interrupted between their history row and their file write (call under the catalog lock).

    A pending row whose text the catalog holds is kept (the file was written); any other is
    deleted (the file never got it). Each statement touches the row only if it is still pending,
    so a save that finished meanwhile is never undone. Returns how many rows were settled.
    """
    rows = db.session.execute(select(EntryHistory.id, EntryHistory.entry_id, EntryHistory.after, EntryHistory.action).where(
        EntryHistory.source == source, EntryHistory.lang == lang, EntryHistory.pending.is_(True))).all()
    if not rows:
        return 0
    in_file = {entry_id(entry): entry for entry in po if not entry.obsolete}
    settled = 0
    for ident, entry_ident, after, action in sorted(rows):
        entry = in_file.get(entry_ident)
        still_pending = (EntryHistory.id == ident) & EntryHistory.pending.is_(True)
        if entry is not None and entry.msgstr == after and not entry.fuzzy \
                and not (action == "confirm" and minor.pending(entry)):
            statement = update(EntryHistory).where(still_pending).values(pending=False)
        else:
            statement = delete(EntryHistory).where(still_pending)
        settled += db.session.execute(statement, execution_options={"synchronize_session": False}).rowcount
    db.session.commit()
    if settled:
        log.warning("settled %d interrupted save(s) of %s (%s)", settled, source, lang)
    return settled


def settle_all_pending_saves(garden: Garden) -> int:
    """Settle every interrupted save, each under its catalog's lock (run by ``passerelle sync``)."""
    pending = db.session.execute(select(EntryHistory.source, EntryHistory.lang)
                                 .where(EntryHistory.pending.is_(True)).distinct()).all()
    settled = 0
    for source, lang in pending:
        note = garden.notes.by_filename(source)
        path = garden.catalog_path(lang, note.slug) if note else None
        if path is None or not path.exists():
            continue
        with file_lock(path):
            db.session.rollback()
            try:
                po, _ = _read_and_parse(garden, path, note.slug, lang)
            except (CatalogUnreadable, NotFound):
                continue
            settled += settle_pending_saves(source, lang, po)
    return settled


def entry_history_data(garden: Garden, note: Note, lang: str, ident: str) -> list[dict]:
    """The history of an entry that exists now (or :class:`NotFound`), in API form."""
    po, _ = read_note_catalog(garden, note, lang)
    entry = find_entry(po, ident)
    if entry is None:
        raise NotFound(f"no entry {ident!r} in {note.slug!r} ({lang})")
    rows = entry_history(note, lang, ident)
    if entry.previous_msgid and (entry.fuzzy or minor.pending(entry)):  # saves made on the French it came from
        previous = polib.POEntry(msgctxt=entry.previous_msgctxt or entry.msgctxt, msgid=entry.previous_msgid)
        rows += entry_history(note, lang, entry_id(previous))
    return history_data(rows)
