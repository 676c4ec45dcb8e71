"""Search for readers: accent- and case-insensitive, over titles and bodies of one language.

Every word of the query must appear (as a substring) in the title or the body of a note as
its readers see it: French notes for the source language, published translations only for
the others. Matching runs on folded text (see :func:`app.content.slugs.fold`); a map from
folded to original positions lets the snippets highlight the words as they are written.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from flask import current_app
from markupsafe import Markup, escape

from app.content.comments import strip_comments
from app.content.wikilinks import WIKILINK
from app.services.reading.listings import Alternate, Entry, alternates_for, canonical_for, visible_entries

#: Longest query considered, in characters, and most words used from it.
MAX_QUERY = 200
MAX_TERMS = 10
#: Most results listed.
MAX_RESULTS = 50
SNIPPET_CHARS = 220

#: Markup dropped from the text searched; no pattern scans past where its next match could start
#: (``[^\[\]]``, ``[^<>]``), so a run of ``[`` or ``<`` costs its length, not its square.
_MARKUP = [
    (re.compile(r"^(?:```|~~~).*$", re.MULTILINE), " "),
    (re.compile(r"!?\[([^\[\]]*)\]\([^()\[\]]*\)"), r"\1"),  # [text](url) and images
    (re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)", re.MULTILINE), ""),
    (re.compile(r"(?<!\S)\^[A-Za-z0-9-]+\s*$", re.MULTILINE), ""),  # block ids
    (re.compile(r"\[!\w+\][+-]?"), ""),  # callout markers
    (re.compile(r"[*_~`|]+"), ""),
    (re.compile(r"<[^<>\n]*>"), " "),
    (re.compile(r"\s+"), " "),
]


@dataclass(frozen=True)
class SearchPage:
    """A search in one language: the query as understood, the results and the page's links."""

    lang: str
    query: str
    results: list
    alternates: list[Alternate]
    canonical: str


@dataclass(frozen=True)
class SearchResult:
    """One note found, with its title and a snippet highlighted (escaped HTML)."""

    entry: Entry
    title_html: Markup
    snippet_html: Markup


def query_terms(query: str) -> list[str]:
    """The folded words of ``query``, deduplicated, at most :data:`MAX_TERMS`."""
    folded, _ = fold_map(query[:MAX_QUERY])
    terms: list[str] = []
    for word in folded.split():
        word = word.strip(".,;:!?\"'«»()[]{}")
        if word and word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


@functools.lru_cache(maxsize=8192)
def fold_map(text: str) -> tuple[str, tuple[int, ...]]:
    """Fold ``text`` (lowercase, no accents) and map each folded character to its original index."""
    out: list[str] = []
    where: list[int] = []
    for index, char in enumerate(text):
        for piece in unicodedata.normalize("NFKD", char.casefold()):
            if not unicodedata.combining(piece):
                out.append(piece)
                where.append(index)
    return "".join(out), tuple(where)


@functools.lru_cache(maxsize=4096)
def plain_text(markdown: str) -> str:
    """Markdown reduced to the words a reader sees (wikilinks by their label, no %%comments%%)."""
    text = WIKILINK.sub(lambda m: m.group("label") or m.group("target") or "", strip_comments(markdown))
    for pattern, replacement in _MARKUP:
        text = pattern.sub(replacement, text)
    return text.strip()


def search_page(lang: str, query: str) -> SearchPage:
    """The search page of ``lang`` for ``query`` (trimmed to :data:`MAX_QUERY` characters)."""
    query = (query or "").strip()[:MAX_QUERY]
    languages = current_app.config["LANGUAGES"]
    return SearchPage(lang, query, search(lang, query) if query else [],
                      alternates_for("reader.search", languages), canonical_for("reader.search", lang))


def search(lang: str, query: str) -> list[SearchResult]:
    """Notes of ``lang`` containing every word of ``query``; title matches first."""
    terms = query_terms(query or "")
    if not terms:
        return []
    scored = []
    for entry in visible_entries(lang):
        title_folded, _ = fold_map(entry.title)
        body = plain_text(entry.body)
        body_folded, _ = fold_map(body)
        if not all(term in title_folded or term in body_folded for term in terms):
            continue
        in_title = sum(term in title_folded for term in terms)
        hits = sum(body_folded.count(term) for term in terms)
        scored.append((-in_title, -hits, title_folded, entry, body))
    scored.sort(key=lambda item: item[:3])
    return [SearchResult(entry, highlight(entry.title, terms), snippet(body, terms))
            for *_, entry, body in scored[:MAX_RESULTS]]


def _spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Original-text ``(start, end)`` of every occurrence of ``terms``, merged when they overlap."""
    folded, where = fold_map(text)
    spans = []
    for term in terms:
        start = folded.find(term)
        while start != -1:
            end = start + len(term)
            spans.append((where[start], where[end - 1] + 1))
            start = folded.find(term, end)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, terms: list[str]) -> Markup:
    """``text`` escaped, with each occurrence of ``terms`` wrapped in ``<mark>``."""
    parts, last = [], 0
    for start, end in _spans(text, terms):
        parts.append(escape(text[last:start]))
        parts.append(Markup("<mark>{}</mark>").format(text[start:end]))
        last = end
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def snippet(body: str, terms: list[str]) -> Markup:
    """A window of ``body`` around the first match, highlighted; the beginning if none."""
    spans = _spans(body, terms)
    first = spans[0][0] if spans else 0
    start = max(0, first - SNIPPET_CHARS // 3)
    if start:
        space = body.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(body), start + SNIPPET_CHARS)
    if end < len(body):
        space = body.rfind(" ", start, end)
        end = space if space > first else end
    text = body[start:end]
    prefix = "… " if start else ""
    suffix = " …" if end < len(body) else ""
    return Markup("{}{}{}").format(prefix, highlight(text, terms), suffix)
