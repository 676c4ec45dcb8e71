"""Every note's progress in every language, precomputed for the dashboard and the review queue.

A :class:`Snapshot` holds each note's progress with the state filters it passes and its key in
the priority order, and the totals of each language. It is kept per process and is valid while
its key is: the note index's generations, the stamp of every catalog (one ``stat`` each) and a
few aggregate queries on the tables progress depends on. When only catalogs, states and the saves'
history changed (a translator saved, a note was submitted or sent back), just those notes are
recomputed; a change of a French note or of a publication rebuilds it.
"""
from __future__ import annotations

import os
import threading
import weakref
import unicodedata
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models import EntryHistory, NoteState, Publication
from app.services.garden import Garden
from app.services.translating.progress import STATE_TESTS, LangProgress, NoteProgress, garden_progress, note_progress
from app.services.translating.summaries import save_summaries
from app.workflow.states import State

#: Above this many changed catalogs, the snapshot is rebuilt rather than patched.
PATCH_LIMIT = 200


def fold(text: str) -> str:
    """``text`` lowercased with its accents removed, for matching as a translator types."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


@dataclass
class LangTotals:
    """One target language over the whole garden: notes by standing, segments and words by status."""

    lang: str
    notes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("published", "outdated", "in_progress", "untranslated"), 0))
    segments: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("translated", "fuzzy", "untranslated"), 0))
    words: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("translated", "fuzzy", "untranslated"), 0))

    def add(self, p: LangProgress) -> None:
        """Count one note's progress in."""
        self.notes[standing(p)] += 1
        for status in ("translated", "fuzzy", "untranslated"):
            self.segments[status] += getattr(p, status)
            self.words[status] += getattr(p, f"{status}_words")

    def percent(self, status: str) -> float:
        """Share of the words in ``status``, in percent."""
        total = sum(self.words.values())
        return 100 * self.words[status] / total if total else 0.0


def standing(p: LangProgress) -> str:
    """Where a note stands for the totals: published, outdated, in progress or untranslated."""
    if p.state in (State.PUBLISHED.value, State.OUTDATED.value):
        return p.state
    if p.state == State.UNTRANSLATED.value and not p.translated and not p.fuzzy:
        return "untranslated"
    return "in_progress"


def priority_group(p: LangProgress) -> int:
    """0 outdated published, 1 little left (changes requested, ready, started), 2 not started, 3 nothing to do."""
    if p.problem:
        return 3
    if p.outdated:
        return 0
    if not p.needs_work:
        return 1 if p.ready else 3
    if p.state == State.CHANGES_REQUESTED.value or p.translated or p.fuzzy:
        return 1
    return 2


def _remaining(row: NoteProgress) -> int:
    return sum(p.remaining_words for p in row.languages.values())


@dataclass
class Snapshot:
    """Every note's progress with what filters and sorts need, valid while ``key`` is."""

    key: tuple
    stamps: tuple  #: the catalogs' stamps, in :func:`_catalog_stamps` order
    rows: list[NoteProgress]
    passes: list[frozenset] = field(default_factory=list)  #: per row, the state filters it passes
    priority: list[tuple] = field(default_factory=list)  #: per row, its place in the priority order
    totals: list[LangTotals] = field(default_factory=list)
    outdated: dict[str, set[str]] = field(default_factory=dict)  #: per language, the French files outdated now
    history: list = field(default_factory=list)  #: the chart's figures, computed on demand
    history_at: float = float("-inf")

    def index(self, position: int) -> None:
        """Recompute the filters and the priority key of the row at ``position``."""
        row = self.rows[position]
        self.passes[position] = frozenset(name for name, test in STATE_TESTS.items()
                                          if any(test(p) for p in row.languages.values()))
        self.priority[position] = (min((priority_group(p) for p in row.languages.values()), default=3), _remaining(row),
                                   fold(row.note.title))

    def add_up(self, langs: list[str]) -> None:
        """Recompute the totals and the outdated notes of every language."""
        totals = {lang: LangTotals(lang) for lang in langs}
        self.outdated = {lang: set() for lang in langs}
        for row in self.rows:
            for lang, p in row.languages.items():
                totals[lang].add(p)
                if p.outdated:
                    self.outdated[lang].add(row.note.filename)
        self.totals = list(totals.values())


_snapshots: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  #: garden -> its snapshot
_snapshots_lock = threading.Lock()


def _database_marks() -> tuple[tuple, tuple, tuple]:
    """What the database holds that progress depends on: (states, publications, saves) aggregates."""
    states = db.session.execute(select(func.count(NoteState.id), func.max(NoteState.updated_at))).one()
    pubs = db.session.execute(select(func.count(Publication.id), func.max(Publication.id),
                                     func.count(Publication.unpublished_at))).one()
    saves = db.session.execute(select(func.max(EntryHistory.id),
                                      func.count(EntryHistory.id).filter(EntryHistory.pending.is_(True)))).one()
    return tuple(states), tuple(pubs), tuple(saves)


def _states_changed_since(marks: tuple) -> list[tuple[str, str]]:
    """``(lang, French file)`` of the state rows written at or after the latest of ``marks`` (all when none)."""
    query = select(NoteState.lang, NoteState.source)
    if marks[1] is not None:
        query = query.where(NoteState.updated_at >= marks[1])
    return [tuple(row) for row in db.session.execute(query)]


def _catalog_paths(garden: Garden) -> list[tuple[str, str, str]]:
    """``(lang, French file, catalog path)`` of every note in every target language, once per index version."""
    def build():
        folders = {lang: os.path.join(garden.translations_dir, lang, "notes") for lang in garden.target_langs}
        return [(lang, note.filename, os.path.join(folders[lang], f"{note.slug}.po"))
                for lang in garden.target_langs for note in garden.notes.notes()]
    return garden.memo("dashboard-catalog-paths", build)


def _catalog_stamps(garden: Garden) -> tuple:
    """``(lang, French file, stamp)`` of every note's catalog in every target language (one ``stat`` each)."""
    stamps = []
    for lang, source, path in _catalog_paths(garden):
        try:
            info = os.stat(path)
        except OSError:
            stamps.append((lang, source, None))
        else:
            stamps.append((lang, source, (info.st_mtime_ns, info.st_size, info.st_ino)))
    return tuple(stamps)


def _build(garden: Garden, key: tuple, stamps: tuple) -> Snapshot:
    snapshot = Snapshot(key, stamps, garden_progress(garden))
    snapshot.passes, snapshot.priority = [frozenset()] * len(snapshot.rows), [()] * len(snapshot.rows)
    for position in range(len(snapshot.rows)):
        snapshot.index(position)
    snapshot.add_up(garden.target_langs)
    return snapshot


def _patch(garden: Garden, old: Snapshot, key: tuple, stamps: tuple) -> Snapshot | None:
    """``old`` with the notes whose catalogs or states changed recomputed; None when too much changed to patch."""
    if len(stamps) != len(old.stamps) or any(new[:2] != before[:2] for new, before in zip(stamps, old.stamps)):
        return None
    changed = {new[:2] for new, before in zip(stamps, old.stamps) if new[2] != before[2]}
    if key[1] != old.key[1]:
        changed.update(_states_changed_since(old.key[1]))
    if len(changed) > PATCH_LIMIT:
        return None
    positions = {row.note.filename: i for i, row in enumerate(old.rows)}
    snapshot = Snapshot(key, stamps, list(old.rows), list(old.passes), list(old.priority))
    for lang, source in sorted(changed):
        position = positions.get(source)
        if position is None or lang not in garden.target_langs:
            return None
        row = snapshot.rows[position]
        snapshot.rows[position] = NoteProgress(row.note, {**row.languages, lang: note_progress(garden, row.note, lang)})
        snapshot.index(position)
    save_summaries(garden)
    snapshot.add_up(garden.target_langs)
    return snapshot


def snapshot_of(garden: Garden) -> Snapshot:
    """Every note's progress now: the cached snapshot, patched or rebuilt when something changed."""
    stamps = _catalog_stamps(garden)
    states, pubs, saves = _database_marks()
    key = (garden.version(), states, pubs, saves, current_app.config.get("MINOR_CHANGES"))
    with _snapshots_lock:
        cached = _snapshots.get(garden)
    if cached is not None and cached.key == key and cached.stamps == stamps:
        return cached
    snapshot = None
    if cached is not None and (cached.key[0], cached.key[2], cached.key[4]) == (key[0], key[2], key[4]):
        snapshot = _patch(garden, cached, key, stamps)
    if snapshot is None:
        snapshot = _build(garden, key, stamps)
    with _snapshots_lock:
        _snapshots[garden] = snapshot
    return snapshot
