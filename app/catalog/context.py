"""Where each segment of a note stands: its line, its section, and the context a short segment needs.

A table cell is shown with its column header and its row's first cell, a list item with its
parent item (as Weblate shows the source string's context). Plain Python over the segmenter's
regions: the same line maps the renderer uses, so the line names the block on the reader's page.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from .frontmatter_patch import FrontMatterError
from .segment import parse_note

_BLANKS = " \t"


@dataclass(frozen=True)
class SegmentContext:
    """What surrounds one segment in the French note."""

    line: int  #: 1-based line of the whole file where the segment starts
    type: str
    section: int  #: 0 before the first heading, then the number of headings met (a heading opens its section)
    column_header: str | None = None  #: a table cell's column header (None for a header cell)
    row_header: str | None = None  #: the first cell of a table cell's row (None in the first column)
    parent_item: str | None = None  #: a nested list item's parent item


@dataclass(frozen=True)
class Section:
    """A heading and the segments under it (up to the next heading of any level)."""

    number: int
    title: str | None  #: the heading's text (None for what comes before the first heading)
    line: int


def _row_content_start(text: str) -> int:
    """Where a table row's cells begin: after the quote markers and blanks that contain it."""
    pos = 0
    while pos < len(text) and (text[pos] in _BLANKS or text[pos] == ">"):
        pos += 1
    return pos


def row_cells(text: str) -> list[tuple[int, int]]:
    """The ``[start, end)`` columns of each cell of a table row, split as markdown-it does (escaped pipes kept)."""
    start, end = _row_content_start(text), len(text.rstrip(_BLANKS))
    bounds = [start - 1] + [i for i in range(start, end) if text[i] == "|" and not (i > start and text[i - 1] == "\\")]
    bounds.append(end)
    cells = [(a + 1, b) for a, b in zip(bounds, bounds[1:])]
    if cells and cells[0][0] == cells[0][1]:
        cells.pop(0)
    if cells and cells[-1][0] == cells[-1][1]:
        cells.pop()
    return cells


def _cell_texts(text: str) -> list[str]:
    return [text[a:b].strip(_BLANKS) for a, b in row_cells(text)]


def _column_of(text: str, column: int) -> int:
    """The index of the cell holding ``column`` on a row."""
    return next((i for i, (a, b) in enumerate(row_cells(text)) if a <= column <= b), 0)


def _table_top(lines: tuple[str, ...], line: int, table_lines: set[int]) -> int:
    """The header row of the table holding 0-based ``line``: the first of its consecutive rows."""
    while line - 1 >= 0 and (line - 1 in table_lines or _is_delimiter_row(lines[line - 1])):
        line -= 1
    return line


def _is_delimiter_row(text: str) -> bool:
    body = text[_row_content_start(text):].strip(_BLANKS)
    return bool(body) and "-" in body and set(body) <= set("|:- \t")


def segment_contexts(text: str) -> dict[str, SegmentContext]:
    """The context of each distinct msgid of the note (its first place when it appears more than once)."""
    return _analysis(text)[0]


@functools.lru_cache(maxsize=16)
def _analysis(text: str) -> tuple[dict[str, SegmentContext], list[Section]]:
    """Contexts and sections from one parse, remembered for the last notes asked about (a screen asks twice)."""
    try:
        note = parse_note(text)
    except FrontMatterError:
        return {}, [Section(0, None, 1)]
    source, found = note.source, {}
    sections = [Section(0, None, 1)]
    for field in note.fields:
        found.setdefault(field.msgid, SegmentContext(field.line + 1, field.type, 0))
    table_lines = {r.spans[0].line for r in note.regions if r.type == "table cell"}
    section, items = 0, []  # items: (start column, msgid) of the list items met, innermost last
    for region in note.regions:
        first = region.spans[0]
        msgid = region.msgid(source)
        extra: dict = {}
        if region.type == "heading":
            section += 1
            sections.append(Section(section, msgid, first.line + 1))
        if region.type == "list item":
            while items and items[-1][0] >= first.start:
                items.pop()
            extra["parent_item"] = items[-1][1] if items else None
            items.append((first.start, msgid))
        else:
            items = []  # any other block ends the list
        if region.type == "table cell":
            row = source.lines[first.line]
            top = _table_top(source.lines, first.line, table_lines)
            if top != first.line:
                index = _column_of(row, first.start)
                headers = _cell_texts(source.lines[top])
                cells = _cell_texts(row)
                extra["column_header"] = headers[index] if index < len(headers) and headers[index] else None
                extra["row_header"] = cells[0] if index > 0 and cells and cells[0] else None
        found.setdefault(msgid, SegmentContext(first.line + 1, region.type, section, **extra))
    return found, sections


def note_sections(text: str) -> list[Section]:
    """The note's sections in order: what precedes the first heading, then one per heading."""
    return _analysis(text)[1]
