"""The reader site: homes, notes, tags, search, feeds, sitemap and robots.txt, in every language.

Each view reads its input, calls one operation of :mod:`app.services` and renders. The
``<lang>`` of the URL is checked once (unknown language: 404) and becomes the page's
language; :func:`cacheable` is the one place that sets the caching headers of public pages.
"""
from __future__ import annotations

import re

from flask import Blueprint, Response, abort, current_app, g, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from werkzeug.routing import BaseConverter

from app.i18n import LANG_COOKIE, preferred_language
from app.services.reading import feeds
from app.services.reading import page_cache
from app.services.reading import render_cache
from app.services.reading import search as search_service
from app.services.reading.note_pages import BrokenNote, note_page, renamed_slug
from app.services.reading.listings import (home_listing, is_language, language_name, tag_counts, tag_listing,
                                           text_direction)
from app.services.reading.switcher import language_switcher, safe_next

bp = Blueprint("reader", __name__)


@bp.record_once
def register_language_converter(state) -> None:
    """Add the ``<lang:…>`` URL converter, matching only the configured languages (others are 404 by routing)."""
    languages = sorted(state.app.config["LANGUAGES"], key=len, reverse=True)

    class LanguageConverter(BaseConverter):
        regex = "|".join(re.escape(code) for code in languages)

    state.app.url_map.converters.setdefault("lang", LanguageConverter)
    page_cache.init_app(state.app)  # stored pages are answered before any other request hook
    render_cache.init_app(state.app)  # built note pages, for whoever the page cache does not answer


#: Seconds shared caches (proxy, CDN) may keep a public page; browsers revalidate every time (see page_cache).
PUBLIC_MAX_AGE = 60
#: How long the language choice is remembered (one year).
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


@bp.url_value_preprocessor
def check_language(endpoint, values):
    """Answer 404 for an unknown ``<lang>``, else make it the page's language."""
    lang = (values or {}).get("lang")
    if lang is not None:
        if not is_language(lang):
            abort(404)
        g.page_lang = lang


def cacheable(response: Response, max_age: int = PUBLIC_MAX_AGE, last_modified=None, etag: str | None = None) -> Response:
    """ETag, Last-Modified and Cache-Control (``public`` for visitors, ``private`` when logged in); see page_cache."""
    return page_cache.public_response(response, max_age, last_modified, etag)


def _page_number() -> int:
    """The ``page`` query argument (1 when absent or not a number)."""
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and len(value) < 10 else (0 if value.strip() else 1)


def _page(template: str, last_modified=None, **context) -> Response:
    return cacheable(make_response(render_template(template, **context)), last_modified=last_modified)


def _document(body: bytes | str, mimetype: str) -> Response:
    return cacheable(Response(body, mimetype=mimetype))


@bp.route("/")
def root():
    """Send the visitor to their language: the remembered choice, then Accept-Language, then the source."""
    lang = preferred_language(current_app.config["LANGUAGES"])
    response = redirect(url_for("reader.home", lang=lang), 302)
    response.vary.update(("Accept-Language", "Cookie"))
    return response


@bp.route("/<lang:lang>/")
def home(lang: str):
    """The notes readable in ``lang``, most recently changed first."""
    listing = home_listing(lang, _page_number())
    if listing is None:
        abort(404)
    return _page("reader/home.html", listing=listing)


@bp.route("/<lang:lang>/notes/<slug>")
def note(lang: str, slug: str):
    """One note: the source, its published translation, or a notice that it is not translated yet."""
    try:
        page = note_page(lang, slug)
    except BrokenNote as broken:
        body = render_template("reader/broken.html", error=broken.error, slug=slug)
        response = make_response(body, 500)
        response.cache_control.no_store = True
        return response
    if page is None:
        renamed = renamed_slug(slug)
        if renamed is not None:  # the note was renamed: its old address leads to it for good
            return cacheable(redirect(url_for("reader.note", lang=lang, slug=renamed), 301))
        abort(404)
    html, etag = render_cache.kept_html(lambda: render_template("reader/note.html", page=page))
    return cacheable(Response(html, mimetype="text/html"), last_modified=page_cache.note_last_modified(page), etag=etag)


@bp.route("/<lang:lang>/tags/")
def tags(lang: str):
    """Every tag of the notes readable in ``lang``."""
    counts, alternates, canonical = tag_counts(lang)
    return _page("reader/tags.html", tags=counts, alternates=alternates, canonical=canonical)


@bp.route("/<lang:lang>/tags/<path:tag>")
def tag(lang: str, tag: str):
    """The notes of ``lang`` with ``tag``."""
    listing = tag_listing(lang, tag, _page_number())
    if listing is None:
        abort(404)
    return _page("reader/tag.html", listing=listing)


@bp.route("/<lang:lang>/search")
def search(lang: str):
    """Notes of ``lang`` containing every word of ``q``, accents and case ignored."""
    return _page("reader/search.html", page=search_service.search_page(lang, request.args.get("q", ""), _page_number()))


@bp.route("/<lang:lang>/feed.xml")
def feed(lang: str):
    """The Atom feed of ``lang``."""
    return _document(feeds.atom_feed(lang), "application/atom+xml")


@bp.route("/sitemap.xml")
def sitemap():
    """Every note page in every language it exists in, with hreflang alternates."""
    return _document(feeds.sitemap(), "application/xml")


@bp.route("/robots.txt")
def robots():
    """Crawling rules and where the sitemap is."""
    return _document(feeds.robots_txt(), "text/plain")


@bp.route("/<lang:lang>/switch")
def switch(lang: str):
    """Remember ``lang`` in a cookie and go to ``next`` (a local path only), else the home of ``lang``."""
    target = safe_next(request.args.get("next"), url_for("reader.home", lang=lang))
    response = redirect(target, 303)
    response.set_cookie(LANG_COOKIE, lang, max_age=LANG_COOKIE_MAX_AGE, samesite="Lax", httponly=True,
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    response.cache_control.no_store = True
    return response


@bp.app_context_processor
def layout_context() -> dict:
    """What base.html needs on every page of every blueprint: languages, the switcher, the reader's links."""
    languages = current_app.config["LANGUAGES"]
    page_lang = g.get("page_lang") or _interface_lang(languages)
    return {"page_lang": page_lang, "page_dir": text_direction(page_lang), "languages": languages, "language_switcher": language_switcher(page_lang),
            "site_name": current_app.config.get("SITE_NAME", "Passerelle"), "language_name": language_name,
            "alternates": [], "canonical": None, "noindex": False, "search_page": False,
            "home_url": url_for("reader.home", lang=page_lang),
            "search_url": url_for("reader.search", lang=page_lang),
            "tags_url": url_for("reader.tags", lang=page_lang),
            "feed_url": url_for("reader.feed", lang=page_lang)}


def _interface_lang(languages: list[str]) -> str:
    locale = get_locale()
    return locale.language if locale is not None and locale.language in languages else languages[0]
