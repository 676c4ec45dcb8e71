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
from app.catalog.context import SegmentContext, note_sections, segment_contexts
from app.catalog.fuzzy_reasons import SIMILAR_PASSAGE, fuzzy_reasons
from app.catalog.po import catalog_counts, entry_id, translations_of
from app.content.notes import Note
from app.extensions import db
from app.models import EntryHistory
from app.services.reviewing import workflow
from app.services.garden import Garden
from app.services.translating.memory import memory_for, suggestions_for
from app.services.translating.entries import live_entries, note_state, read_note_catalog
from app.services.translating.entry_views import as_utc, entry_data, save_counts
from app.services.translating.progress import submission_gaps
from app.services.translating.screen_pages import PAGE_SIZE, ScreenPages, screen_pages
from app.render.markdown import line_anchor, note_heading_lines
from app.render.sanitize import prefix_id
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

    @property
    def diff(self) -> Markup:
        """The word diff from the text before to the text after (computed for the segments shown only)."""
        return word_diff_html(self.before, self.after)


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
    number: int = 0  #: 1-based place in the note
    context: SegmentContext | None = None  #: line, section, column header, parent item
    reason: str | None = None  #: why it is fuzzy: ``french_changed`` or ``similar_passage``
    reason_source: str | None = None  #: the id of the similar passage it was suggested from
    french_anchor: str | None = None  #: the id of its block on the French reader page

    @property
    def section(self) -> int:
        """The number of the section (heading) the segment is in."""
        return self.context.section if self.context else 0

    @property
    def errors(self) -> int:
        """How many error-level checks fail (on a translated segment)."""
        return sum(1 for c in self.entry["checks"] if c["severity"] == "error") if self.entry["msgstr"] else 0

    @property
    def warnings(self) -> int:
        """How many warnings the checks give."""
        return sum(1 for c in self.entry["checks"] if c["severity"] == "warning") if self.entry["msgstr"] else 0

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
        return self.status != "translated" or self.errors > 0

    @property
    def text(self) -> str:
        """What the textarea holds."""
        return self.draft if self.draft is not None else self.entry["msgstr"]


@dataclass
class NoteScreen:
    """The note screen of ``note`` in ``lang``: every segment, the page of them shown, the sections."""

    note: Note
    lang: str
    state: str
    comment: str | None
    counts: dict
    gaps: dict
    segments: list[Segment]
    preview: Markup | None
    pages: ScreenPages | None = None
    page: int = 1

    @property
    def shown(self) -> list[Segment]:
        """The segments of the page shown (all of them when not paged)."""
        return self.pages.page(self.page) if self.pages else self.segments

    @property
    def paged(self) -> bool:
        """Whether the note is cut into pages."""
        return self.pages is not None and len(self.pages.pages) > 1

    def first_target(self) -> str | None:
        """Where "next segment needing work" goes from this page: the first one at or after its start."""
        shown = self.shown
        if not shown:
            return self.next_needing_work(None)
        index = next(i for i, s in enumerate(self.segments) if s.id == shown[0].id)
        return self.next_needing_work(self.segments[index - 1].id if index else None)

    def segment(self, ident: str | None) -> Segment | None:
        """The segment with id ``ident``."""
        return next((s for s in self.segments if s.id == ident), None)

    def next_needing_work(self, after: str | None) -> str | None:
        """The id of the next segment that needs work (and that the filter keeps) after ``after``, wrapping; or None."""
        if self.pages is not None:
            return self.pages.next_target(self.segments, after)
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
                                                 row.before, row.after, row.was_fuzzy))
    return grouped


def preview_html(garden: Garden, note: Note, lang: str, po) -> Markup:
    """The English draft rendered like a page (French where not translated yet), headings below ``h2``."""
    from app.catalog.assemble import assemble_note
    from app.render.markdown import render_note_body, shift_headings
    from app.services.reading.note_pages import render_options

    markdown = assemble_note(note.text, translations_of(po))
    return Markup(shift_headings(render_note_body(markdown, render_options(garden, lang, embeds=False, note=note)), 3))


def _french_anchor(context: SegmentContext | None, headings: dict[int, str]) -> str | None:
    """The id of the segment's place on the French reader page (the page title for the title and aliases)."""
    if context is None:
        return None
    if context.type in ("title", "alias"):
        return "note-title"
    return prefix_id(headings.get(context.line) or line_anchor(context.line))


def note_screen(garden: Garden, note: Note, lang: str, show: str = "all", page: int = 1, *,
                focus: str | None = None, preview: bool | None = None) -> NoteScreen:
    """Everything the note screen shows for ``note`` in ``lang``: the page ``page`` of what the filter ``show`` keeps.

    Suggestions, history diffs and the preview are worked out for the page shown only; with ``focus``
    (a segment id) the page is the one holding it. The preview of a note longer than a page is
    rendered only when asked (``preview=True``).
    """
    po, _ = read_note_catalog(garden, note, lang)
    saves, history = save_counts(note.filename, lang), _history(note, lang)
    contexts, reasons = segment_contexts(note.text), fuzzy_reasons(po)
    try:
        headings = note_heading_lines(note.text)
    except Exception:  # noqa: BLE001  (a note that cannot be rendered: its segments link to their lines)
        log.warning("heading ids of %s could not be worked out", note.filename, exc_info=True)
        headings = {}
    segments = []
    for number, entry in enumerate(live_entries(po), 1):
        ident = entry_id(entry)
        segment = Segment(entry_data(entry, saves.get(ident, 0), gettext, lang, reasons.get(ident)),
                          history=history.get(ident, []), number=number, context=contexts.get(entry.msgid))
        segment.reason, segment.reason_source = reasons.get(ident, (None, None))
        segment.french_anchor = _french_anchor(segment.context, headings)
        if entry.previous_msgid and (entry.fuzzy or minor.pending(entry)):
            if entry.fuzzy:
                segment.diff = word_diff_html(entry.previous_msgid, entry.msgid)
            if segment.reason != SIMILAR_PASSAGE:  # a passage suggested from another: that one's saves are not its own
                previous = polib.POEntry(msgctxt=entry.previous_msgctxt or entry.msgctxt, msgid=entry.previous_msgid)
                segment.history = segment.history + history.get(entry_id(previous), [])  # saves made on the old French
        segments.append(segment)
    pages = screen_pages(segments, [(s.number, s.title) for s in note_sections(note.text)], show)
    page = pages.page_of[focus] if focus in pages.page_of else pages.clamp(page)
    memory = memory_for(garden, lang)
    for segment in pages.page(page):
        if segment.needs_work:
            segment.suggestions = suggestions_for(garden, lang, segment.entry["msgid"], slug=note.slug,
                                                  current=segment.entry["msgstr"], memory=memory)
    row = workflow.note_state_row(note.filename, lang)
    shown_preview = None
    if preview or (preview is None and len(segments) <= PAGE_SIZE):
        try:
            shown_preview = preview_html(garden, note, lang, po)
        except Exception:  # the preview is a convenience: never lose the editing screen to it
            log.exception("preview of %s in %s failed", note.filename, lang)
            shown_preview = Markup("")
    return NoteScreen(note, lang, note_state(note, lang), row.comment if row else None, catalog_counts(po),
                      submission_gaps(po, gettext, note.text), segments, shown_preview, pages, page)


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


def next_needing_work(garden: Garden, note: Note, lang: str, after: str, show: str = "all") -> tuple[str | None, int]:
    """Where to go after saving ``after``: the next segment needing work that the filter keeps, and its page."""
    po, _ = read_note_catalog(garden, note, lang)
    contexts = segment_contexts(note.text)
    segments = [Segment(entry_data(entry, 0), context=contexts.get(entry.msgid)) for entry in live_entries(po)]
    pages = screen_pages(segments, [(s.number, s.title) for s in note_sections(note.text)], show)
    target = pages.next_target(segments, after)
    return target, pages.page_of.get(target, 1)


def note_progress(garden: Garden, note: Note, lang: str) -> dict:
    """Where the note stands after a save, for the screen to update without a reload: state, counts, readiness."""
    po, _ = read_note_catalog(garden, note, lang)
    counts, gaps = catalog_counts(po), submission_gaps(po, gettext, note.text)
    return {"state": note_state(note, lang), "translated": counts["translated"], "fuzzy": counts["fuzzy"],
            "untranslated": gaps.get("untranslated", counts["untranslated"]), "errors": len(gaps.get("errors", [])),
            "ready": not gaps}
