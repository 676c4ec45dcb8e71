"""Search for readers: ranked full-text search over titles and bodies of one language.

Every word of the query must match, by stem and accent-insensitively (``stratégique`` finds
``stratégie``, ``ECONOMIE`` finds ``économie``), in the title or the body of a note as its readers
see it: French notes for the source language, published translations only for the others. Results
are ranked (title matches weigh most), paginated, and highlighted on the text shown (escaped HTML).
The index lives in the database (:mod:`app.services.reading.search_index`) and is brought up to
date with the garden before a query, for the notes that changed only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from markupsafe import Markup

from app.content.fulltext import MAX_QUERY, WORD, analyzer, highlight, plain_text, snippet  # noqa: F401  (plain_text: feeds)
from app.services.garden import get_garden
from app.services.reading.listings import Alternate, Pagination, alternates_for, canonical_for, paginate
from app.services.reading.search_index import SearchIndex

#: Results per page.
PAGE_SIZE = 20


@dataclass(frozen=True)
class SearchResult:
    """One note found, with its title and a snippet highlighted (escaped HTML)."""

    slug: str
    title_html: Markup
    snippet_html: Markup


@dataclass(frozen=True)
class SearchPage:
    """A search in one language: the query as understood, one page of results and the page's links."""

    lang: str
    query: str
    results: list[SearchResult]
    alternates: list[Alternate]
    canonical: str
    total: int = 0
    pagination: Pagination | None = None


def search_index(garden=None) -> SearchIndex:
    """The app's search index, up to date with ``garden`` (default: the app's, as requests see it)."""
    index = current_app.extensions.get("search_index")
    if index is None:
        index = current_app.extensions.setdefault("search_index", SearchIndex())
    index.ensure_current(garden or get_garden())
    return index


def search_page(lang: str, query: str, page: int = 1) -> SearchPage:
    """Page ``page`` of the results of ``query`` (trimmed to :data:`MAX_QUERY` characters) in ``lang``."""
    query = re.sub(r"\s+", " ", query or "").strip()[:MAX_QUERY]
    languages = current_app.config["LANGUAGES"]
    results, total, pagination = [], 0, None
    if query:
        results, total = search(lang, query, page)
        pagination = paginate(total, page, PAGE_SIZE)
    return SearchPage(lang, query, results, alternates_for("reader.search", languages),
                      canonical_for("reader.search", lang), total, pagination)


def search(lang: str, query: str, page: int = 1) -> tuple[list[SearchResult], int]:
    """One page of the notes of ``lang`` matching every word of ``query``, best first, and how many match."""
    words = analyzer(lang)
    terms = words.query_terms(query or "")
    if not terms:
        return [], 0
    raw = [w for w in WORD.findall((query or "")[:MAX_QUERY])][:len(terms) * 4]
    page = max(1, page)
    hits, total = search_index().search(lang, terms, raw, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return [SearchResult(hit.slug, highlight(hit.title, terms, lang), snippet(hit.body, terms, lang)) for hit in hits], total
