"""Reading one French note from disk into a :class:`Note`."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.content.comments import strip_comments
from app.content.dates import front_matter_dates
from app.content.frontmatter import FrontMatterError, Split, as_string_list, parse_front_matter, split_front_matter
from app.content.limits import LimitExceeded, NoteLimits, check_markdown_depth, check_size
from app.content.note_errors import DEFAULT_LIMITS, NoteReadError, unexpected  # noqa: F401  (re-exported)
from app.content.wikilinks import WikiLink, find_hashtags, find_wikilinks


@dataclass(frozen=True)
class Note:
    """A parsed note: identity, metadata, body and links."""

    filename: str  #: path relative to the language folder, with ``/`` separators
    name: str  #: the file name without ``.md``: what ``[[...]]`` refers to
    slug: str
    title: str
    tags: tuple[str, ...]
    aliases: tuple[str, ...]
    meta: dict = field(repr=False, compare=False)
    text: str = field(repr=False)  #: the whole file
    body_start: int = 0  #: offset in ``text`` where the Markdown after the front matter starts
    body_line: int = 1  #: line of the file where ``body`` starts
    sha256: str = ""  #: SHA-256 of the file's bytes
    mtime: float = 0.0
    links: tuple[WikiLink, ...] = ()
    created: datetime | None = None  #: from the front matter (``created``, ``date``…), else None
    updated: datetime | None = None  #: from the front matter (``updated``, ``modified``…), else None

    @property
    def body(self) -> str:
        """The Markdown after the front matter (a slice of ``text``: an index of 10,000 notes keeps one copy, 14 MB less)."""
        return self.text[self.body_start:]

    @property
    def embeds(self) -> tuple[WikiLink, ...]:
        """The ``![[...]]`` embeds of the note."""
        return tuple(link for link in self.links if link.embed)

    @property
    def wikilinks(self) -> tuple[WikiLink, ...]:
        """The ``[[...]]`` links of the note (embeds excluded)."""
        return tuple(link for link in self.links if not link.embed)


def decode_note(data: bytes, filename: str) -> str:
    """Decode UTF-8 (with or without BOM) or raise :class:`NoteReadError` naming the line."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise NoteReadError(filename, f"invalid UTF-8 at byte {exc.start}", line) from None


def check_note(data: bytes, filename: str, limits: NoteLimits = DEFAULT_LIMITS) -> tuple[str, Split, dict]:
    """The text, parts and front matter of a note within ``limits``; else :class:`NoteReadError` saying why."""
    try:
        check_size(len(data), limits)
    except LimitExceeded as exc:
        raise NoteReadError(filename, exc.reason) from None
    text = decode_note(data, filename)
    split = split_front_matter(text)
    try:
        meta = parse_front_matter(split.yaml_text, limits.max_depth)
        check_markdown_depth(split.body, limits.max_depth, split.body_line)
    except (FrontMatterError, LimitExceeded) as exc:
        raise NoteReadError(filename, exc.reason, exc.line) from None
    return text, split, meta


def parse_note(data: bytes, filename: str, slug: str, mtime: float = 0.0,
               limits: NoteLimits = DEFAULT_LIMITS) -> Note:
    """Parse the bytes of a note file into a :class:`Note`."""
    text, split, meta = check_note(data, filename, limits)
    name = filename.rsplit("/", 1)[-1].removesuffix(".md")
    title = meta.get("title")
    title = str(title).strip() if title not in (None, "") else name
    tags = as_string_list(meta.get("tags"), split_spaces=True)
    visible = strip_comments(split.body)  # links and tags inside %%comments%% are the author's, not the readers'
    known = set(tags)  # a set: ten thousand hashtags are checked in ten thousand steps, not their square
    for tag in find_hashtags(visible):
        if tag not in known:
            known.add(tag)
            tags.append(tag)
    aliases = as_string_list(meta.get("aliases"))
    created, updated = front_matter_dates(meta)
    return Note(
        filename=filename,
        name=name,
        slug=slug,
        title=title,
        tags=tuple(tags),
        aliases=tuple(aliases),
        meta=meta,
        text=text,
        body_start=len(text) - len(split.body),
        body_line=split.body_line,
        sha256=hashlib.sha256(data).hexdigest(),
        mtime=mtime,
        links=tuple(find_wikilinks(visible)),
        created=created,
        updated=updated,
    )


def read_note(path: Path, filename: str, slug: str, limits: NoteLimits = DEFAULT_LIMITS) -> Note:
    """Read and parse the note file at ``path``."""
    stat = path.stat()
    return parse_note(path.read_bytes(), filename, slug, stat.st_mtime, limits)
