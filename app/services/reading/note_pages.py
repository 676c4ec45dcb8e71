"""Building a note page for readers: the French source, a published translation, or the notice.

A target-language page renders only the published snapshot ``content/<lang>/<slug>.md``:
catalogs and drafts are never read here. When the French changed since approval, the page
is ``outdated``: it keeps the approved text, carries a dated banner, and marks the blocks
whose French changed (found by comparing the segments of the French approved against, from
the latest :class:`~app.models.Publication`, with the segments of the French now).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import current_app, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from app.catalog.minor import is_minor
from app.catalog.segment import Segment, segment_note
from app.content.frontmatter import split_front_matter
from app.content.notes import Note, NoteReadError, unexpected
from app.content.published import PublishedNote
from app.content.vault import strict_line_breaks
from app.content.wikilinks import WikiLink
from app.extensions import db
from app.models import Publication
from app.render.markdown import (EmbedTarget, LinkTarget, RenderOptions, note_heading_ids, render_note_body,
                                 shift_headings)
from app.services.garden import Garden, get_garden
from app.services.reading.embeds import EmbedBudget, EmbedScope, attachment_link, embed_resolver, image_resolver
from app.services.reading.listings import (Alternate, absolute_url, alternates_for, language_name, note_url, parse_time, source_lang,
                                  timestamp)
from app.workflow.diff import changed_segments
from app.services.reading.outdated import french_outdated
from app.services.reading.render_cache import kept_page

log = logging.getLogger(__name__)



class BrokenNote(Exception):
    """The note exists but its French file cannot be read."""

    def __init__(self, error: NoteReadError):
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class LinkItem:
    """A link to another note, in the page's language or in another one (``lang``)."""

    href: str
    title: str
    lang: str | None = None


@dataclass(frozen=True)
class NotePage:
    """Everything the note template shows."""

    lang: str
    slug: str
    state: str  #: ``source``, ``published``, ``outdated`` or ``unavailable``
    title: str
    title_lang: str | None  #: set when the title is not in the page's language
    body_html: Markup
    tags: tuple[str, ...]
    aliases: tuple[str, ...]
    backlinks: list[LinkItem]
    updated: datetime
    source_url: str  #: the note in the source language
    source_lang: str
    alternates: list[Alternate]
    canonical: str
    french_changed: datetime | None = None  #: outdated pages: when the source changed
    approved: datetime | None = None  #: translated pages: when the translation was approved
    changed_blocks: int = 0
    noindex: bool = False
    withdrawn: datetime | None = None  #: unavailable pages: when the editor unpublished the translation


def note_page(lang: str, slug: str) -> NotePage | None:
    """The page of note ``slug`` in ``lang``; None if there is no such note; :class:`BrokenNote` if unreadable."""
    garden = get_garden()
    note = garden.notes.get(slug)
    if note is None and (error := garden.notes.error_for(slug)) is not None and not garden.notes.is_current(error.filename):
        garden = get_garden(max_age=0)  # the author fixed it: every worker sees it at once, as any edited note
        note = garden.notes.get(slug)
    if note is None:
        error = garden.notes.error_for(slug)
        if error is not None:
            raise BrokenNote(error)
        return None
    try:
        return kept_page(garden, lang, note.slug, lambda: _build_page(garden, lang, note), _page_size)
    except Exception as exc:  # noqa: BLE001  (whatever fails rendering one note, it is that note's broken page)
        log.exception("cannot render %s in %s", note.filename, lang)
        filename = note.filename if lang == garden.source_lang else f"{lang}/{note.slug}.md"
        raise BrokenNote(unexpected(filename, exc, "rendered")) from None


def _build_page(garden: Garden, lang: str, note: Note) -> NotePage:
    if lang == garden.source_lang:
        return _source_page(garden, note)
    published = garden.published_note(lang, note)
    if published is None:
        return _unavailable_page(garden, lang, note)
    return _translated_page(garden, lang, note, published)


def _page_size(page: NotePage) -> int:
    """About how many bytes ``page`` holds (what the render cache counts against its bound)."""
    return len(page.body_html) + sum(len(link.href) + len(link.title) for link in page.backlinks)


def renamed_slug(slug: str) -> str | None:
    """The current slug of a renamed note whose old slug is ``slug`` (None: no such rename)."""
    return get_garden().notes.redirect(slug)


def note_languages(garden: Garden, note: Note) -> list[str]:
    """The languages ``note`` can be read in: the source, then each published translation."""
    return [garden.source_lang] + [lang for lang in garden.target_langs if garden.published_note(lang, note)]


def _common(garden: Garden, lang: str, note: Note) -> dict:
    return {
        "lang": lang,
        "slug": note.slug,
        "source_url": note_url(garden.source_lang, note.slug),
        "source_lang": garden.source_lang,
        "alternates": alternates_for("reader.note", note_languages(garden, note), slug=note.slug),
        "canonical": absolute_url(note_url(lang, note.slug)),
    }


def _source_page(garden: Garden, note: Note) -> NotePage:
    lang = garden.source_lang
    options = render_options(garden, lang, note=note)
    options.line_anchors = True  # the translator's screen opens the French at a segment's block
    backlinks = [LinkItem(note_url(lang, n.slug), n.title) for n in garden.notes.backlinks(note)]
    return NotePage(state="source", title=note.title, title_lang=None, tags=note.tags, aliases=note.aliases,
                    body_html=_render(note.text, options), backlinks=backlinks, updated=garden.dates(note).updated,
                    **_common(garden, lang, note))


def _unavailable_page(garden: Garden, lang: str, note: Note) -> NotePage:
    return NotePage(state="unavailable", title=note.title, title_lang=garden.source_lang, tags=(), aliases=(),
                    body_html=Markup(""), backlinks=[], updated=garden.dates(note).updated, noindex=True,
                    withdrawn=withdrawn_at(note.filename, lang), **_common(garden, lang, note))


def withdrawn_at(source: str, lang: str) -> datetime | None:
    """When the translation of ``source`` in ``lang`` was unpublished, if its latest publication was (else None)."""
    query = (select(Publication).where(Publication.source == source, Publication.lang == lang)
             .order_by(Publication.approved_at.desc(), Publication.id.desc()).limit(1))
    last = db.session.execute(query).scalar_one_or_none()
    return as_aware(last.unpublished_at) if last is not None and last.unpublished_at is not None else None


def _translated_page(garden: Garden, lang: str, note: Note, published: PublishedNote) -> NotePage:
    outdated = french_outdated(published.source_sha256, note, lang=lang)
    changed = changed_lines(note, published) if outdated else {}
    options = render_options(garden, lang, changed_lines=changed, note=note)
    options.heading_ids = note_heading_ids(note.text)  # links to a French heading land on its translation
    backlinks = [_link_in(garden, lang, n) for n in garden.notes.backlinks(note)]
    approved = parse_time(published.approved_at)
    return NotePage(state="outdated" if outdated else "published", title=published.title, title_lang=None,
                    tags=published.tags, aliases=(), body_html=_render(published.text, options),
                    backlinks=[LinkItem(b.href, b.title, b.lang) for b in backlinks],
                    updated=approved or timestamp(published.mtime), approved=approved,
                    french_changed=french_changed(garden, note, approved) if outdated else None,
                    changed_blocks=len(changed),
                    **_common(garden, lang, note))


def french_changed(garden: Garden, note: Note, approved: datetime | None) -> datetime:
    """When the source of an outdated translation changed: its date, unless that is not after the approval
    (a front-matter ``updated`` the author did not bump), then its git or file time."""
    dates = garden.dates(note)
    if approved is None or dates.updated > approved:
        return dates.updated
    git = garden.git_dates.get(note.filename)
    if git is not None and git[1] > approved:
        return git[1]
    return max(timestamp(note.mtime), approved)


def _link_in(garden: Garden, lang: str, note: Note) -> LinkTarget:
    """Link to ``note`` for readers of ``lang``: its translation if published, else the source marked as such."""
    if lang != garden.source_lang:
        published = garden.published_note(lang, note)
        if published is None:
            return LinkTarget(note_url(garden.source_lang, note.slug), note.title, garden.source_lang)
        return LinkTarget(note_url(lang, note.slug), published.title)
    return LinkTarget(note_url(lang, note.slug), note.title)


def render_options(garden: Garden, lang: str, changed_lines: dict[int, str] | None = None,
                   embeds: bool = True, note: Note | None = None, scope: EmbedScope | None = None) -> RenderOptions:
    """Rendering options for a page in ``lang`` (showing ``note``): wikilinks, embeds, attachments and tags resolved."""
    if scope is None:
        scope = EmbedScope(lang, note, ((note.slug, ""),) if note is not None else ())
    lang, note = scope.lang, scope.note

    def resolve_link(link: WikiLink) -> LinkTarget | None:
        target = garden.notes.resolve(link.target)
        return _link_in(garden, lang, target) if target else attachment_link(garden, link, note)

    def resolve_embed_as_link(link: WikiLink) -> EmbedTarget | None:
        target = garden.notes.resolve(link.target) if link.target else None
        if target is None:
            return resolve_files(link)
        resolved = _link_in(garden, lang, target)
        return EmbedTarget("note", resolved.href, resolved.title)

    def nested(inner: EmbedScope) -> RenderOptions:
        return render_options(garden, inner.lang, scope=inner)

    resolve_files = embed_resolver(garden, EmbedScope(lang, note, (), EmbedBudget()), lambda n: _link_in(garden, lang, n),
                                   nested)
    resolve_embed = embed_resolver(garden, scope, lambda n: _link_in(garden, lang, n), nested) if embeds \
        else resolve_embed_as_link
    return RenderOptions(
        resolve_link=resolve_link,
        resolve_embed=resolve_embed,
        resolve_image=image_resolver(garden, note),
        tag_href=lambda tag: url_for("reader.tag", lang=lang, tag=tag),
        unresolved_title=_("This note does not exist yet"),
        missing_embed_text=_("Missing embed: {name}"),
        changed_lines=changed_lines or None,
        strict_line_breaks=strict_line_breaks(garden.vault, current_app.config.get("STRICT_LINE_BREAKS")),
    )


def _render(text: str, options: RenderOptions) -> Markup:
    """Render a note file and shift its headings so that the page title stays the only ``h1``."""
    return Markup(shift_headings(render_note_body(text, options), 2))


def as_aware(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime (SQLite gives back naive UTC values)."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def latest_publication(source: str, lang: str) -> Publication | None:
    """The latest publication record of ``source`` in ``lang`` still online, or None."""
    query = (select(Publication).where(Publication.source == source, Publication.lang == lang,
                                       Publication.unpublished_at.is_(None))
             .order_by(Publication.approved_at.desc(), Publication.id.desc()).limit(1))
    return db.session.execute(query).scalar_one_or_none()


def changed_lines(note: Note, published: PublishedNote) -> dict[int, str]:
    """File lines of the published text whose French changed since approval, with their tooltip."""
    try:
        publication = latest_publication(note.filename, published.lang)
        if publication is None or publication.source_sha256 != published.source_sha256:
            return {}
        approved = body_segments(publication.source_text)
        translated = body_segments(published.text)
        current = body_segments(note.text)
    except Exception:  # markers are a help, never a reason for the page to fail
        log.exception("cannot compute the changed blocks of %s in %s", note.filename, published.lang)
        return {}
    if [s.type for s in approved] != [s.type for s in translated]:
        log.info("%s: the %s snapshot does not match the approved French block for block",
                 note.filename, published.lang)
        return {}
    # indexes of the approved French (hence of the translation) that changed or vanished since
    # a minor change of a passage keeps its English current: not marked, as it does not outdate the note
    strict = current_app.config.get("MINOR_CHANGES", "keep") == "fuzzy"
    alike = None if strict else lambda now, then: is_minor(then, now)
    indexes = changed_segments([s.msgid for s in current], [s.msgid for s in approved], alike)
    tooltip = _("The %(language)s of this paragraph changed since this translation was approved",
                language=language_name(source_lang(), published.lang))
    return {translated[i].line: tooltip for i in indexes}


def body_segments(text: str) -> list[Segment]:
    """The segments of ``text`` after its front matter (whose fields differ between source and snapshot)."""
    body_line = split_front_matter(text).body_line
    return [segment for segment in segment_note(text) if segment.line >= body_line]
