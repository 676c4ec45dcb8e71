"""Split a French note into translatable segments: front-matter title and aliases, then Markdown blocks."""
from __future__ import annotations

from dataclasses import dataclass

from .blocks import body_regions, parse_blocks
from .frontmatter_patch import Field, FrontMatterError, front_matter_fields
from .regions import Region, Source

__all__ = ["SEGMENT_TYPES", "FrontMatterError", "ParsedNote", "Segment", "parse_note", "segment_note"]

SEGMENT_TYPES = ("title", "alias", "heading", "paragraph", "list item", "table cell", "blockquote", "callout")


@dataclass(frozen=True)
class Segment:
    """One translatable entry of a note."""

    msgid: str  #: the translatable text, container markup removed, inline markup kept
    type: str  #: one of SEGMENT_TYPES
    line: int  #: 1-based line in the whole file (front matter included) where the text starts


@dataclass(frozen=True)
class ParsedNote:
    """A note's lines with the places of its translatable front-matter values and blocks."""

    source: Source
    closing_line: int | None  #: 0-based line of the front matter's closing fence, None without front matter
    fields: list[Field]
    regions: list[Region]


def parse_note(text: str) -> ParsedNote:
    """Locate every translatable value and block of ``text``; raise FrontMatterError on broken YAML."""
    source = Source.parse(text)
    tokens, columns = parse_blocks(source)
    front_matter = next((token for token in tokens if token.type == "front_matter"), None)
    closing_line = front_matter.map[1] - 1 if front_matter else None
    fields = front_matter_fields(source, closing_line) if front_matter else []
    return ParsedNote(source, closing_line, fields, body_regions(source, tokens, columns))


def segment_note(text: str) -> list[Segment]:
    """The note's segments in document order: front-matter title, aliases, then blocks."""
    note = parse_note(text)
    segments = [Segment(field.msgid, field.type, field.line + 1) for field in note.fields]
    segments += [Segment(region.msgid(note.source), region.type, region.spans[0].line + 1)
                 for region in note.regions]
    return segments
