"""What the translator's note screen shows: segments with diffs, checks, suggestions and history, and a preview."""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field

import polib
from flask_babel import gettext
from markupsafe import Markup
from sqlalchemy import select

from app.catalog import minor
from app.catalog.po import catalog_counts, entry_id, translations_of
from app.content.notes import Note
from app.extensions import db
from app.models import EntryHistory
from app.services.reviewing import workflow
from app.services.garden import Garden
from app.services.translating.memory import memory_for, suggestions_for
from app.services.translating.entries import as_utc, entry_data, live_entries, note_state, read_note_catalog, save_counts
from app.services.translating.progress import submission_gaps
from app.workflow.diff import word_diff_html
from app.workflow.memory import Suggestion

log = logging.getLogger(__name__)


@dataclass
class HistoryItem:
    """One saved change of a segment, with its word diff."""

    user: str | None
    at: object
    action: str
    before: str
    after: str
    was_fuzzy: bool
    diff: Markup


@dataclass
class Segment:
    """One entry as the screen shows it."""

    entry: dict
    diff: Markup | None = None  #: previous French against current French, for a fuzzy entry
    suggestions: list[Suggestion] = field(default_factory=list)
    history: list[HistoryItem] = field(default_factory=list)
    draft: str | None = None  #: text to put back in the textarea after a refused save
    conflict: dict | None = None  #: the entry as saved by someone else, after a 409
    error: str | None = None  #: why the last save of this segment was refused
    conflict_diff: Markup | None = None  #: word diff from the saved version to the translator's

    @property
    def id(self) -> str:
        """The entry id."""
        return self.entry["id"]

    @property
    def status(self) -> str:
        """``translated``, ``fuzzy`` or ``untranslated``."""
        if not self.entry["msgstr"]:
            return "untranslated"
        return "fuzzy" if self.entry["fuzzy"] else "translated"

    @property
    def needs_work(self) -> bool:
        """Untranslated, fuzzy, or failing an error-level check."""
        return self.status != "translated" or any(c["severity"] == "error" for c in self.entry["checks"])

    @property
    def text(self) -> str:
        """What the textarea holds."""
        return self.draft if self.draft is not None else self.entry["msgstr"]


@dataclass
class NoteScreen:
    """The note screen of ``note`` in ``lang``."""

    note: Note
    lang: str
    state: str
    comment: str | None
    counts: dict
    gaps: dict
    segments: list[Segment]
    preview: Markup

    def next_needing_work(self, after: str | None) -> str | None:
        """The id of the next segment that needs work after ``after`` (wrapping), or None."""
        ids = [s.id for s in self.segments]
        start = ids.index(after) + 1 if after in ids else 0
        for segment in self.segments[start:] + self.segments[:start]:
            if segment.needs_work and segment.id != after:
                return segment.id
        return None


def _history(note: Note, lang: str) -> dict[str, list[HistoryItem]]:
    query = (select(EntryHistory).where(EntryHistory.source == note.filename, EntryHistory.lang == lang,
                                        EntryHistory.pending.is_(False))
             .order_by(EntryHistory.at.desc(), EntryHistory.id.desc()))
    grouped: dict[str, list[HistoryItem]] = defaultdict(list)
    for row in db.session.scalars(query):
        grouped[row.entry_id].append(HistoryItem(row.user.username if row.user else None, as_utc(row.at), row.action,
                                                 row.before, row.after, row.was_fuzzy,
                                                 word_diff_html(row.before, row.after)))
    return grouped


def preview_html(garden: Garden, note: Note, lang: str, po) -> Markup:
    """The English draft rendered like a page (French where not translated yet), headings below ``h2``."""
    from app.catalog.assemble import assemble_note
    from app.render.markdown import render_note_body, shift_headings
    from app.services.reading.note_pages import render_options

    markdown = assemble_note(note.text, translations_of(po))
    return Markup(shift_headings(render_note_body(markdown, render_options(garden, lang, embeds=False, note=note)), 3))


def note_screen(garden: Garden, note: Note, lang: str) -> NoteScreen:
    """Everything the note screen shows for ``note`` in ``lang``."""
    po, _ = read_note_catalog(garden, note, lang)
    saves, history = save_counts(note.filename, lang), _history(note, lang)
    segments, memory = [], memory_for(garden, lang)
    for entry in live_entries(po):
        ident = entry_id(entry)
        segment = Segment(entry_data(entry, saves.get(ident, 0), gettext, lang), history=history.get(ident, []))
        if entry.previous_msgid and (entry.fuzzy or minor.pending(entry)):
            if entry.fuzzy:
                segment.diff = word_diff_html(entry.previous_msgid, entry.msgid)
            previous = polib.POEntry(msgctxt=entry.previous_msgctxt or entry.msgctxt, msgid=entry.previous_msgid)
            segment.history = segment.history + history.get(entry_id(previous), [])  # saves made on the old French
        if segment.needs_work:
            segment.suggestions = suggestions_for(garden, lang, entry.msgid, slug=note.slug, current=entry.msgstr,
                                                  memory=memory)
        segments.append(segment)
    row = workflow.note_state_row(note.filename, lang)
    try:
        preview = preview_html(garden, note, lang, po)
    except Exception:  # the preview is a convenience: never lose the editing screen to it
        log.exception("preview of %s in %s failed", note.filename, lang)
        preview = Markup("")
    return NoteScreen(note, lang, note_state(note, lang), row.comment if row else None, catalog_counts(po),
                      submission_gaps(po, gettext, note.text), segments, preview)


def refused_save(screen: NoteScreen, ident: str, text: str, *, error: str | None = None,
                 conflict: dict | None = None) -> NoteScreen:
    """Show a refused save on its segment: the translator's text kept, the reason or the other version."""
    for segment in screen.segments:
        if segment.id == ident:
            segment.draft, segment.error, segment.conflict = text, error, conflict
            if conflict is not None:
                segment.entry = {**segment.entry, "version": conflict["version"]}
                segment.conflict_diff = word_diff_html(conflict["msgstr"], text)
    return screen


def next_needing_work(garden: Garden, note: Note, lang: str, after: str) -> str | None:
    """The id of the segment to go to after saving ``after``: the next one that needs work."""
    po, _ = read_note_catalog(garden, note, lang)
    segments = [Segment(entry_data(entry, 0)) for entry in live_entries(po)]
    return NoteScreen(note, lang, "", None, {}, {}, segments, Markup("")).next_needing_work(after)
