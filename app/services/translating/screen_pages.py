"""Filters, sections and pages of the note screen: a 500-segment note shown 50 segments at a time.

Plain Python over the screen's segments (anything with ``status``, ``needs_work``, ``errors``,
``warnings``, ``section`` and ``id``): what a filter keeps, how many each filter would keep, how
the kept segments fall into pages of whole sections (a section longer than a page is cut), each
section's progress, and where "next segment needing work" goes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

#: The note screen's filters, in the order the screen offers them.
FILTERS = ("all", "needs-work", "untranslated", "fuzzy", "errors", "warnings")
#: At most this many segments on one page of the note screen.
PAGE_SIZE = 50


def keeps(segment, show: str) -> bool:
    """Whether the filter ``show`` keeps ``segment``."""
    if show == "needs-work":
        return segment.needs_work
    if show in ("untranslated", "fuzzy"):
        return segment.status == show
    if show == "errors":
        return segment.errors > 0
    if show == "warnings":
        return segment.warnings > 0
    return True


def filter_counts(segments: list) -> dict[str, int]:
    """How many segments each filter keeps."""
    return {show: sum(1 for s in segments if keeps(s, show)) for show in FILTERS}


@dataclass
class SectionProgress:
    """One section of the note: its heading, its progress over all its segments, where it is shown."""

    number: int
    title: str | None
    total: int = 0
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    kept: int = 0  #: segments the current filter keeps
    page: int | None = None  #: the page showing its first kept segment (None: the filter keeps none)

    @property
    def done(self) -> bool:
        """Every segment translated."""
        return self.translated == self.total


def paginate(kept: list, size: int = PAGE_SIZE) -> list[list]:
    """Cut the kept segments into pages of whole sections, packing small sections together and cutting long ones."""
    pages: list[list] = [[]]
    run: list = []
    runs: list[list] = []
    for segment in kept:  # runs of consecutive segments of one section
        if run and run[-1].section != segment.section:
            runs.append(run)
            run = []
        run.append(segment)
    if run:
        runs.append(run)
    for run in runs:
        if pages[-1] and len(pages[-1]) + len(run) > size:
            pages.append([])
        while len(run) > size:
            if pages[-1]:
                pages.append([])
            pages[-1].extend(run[:size])
            run = run[size:]
            pages.append([])
        pages[-1].extend(run)
    return [page for page in pages if page] or [[]]


@dataclass
class ScreenPages:
    """The segments the filter keeps, in pages, with every section's progress."""

    show: str
    pages: list[list]
    sections: list[SectionProgress]
    counts: dict[str, int]
    page_of: dict[str, int] = field(default_factory=dict)  #: segment id -> 1-based page (kept segments only)

    def page(self, number: int) -> list:
        """The segments of 1-based page ``number`` (clamped to the pages there are)."""
        return self.pages[self.clamp(number) - 1]

    def clamp(self, number: int) -> int:
        """``number`` within ``1..len(pages)``."""
        return min(max(number, 1), len(self.pages))

    def next_target(self, segments: list, after: str | None) -> str | None:
        """The id of the next segment to work on after ``after`` (wrapping): kept by the filter, needing work unless
        the filter itself asks for what does not (warnings)."""
        wanted = [s for s in segments if s.id in self.page_of and (s.needs_work or self.show == "warnings")]
        ids = [s.id for s in segments]
        start = ids.index(after) + 1 if after in ids else 0
        order = {ident: (index - start) % len(ids) for index, ident in enumerate(ids)} if ids else {}
        candidates = sorted((order[s.id], s.id) for s in wanted if s.id != after)
        return candidates[0][1] if candidates else None


def screen_pages(segments: list, sections: list, show: str, size: int = PAGE_SIZE) -> ScreenPages:
    """Filter ``segments`` with ``show`` and page them; ``sections`` are the note's ``(number, title)`` in order."""
    show = show if show in FILTERS else "all"
    kept = [s for s in segments if keeps(s, show)]
    pages = paginate(kept, size)
    page_of = {s.id: number for number, page in enumerate(pages, 1) for s in page}
    progress = {number: SectionProgress(number, title) for number, title in sections}
    for s in segments:
        item = progress.setdefault(s.section, SectionProgress(s.section, None))
        item.total += 1
        setattr(item, s.status, getattr(item, s.status) + 1)
        if s.id in page_of:
            item.kept += 1
            item.page = item.page or page_of[s.id]
    listed = [p for p in progress.values() if p.total]
    return ScreenPages(show, pages, sorted(listed, key=lambda p: p.number), filter_counts(segments), page_of)
