"""Saving several entries of one catalog at once (an uploaded PO file, confirmed minor changes).

The same path as one online save (:func:`app.services.translating.entries.save_entry`): under
the catalog's cross-process lock, re-read the file, compare each entry's version with the one
the change was based on, write one history row per applied entry in the user's name, write the
file once and commit with :func:`~app.services.translating.entries._commit_with_file` (a save is
in both the file and the database, or in neither). An entry whose version moved is not touched:
it comes back as a conflict with the entry as it is now.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.catalog import minor
from app.content.notes import Note
from app.extensions import db
from app.fsutil import file_lock
from app.models import EntryHistory, User
from app.services.garden import Garden
from app.services.translating.entries import (_commit_with_file, catalog_file, clean_translation, ensure_catalog,
                                              find_entry, read_note_catalog)
from app.services.translating.entry_views import entry_data, entry_version, save_counts


@dataclass(frozen=True)
class EntryChange:
    """One change asked for: the entry id, its new translation and the version it was based on."""

    ident: str
    msgstr: str
    base_version: str
    confirm: bool = False  #: only confirm a minor change of the French (``msgstr`` must be the current one)
    keep_minor: bool = False  #: made for the French before a minor change: that change still waits to be confirmed


@dataclass
class Outcome:
    """What became of one :class:`EntryChange`: ``applied``, ``conflict`` or ``missing``."""

    change: EntryChange
    status: str
    entry: dict | None = None  #: the entry after the save, or as it is now (conflict)
    before: str = ""  #: the translation before an applied change


def save_entries(garden: Garden, note: Note, lang: str, changes: Sequence[EntryChange], user: User, *,
                 action: str = "save", edit: bool = True, gettext: Callable[[str], str] = lambda s: s) -> list[Outcome]:
    """Apply every change whose base version is current, in one file write; report the others.

    ``action`` names the history rows (``save``, ``upload``, ``confirm``); ``edit=False`` leaves the
    workflow state alone (confirming a minor change does not touch the English). Bad text raises
    :class:`~app.services.translating.entries.InvalidInput` before anything is written.
    """
    cleaned = [(change, clean_translation(change.msgstr)) for change in changes]
    path = catalog_file(garden, note, lang)
    if not path.exists():
        ensure_catalog(garden, note, lang)
    outcomes, rows, applied = [], [], []
    with file_lock(path):
        db.session.rollback()  # read what other processes committed before we took the lock
        po, old_bytes = read_note_catalog(garden, note, lang)
        saves = save_counts(note.filename, lang)
        for change, msgstr in cleaned:
            entry = find_entry(po, change.ident)
            if entry is None:
                outcomes.append(Outcome(change, "missing"))
                continue
            count = saves.get(change.ident, 0)
            if change.base_version != entry_version(entry, count) or (change.confirm and not minor.pending(entry)):
                outcomes.append(Outcome(change, "conflict", entry_data(entry, count, gettext, lang)))
                continue
            rows.append(EntryHistory(source=note.filename, lang=lang, entry_id=change.ident, msgid=entry.msgid,
                                     action=action, before=entry.msgstr, after=msgstr, was_fuzzy=entry.fuzzy,
                                     user_id=user.id))
            outcome = Outcome(change, "applied", before=entry.msgstr)
            entry.msgstr = msgstr
            entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
            if not change.keep_minor:
                minor.unmark(entry)  # also drops #| msgid: the entry is translated against the French now
            saves[change.ident] = count + 1
            outcomes.append(outcome)
            applied.append((outcome, entry))
        if rows:
            _commit_with_file(path, po, old_bytes, rows, note, lang, user, edit=edit)
    for outcome, entry in applied:
        outcome.entry = entry_data(entry, saves[outcome.change.ident], gettext, lang)
    return outcomes
