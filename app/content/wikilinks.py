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
_FENCE_OPEN = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
_BACKTICKS = re.compile(r"`+")
#: What is not a hashtag's text: link destinations, HTML tags, URLs. Each scan stops at the next
#: place another match could start (``[^()\]]``, ``[^<>]``), so no text is scanned twice.
_NOT_TAG_TEXT = re.compile(r"\]\([^()\]]*\)|<[^<>]*>|https?://\S+")


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
    """Blank out fenced and inline code so links inside code are not counted (time linear in the text)."""
    return strip_code_spans(blank_fences(markdown))


def blank_fences(markdown: str) -> str:
    """``markdown`` with the lines of fenced code blocks emptied (line count kept), as CommonMark fences them.

    A fence opens with three or more backticks or tildes indented at most three spaces, and closes
    with a run of the same character at least as long; an unclosed fence runs to the end.
    """
    lines = markdown.split("\n")
    fence = ""
    for index, line in enumerate(lines):
        if not fence:
            opening = _FENCE_OPEN.match(line)
            if opening and not (opening.group(1)[0] == "`" and "`" in opening.group(2)):
                fence, lines[index] = opening.group(1), ""
            continue
        lines[index] = ""
        stripped = line.lstrip(" ")
        run = len(stripped) - len(stripped.lstrip(fence[0]))
        if len(line) - len(stripped) <= 3 and run >= len(fence) and not stripped[run:].strip(" \t\r"):
            fence = ""
    return "\n".join(lines)


def code_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each code span: a run of backticks up to the next run of the same length.

    Each run learns the next run of its length in one backward pass, so no run is searched twice.
    """
    runs = [(match.start(), match.end()) for match in _BACKTICKS.finditer(text)]
    next_same: list[int | None] = [None] * len(runs)
    last: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        length = runs[index][1] - runs[index][0]
        next_same[index], last[length] = last.get(length), index
    spans, index = [], 0
    while index < len(runs):
        closing = next_same[index]
        if closing is None:
            index += 1
            continue
        spans.append((runs[index][0], runs[closing][1]))
        index = closing + 1
    return spans


def count_code_spans(text: str) -> int:
    """How many code spans ``text`` holds."""
    return len(code_spans(text))


def strip_code_spans(text: str, replacement: str = "") -> str:
    """``text`` with each code span replaced by ``replacement`` (removed by default)."""
    pieces, pos = [], 0
    for start, end in code_spans(text):
        pieces += [text[pos:start], replacement]
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


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
    text = _NOT_TAG_TEXT.sub(" ", text)
    seen: dict[str, None] = {}
    for match in HASHTAG.finditer(text):
        seen.setdefault(match.group("tag").rstrip("/-"), None)
    return list(seen)
