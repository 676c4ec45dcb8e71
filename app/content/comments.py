"""Obsidian's private ``%%comments%%``: found outside code, removed from everything readers get.

A comment runs from ``%%`` to the next ``%%``, inline or over several lines and blocks; an
unclosed ``%%`` hides the rest of the note, as in Obsidian. ``%%`` inside a fenced code block
or an inline code span is text. The scan is one pass over the note (linear in its size).
"""
from __future__ import annotations

import re
from bisect import bisect_right

_FENCE_OPEN = re.compile(r"( {0,3})(`{3,}|~{3,})")
_BACKTICKS = re.compile(r"`+")
_LINE = re.compile(r"[^\n]*\n?")
MARK = "%%"


def find_comments(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of every comment of ``text``, ``%%`` markers included, in order."""
    if MARK not in text:
        return []
    ranges: list[tuple[int, int]] = []
    fence: str | None = None  # the opening run of the fenced code block we are in
    pos = 0  # offset of the current line
    resume = 0  # scanning for comments starts here (after a comment that ended mid-line)
    for match in _LINE.finditer(text):
        line = match.group()
        if not line:
            break
        start, pos = pos, pos + len(line)
        if pos <= resume:
            continue
        stripped = line.rstrip("\r\n")
        if fence is not None:
            closing = stripped.strip()
            if closing.startswith(fence[0] * len(fence)) and not closing.strip(fence[0]) and \
                    len(stripped) - len(stripped.lstrip(" ")) <= 3:
                fence = None
            continue
        opening = _FENCE_OPEN.match(stripped) if start >= resume else None
        if opening and not (opening.group(2)[0] == "`" and "`" in stripped[opening.end():]):
            fence = opening.group(2)
            continue
        end = _comments_in_line(text, max(start, resume), start + len(stripped), ranges)
        if end is not None:
            resume = end
    return ranges


def _comments_in_line(text: str, start: int, stop: int, ranges: list[tuple[int, int]]) -> int | None:
    """Record the comments opening between ``start`` and ``stop`` (outside code spans); return where the last one ends
    when it ends beyond this line."""
    runs: dict[int, list[int]] = {}
    for run in _BACKTICKS.finditer(text, start, stop):
        runs.setdefault(len(run.group()), []).append(run.start())
    pos, mark = start, -1
    while pos < stop:
        if mark < pos:  # the next mark is searched again only once passed (not once per code span before it)
            mark = text.find(MARK, pos, stop)
        if mark == -1:
            return None
        tick = text.find("`", pos, mark)
        if tick != -1:  # a code span: skip to its closing run of the same length, if any
            length = len(_BACKTICKS.match(text, tick).group())
            same = runs.get(length, [])
            later = bisect_right(same, tick)
            pos = same[later] + length if later < len(same) else tick + length
            continue
        close = text.find(MARK, mark + 2)
        end = len(text) if close == -1 else close + 2
        ranges.append((mark, end))
        if end > stop:
            return end
        pos = end
    return None


def strip_comments(text: str) -> str:
    """``text`` without its comments; the line breaks inside them stay, so every line keeps its number."""
    ranges = find_comments(text)
    if not ranges:
        return text
    pieces, pos = [], 0
    for start, end in ranges:
        pieces += [text[pos:start], "\n" * text.count("\n", start, end)]
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)
