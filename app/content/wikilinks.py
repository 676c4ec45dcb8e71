"""Obsidian wikilinks, embeds, block ids and hashtags found in Markdown text."""
from __future__ import annotations

import re
from dataclasses import dataclass

#: ``[[target#heading|label]]`` or ``![[embed]]``; the target may be empty (``[[#heading]]``).
WIKILINK = re.compile(r"(?P<embed>!?)\[\[(?P<target>[^\[\]|#^\n]*)(?P<anchor>[#^][^\[\]|\n]*)?(?:\|(?P<label>[^\[\]\n]*))?\]\]")
#: An inline ``#tag``: after a space or at the start of a line, not all digits.
HASHTAG = re.compile(r"(?:(?<=\s)|(?<=^)|(?<=\())#(?P<tag>[^\W\d_][\w/-]*|\d+[^\W\d][\w/-]*|_[\w/-]+)", re.MULTILINE)
#: A block id at the end of a line: `` ^abc-123``.
BLOCK_ID = re.compile(r"(?:^|\s)\^(?P<id>[A-Za-z0-9-]+)\s*$", re.MULTILINE)
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,}).*?^\1\2[`~]*[ \t]*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)


@dataclass(frozen=True)
class WikiLink:
    """One ``[[...]]`` or ``![[...]]`` occurrence."""

    target: str
    label: str | None
    heading: str | None
    embed: bool

    @property
    def text(self) -> str:
        """What a reader sees: the label, else the target (and heading)."""
        if self.label:
            return self.label
        if self.heading and self.target:
            return f"{self.target} > {self.heading}"
        return self.target or (self.heading or "")


def strip_code(markdown: str) -> str:
    """Blank out fenced and inline code so links inside code are not counted."""
    markdown = _FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), markdown)
    return _INLINE_CODE.sub("", markdown)


def parse_wikilink(match: re.Match) -> WikiLink:
    """Build a :class:`WikiLink` from a :data:`WIKILINK` match."""
    anchor = match.group("anchor")
    heading = anchor[1:].strip() if anchor else None
    label = match.group("label")
    return WikiLink(
        target=match.group("target").strip(),
        label=label.strip() if label else None,
        heading=heading or None,
        embed=bool(match.group("embed")),
    )


def find_wikilinks(markdown: str) -> list[WikiLink]:
    """Return the wikilinks and embeds of ``markdown``, outside code, in order."""
    return [parse_wikilink(m) for m in WIKILINK.finditer(strip_code(markdown))]


def find_hashtags(markdown: str) -> list[str]:
    """Return the inline ``#tags`` of ``markdown`` outside code and links, in order, deduplicated."""
    text = WIKILINK.sub(" ", strip_code(markdown))
    text = re.sub(r"\]\([^)]*\)|<[^>]*>|https?://\S+", " ", text)
    seen: dict[str, None] = {}
    for match in HASHTAG.finditer(text):
        seen.setdefault(match.group("tag").rstrip("/-"), None)
    return list(seen)
