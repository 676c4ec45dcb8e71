"""Split a French note into translatable segments: front-matter title and aliases, then Markdown blocks."""
from __future__ import annotations

from dataclasses import dataclass

from .blocks import body_regions, has_prose, parse_blocks
from .frontmatter_patch import Field, FrontMatterError, front_matter_fields
from .html_text import html_regions
from .private import attach_comments
from .regions import Region, Source

__all__ = ["SEGMENT_TYPES", "FrontMatterError", "ParsedNote", "Segment", "note_name", "parse_note", "segment_note"]

SEGMENT_TYPES = ("title", "alias", "heading", "paragraph", "list item", "table cell", "blockquote", "callout", "html")


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
    regions = body_regions(source, tokens, columns)
    extra = html_regions(source, tokens, columns)
    if extra:  # prose inside HTML blocks, in document order with the Markdown blocks
        regions = sorted(regions + extra, key=lambda region: (region.spans[0].line, region.spans[0].start))
    return ParsedNote(source, closing_line, fields, attach_comments(source, regions, has_prose))


def note_name(source: str) -> str:
    """A note's name from its file (``dossier/Ma note.md`` → ``Ma note``): its title when it has no ``title:``."""
    return source.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".md")


def segment_note(text: str, name: str | None = None) -> list[Segment]:
    """The note's segments in document order: title, aliases, then blocks.

    ``name`` is the note's file name without ``.md``: a note without a ``title:`` is called by it
    (as in Obsidian), so the name is its title segment (line 1; the English goes into the
    published front matter, the French file is never changed).
    """
    note = parse_note(text)
    segments = [Segment(field.msgid, field.type, field.line + 1) for field in note.fields]
    if name and name.strip() and not any(field.type == "title" for field in note.fields):
        segments.insert(0, Segment(name.strip(), "title", 1))
    segments += [Segment(region.msgid(note.source), region.type, region.spans[0].line + 1)
                 for region in note.regions]
    return segments
