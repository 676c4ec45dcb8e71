"""What readers see: notes as listed per language, tag pages, URLs and alternates.

Readers of the source language see every readable French note; readers of a target language
see only the published snapshots in ``content/<lang>/`` (drafts never leak). Note pages are
built in :mod:`app.services.reading.note_pages`, search in :mod:`app.services.reading.search`, feeds and the
sitemap in :mod:`app.services.reading.feeds`; they all list notes through :func:`visible_entries`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from babel import Locale, UnknownLocaleError
from flask import current_app, has_request_context, request, url_for

from app.content.slugs import fold
from app.services.garden import Garden, get_garden
from app.services.reading.outdated import french_outdated


@dataclass(frozen=True)
class Entry:
    """A note as the readers of one language see it in listings."""

    slug: str
    lang: str  #: language of the page (and of its title and body)
    title: str
    tags: tuple[str, ...]
    updated: datetime  #: last change: the French note's date (front matter, git, file), or the approval time of a translation
    body: str  #: the Markdown body in ``lang``
    state: str  #: ``source``, ``published`` or ``outdated``


@dataclass(frozen=True)
class Alternate:
    """One ``<link rel="alternate" hreflang>`` of a page."""

    hreflang: str
    href: str


@dataclass(frozen=True)
class Pagination:
    """Where one page stands among the pages of a list (pages count from 1)."""

    page: int
    pages: int
    total: int
    per_page: int

    @property
    def previous(self) -> int | None:
        """The previous page number, or None on the first page."""
        return self.page - 1 if self.page > 1 else None

    @property
    def next(self) -> int | None:
        """The next page number, or None on the last page."""
        return self.page + 1 if self.page < self.pages else None

    @property
    def start(self) -> int:
        """Index of the page's first item in the whole list."""
        return (self.page - 1) * self.per_page


def paginate(total: int, page: int, per_page: int) -> Pagination:
    """The :class:`Pagination` of page ``page`` (clamped to the existing pages) of ``total`` items."""
    pages = max(1, -(-total // per_page))
    return Pagination(min(max(1, page), pages), pages, total, per_page)


def page_exists(total: int, page: int, per_page: int) -> bool:
    """Whether page ``page`` of ``total`` items exists (page 1 always does, even empty)."""
    return page == 1 or 1 < page <= -(-total // per_page)


#: Notes per page on the home and tag pages.
LISTING_PAGE_SIZE = 50


@dataclass(frozen=True)
class Listing:
    """A page of entries for the home page or a tag page, with what the page needs around it."""

    lang: str
    entries: list[Entry]  #: the entries of this page only
    alternates: list[Alternate]
    canonical: str
    tag: str | None = None
    source_count: int = 0  #: how many notes exist in the source language (for "read them in French")
    total: int = 0  #: how many entries the whole list has
    pagination: Pagination | None = None
    children: tuple[TagCount, ...] = ()  #: nested tags under ``tag`` (``projet/jardin`` under ``projet``)


@dataclass(frozen=True)
class TagCount:
    """A tag and how many notes of the language carry it."""

    tag: str
    count: int


def source_lang() -> str:
    """The source language (the first configured language)."""
    return current_app.config["LANGUAGES"][0]


def is_language(lang: str) -> bool:
    """Tell whether ``lang`` is one of the site's languages."""
    return lang in current_app.config["LANGUAGES"]


def language_name(code: str, in_lang: str | None = None) -> str:
    """The name of language ``code`` in ``in_lang`` (default: in itself), e.g. ``français``, ``French``."""
    try:
        return Locale.parse(code).get_display_name(in_lang or code) or code
    except (ValueError, UnknownLocaleError):
        return code


def text_direction(code: str) -> str:
    """``rtl`` or ``ltr`` for language ``code``."""
    try:
        return Locale.parse(code).text_direction
    except (ValueError, UnknownLocaleError):
        return "ltr"


def absolute_url(path: str) -> str:
    """Make a site path absolute with ``SITE_URL``, else the request's host."""
    base = (current_app.config.get("SITE_URL") or "").rstrip("/")
    if not base and has_request_context():
        base = request.host_url.rstrip("/")
    return base + path


def note_url(lang: str, slug: str, external: bool = False) -> str:
    """The URL of note ``slug`` in ``lang``."""
    path = url_for("reader.note", lang=lang, slug=slug)
    return absolute_url(path) if external else path


def timestamp(mtime: float) -> datetime:
    """A file modification time as an aware UTC datetime."""
    return datetime.fromtimestamp(mtime, timezone.utc)


def parse_time(value: str | None) -> datetime | None:
    """Parse an ISO 8601 time (``Z`` allowed) into an aware datetime, or None."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def visible_entries(lang: str, garden: Garden | None = None) -> list[Entry]:
    """Every note readers of ``lang`` can read, most recently changed first (computed once per garden version)."""
    garden = garden or get_garden()
    return garden.memo(("entries", lang), lambda: _visible_entries(lang, garden))


def _visible_entries(lang: str, garden: Garden) -> list[Entry]:
    if lang == garden.source_lang:
        entries = [
            Entry(n.slug, lang, n.title, n.tags, garden.dates(n).updated, n.body, "source") for n in garden.notes.notes()
        ]
    else:
        entries = []
        for published in garden.published[lang].notes():
            note = garden.notes.get(published.slug)
            if note is None:
                continue  # the French note was removed or cannot be read
            state = "outdated" if french_outdated(published.source_sha256, note, lang=published.lang) else "published"
            updated = parse_time(published.approved_at) or timestamp(published.mtime)
            entries.append(Entry(published.slug, lang, published.title, published.tags, updated, published.body, state))
    entries.sort(key=lambda e: (-e.updated.timestamp(), fold(e.title)))
    return entries


def languages_with(predicate) -> list[str]:
    """The site's languages for which ``predicate(lang, entries)`` holds, source first."""
    garden = get_garden()
    return [lang for lang in garden.languages if predicate(lang, visible_entries(lang, garden))]


def alternates_for(endpoint: str, langs: list[str], **values) -> list[Alternate]:
    """``hreflang`` alternates of a reader page existing in ``langs``, plus ``x-default`` (the source)."""
    links = [Alternate(lang, absolute_url(url_for(endpoint, lang=lang, **values))) for lang in langs]
    links.append(Alternate("x-default", absolute_url(url_for(endpoint, lang=source_lang(), **values))))
    return links


def canonical_for(endpoint: str, lang: str, **values) -> str:
    """The canonical absolute URL of a reader page."""
    return absolute_url(url_for(endpoint, lang=lang, **values))


def home_listing(lang: str, page: int = 1) -> Listing | None:
    """Page ``page`` of the home of ``lang``: the notes readable in that language; None past the last page."""
    garden = get_garden()
    entries = visible_entries(lang, garden)
    if not page_exists(len(entries), page, LISTING_PAGE_SIZE):
        return None
    pagination = paginate(len(entries), page, LISTING_PAGE_SIZE)
    return Listing(
        lang=lang,
        entries=entries[pagination.start:pagination.start + LISTING_PAGE_SIZE],
        alternates=alternates_for("reader.home", garden.languages),
        canonical=canonical_for("reader.home", lang, **({"page": page} if page > 1 else {})),
        source_count=len(visible_entries(garden.source_lang, garden)),
        total=len(entries),
        pagination=pagination,
    )


def group_tags(entries: list[Entry]) -> dict[str, list[Entry]]:
    """Group entries by tag, case- and accent-insensitively, keyed by the first spelling met."""
    spellings: dict[str, str] = {}
    groups: dict[str, list[Entry]] = {}
    members: set[tuple[str, int]] = set()  # (tag, id of the entry): a note spelling a tag twice is listed once
    for entry in sorted(entries, key=lambda e: fold(e.title)):
        for tag in entry.tags:
            key = spellings.setdefault(fold(tag), tag)
            if (key, id(entry)) not in members:
                members.add((key, id(entry)))
                groups.setdefault(key, []).append(entry)
    return dict(sorted(groups.items(), key=lambda item: fold(item[0])))


def tag_groups(lang: str, garden: Garden) -> dict[str, list[Entry]]:
    """:func:`group_tags` of the entries of ``lang``, computed once per garden version."""
    return garden.memo(("tags", lang), lambda: group_tags(visible_entries(lang, garden)))


def tag_counts(lang: str) -> tuple[list[TagCount], list[Alternate], str]:
    """The tag index of ``lang``: tags with their counts, the alternates and the canonical URL."""
    groups = tag_groups(lang, get_garden())
    counts = [TagCount(tag, len(entries)) for tag, entries in groups.items()]
    return counts, alternates_for("reader.tags", get_garden().languages), canonical_for("reader.tags", lang)


def tag_family(groups: dict[str, list[Entry]], wanted: str) -> tuple[str, list[Entry], list[TagCount]] | None:
    """The tag ``wanted`` (folded) with its nested tags: its spelling, the notes carrying it or a child, the children."""
    spelling, entries, children, seen = None, [], [], set()
    for tag, tagged in groups.items():
        folded = fold(tag)
        if folded == wanted:
            spelling = tag
        elif folded.startswith(wanted + "/"):
            children.append(TagCount(tag, len(tagged)))
            spelling = spelling or tag[: len(wanted)]
        else:
            continue
        for entry in tagged:
            if id(entry) not in seen:  # a set: a tag of thousands of notes stays linear
                seen.add(id(entry))
                entries.append(entry)
    if spelling is None:
        return None
    entries.sort(key=lambda e: fold(e.title))
    return spelling, entries, children


def tag_listing(lang: str, tag: str, page: int = 1) -> Listing | None:
    """Page ``page`` of the notes of ``lang`` tagged ``tag`` or a tag nested under it (any case or accents); None if
    no language knows the tag or past the last page."""
    garden = get_garden()
    wanted = fold(tag).strip("/")
    found: dict[str, tuple[str, list[Entry], list[TagCount]]] = {}
    for code in garden.languages:
        family = garden.memo(("tag", code, wanted), lambda code=code: tag_family(tag_groups(code, garden), wanted))
        if family is not None:
            found[code] = family
    if not found:
        return None
    spelling, entries, children = found.get(lang) or next(iter(found.values()))
    entries = entries if lang in found else []
    if not page_exists(len(entries), page, LISTING_PAGE_SIZE):
        return None
    pagination = paginate(len(entries), page, LISTING_PAGE_SIZE)
    return Listing(
        lang=lang,
        entries=entries[pagination.start:pagination.start + LISTING_PAGE_SIZE],
        alternates=alternates_for("reader.tag", [code for code in garden.languages if code in found], tag=spelling),
        canonical=canonical_for("reader.tag", lang, tag=spelling, **({"page": page} if page > 1 else {})),
        tag=spelling,
        source_count=len(found.get(garden.source_lang, ("", [], []))[1]),
        children=tuple(children) if lang in found else (),
        total=len(entries),
        pagination=pagination,
    )
