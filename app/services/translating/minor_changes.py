"""Minor changes of the French on the translator's side: what to confirm in a note, and confirming one.

A minor change (see :mod:`app.catalog.minor`) leaves the entry translated; the translator only
confirms that the English still fits, in one click, seeing the word diff of the French. The
confirmation goes through the one save path (:mod:`.batch`): locked, version-checked, a
``confirm`` history row in the translator's name; it leaves the workflow state alone.
"""
from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from app.catalog import minor
from app.content.notes import Note
from app.models import User
from app.services.garden import Garden
from app.services.translating.batch import EntryChange, save_entries
from app.services.translating.entries import Conflict, InvalidInput, NotFound, find_entry, read_note_catalog
from app.workflow.diff import word_diff_html


def minor_diff(entry: dict) -> Markup | None:
    """The word diff of the French of an entry (API form) with a pending minor change, else None."""
    if not entry.get("minor_change") or not entry.get("previous_msgid"):
        return None
    return word_diff_html(entry["previous_msgid"], entry["msgid"])


def confirm_minor_change(garden: Garden, note: Note, lang: str, ident: str, base_version: object, user: User,
                         gettext: Callable[[str], str] = lambda s: s) -> dict:
    """Confirm the minor change of one entry; the entry after, or :class:`Conflict` / :class:`NotFound` / :class:`InvalidInput`."""
    if not isinstance(base_version, str) or not base_version:
        raise InvalidInput("base_version must be the version string the confirmation is based on")
    po, _ = read_note_catalog(garden, note, lang)
    entry = find_entry(po, ident)
    if entry is None:
        raise NotFound(f"no entry {ident!r} in {note.slug!r} ({lang}); the French may have changed")
    if not minor.pending(entry):
        raise InvalidInput("this entry has no minor change of the French to confirm", "not_minor")
    change = EntryChange(ident, entry.msgstr, base_version, confirm=True)
    outcome = save_entries(garden, note, lang, [change], user, action="confirm", edit=False, gettext=gettext)[0]
    if outcome.status == "conflict":
        raise Conflict("this entry changed since you loaded it; nothing was confirmed", outcome.entry)
    if outcome.status == "missing":
        raise NotFound(f"no entry {ident!r} in {note.slug!r} ({lang}); the French may have changed")
    return outcome.entry
