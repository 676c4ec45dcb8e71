"""Progress of every note in every target language, what blocks submission, and submitting.

Catalog summaries (counts, words, entries failing an error-level check) come from
:mod:`app.services.translating.summaries`, cached per file and recomputed only when the file's
stamp changes; the dashboard's search, filters and pages are in :mod:`app.services.translating.dashboard`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from app.catalog.po import catalog_counts, entry_id
from app.catalog.segment import segment_note
from app.content.notes import Note
from app.extensions import db
from app.fsutil import file_lock
from app.models import EntryHistory, NoteState, Publication, User
from app.services.reviewing import workflow
from app.services.garden import Garden
from app.services.reading.outdated import compared_sha
from app.services.translating.entries import (TranslationError, catalog_file, ensure_catalog, live_entries,
                                              read_note_catalog)
from app.services.translating.entry_views import entry_checks
from app.services.translating.summaries import catalog_summary, save_summaries, word_counts  # noqa: F401 (re-exported)
from app.workflow.states import Action, State, display_state


#: Dashboard order: what needs work first.
PRIORITY = ("changes_requested", "outdated", "fuzzy", "untranslated", "errors", "ready", "submitted", "published", "error")


@dataclass
class LangProgress:
    """Where one note stands in one target language."""

    lang: str
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    errors: int = 0
    translated_words: int = 0  #: words of the French (see :mod:`app.catalog.words`) in translated entries
    fuzzy_words: int = 0
    untranslated_words: int = 0
    state: str = State.UNTRANSLATED.value
    last_change: datetime | None = None
    comment: str | None = None
    problem: str | None = None  #: why the catalog could not be read

    @property
    def total(self) -> int:
        """Number of live entries."""
        return self.translated + self.fuzzy + self.untranslated

    @property
    def words(self) -> int:
        """Words of the French in live entries."""
        return self.translated_words + self.fuzzy_words + self.untranslated_words

    @property
    def remaining_words(self) -> int:
        """Words still to translate or to check (untranslated and fuzzy entries)."""
        return self.fuzzy_words + self.untranslated_words

    @property
    def outdated(self) -> bool:
        """Published, but the French changed since approval."""
        return self.state == State.OUTDATED.value

    @property
    def complete(self) -> bool:
        """Every entry translated and none fuzzy."""
        return self.problem is None and not self.fuzzy and not self.untranslated

    @property
    def needs_work(self) -> bool:
        """Something for a translator to do here."""
        return (not self.complete or self.errors > 0 or self.outdated
                or self.state == State.CHANGES_REQUESTED.value)

    @property
    def ready(self) -> bool:
        """Complete, checks pass, and waiting for the translator to submit."""
        return not self.needs_work and self.state in (State.UNTRANSLATED.value, State.IN_PROGRESS.value)

    @property
    def priority(self) -> int:
        """Rank in :data:`PRIORITY` (lower needs work sooner)."""
        if self.problem:
            return PRIORITY.index("error")
        for name, test in (("changes_requested", self.state == State.CHANGES_REQUESTED.value),
                           ("outdated", self.outdated), ("fuzzy", self.fuzzy > 0),
                           ("untranslated", self.untranslated > 0), ("errors", self.errors > 0),
                           ("ready", self.ready), ("submitted", self.state == State.SUBMITTED.value)):
            if test:
                return PRIORITY.index(name)
        return PRIORITY.index("published")

    def api(self) -> dict:
        """The API form: counts, state and whether it is outdated."""
        return {"translated": self.translated, "fuzzy": self.fuzzy, "untranslated": self.untranslated,
                "state": self.state, "outdated": self.outdated}


#: The state filters of the dashboard, the review queue and the catalogs' zip: each tests one note in one language.
STATE_TESTS = {
    "needs-work": lambda p: p.needs_work,
    "fuzzy": lambda p: p.problem is None and p.fuzzy > 0,
    "untranslated": lambda p: p.problem is None and p.untranslated > 0,
    "outdated": lambda p: p.outdated,
    "ready": lambda p: p.ready,
    "submitted": lambda p: p.state == State.SUBMITTED.value,
    "changes-requested": lambda p: p.state == State.CHANGES_REQUESTED.value,
    "published": lambda p: p.state in (State.PUBLISHED.value, State.OUTDATED.value),
}
FILTERS = tuple(STATE_TESTS)


@dataclass
class NoteProgress:
    """One note with its progress per target language."""

    note: Note
    languages: dict[str, LangProgress] = field(default_factory=dict)

    def matches(self, wanted: str | None) -> bool:
        """Tell whether the note passes the dashboard filter ``wanted``."""
        return wanted not in STATE_TESTS or any(STATE_TESTS[wanted](p) for p in self.languages.values())

    def sort_key(self) -> tuple:
        """What needs work first, then the most remaining work, then the title."""
        progress = list(self.languages.values())
        remaining = sum(p.fuzzy + p.untranslated + p.errors for p in progress)
        return (min((p.priority for p in progress), default=0), -remaining, self.note.title.casefold())


def _last_changes(lang: str) -> dict[str, datetime]:
    query = (select(EntryHistory.source, func.max(EntryHistory.at))
             .where(EntryHistory.lang == lang, EntryHistory.pending.is_(False)).group_by(EntryHistory.source))
    return {source: at for source, at in db.session.execute(query)}


def _live_publication_hashes(lang: str) -> dict[str, str]:
    query = (select(Publication.source, Publication.source_sha256)
             .where(Publication.lang == lang, Publication.unpublished_at.is_(None))
             .order_by(Publication.approved_at, Publication.id))
    return {source: sha for source, sha in db.session.execute(query)}


def _latest(*moments: datetime | None) -> datetime | None:
    known = [m for m in moments if m is not None]
    return max(known, key=lambda m: m.replace(tzinfo=None)) if known else None


def fill_counts(garden: Garden, note: Note, progress: LangProgress) -> None:
    """Set the entry and word counts of ``progress`` from its catalog's summary (or why it cannot be read)."""
    try:
        summary = catalog_summary(garden, note, progress.lang)
    except TranslationError as exc:
        progress.problem = exc.message
        return
    progress.problem = None
    for key in ("translated", "fuzzy", "untranslated", "errors", "translated_words", "fuzzy_words", "untranslated_words"):
        setattr(progress, key, summary.get(key, 0))


def last_change(source: str, lang: str) -> datetime | None:
    """When a translation of ``source`` in ``lang`` was last saved."""
    query = select(func.max(EntryHistory.at)).where(EntryHistory.source == source, EntryHistory.lang == lang,
                                                     EntryHistory.pending.is_(False))
    return db.session.scalar(query)


def lang_progress(garden: Garden, note: Note, lang: str, stored, published_sha256: str | None,
                  saved_at: datetime | None) -> LangProgress:
    """Where ``note`` stands in ``lang`` from its stored state row, its live publication's hash and its last save."""
    progress = LangProgress(lang, comment=stored.comment if stored else None)
    stored_state = State(stored.state) if stored else State.UNTRANSLATED
    progress.state = display_state(stored_state, published_sha256=published_sha256,
                                   current_sha256=compared_sha(published_sha256, note, lang=lang)).value
    progress.last_change = _latest(saved_at, stored.updated_at if stored else None)
    fill_counts(garden, note, progress)
    return progress


def note_progress(garden: Garden, note: Note, lang: str) -> LangProgress:
    """Where one note stands in one language, read afresh (a few indexed queries)."""
    stored = db.session.scalar(select(NoteState).where(NoteState.source == note.filename, NoteState.lang == lang))
    live = db.session.scalar(select(Publication.source_sha256)
                             .where(Publication.source == note.filename, Publication.lang == lang,
                                    Publication.unpublished_at.is_(None))
                             .order_by(Publication.approved_at.desc(), Publication.id.desc()).limit(1))
    return lang_progress(garden, note, lang, stored, live, last_change(note.filename, lang))


def garden_progress(garden: Garden, wanted: str | None = None) -> list[NoteProgress]:
    """Every note with its progress per target language, what needs work first, filtered by ``wanted``."""
    rows = {note.filename: NoteProgress(note) for note in garden.notes.notes()}
    for lang in garden.target_langs:
        states, changes, live = workflow.states_by_source(lang), _last_changes(lang), _live_publication_hashes(lang)
        for source, row in rows.items():
            row.languages[lang] = lang_progress(garden, row.note, lang, states.get(source), live.get(source),
                                                changes.get(source))
    save_summaries(garden)
    result = [row for row in rows.values() if row.matches(wanted)]
    return sorted(result, key=NoteProgress.sort_key)


def notes_overview(garden: Garden) -> list[dict]:
    """The API form of every note's progress."""
    return [{"slug": row.note.slug, "title": row.note.title, "source": row.note.filename,
             "languages": {lang: progress.api() for lang, progress in row.languages.items()}}
            for row in garden_progress(garden)]


def submission_gaps(po, gettext=lambda s: s, french: str | None = None) -> dict:
    """What keeps a catalog from review: untranslated and fuzzy counts, entries failing an error check.

    With the ``french`` text, every segment of the French counts: one the catalog lacks (an entry
    deleted by hand, a catalog older than the French) is untranslated.
    """
    counts = catalog_counts(po)
    if french is not None:
        present = {entry.msgid for entry in live_entries(po)}
        counts["untranslated"] += len({s.msgid for s in segment_note(french) if s.msgid and s.msgid not in present})
    errors = []
    for entry in live_entries(po):
        failed = [r for r in entry_checks(entry) if r.severity == "error"]
        if entry.msgstr and not entry.fuzzy and failed:
            errors.append({"id": entry_id(entry), "msgid": entry.msgid, "checks": [r.as_dict(gettext) for r in failed]})
    if not counts["untranslated"] and not counts["fuzzy"] and not errors:
        return {}
    return {"untranslated": counts["untranslated"], "fuzzy": counts["fuzzy"], "errors": errors}


def describe_gaps(gaps: dict) -> str:
    """A one-line English summary of :func:`submission_gaps`."""
    return (f"the note is not ready for review: untranslated {gaps.get('untranslated', 0)}, fuzzy {gaps.get('fuzzy', 0)}, "
            f"failing an error-level check {len(gaps.get('errors', []))}")


def submit_note(garden: Garden, note: Note, lang: str, user: User, gettext=lambda s: s) -> State:
    """Submit the note for review when complete and checks pass; else :class:`WorkflowError` with what is missing."""
    path = catalog_file(garden, note, lang)
    if not path.exists():
        ensure_catalog(garden, note, lang)
    with file_lock(path):
        db.session.rollback()
        po, _ = read_note_catalog(garden, note, lang)
        gaps = submission_gaps(po, gettext, note.text)
        if gaps:
            raise workflow.WorkflowError(describe_gaps(gaps), gaps)
        return workflow.transition(note.filename, lang, Action.SUBMIT, user)
