"""Translatable Markdown blocks located with markdown-it's token line maps."""
from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from app.content.limits import BLOCK_NESTING, guard_tokens, shareable

from .regions import Region, Source, Span

_BLANKS = " \t"
_CHECKBOX = re.compile(r"\[[^\]]\](?:[ \t]+|$)")
_CALLOUT = re.compile(r"\[![^\]]+\][+-]?[ \t]*")
_BLOCK_ID = re.compile(r"(?:^|(?<![ \t])[ \t]+)\^[A-Za-z0-9-]+$")  # blanks tried from the start of their run only
_CONTAINERS = {"blockquote_open": "blockquote", "list_item_open": "list item",
               "footnote_reference_open": "paragraph"}
_TEXT_BLOCKS = ("table", "heading", "lheading", "paragraph")  #: the rules making blocks that hold text
_CLOSERS = {"blockquote_close", "list_item_close", "footnote_reference_close"}
#: Markup, links, tags and URLs: nothing to translate there. Each branch's scan stops where another
#: match could start (``[^\[\]]``, ``[^<>]``...) or is bounded (a scheme is at most 32 characters),
#: so no character is scanned again from each of a thousand ``[`` or ``<``: linear time.
_NOT_PROSE = re.compile(
    r"""
      !\[\[[^\[\]|]*(?:\|[ \t]*\d+(?:x\d+)?[ \t]*)?\]\]  # embed ![[file]], ![[file|300x200]]
    | !?\[\[[^\[\]|]*\]\]              # wikilink without label: [[target]]
    | !?\[\[[^\[\]|]*\|                # target of a labelled wikilink or embed (its label or alt text is prose)
    | \]\([^()\[\]]*\)                  # link or image destination (an image's alt text is prose)
    | `[^`]*`                        # code span
    | <[^<>]*>                       # HTML tag, comment or autolink
    | %%(?:[^%]|%(?!%))*%%           # Obsidian comment
    | \[\^[^\[\]]*\]                  # footnote reference
    | \b[a-z][a-z0-9+.-]{0,31}://\S*  # bare URL
    | \bwww\.\S*
    | (?<!\S)\#[^\s#]+                 # hashtag
    | &[a-z0-9#]+;                     # HTML entity
    """,
    re.VERBOSE | re.IGNORECASE | re.DOTALL,
)


def has_prose(text: str) -> bool:
    """True when ``text`` has a letter outside markup, links, URLs and tags."""
    return any(char.isalpha() for char in _NOT_PROSE.sub(" ", text))


def _recording(rule):
    """``rule`` that, when it makes a block, notes where each of the block's lines has its content.

    Only blocks holding text (paragraphs, headings, tables) record, once per line, at the depth
    markdown-it parses them, so the innermost content start is what is kept. (A rule run before
    every block used to record every line up to the next blank one: a thousand list items or
    headings in a row rescanned every line after them.)
    """

    def record(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        if not rule(state, start_line, end_line, silent):
            return False
        if not silent:
            starts = state.env["content_starts"]
            for line in range(start_line, state.line):
                starts[line] = state.bMarks[line] + state.tShift[line]
        return True

    return record


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"maxNesting": BLOCK_NESTING})
    md.enable("table").use(front_matter_plugin).use(footnote_plugin)
    md.block.ruler.before("front_matter", "guard_tokens", guard_tokens)
    for rule in md.block.ruler.__rules__:
        if rule.name in _TEXT_BLOCKS:
            md.block.ruler.at(rule.name, _recording(rule.fn), {"alt": list(rule.alt)})
    md.core.ruler.enableOnly(["normalize", "block"])  # blocks only, in document order
    return shareable(md)


_MARKDOWN = _parser()


def parse_blocks(source: Source) -> tuple[list[Token], list[int]]:
    """Block tokens of the note and, per line, the column where its innermost content starts."""
    env: dict = {"content_starts": {}}
    tokens = _MARKDOWN.parse(source.normalized(), env)
    line_offsets, pos = [], 0
    for line in source.lines:
        line_offsets.append(pos)
        pos += len(line) + 1
    columns = [env["content_starts"].get(n, line_offsets[n]) - line_offsets[n] for n in range(len(source.lines))]
    return tokens, columns


def body_regions(source: Source, tokens: list[Token], columns: list[int]) -> list[Region]:
    """Regions of every translatable heading, paragraph, list item, quote, callout and table cell."""
    finder = _RegionFinder(source, columns)
    containers: list[str] = []
    table_width = 0
    for index, token in enumerate(tokens):
        kind = token.type
        if kind in _CONTAINERS:
            containers.append(_CONTAINERS[kind])
        elif kind in _CLOSERS:
            containers.pop()
        elif kind == "heading_open":
            finder.heading(token)
        elif kind == "paragraph_open":
            opener = tokens[index - 1].type
            if finder.paragraph(token, containers[-1] if containers else "paragraph", opener):
                containers[-1] = "callout"
        elif kind == "table_open":
            table_width = _table_width(tokens, index)
        elif kind == "tr_open":
            finder.table_row(token, table_width)
    return finder.regions


def _table_width(tokens: list[Token], table_open: int) -> int:
    """Number of columns of the table: its header cells."""
    width = 0
    for index in range(table_open, len(tokens)):  # no slice: a copy of the rest of the note per table
        token = tokens[index]
        if token.type == "th_open":
            width += 1
        elif token.type == "thead_close":
            return width
    return width


class _RegionFinder:
    """Turns block tokens into regions, trimming markup that belongs to the block."""

    def __init__(self, source: Source, columns: list[int]):
        self.source = source
        self.columns = columns
        self.regions: list[Region] = []

    def _text_span(self, line: int) -> Span:
        """The line from its content start to its end (``_add`` trims the last line of a region)."""
        text = self.source.lines[line]
        start = self.columns[line]
        while start < len(text) and text[start] in _BLANKS:
            start += 1
        return Span(line, start, len(text))

    def _add(self, kind: str, spans: list[Span], single_line: bool = False, block_id: bool = True) -> None:
        """Keep the region if it holds prose once trimmed: trailing blanks and block id off its last line."""
        lines = self.source.lines
        while spans:
            last = spans[-1]
            text = lines[last.line][last.start:last.end].rstrip(_BLANKS)
            found = _BLOCK_ID.search(text) if block_id else None
            end = last.start + (found.start() if found else len(text))
            if end > last.start:
                spans[-1] = Span(last.line, last.start, end)
                break
            spans.pop()
        first = 0
        while first < len(spans) and spans[first].start == spans[first].end:
            first += 1
        spans = spans[first:]
        if spans:
            region = Region(kind, tuple(spans), single_line)
            if has_prose(region.msgid(self.source)):
                self.regions.append(region)

    def heading(self, token: Token) -> None:
        first, after = token.map
        if token.markup.startswith("#"):
            self._add("heading", [self._atx_span(first)], single_line=True)
        else:  # setext: the last mapped line is the underline
            self._add("heading", [self._text_span(n) for n in range(first, after - 1)])

    def _atx_span(self, line: int) -> Span:
        """Span of an ATX heading's text, cut as markdown-it does: no `#`s, no closing sequence."""
        text = self.source.lines[line]
        pos = self.columns[line]
        while pos < len(text) and text[pos] == "#":
            pos += 1
        end = max(pos, len(text.rstrip(_BLANKS)))
        closing = end
        while closing > pos and text[closing - 1] == "#":
            closing -= 1
        if closing > pos and text[closing - 1] in _BLANKS:
            end = closing
        return Span(line, pos + len(text[pos:end]) - len(text[pos:end].lstrip(_BLANKS)), end)

    def paragraph(self, token: Token, kind: str, opener: str) -> bool:
        """Add the paragraph's region; return True when it opens an Obsidian callout."""
        first, after = token.map
        spans = [self._text_span(n) for n in range(first, after)]
        head = spans[0]
        head_text = self.source.lines[head.line][head.start:head.end]
        if opener == "list_item_open":
            checkbox = _CHECKBOX.match(head_text)
            if checkbox:
                spans[0] = Span(head.line, head.start + checkbox.end(), head.end)
        elif opener == "blockquote_open" and (callout := _CALLOUT.match(head_text)):
            self._add("callout", [Span(head.line, head.start + callout.end(), head.end)], single_line=True)
            self._add("callout", spans[1:])
            return True
        self._add(kind, spans)
        return False

    def table_row(self, token: Token, width: int) -> None:
        """Add one region per cell of the row, as markdown-it splits it (escaped pipes kept)."""
        line = token.map[0]
        text = self.source.lines[line]
        start, end = self.columns[line], len(text.rstrip(_BLANKS))
        bounds = [start - 1]
        bounds += [i for i in range(start, end) if text[i] == "|" and not (i > start and text[i - 1] == "\\")]
        bounds.append(end)
        cells = [(a + 1, b) for a, b in zip(bounds, bounds[1:])]
        if cells and cells[0][0] == cells[0][1]:
            cells.pop(0)
        if cells and cells[-1][0] == cells[-1][1]:
            cells.pop()
        for cell_start, cell_end in cells[:width]:
            lead = len(text[cell_start:cell_end]) - len(text[cell_start:cell_end].lstrip(_BLANKS))
            self._add("table cell", [Span(line, cell_start + lead, cell_end)], single_line=True, block_id=False)
