"""The dashboard and the review queue of a real garden: totals, search, state filters, sort and pages.

Both screens read the same :class:`DashboardQuery` from the query string (bookmarkable; a value
it does not know is ignored and said so, never an error page) and get the same
:class:`DashboardPage`. Per-note counts come from :func:`~app.services.translating.progress.garden_progress`,
whose catalog summaries are cached by file stamp, so a request costs a pass over the notes in memory.
"""
from __future__ import annotations

import os
import threading
import time
import unicodedata
from dataclasses import dataclass, field, replace

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models import EntryHistory, NoteState, Publication

from app.services.garden import Garden
from app.services.translating.history import progress_history
from app.services.translating.progress import STATE_TESTS, LangProgress, NoteProgress, garden_progress
from app.workflow.states import State

PAGE_SIZE = 50
MAX_QUERY = 200  #: characters of the search kept
SORTS = ("priority", "title", "remaining", "changed")

STATE_FILTERS = tuple(STATE_TESTS)


def fold(text: str) -> str:
    """``text`` lowercased with its accents removed, for matching as a translator types."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


@dataclass(frozen=True)
class DashboardQuery:
    """What the screen was asked for: search words, a state filter, a sort and a page."""

    q: str = ""
    show: str | None = None
    sort: str = "priority"
    page: int = 1
    ignored: tuple[str, ...] = ()  #: names of the parameters whose values were not understood

    @classmethod
    def from_args(cls, args, default_show: str | None = None) -> "DashboardQuery":
        """Read ``q``, ``show``, ``sort`` and ``page``; a value that makes no sense falls back to the default."""
        ignored = []
        q = " ".join("".join(c if c.isprintable() else " " for c in str(args.get("q", ""))).split())[:MAX_QUERY]
        show = args.get("show", default_show)
        if show in ("", "all"):
            show = None
        elif show is not None and show not in STATE_TESTS:
            ignored.append("show")
            show = default_show
        sort = args.get("sort") or "priority"
        if sort not in SORTS:
            ignored.append("sort")
            sort = "priority"
        raw_page = args.get("page") or "1"
        page = int(raw_page) if raw_page.isascii() and raw_page.isdigit() and len(raw_page) < 8 else 0
        if page < 1:
            ignored.append("page")
            page = 1
        return cls(q, show, sort, page, tuple(ignored))

    def params(self, **changes) -> dict:
        """The query string of this query with ``changes``, defaults left out (for ``url_for``)."""
        query = replace(self, **changes)
        params = {"q": query.q or None, "show": query.show or "all", "sort": None if query.sort == "priority" else query.sort,
                  "page": query.page if query.page > 1 else None}
        return {k: v for k, v in params.items() if v is not None}


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


def _sort_key(sort: str, garden: Garden, snapshot: "_Snapshot"):
    """A key on row positions in ``snapshot`` for ``sort``."""
    rows = snapshot.rows
    if sort == "title":
        return lambda i: (fold(rows[i].note.title), rows[i].note.filename)
    if sort == "remaining":
        return lambda i: (snapshot.priority[i][1] == 0, snapshot.priority[i][1], snapshot.priority[i][2])
    if sort == "changed":
        return lambda i: (-garden.dates(rows[i].note).updated.timestamp(), snapshot.priority[i][2])
    return snapshot.priority.__getitem__


def haystacks(garden: Garden) -> dict[str, str]:
    """Per French file, the folded text a search looks in: title, file name with its folders, ``#tags``."""
    def build():
        return {n.filename: fold(" ".join((n.title, n.filename, *(f"#{t}" for t in n.tags)))) for n in garden.notes.notes()}
    return garden.memo("dashboard-haystacks", build)


@dataclass
class DashboardPage:
    """One page of matching notes with the garden's totals and the counts of every filter."""

    query: DashboardQuery
    rows: list[NoteProgress]
    matching: int
    pages: int
    totals: list[LangTotals]
    filter_counts: dict[str, int]
    outdated: dict[str, set[str]] = field(default_factory=dict)  #: per language, the French files outdated now

    @property
    def first(self) -> int:
        """Position of the first row shown (1-based; 0 when none)."""
        return (self.query.page - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last(self) -> int:
        """Position of the last row shown."""
        return self.first + len(self.rows) - 1 if self.rows else 0


@dataclass
class _Snapshot:
    """Every note's progress with what filters and sorts need, valid while ``key`` is."""

    key: tuple
    rows: list[NoteProgress]
    passes: list[frozenset]  #: per row, the state filters it passes
    priority: list[tuple]  #: per row, its place in the priority order
    totals: list[LangTotals]
    outdated: dict[str, set[str]]
    history: list = field(default_factory=list)
    history_at: float = float("-inf")


_snapshots: dict[int, _Snapshot] = {}
_snapshots_lock = threading.Lock()
HISTORY_MAX_AGE = 60.0  #: seconds a chart is reused while nothing changed (its weeks move with the clock)


def _database_marks() -> tuple:
    """What the database holds that progress depends on, in three small aggregate queries."""
    states = db.session.execute(select(func.count(NoteState.id), func.max(NoteState.updated_at))).one()
    pubs = db.session.execute(select(func.count(Publication.id), func.max(Publication.id),
                                     func.count(Publication.unpublished_at))).one()
    saves = db.session.execute(select(func.max(EntryHistory.id),
                                      func.count(EntryHistory.id).filter(EntryHistory.pending.is_(True)))).one()
    return (*map(str, states), *pubs, *saves)


def _catalog_stamps(garden: Garden) -> tuple:
    """The stamp of every note's catalog in every target language (one ``stat`` each)."""
    stamps = []
    for lang in garden.target_langs:
        folder = os.path.join(garden.translations_dir, lang, "notes")
        for note in garden.notes.notes():
            try:
                info = os.stat(os.path.join(folder, f"{note.slug}.po"))
            except OSError:
                stamps.append(None)
            else:
                stamps.append((info.st_mtime_ns, info.st_size, info.st_ino))
    return tuple(stamps)


def _snapshot(garden: Garden) -> _Snapshot:
    """Every note's progress, recomputed only when a note, a catalog, a publication or a state changed."""
    key = (garden.version(), _catalog_stamps(garden), _database_marks(), current_app.config.get("MINOR_CHANGES"))
    with _snapshots_lock:
        cached = _snapshots.get(id(garden))
    if cached is not None and cached.key == key:
        return cached
    rows = garden_progress(garden)
    totals = {lang: LangTotals(lang) for lang in garden.target_langs}
    outdated: dict[str, set[str]] = {lang: set() for lang in garden.target_langs}
    passes, priority = [], []
    for row in rows:
        for lang, p in row.languages.items():
            totals[lang].add(p)
            if p.outdated:
                outdated[lang].add(row.note.filename)
        passes.append(frozenset(name for name, test in STATE_TESTS.items() if any(test(p) for p in row.languages.values())))
        priority.append((min((priority_group(p) for p in row.languages.values()), default=3), _remaining(row),
                         fold(row.note.title)))
    snapshot = _Snapshot(key, rows, passes, priority, list(totals.values()), outdated)
    with _snapshots_lock:
        _snapshots[id(garden)] = snapshot
    return snapshot


def dashboard_screen(garden: Garden, query: DashboardQuery) -> tuple[DashboardPage, list]:
    """The page of notes ``query`` asks for and each language's progress over the last weeks."""
    page = dashboard_page(garden, query)
    snapshot = _snapshots[id(garden)]
    if time.monotonic() - snapshot.history_at > HISTORY_MAX_AGE or not snapshot.history:
        translated = {t.lang: t.words["translated"] for t in page.totals}
        snapshot.history, snapshot.history_at = progress_history(garden, translated, page.outdated), time.monotonic()
    return page, snapshot.history


def dashboard_page(garden: Garden, query: DashboardQuery) -> DashboardPage:
    """The garden's totals and the page of notes ``query`` asks for."""
    snapshot = _snapshot(garden)
    found = range(len(snapshot.rows))
    if query.q:
        stacks, words = haystacks(garden), fold(query.q).split()
        found = [i for i in found if all(w in stacks.get(snapshot.rows[i].note.filename, "") for w in words)]
    counts = dict.fromkeys(STATE_TESTS, 0)
    for i in found:
        for name in snapshot.passes[i]:
            counts[name] += 1
    if query.show:
        found = [i for i in found if query.show in snapshot.passes[i]]
    found = sorted(found, key=_sort_key(query.sort, garden, snapshot))
    pages = max(1, -(-len(found) // PAGE_SIZE))
    if query.page > pages:
        query = replace(query, page=pages, ignored=(*query.ignored, "page"))
    start = (query.page - 1) * PAGE_SIZE
    rows = [snapshot.rows[i] for i in found[start:start + PAGE_SIZE]]
    return DashboardPage(query, rows, len(found), pages, snapshot.totals, counts, snapshot.outdated)
