"""Rendered public pages kept per worker, answered before Flask while their files did not change.

Each worker keeps a bounded LRU (``PASSERELLE_PAGE_CACHE_MB``, default 32) of the reader pages it
rendered: status, headers and bytes as sent, with the garden version (index generations) and the
*probe* (``stat``) of the files they show. A WSGI middleware in front of Flask answers a stored page
when no language folder changed (catches added, removed, renamed and published files), the page's
own French and published files did not change and the version is the same: a lookup and two to
four ``stat``, no request context, rendering, query or rescan. Anything else goes through Flask: a
changed file forces the rescan at once (whatever ``INDEX_MAX_AGE`` says), so no worker serves a note
page older than its own files. What other notes bring (backlinks, titles in listings after an
in-place edit) follows within ``PAGE_CACHE_RESCAN`` seconds (default 10 x ``INDEX_MAX_AGE``): a
background thread rescans meanwhile stored pages are served. See docs/deployment.md.

The HTTP caching headers of public pages (``public_response``, re-exported here) are in
:mod:`app.services.reading.public_headers`; a login bypasses this cache, a response setting a
cookie is never stored.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app, g, request
from werkzeug.http import parse_etags, remove_entity_headers

from app.services.garden import get_garden
from app.services.reading.public_headers import (ENVIRON_KEY, is_logged_in, may_be_logged_in,  # noqa: F401 (kept here too)
                                                 no_vary_cookie, note_last_modified, public_response)

#: Endpoints whose pages are stored (search only gets the headers).
STORED_ENDPOINTS = frozenset({"reader.home", "reader.note", "reader.tags", "reader.tag", "reader.feed",
                              "reader.sitemap", "reader.robots"})
DEFAULT_MAX_MB, DEFAULT_MAX_ENTRIES = 32, 5000


@dataclass(frozen=True)
class CachedPage:
    """One response as sent (status, headers, bytes) and what it was rendered from."""

    body: bytes
    headers: tuple[tuple[str, str], ...]
    version: tuple
    probe: tuple
    source: tuple = ("", "", "")  #: endpoint, lang, slug
    etag: str = ""
    status: str = "200 OK"


class PageCache:
    """A thread-safe LRU of rendered pages bounded in entries and bytes, plus what the worker saw of the garden."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES, max_bytes: int = DEFAULT_MAX_MB * 1024 * 1024):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._pages: OrderedDict[tuple, CachedPage] = OrderedDict()
        self._lock = threading.Lock()
        self.size = self.hits = self.misses = 0
        self.rescan = 10.0  #: seconds between whole-garden rescans of a worker serving stored pages
        self.refresh_lock = threading.Lock()
        self.folders_seen: tuple | None = None  #: the folders' stat at this worker's last rescan
        self.folders, self.folders_of, self.forced = (), None, {}

    def get(self, key: tuple) -> CachedPage | None:
        """The page stored under ``key``, marked most recently used."""
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: CachedPage) -> None:
        """Store ``page``, evicting the least recently used pages beyond the bounds."""
        if len(page.body) > self.max_bytes // 4:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            self._pages[key] = page
            self.size += len(page.body) - (len(old.body) if old else 0)
            while self._pages and (len(self._pages) > self.max_entries or self.size > self.max_bytes):
                _, evicted = self._pages.popitem(last=False)
                self.size -= len(evicted.body)

    def __len__(self) -> int:
        return len(self._pages)


def init_app(app: Flask) -> PageCache:
    """Give ``app`` its page cache: the middleware for hits, the request hooks for misses."""
    config, env = app.config, os.environ
    megabytes = float(config.get("PAGE_CACHE_MB", env.get("PASSERELLE_PAGE_CACHE_MB", DEFAULT_MAX_MB)))
    cache = PageCache(int(config.get("PAGE_CACHE_ENTRIES", DEFAULT_MAX_ENTRIES)), int(megabytes * 1024 * 1024))
    cache.rescan = float(config.get("PAGE_CACHE_RESCAN", env.get("PASSERELLE_PAGE_CACHE_RESCAN",
                                                                 10 * float(config.get("INDEX_MAX_AGE", 1.0)))))
    app.extensions["page_cache"] = cache
    app.before_request_funcs.setdefault(None, []).insert(0, prepare)
    app.after_request_funcs.setdefault(None, []).insert(0, no_vary_cookie)  # the first registered runs last
    app.wsgi_app = PageCacheMiddleware(app.wsgi_app, app, cache)
    return cache


def _stat(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def garden_version(garden) -> tuple:
    """The content version of the whole garden in this worker: the index generations."""
    return (garden.notes.generation, *(index.generation for index in garden.published.values()))


def _folder_probe(cache: PageCache, garden) -> tuple:
    if cache.folders_of is not garden:
        cache.folders = tuple(str(garden.content_dir / lang) for lang in garden.languages)
        cache.folders_of = garden
    return tuple(_stat(folder) for folder in cache.folders)


def _note_probe(garden, lang: str, slug: str) -> tuple:
    """Whether the index agrees with the files a note page shows, then their stat."""
    note = garden.notes.get(slug)
    if note is None:
        return ()
    french = _stat(f"{garden.content_dir}/{garden.source_lang}/{note.filename}")
    agrees = french is not None and abs(french[1] / 1e9 - note.mtime) < 1e-6
    probe = [french]
    if lang != garden.source_lang and lang in garden.published:
        published = garden.published[lang].get(slug)
        stat = _stat(f"{garden.content_dir}/{lang}/{slug}.md")
        agrees = agrees and (stat is None) == (published is None)
        agrees = agrees and (published is None or abs(stat[1] / 1e9 - published.mtime) < 1e-6)
        probe.append(stat)
    return (agrees, *probe)


def adopt_garden(app: Flask) -> None:
    """Record the content folders as the garden was just indexed (before a server forks): no first rescan."""
    cache, garden = app.extensions.get("page_cache"), app.extensions["garden"]
    if cache is not None:
        cache.folders_seen = _folder_probe(cache, garden)


def fresh_probe(cache: PageCache, endpoint: str, lang: str, slug: str) -> tuple:
    """Bring this worker's indexes up to date with what this page shows; return the page's probe."""
    garden = current_app.extensions["garden"]
    folders = _folder_probe(cache, garden)
    with cache.refresh_lock:  # rescans (they also sync changed notes' catalogs) run one at a time
        stale = not garden.watched() and time.monotonic() - garden.notes.refreshed_at >= cache.rescan
        if folders != cache.folders_seen or stale:
            get_garden(max_age=0)
            cache.folders_seen = folders
        probe = _note_probe(garden, lang, slug) if endpoint == "reader.note" else ()
        if probe and not probe[0] and cache.forced.get((lang, slug)) != probe:  # changed within the throttle
            get_garden(max_age=0)
            cache.forced = {} if len(cache.forced) > 1000 else cache.forced
            cache.forced[(lang, slug)] = probe  # an unreadable file forces one rescan, not one per request
            probe = _note_probe(garden, lang, slug)
    return folders + probe


def prepare() -> None:
    """Before a public view: bring the indexes up to date with what the page shows, note what it is rendered from."""
    state, req = g._get_current_object(), request._get_current_object()
    state.page_cache_state = None
    endpoint = req.endpoint
    if req.method not in ("GET", "HEAD") or endpoint not in STORED_ENDPOINTS or is_logged_in():
        return
    args, extensions = req.view_args or {}, current_app.extensions
    lang, slug = str(args.get("lang", "")), str(args.get("slug", ""))
    probe = fresh_probe(extensions["page_cache"], endpoint, lang, slug)
    state.page_cache_state = (endpoint, lang, slug, garden_version(extensions["garden"]), probe)


class PageCacheMiddleware:
    """WSGI middleware: answer stored pages that are still fresh, store what Flask marks storable."""

    def __init__(self, wsgi_app, app: Flask, cache: PageCache):
        self.wsgi_app, self.app, self.cache = wsgi_app, app, cache

    def __call__(self, environ: dict, start_response):
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD") or self.cache.max_bytes <= 0 or may_be_logged_in(environ, self.app.config):
            return self.wsgi_app(environ, start_response)  # nothing to answer, nothing to store
        key = tuple(environ.get(name) for name in ("wsgi.url_scheme", "HTTP_HOST", "SCRIPT_NAME", "PATH_INFO",
                                                   "QUERY_STRING"))
        page = self.cache.get(key)
        if page is not None and "HTTP_IF_MATCH" not in environ and self._fresh(page):
            self.cache.hits += 1
            return self._replay(page, environ, start_response, method)
        self.cache.misses += 1
        return self._render(key, environ, start_response)

    def _fresh(self, page: CachedPage) -> bool:
        garden = self.app.extensions["garden"]
        folders = _folder_probe(self.cache, garden)
        if folders != self.cache.folders_seen or garden_version(garden) != page.version:
            return False
        if (not garden.watched() and time.monotonic() - garden.notes.refreshed_at >= self.cache.rescan
                and self.cache.refresh_lock.acquire(False)):
            threading.Thread(target=self._rescan, args=(folders,), daemon=True).start()  # stale while revalidating
        endpoint, lang, slug = page.source
        if endpoint != "reader.note":
            return page.probe == folders
        probe = _note_probe(garden, lang, slug)
        return bool(probe) and probe[0] and page.probe == folders + probe

    def _rescan(self, folders: tuple) -> None:
        """The periodic rescan, off the request path (the caller holds ``refresh_lock``)."""
        try:
            with self.app.app_context():
                get_garden(max_age=0)
                self.cache.folders_seen = folders
        except Exception:  # noqa: BLE001  (the next request tries again; its page is served meanwhile)
            logging.getLogger(__name__).exception("rescanning the garden failed")
        finally:
            self.cache.refresh_lock.release()

    @staticmethod
    def _replay(page: CachedPage, environ: dict, start_response, method: str):
        inm = environ.get("HTTP_IF_NONE_MATCH")
        if inm and parse_etags(inm).contains_weak(page.etag):
            headers = list(page.headers)
            remove_entity_headers(headers)  # Content-Length and Content-Type too
            start_response("304 NOT MODIFIED", headers)
            return []
        start_response(page.status, list(page.headers))
        return [] if method == "HEAD" else [page.body]

    def _render(self, key: tuple, environ: dict, start_response):
        captured: list = []

        def capture(status, headers, exc_info=None):
            captured[:] = [status, headers]
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, capture)
        state = environ.get(ENVIRON_KEY)
        if state is None or not captured or not captured[0].startswith("200"):
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        headers = tuple(captured[1])
        etag = next((v for k, v in headers if k.lower() == "etag"), "")
        if etag and not any(k.lower() == "set-cookie" for k, _ in headers):
            self.cache.put(key, CachedPage(body, headers, state[3], state[4], state[:3], etag.strip('"'), captured[0]))
        return [body]
