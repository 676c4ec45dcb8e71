"""The parts of a note that ``![[note#Heading]]`` and ``![[note#^block]]`` embed, found as Obsidian finds them.

A heading's section runs from the heading to the next heading of the same or a higher level;
a block is the paragraph, list item (with its sub-items), quote, callout or table carrying
``^id`` (at its end, or alone on the line right after it). Blocks are located with markdown-it's
token line maps, so a ``#`` or ``^id`` inside code is never taken for one. Comments are removed
first: a heading or block inside ``%%…%%`` does not exist for readers.
"""
from __future__ import annotations

import functools
import re

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from app.content.comments import strip_comments
from app.content.limits import BLOCK_NESTING, guard_tokens, shareable
from app.content.slugs import fold

_BLOCK_ID_AT_END = re.compile(r"(?:^|[ \t])\^(?P<id>[A-Za-z0-9-]+)[ \t]*\Z")
_CLOSING_HASHES = re.compile(r"(?<![ \t])[ \t]+#+[ \t]*\Z")  # blanks tried from the start of their run only
_SPACES = re.compile(r"\s+")
#: blocks a ``^id`` line of its own names when it follows them
_NAMEABLE = frozenset({"bullet_list_open", "ordered_list_open", "table_open", "blockquote_open", "paragraph_open"})


@functools.cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"maxNesting": BLOCK_NESTING}).enable("table").use(footnote_plugin)
    md.block.ruler.before("table", "guard_tokens", guard_tokens)  # a table padded to a wide header: refused
    md.core.ruler.enableOnly(["normalize", "block"])
    return shareable(md)


def _blocks(markdown: str) -> tuple[list[str], list[Token]]:
    text = strip_comments(markdown)
    return text.split("\n"), _parser().parse(text)


def _heading_text(content: str) -> str:
    """A heading's text as written, without a closing ``#`` sequence or a block id."""
    content = _CLOSING_HASHES.sub("", content)
    match = _BLOCK_ID_AT_END.search(content)
    return (content[: match.start()] if match else content).strip()


def _same_heading(a: str, b: str) -> bool:
    return _SPACES.sub(" ", fold(a)).strip() == _SPACES.sub(" ", fold(b)).strip()


def headings(markdown: str) -> list[str]:
    """The text of every heading of ``markdown``, in order (nested ones included)."""
    _, tokens = _blocks(markdown)
    return [_heading_text(tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open"]


def heading_section(markdown: str, heading: str, occurrence: int | None = None) -> str | None:
    """The section under ``heading`` (the last part of ``A#B``), or under the ``occurrence``-th heading; None if absent."""
    lines, tokens = _blocks(markdown)
    wanted = heading.rsplit("#", 1)[-1].strip()
    found = None
    count = -1
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or not token.map:
            continue
        count += 1
        if found is None:
            hit = count == occurrence if occurrence is not None else _same_heading(_heading_text(tokens[index + 1].content), wanted)
            if hit:
                found = (token.map[0], int(token.tag[1]), token.level)
        elif token.level == found[2] and int(token.tag[1]) <= found[1]:
            return _join(lines[found[0]: token.map[0]])
    return _join(lines[found[0]:]) if found else None


def heading_occurrence(markdown: str, heading: str) -> int | None:
    """The index (among all headings) of the heading ``A#B`` names, or None."""
    wanted = heading.rsplit("#", 1)[-1].strip()
    return next((n for n, text in enumerate(headings(markdown)) if _same_heading(text, wanted)), None)


def block_section(markdown: str, block_id: str) -> str | None:
    """The Markdown of the block carrying ``^block_id``, or None when no block has it."""
    lines, tokens = _blocks(markdown)
    for index, token in enumerate(tokens):
        if token.type != "inline":
            continue
        match = _BLOCK_ID_AT_END.search(token.content)
        if not match or match.group("id") != block_id:
            continue
        opener = tokens[index - 1]
        if opener.type == "heading_open":
            return heading_section(markdown, _heading_text(token.content))
        if token.content[: match.start()].strip() == "" and opener.type == "paragraph_open":
            named = _previous_sibling(tokens, index - 1)
            if named is not None:
                return _lines_of(lines, named)
        return _lines_of(lines, _enclosing_block(tokens, index - 1))
    return None


def _previous_sibling(tokens: list[Token], open_idx: int) -> Token | None:
    """The block opened before the one opened at ``open_idx``, at the same level, if it can carry an id."""
    level = tokens[open_idx].level
    for idx in range(open_idx - 1, -1, -1):
        token = tokens[idx]
        if token.level < level:
            return None
        if token.level == level and token.nesting == 1:
            return token if token.type in _NAMEABLE else None
    return None


def _enclosing_block(tokens: list[Token], open_idx: int) -> Token:
    """The list item holding the paragraph at ``open_idx`` (tight or not), else the paragraph itself."""
    level = tokens[open_idx].level
    for idx in range(open_idx - 1, -1, -1):
        token = tokens[idx]
        if token.level < level and token.nesting == 1:
            return token if token.type == "list_item_open" else tokens[open_idx]
    return tokens[open_idx]


def _lines_of(lines: list[str], token: Token) -> str | None:
    if not token.map:
        return None
    block = lines[token.map[0]: token.map[1]]
    indent = len(block[0]) - len(block[0].lstrip(" ")) if block else 0
    return _join([line[indent:] if line[:indent].strip() == "" else line.lstrip(" ") for line in block])


def _join(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n") + "\n"
