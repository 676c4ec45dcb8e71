"""What the editor's screens show: the review queue and everything needed to judge one note.

Built on :mod:`app.services.publishing.approval` (the draft as it would be published) and on the
published files readers get (``content/<lang>/<slug>.md``), so "outdated" and "recently
published" here always agree with what readers see.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import select

from app.catalog.segment import segment_note
from app.content.frontmatter import split_front_matter
from app.content.notes import Note, unexpected
from app.content.published import PublishedNote
from app.extensions import db
from app.models import NoteState, Publication, ReviewEvent
from app.render.markdown import render_note_body, shift_headings
from app.services.reading.note_pages import BrokenNote, render_options
from app.services.publishing.drafts import Draft, Segment, build_draft
from app.services.publishing.approval import iso_utc
from app.services.reading.listings import parse_time, timestamp
from app.services.reading.outdated import compared_sha, french_outdated
from app.services.reviewing.workflow import latest_publication, note_state_row, review_events
from app.workflow.diff import changed_segments, line_diff_html, word_diff_html
from app.workflow.states import State, display_state

#: How many recently published notes the queue lists per language.
RECENT_LIMIT = 10

log = logging.getLogger(__name__)


@dataclass
class QueueItem:
    """One line of the review queue."""

    note: Note
    lang: str
    title: str
    at: datetime | None = None  #: submitted, requested or approved at
    who: str | None = None
    comment: str | None = None
    french_changed: datetime | None = None  #: outdated notes: when the French file last changed


@dataclass
class ReviewQueue:
    """The queue: submitted notes first, then outdated ones, then the recent publications."""

    submitted: list[QueueItem] = field(default_factory=list)
    changes_requested: list[QueueItem] = field(default_factory=list)
    outdated: list[QueueItem] = field(default_factory=list)
    recent: list[QueueItem] = field(default_factory=list)


def _last_event(source: str, lang: str, action: str) -> ReviewEvent | None:
    query = select(ReviewEvent).where(ReviewEvent.source == source, ReviewEvent.lang == lang, ReviewEvent.action == action)
    return db.session.scalar(query.order_by(ReviewEvent.at.desc(), ReviewEvent.id.desc()).limit(1))


def _approver(source: str, lang: str) -> str | None:
    live = latest_publication(source, lang, live_only=True)
    return live.approver.username if live is not None and live.approver is not None else None


def review_queue(garden) -> ReviewQueue:
    """Every target language's submitted, changes-requested, outdated and recently published notes."""
    queue = ReviewQueue()
    for lang in garden.target_langs:
        waiting = select(NoteState).where(NoteState.lang == lang,
                                          NoteState.state.in_((State.SUBMITTED.value, State.CHANGES_REQUESTED.value)))
        for row in db.session.scalars(waiting):
            source, note = row.source, garden.notes.by_filename(row.source)
            if note is None:
                continue
            event = _last_event(source, lang, "submitted" if row.state == State.SUBMITTED else "changes_requested")
            item = QueueItem(note, lang, note.title, row.updated_at, event.user.username if event and event.user else None,
                             row.comment)
            (queue.submitted if row.state == State.SUBMITTED else queue.changes_requested).append(item)
        published = [(p, garden.notes.by_filename(p.source)) for p in garden.published[lang].notes()]
        published = [(p, note) for p, note in published if note is not None]
        for pub, note in published:
            if french_outdated(pub.source_sha256, note, lang=lang):
                queue.outdated.append(QueueItem(note, lang, pub.title, parse_time(pub.approved_at),
                                                french_changed=timestamp(note.mtime)))
        published.sort(key=lambda pair: parse_time(pair[0].approved_at) or timestamp(pair[0].mtime), reverse=True)
        queue.recent += [QueueItem(note, lang, pub.title, parse_time(pub.approved_at), _approver(note.filename, lang))
                         for pub, note in published[:RECENT_LIMIT]]
    queue.submitted.sort(key=lambda item: iso_utc(item.at) if item.at else "")  # oldest submission first
    return queue


@dataclass
class NoteReview:
    """Everything the review screen of one note shows."""

    draft: Draft
    state: State  #: as shown, ``outdated`` derived
    stored: State
    published: PublishedNote | None
    last_publication: Publication | None
    english_html: Markup
    french_html: Markup
    english_diff: Markup | None  #: the draft against the last published English (None: never published)
    title_diff: Markup | None  #: set when the English title changed
    french_diff: Markup | None  #: the French now against the French last approved (None: not recorded)
    french_unchanged: bool
    changed: set[int]  #: indexes of ``draft.segments`` whose French changed since the last approval
    history: list[ReviewEvent]
    comment: str | None  #: the editor's pending request, if any

    @property
    def blockers(self) -> dict[str, int]:
        """What prevents approval (counts of untranslated, fuzzy and error-checked segments)."""
        return {k: v for k, v in self.draft.missing.items() if v}

    @property
    def attention(self) -> list[tuple[int, Segment]]:
        """``(index, segment)`` of the segments to look at: not translated, with findings, or changed French."""
        return [(i, seg) for i, seg in enumerate(self.draft.segments)
                if seg.status != "translated" or seg.checks or i in self.changed]

    @property
    def can_approve(self) -> bool:
        """Submitted, complete and without error-level checks."""
        return self.stored is State.SUBMITTED and not self.blockers and not self.draft.catalog_error

    @property
    def can_request_changes(self) -> bool:
        """Only a submitted note can be sent back."""
        return self.stored is State.SUBMITTED

    @property
    def can_unpublish(self) -> bool:
        """A published file (or a live record) exists."""
        return self.published is not None or (self.last_publication is not None and self.last_publication.unpublished_at is None)


def _render(garden, lang: str, text: str, note: Note, filename: str) -> Markup:
    """Render a note file for the screen, its headings shifted below the screen's own ``h2``.

    ``note`` is the page's note: its folder is where relative image paths start, as on the reader's page.
    A text that cannot be rendered makes the screen the note's broken-note page (``filename`` named).
    """
    try:
        return Markup(shift_headings(render_note_body(text, render_options(garden, lang, embeds=False, note=note)), 3))
    except Exception as exc:  # noqa: BLE001  (one note's failure is that note's page, never a bare 500)
        log.exception("cannot render %s for the review screen", filename)
        raise BrokenNote(unexpected(filename, exc, "rendered")) from None


def note_review(garden, note: Note, lang: str) -> NoteReview:
    """Build the review of ``note`` in ``lang``: draft, renderings, diffs, checks and history."""
    draft = build_draft(garden, note, lang)
    published = garden.published_note(lang, note)
    last = latest_publication(note.filename, lang)
    row = note_state_row(note.filename, lang)
    stored = State(row.state) if row else State.UNTRANSLATED
    live_sha = published.source_sha256 if published else None
    old_english = published.text if published else (last.text if last else None)
    english_diff = title_diff = None
    if old_english is not None:
        english_diff = line_diff_html(split_front_matter(old_english).body, draft.body)
        old_title = published.title if published else last.title
        title_diff = word_diff_html(old_title, draft.title) if old_title != draft.title else None
    french_diff, changed = None, set()
    if last is not None and last.source_text:  # empty: adopted snapshot whose French is not known
        french_diff = line_diff_html(last.source_text, draft.french_text)
        old_ids = [s.msgid for s in segment_note(last.source_text)]
        now_ids = list(dict.fromkeys(s.msgid for s in segment_note(draft.french_text)))
        changed = set(changed_segments(old_ids, now_ids))
    approved_sha = live_sha or (last.source_sha256 if last else None)
    return NoteReview(
        draft=draft,
        state=display_state(stored, published_sha256=live_sha,
                            current_sha256=compared_sha(live_sha, note, lang=lang)
                            if draft.french_sha256 == note.sha256 else draft.french_sha256),
        stored=stored, published=published, last_publication=last,
        english_html=_render(garden, lang, draft.english, note, f"{note.filename} ({lang} draft)"),
        french_html=_render(garden, garden.source_lang, draft.french_text, note, note.filename),
        english_diff=english_diff, title_diff=title_diff, french_diff=french_diff,
        french_unchanged=approved_sha == draft.french_sha256, changed=changed,
        history=review_events(note.filename, lang), comment=row.comment if row else None,
    )
