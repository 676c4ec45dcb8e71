"""The dashboard and the review queue of a real garden: totals, search, state filters, sort and pages.

Both screens read the same :class:`DashboardQuery` from the query string (bookmarkable; a value
it does not know is ignored and said so, never an error page) and get the same
:class:`DashboardPage`. Per-note counts come from :func:`~app.services.translating.progress.garden_progress`,
precomputed once per change in :mod:`app.services.translating.snapshot`, so a request costs a scan of
precomputed rows, a sort and the rendering of one page.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

from app.services.garden import Garden
from app.services.translating.history import progress_history
from app.services.translating.progress import STATE_TESTS, NoteProgress
from app.services.translating.snapshot import LangTotals, Snapshot, fold, priority_group, snapshot_of  # noqa: F401 (re-exported)

HISTORY_MAX_AGE = 60.0  #: seconds a chart is reused while nothing changed (its weeks move with the clock)
PAGE_SIZE = 50
MAX_QUERY = 200  #: characters of the search kept
SORTS = ("priority", "title", "remaining", "changed")

STATE_FILTERS = tuple(STATE_TESTS)


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
        q = " ".join("".join(c if c.isprintable() else " " for c in str(args.get("q", ""))[:4 * MAX_QUERY]).split())[:MAX_QUERY]
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


def _sort_key(sort: str, garden: Garden, snapshot: Snapshot):
    """A key on row positions in ``snapshot`` for ``sort``."""
    rows = snapshot.rows
    if sort == "title":
        return lambda i: (snapshot.priority[i][2], rows[i].note.filename)
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


def dashboard_screen(garden: Garden, query: DashboardQuery) -> tuple[DashboardPage, list]:
    """The page of notes ``query`` asks for and each language's progress over the last weeks."""
    snapshot = snapshot_of(garden)
    page = dashboard_page(garden, query, snapshot)
    if time.monotonic() - snapshot.history_at > HISTORY_MAX_AGE or not snapshot.history:
        translated = {t.lang: t.words["translated"] for t in page.totals}
        snapshot.history, snapshot.history_at = progress_history(garden, translated, page.outdated), time.monotonic()
    return page, snapshot.history


def dashboard_page(garden: Garden, query: DashboardQuery, snapshot: Snapshot | None = None) -> DashboardPage:
    """The garden's totals and the page of notes ``query`` asks for."""
    snapshot = snapshot or snapshot_of(garden)
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
