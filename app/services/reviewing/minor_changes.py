"""Minor changes of the French on the editor's side: every one waiting across the garden, confirmed in bulk.

The published English stays current through minor changes (see
:mod:`app.services.reading.outdated`); the editor still sees each one, with its word diff, and
confirms them together. Each confirmation names the entry and the version the editor saw, so
nothing changed meanwhile is confirmed blindly: it comes back as a conflict.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from markupsafe import Markup

from app.catalog import minor
from app.catalog.po import entry_id
from app.models import User
from app.services.garden import Garden
from app.services.translating.batch import EntryChange, save_entries
from app.services.translating.entries import TranslationError, live_entries, read_note_catalog
from app.services.translating.entry_views import entry_version, save_counts
from app.services.translating.progress import catalog_summary
from app.workflow.diff import word_diff_html


@dataclass
class MinorChange:
    """One entry whose French changed in a minor way since its translation, not confirmed yet."""

    slug: str
    title: str
    lang: str
    id: str
    msgid: str
    previous: str
    msgstr: str
    version: str
    diff: Markup

    @property
    def key(self) -> str:
        """``lang/slug/id/version``: what the confirm form sends back."""
        return f"{self.lang}/{self.slug}/{self.id}/{self.version}"

    def api(self) -> dict:
        """The API form."""
        return {"slug": self.slug, "title": self.title, "lang": self.lang, "id": self.id, "msgid": self.msgid,
                "previous_msgid": self.previous, "msgstr": self.msgstr, "version": self.version}


def pending_minor_changes(garden: Garden) -> list[MinorChange]:
    """Every unconfirmed minor change in every catalog, by note title then document order."""
    found = []
    for note in sorted(garden.notes.notes(), key=lambda n: n.title.casefold()):
        for lang in garden.target_langs:
            try:
                if not catalog_summary(garden, note, lang).get("minor"):
                    continue
                po, _ = read_note_catalog(garden, note, lang)
            except TranslationError:
                continue  # an unreadable catalog is reported on the dashboard
            saves = save_counts(note.filename, lang)
            for entry in live_entries(po):
                if minor.pending(entry):
                    ident = entry_id(entry)
                    previous = entry.previous_msgid or ""
                    found.append(MinorChange(note.slug, note.title, lang, ident, entry.msgid, previous, entry.msgstr,
                                             entry_version(entry, saves.get(ident, 0)),
                                             word_diff_html(previous, entry.msgid) if previous else Markup("")))
    return found


def parse_key(key: str) -> tuple[str, str, str, str] | None:
    """``(lang, slug, id, version)`` from :attr:`MinorChange.key`, or None when malformed."""
    parts = key.split("/") if isinstance(key, str) else []
    return tuple(parts) if len(parts) == 4 and all(parts) else None


def confirm_minor_changes(garden: Garden, user: User, wanted: list[tuple[str, str, str, str]]) -> dict:
    """Confirm ``(lang, slug, id, version)`` items, one write per catalog; return confirmed and refused ones."""
    by_note: dict[tuple[str, str], list[EntryChange]] = defaultdict(list)
    refused = []
    for lang, slug, ident, version in wanted:
        note = garden.notes.get(slug)
        if note is None or lang not in garden.target_langs:
            refused.append({"lang": lang, "slug": slug, "id": ident, "reason": "unknown note or language"})
            continue
        by_note[lang, slug].append(EntryChange(ident, "", version, confirm=True))
    confirmed = []
    for (lang, slug), changes in by_note.items():
        note = garden.notes.get(slug)
        po, _ = read_note_catalog(garden, note, lang)
        current = {entry_id(e): e.msgstr for e in live_entries(po)}
        changes = [EntryChange(c.ident, current.get(c.ident, ""), c.base_version, confirm=True) for c in changes]
        for outcome in save_entries(garden, note, lang, changes, user, action="confirm", edit=False):
            item = {"lang": lang, "slug": slug, "id": outcome.change.ident}
            if outcome.status == "applied":
                confirmed.append(item)
            else:
                refused.append({**item, "reason": "changed since you saw it" if outcome.status == "conflict"
                                else "the French changed: the entry is gone"})
    return {"confirmed": confirmed, "refused": refused}
