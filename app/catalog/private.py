"""Private ``%%comments%%`` kept out of catalogs and out of the English a translation publishes.

A comment is never a segment and never part of one: a region's msgid leaves out the comments it
overlaps (a line that held only a comment disappears), and a region made only of comments is no
segment at all. The French file is never touched, so re-assembling it with every msgstr equal to
its msgid still gives it back byte for byte; a translated region replaces its comments with the
translation, and :func:`comment_deletions` removes every other comment from a published text.
"""
from __future__ import annotations

import dataclasses
from bisect import bisect_right

from app.content.comments import find_comments

from .regions import Edit, Region, Source

_BLANKS = " \t"


def attach_comments(source: Source, regions: list[Region], has_prose) -> list[Region]:
    """``regions`` with the comments each overlaps; regions with no prose left outside comments are dropped."""
    ranges = find_comments(source.text)
    if not ranges:
        return regions
    ends = [end for _, end in ranges]
    kept = []
    for region in regions:
        first, last = region.spans[0], region.spans[-1]
        start, end = source.offset(first.line, first.start), source.offset(last.line, last.end)
        index = bisect_right(ends, start)
        overlapping = []
        while index < len(ranges) and ranges[index][0] < end:
            overlapping.append(ranges[index])
            index += 1
        if overlapping:
            region = dataclasses.replace(region, comments=tuple(overlapping))
            if not has_prose(region.msgid(source)):
                continue
        kept.append(region)
    return kept


def visible_text(source: Source, region: Region) -> str:
    """The region's text without its comments: the blanks on both sides of a comment collapse to one."""
    lines = []
    for span in region.spans:
        start, stop = source.offset(span.line, span.start), source.offset(span.line, span.end)
        pieces, pos = [], start
        for comment_start, comment_end in region.comments:
            if comment_end <= pos or comment_start >= stop:
                continue
            pieces.append(source.text[pos:max(pos, comment_start)])
            pos = min(max(pos, comment_end), stop)
        pieces.append(source.text[pos:stop])
        if len(pieces) == 1:
            lines.append(pieces[0])
            continue
        tail = pieces.pop() if not pieces[-1].strip() else ""  # blanks after the last comment: a hard break
        text = pieces[0]
        for piece in pieces[1:]:
            text += piece.lstrip(_BLANKS) if text[-1:] in (" ", "\t") else piece
        text = text.lstrip(_BLANKS) if not pieces[0] else text
        text = text.rstrip(_BLANKS) + tail if len(pieces) > 1 or tail else text
        if text.strip():
            lines.append(text)
    return "\n".join(lines).strip()


def comment_deletions(source: Source, edits: list[Edit]) -> list[Edit]:
    """Edits deleting every part of a comment that no other edit already replaces."""
    taken = sorted((edit.start, edit.end) for edit in edits)
    deletions = []
    index = 0
    for start, end in find_comments(source.text):
        while index < len(taken) and taken[index][1] <= start:
            index += 1
        pos, probe = start, index
        while probe < len(taken) and taken[probe][0] < end:
            if taken[probe][0] > pos:
                deletions.append(Edit(pos, taken[probe][0], ""))
            pos = max(pos, taken[probe][1])
            probe += 1
        if pos < end:
            deletions.append(Edit(pos, end, ""))
    return deletions
