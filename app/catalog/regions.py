"""A note's lines, and the spans of text a body segment covers in them."""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

BOM = "\ufeff"
LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the line breaks markdown-it recognises


@dataclass(frozen=True)
class Source:
    """A note's text split into lines exactly as markdown-it counts them."""

    bom: str  #: the byte order mark the file starts with, or ""
    text: str  #: the text after the byte order mark
    lines: tuple[str, ...]  #: each line without its line ending
    starts: tuple[int, ...]  #: offset of each line in ``text``
    eols: tuple[str, ...]  #: each line's ending ("" for a last line without one)

    @classmethod
    def parse(cls, text: str) -> Source:
        """Split ``text`` into lines, keeping every line ending as it is."""
        bom = BOM if text.startswith(BOM) else ""
        body = text[len(bom):]
        lines, starts, eols = [], [], []
        pos = 0
        for brk in LINE_BREAK.finditer(body):
            lines.append(body[pos:brk.start()])
            starts.append(pos)
            eols.append(brk.group())
            pos = brk.end()
        if pos < len(body):
            lines.append(body[pos:])
            starts.append(pos)
            eols.append("")
        return cls(bom, body, tuple(lines), tuple(starts), tuple(eols))

    @property
    def newline(self) -> str:
        """The line ending to use for new lines: the file's first one, else "\\n"."""
        return next((eol for eol in self.eols if eol), "\n")

    def normalized(self) -> str:
        """The text with every line ending turned into "\\n", as markdown-it sees it."""
        return "".join(line + ("\n" if eol else "") for line, eol in zip(self.lines, self.eols))

    def offset(self, line: int, col: int) -> int:
        """Offset in ``text`` of column ``col`` of 0-based ``line``."""
        return self.starts[line] + col

    def line_at(self, offset: int) -> int:
        """0-based line holding ``offset``."""
        return bisect_right(self.starts, offset) - 1


@dataclass(frozen=True)
class Span:
    """The columns ``[start, end)`` of one line that hold a segment's text."""

    line: int
    start: int
    end: int


@dataclass(frozen=True)
class Region:
    """Where a body segment's text lies: one span per line, container markup left outside."""

    type: str
    spans: tuple[Span, ...]
    single_line: bool = False  #: headings, table cells, callout titles cannot hold a line break
    comments: tuple[tuple[int, int], ...] = ()  #: offsets in ``Source.text`` of the %%comments%% it overlaps

    def msgid(self, source: Source) -> str:
        """The segment text: the spans joined by "\\n" (%%comments%% left out, see :mod:`app.catalog.private`)."""
        if self.comments:
            from .private import visible_text

            return visible_text(source, self)
        return "\n".join(source.lines[s.line][s.start:s.end] for s in self.spans)


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` with ``new``."""

    start: int
    end: int
    new: str


def apply_edits(text: str, edits: list[Edit]) -> str:
    """``text`` with non-overlapping ``edits`` applied."""
    pieces, pos = [], 0
    for edit in sorted(edits, key=lambda e: e.start):
        if edit.start < pos:
            raise ValueError(f"overlapping edits at offset {edit.start}")
        pieces += [text[pos:edit.start], edit.new]
        pos = edit.end
    pieces.append(text[pos:])
    return "".join(pieces)
