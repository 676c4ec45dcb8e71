"""Rebuild a note with translated segments, every other byte of the French file kept."""
from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import pairwise

from .frontmatter_patch import front_matter_edits
from .private import comment_deletions
from .regions import LINE_BREAK, Edit, Region, Source, apply_edits
from .segment import parse_note

_NOT_QUOTE_MARKUP = re.compile(r"[^>\s]")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def assemble_note(text: str, translations: Mapping[str, str], *, drop_comments: bool = False) -> str:
    """The French ``text`` with each segment whose msgid has a non-blank translation replaced by it.

    ``drop_comments`` also removes every ``%%comment%%`` (for a text that will be published).
    """
    note = parse_note(text)
    source = note.source
    edits = front_matter_edits(source, note.closing_line, note.fields, translations) if note.fields else []
    for region in note.regions:
        msgid = region.msgid(source)
        translation = _fit(region, translations.get(msgid) or msgid)
        if translation.strip() and translation != msgid:
            edits.append(region_edit(source, region, translation))
    if drop_comments:
        edits += comment_deletions(source, edits)
    return source.bom + apply_edits(source.text, edits)


def _fit(region: Region, translation: str) -> str:
    """The translation made safe for its place: no line break at its ends, none where one would end the block."""
    translation = translation.strip("\r\n")
    if region.single_line:
        translation = " ".join(LINE_BREAK.split(translation))
    if region.type == "table cell":
        translation = _UNESCAPED_PIPE.sub(r"\\|", translation)
    if region.type == "html":  # a blank line would end the HTML block
        translation = "\n".join(line for line in LINE_BREAK.split(translation) if line.strip())
    return translation


def region_edit(source: Source, region: Region, translation: str) -> Edit:
    """The edit putting ``translation`` in place of the region's text, container markup kept."""
    spans = region.spans
    first, last = spans[0], spans[-1]
    separators = [source.text[source.offset(a.line, a.end):source.offset(b.line, b.start)]
                  for a, b in pairwise(spans)]
    extra = (source.eols[last.line] or source.newline) + _continuation_prefix(source, region)
    new_lines = LINE_BREAK.split(translation)
    pieces = [new_lines[0]]
    for index, line in enumerate(new_lines[1:]):
        pieces += [separators[index] if index < len(separators) else extra, line]
    return Edit(source.offset(first.line, first.start), source.offset(last.line, last.end), "".join(pieces))


def _continuation_prefix(source: Source, region: Region) -> str:
    """Markup to put before each line a translation adds beyond the French lines."""
    last = region.spans[-1]
    prefix = source.lines[last.line][:last.start]
    if len(region.spans) > 1:
        return prefix
    return _NOT_QUOTE_MARKUP.sub(" ", prefix)  # "- [ ] " -> "      ", "> 1. " -> ">    "


__all__ = ["apply_edits", "assemble_note", "region_edit"]
