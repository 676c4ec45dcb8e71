"""What ``![[...]]`` shows on a reader's page: an attachment, or a note, one of its sections or one block.

On a target-language page, an embedded note published in that language shows its approved
text; otherwise its French, marked ``lang`` so that screen readers and hyphenation follow. A
heading of the French is found in the translation by its position among the headings (the
snapshot has the French's block structure); when the counts differ the French is shown.
Embeds nest up to :data:`MAX_DEPTH` levels; a note embedding itself (directly or through
others) shows a link instead, and a page renders at most :data:`MAX_EMBEDS` embedded notes
and :data:`MAX_EMBEDDED_CHARS` characters of them, so no note can make a page cost more than
a bounded multiple of the notes it shows.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import url_for

from app.content.attachments import Attachment, file_type
from app.content.frontmatter import split_front_matter
from app.content.notes import Note
from app.content.sections import block_section, heading_occurrence, heading_section, headings
from app.content.wikilinks import WikiLink
from app.render.markdown import EmbedTarget, LinkTarget, RenderOptions, render_note_body

log = logging.getLogger(__name__)

MAX_DEPTH = 3  #: embeds inside embeds inside embeds; deeper ones are links
MAX_EMBEDS = 60  #: embedded notes rendered on one page
MAX_EMBEDDED_CHARS = 400_000  #: characters of embedded notes rendered on one page
_ID_ATTRIBUTE = re.compile(r' id="[^"]*"')


@dataclass
class EmbedBudget:
    """What one page has spent on embedded notes so far."""

    embeds: int = 0
    chars: int = 0

    def spend(self, text: str) -> bool:
        """Count one more embed of ``text``; False when the page may not show it."""
        if self.embeds >= MAX_EMBEDS or self.chars + len(text) > MAX_EMBEDDED_CHARS:
            return False
        self.embeds += 1
        self.chars += len(text)
        return True


@dataclass(frozen=True)
class EmbedScope:
    """Where an embed is rendered: the page's language, the note around it, the embeds it is inside."""

    lang: str
    note: Note | None = None
    stack: tuple[tuple[str, str], ...] = ()  #: (slug, section) of the page's note, then of the embeds it is inside
    budget: EmbedBudget = field(default_factory=EmbedBudget)


def attachment_url(garden, attachment: Attachment) -> str:
    """The URL of an attachment, with its content hash (cacheable for good)."""
    return url_for("files.attachment", digest=garden.attachments.digest(attachment), path=attachment.path)


def attachment_target(garden, attachment: Attachment) -> EmbedTarget:
    """What the renderer needs to show an attachment."""
    return EmbedTarget(attachment.kind, attachment_url(garden, attachment), attachment.name)


def image_resolver(garden, note: Note | None) -> Callable[[str], EmbedTarget | None]:
    """Resolve the path of a Markdown image (relative to the note, URL-decoded) to an attachment."""
    source = note.filename if note is not None else ""

    def resolve(path: str) -> EmbedTarget | None:
        found = garden.attachments.resolve(path, source)
        return attachment_target(garden, found) if found else None

    return resolve


def attachment_link(garden, link: WikiLink, note: Note | None) -> LinkTarget | None:
    """``[[doc.pdf]]``: a link to the attachment, when the target is one."""
    if file_type(link.target) is None:
        return None
    found = garden.attachments.resolve(link.target, note.filename if note is not None else "")
    return LinkTarget(attachment_url(garden, found), found.name) if found else None


def embed_resolver(garden, scope: EmbedScope, link_in: Callable[[Note], LinkTarget],
                   options_for: Callable[[EmbedScope], RenderOptions]) -> Callable[[WikiLink], EmbedTarget | None]:
    """The ``resolve_embed`` of a page: attachments, then notes (whole, a section or a block)."""

    def resolve(link: WikiLink) -> EmbedTarget | None:
        if file_type(link.target) is not None:
            found = garden.attachments.resolve(link.target, scope.note.filename if scope.note else "")
            return attachment_target(garden, found) if found else None
        target = garden.notes.resolve(link.target) if link.target else scope.note
        if target is None:
            return None
        resolved = link_in(target)
        key = (target.slug, link.heading or "")
        if len(scope.stack) > MAX_DEPTH or key in scope.stack:
            return EmbedTarget("note", resolved.href, resolved.title)  # a link: too deep, or a loop
        text, lang = embedded_text(garden, scope.lang, target, link.heading)
        if text is None or not scope.budget.spend(text):
            return None if text is None else EmbedTarget("note", resolved.href, resolved.title)
        inner = EmbedScope(lang or scope.lang, target, scope.stack + (key,), scope.budget)
        try:
            html = _ID_ATTRIBUTE.sub("", render_note_body(text, options_for(inner)))
        except Exception:  # noqa: BLE001  (a note that cannot be rendered is embedded as a link: it harms no other page)
            log.exception("cannot render %s embedded in a page", target.filename)
            return EmbedTarget("note", resolved.href, resolved.title)
        return EmbedTarget("note", resolved.href, resolved.title, html, lang if lang != scope.lang else None)

    return resolve


def embedded_text(garden, lang: str, note: Note, section: str | None) -> tuple[str | None, str]:
    """The Markdown an embed of ``note`` (``section``: ``Heading`` or ``^block``) shows in ``lang``, and its language."""
    published = garden.published_note(lang, note) if lang != garden.source_lang else None
    if published is not None:
        english = _section(split_front_matter(published.text).body, section, note.body)
        if english is not None:
            return (english if section else published.text), lang
    french = _section(note.body, section, None)
    return (french if section else note.text) if french is not None else None, garden.source_lang


def _section(body: str, section: str | None, french_body: str | None) -> str | None:
    """The part of ``body`` named by ``section``; for a translation, a heading is found by its place in the French."""
    if not section:
        return body
    if section.startswith("^"):
        return block_section(body, section[1:])
    if french_body is None:
        return heading_section(body, section)
    occurrence = heading_occurrence(french_body, section)
    if occurrence is None or len(headings(french_body)) != len(headings(body)):
        return None
    return heading_section(body, "", occurrence=occurrence)
