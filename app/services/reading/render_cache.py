"""Note pages kept per worker once rendered, for whoever asks next: readers, translators and the editor.

The page cache (:mod:`app.services.reading.page_cache`) stores whole responses for anonymous
readers only; everyone logged in, and every reader whose stored page went stale, went through
Markdown, link and backlink resolution, and the publication queries again. This cache keeps the
:class:`~app.services.reading.note_pages.NotePage` a note page is built from (body HTML,
backlinks, alternates, dates, outdated state) in a bounded LRU (``PASSERELLE_RENDER_CACHE_MB``,
default 16; ``0`` turns it off), under a key made of everything it is derived from:

- the note and language asked for, and the generations of the indexes of notes and published
  translations: any added, changed, removed or renamed note or publication changes them, so a
  changed title of a linked note or a new backlink shows on the next request, as without the cache;
- the attachments' generation and the vault's settings (embeds, images, line breaks);
- the git HEAD the note's dates come from;
- the interface locale (texts in the body), the site's root URL (links, canonical, alternates) and
  the settings the page reads (line breaks, minor changes, site URL and name).

What the database adds to a translated page (outdated verdict, changed passages, withdrawal date)
changes only with an approval or an unpublication, which replaces or removes the published file
(a new generation). They write the file first and commit after, under a journal marker beside
the file: while that marker exists the page is built and not kept, so no page mixing the new
file with the old records outlives the commit. A note that cannot be read or rendered is never
kept: its broken page is built again on each request, and its fix heals it as before.
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Callable

from flask import Flask, current_app, g, request
from flask_babel import get_locale
from werkzeug.http import generate_etag

DEFAULT_MAX_MB, DEFAULT_MAX_ENTRIES = 16, 4000
#: The settings a note page reads (tests and the demo change them while the app runs).
CONFIG_READ = ("STRICT_LINE_BREAKS", "MINOR_CHANGES", "SITE_URL", "SITE_NAME")
_OVERHEAD = 512  #: bytes counted per page beyond its body: links, dates, the key


class RenderCache:
    """A thread-safe LRU of built note pages, bounded in entries and in bytes of body HTML."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES, max_bytes: int = DEFAULT_MAX_MB * 1024 * 1024):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._pages: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.size = self.hits = self.misses = 0

    @property
    def enabled(self) -> bool:
        """Whether pages are kept at all (``RENDER_CACHE_MB`` above 0)."""
        return self.max_bytes > 0 and self.max_entries > 0

    def get(self, key: tuple):
        """The page kept under ``key`` (marked most recently used), or None."""
        with self._lock:
            found = self._pages.get(key)
            if found is None:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, key: tuple, page, size: int) -> None:
        """Keep ``page`` (about ``size`` bytes), evicting the least recently used beyond the bounds."""
        size += _OVERHEAD
        if size > self.max_bytes // 4:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            self._pages[key] = (page, size)
            self.size += size - (old[1] if old else 0)
            while self._pages and (len(self._pages) > self.max_entries or self.size > self.max_bytes):
                _, (_, evicted) = self._pages.popitem(last=False)
                self.size -= evicted

    def clear(self) -> None:
        """Forget every page."""
        with self._lock:
            self._pages.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self._pages)


def init_app(app: Flask) -> RenderCache:
    """Give ``app`` its render cache, sized by ``RENDER_CACHE_MB`` (config or ``PASSERELLE_RENDER_CACHE_MB``)."""
    megabytes = float(app.config.get("RENDER_CACHE_MB", os.environ.get("PASSERELLE_RENDER_CACHE_MB", DEFAULT_MAX_MB)))
    cache = RenderCache(int(app.config.get("RENDER_CACHE_ENTRIES", DEFAULT_MAX_ENTRIES)), int(megabytes * 1024 * 1024))
    app.extensions["render_cache"] = cache
    return cache


def page_key(garden, lang: str, slug: str) -> tuple:
    """Everything a note page of ``slug`` in ``lang`` is derived from, as seen by this worker now."""
    garden.git_dates.refresh()  # at most every few seconds: the dates below follow HEAD
    locale = get_locale()
    environ = request.environ  # what the site's root URL is made of, without building it
    root = tuple(environ.get(name) for name in ("wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME"))
    config = current_app.config
    settings = tuple(config.get(name) for name in CONFIG_READ)
    return (lang, slug, garden.version(), garden.attachments.generation, garden.vault, garden.git_dates.head,
            str(locale) if locale is not None else "", root, settings)


def _being_published(garden, lang: str, slug: str) -> bool:
    """Whether an approval or unpublication of ``slug`` in ``lang`` is between its file and its commit."""
    if lang == garden.source_lang:
        return False
    from app.services.publishing.journal import journal_path

    return journal_path(garden.published_path(lang, slug)).exists()


def kept_page(garden, lang: str, slug: str, build: Callable[[], object], size: Callable[[object], int]):
    """The note page of ``slug`` in ``lang``: kept from an earlier request for the same key, else ``build()``."""
    cache: RenderCache | None = current_app.extensions.get("render_cache")
    if cache is None or not cache.enabled:
        return build()
    key = page_key(garden, lang, slug)  # before building: a change meanwhile files the page under the old key
    page = cache.get(key)
    if page is not None:
        g.render_key = key
        return page
    settling = _being_published(garden, lang, slug)
    page = build()
    if not settling:
        cache.put(key, page, size(page))
        g.render_key = key
    return page


def kept_html(render: Callable[[], str]) -> tuple[bytes, str | None]:
    """The HTML of the note page built in this request, encoded, with its ETag (None when not kept).

    Kept from an earlier request at the same address, else ``render()``. The page's layout adds to
    the note only what the key holds (language, locale, site root) and the address (the language
    switcher links to this page with its query): the reader's templates show nothing of who is
    logged in, so readers, translators and the editor share it. The ETag, the hash of these bytes,
    is computed once with them.
    """
    key = g.get("render_key")
    cache: RenderCache | None = current_app.extensions.get("render_cache")
    if key is None or cache is None:
        return render().encode(), None
    environ = request.environ
    html_key = ("html", key, environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))
    kept = cache.get(html_key)
    if kept is None:
        body = render().encode()
        kept = (body, generate_etag(body))
        cache.put(html_key, kept, len(body))
    return kept
