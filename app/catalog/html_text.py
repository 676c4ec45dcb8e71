"""Prose inside HTML blocks (``<p>…</p>``, ``<div>`` with text): translatable, like a Markdown paragraph.

The text between block-level tags (``p``, ``div``, ``li``, ``td``, headings…) is one segment; inline
tags (``<b>``, ``<a href>``, ``<br>``) stay inside it, as inline Markdown stays inside a paragraph.
Tags, comments, and the content of ``script``, ``style``, ``pre``, ``textarea``, ``svg``… are never
translated. One pass over the block's characters: linear in its size.
"""
from __future__ import annotations

import re
from bisect import bisect_right

from markdown_it.token import Token

from .blocks import has_prose
from .regions import Region, Source, Span

#: elements whose start or end tag ends a segment
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "dir", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "head",
    "header", "hgroup", "hr", "html", "iframe", "legend", "li", "main", "menu", "nav", "ol", "optgroup", "option", "p",
    "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "video", "audio", "object",
    "picture", "source", "track",
})
#: elements whose content is not prose
SKIPPED_TAGS = frozenset({"script", "style", "pre", "textarea", "svg", "math", "template", "code", "kbd", "samp"})
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")
_BLANKS = " \t"


def html_regions(source: Source, tokens: list[Token], columns: list[int]) -> list[Region]:
    """The prose regions of every HTML block of the note."""
    regions: list[Region] = []
    for token in tokens:
        if token.type == "html_block" and token.map:
            regions += _block_regions(source, columns, token.map[0], min(token.map[1], len(source.lines)))
    return regions


def _block_regions(source: Source, columns: list[int], first: int, after: int) -> list[Region]:
    """Split the block (its lines from their content start, joined by "\\n") at block tags, comments and skipped
    elements; each piece left (text with its inline tags) is a region when it holds prose."""
    lines = list(range(first, after))
    flat = "\n".join(source.lines[n][columns[n]:] for n in lines)
    lowered = flat.lower()
    starts, offset = [], 0
    for n in lines:
        starts.append(offset)
        offset += len(source.lines[n]) - columns[n] + 1
    runs: list[tuple[int, int]] = []
    run_start = pos = 0
    while (lt := flat.find("<", pos)) != -1:
        if lowered.startswith("<!--", lt):
            end = flat.find("-->", lt + 4)
            runs.append((run_start, lt))
            run_start = pos = len(flat) if end == -1 else end + 3
            continue
        name, gt = _TAG_NAME.match(flat, lt), flat.find(">", lt)
        if name is None or gt == -1:  # a lone "<": text
            pos = lt + 1
            continue
        tag, closing = name.group(1).lower(), name.group(0).startswith("</")
        if tag in SKIPPED_TAGS and not closing and flat[gt - 1] != "/":
            runs.append((run_start, lt))
            close = lowered.find("</" + tag, gt)
            close_end = flat.find(">", close) if close != -1 else -1
            run_start = pos = len(flat) if close_end == -1 else close_end + 1
        elif tag in BLOCK_TAGS or tag in SKIPPED_TAGS:
            runs.append((run_start, lt))
            run_start = pos = gt + 1
        else:  # an inline tag stays in the text, as inline Markdown does
            pos = gt + 1
    runs.append((run_start, len(flat)))
    return [region for start, end in runs if end > start
            and (region := _region(source, columns, lines, starts, flat, start, end)) is not None]


def _region(source: Source, columns: list[int], lines: list[int], starts: list[int], flat: str,
            start: int, end: int) -> Region | None:
    spans = []
    index = bisect_right(starts, start) - 1
    while index < len(lines) and starts[index] < end:
        line_start = starts[index]
        local_start = max(start, line_start) - line_start
        local_end = min(end, line_start + len(source.lines[lines[index]]) - columns[lines[index]]) - line_start
        text = flat[line_start + local_start: line_start + local_end]
        lead = len(text) - len(text.lstrip(_BLANKS + "\n"))
        trail = len(text) - len(text.rstrip(_BLANKS + "\n"))
        if local_end - trail > local_start + lead:
            base = columns[lines[index]]
            spans.append(Span(lines[index], base + local_start + lead, base + local_end - trail))
        index += 1
    if not spans or any(b.line != a.line + 1 for a, b in zip(spans, spans[1:])):
        return None  # text split by a blank line: not one segment
    region = Region("html", tuple(spans), single_line=len(spans) == 1)
    return region if has_prose(region.msgid(source)) else None
