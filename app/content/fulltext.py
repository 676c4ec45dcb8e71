"""Full-text analysis shared by the search index and its highlighter: words, stems, snippets.

A word is a run of letters and digits (apostrophes and hyphens split words, as in ``l'économie``
or ``chief-of-staff``). Its *term* is its Snowball stem in the text's language, then folded
(lowercase, no accents: :func:`app.content.slugs.fold`): ``stratégique`` and ``stratégie`` both give
``strateg``. A query word matches every word whose term starts with the query word's term, so a
word being typed (``écon``) already finds ``économie``. The index stores terms; the highlighter
runs the same analysis on the text shown, so what is marked is what matched.
"""
from __future__ import annotations

import functools
import re
import threading
import unicodedata

import snowballstemmer
from babel import Locale, UnknownLocaleError
from markupsafe import Markup, escape

from app.content.comments import strip_comments
from app.content.slugs import fold
from app.content.wikilinks import WIKILINK

WORD = re.compile(r"\w+", re.UNICODE)
#: Longest query considered, in characters, and most words used from it.
MAX_QUERY = 200
MAX_TERMS = 10
SNIPPET_CHARS = 220

#: Markup dropped from the text searched; no pattern scans past where its next match could start
#: (``[^\[\]]``, ``[^<>]``), so a run of ``[`` or ``<`` costs its length, not its square.
_MARKUP = [
    (re.compile(r"^(?:```|~~~).*$", re.MULTILINE), " "),
    (re.compile(r"!?\[([^\[\]]*)\]\([^()\[\]]*\)"), r"\1"),  # [text](url) and images
    (re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)", re.MULTILINE), ""),
    (re.compile(r"(?<!\S)\^[A-Za-z0-9-]+\s*$", re.MULTILINE), ""),  # block ids
    (re.compile(r"\[!\w+\][+-]?"), ""),  # callout markers
    (re.compile(r"[*_~`|]+|=="), ""),
    (re.compile(r"<[^<>\n]*>"), " "),
    (re.compile(r"\s+"), " "),
]


def plain_text(markdown: str) -> str:
    """Markdown reduced to the words a reader sees (wikilinks by their label, no ``%%comments%%``)."""
    text = WIKILINK.sub(lambda m: m.group("label") or m.group("target") or "", strip_comments(markdown))
    for pattern, replacement in _MARKUP:
        text = pattern.sub(replacement, text)
    return text.strip()


@functools.lru_cache(maxsize=64)
def stemmer_name(lang: str) -> str | None:
    """The Snowball algorithm for language code ``lang`` (``fr`` → ``french``), or None."""
    try:
        name = Locale.parse(lang.replace("-", "_")).english_name.split(" (")[0].lower()
    except (ValueError, UnknownLocaleError, AttributeError):
        return None
    return name if name in snowballstemmer.algorithms() else None


class Analyzer:
    """Words to terms for one language; a term is cached once computed (the vocabulary is small).

    Shared by every thread of a worker: a Snowball stemmer keeps the word it stems in itself, so
    two threads stemming at once got each other's stems (or an IndexError), and the cache kept
    the wrong term for good. One thread stems at a time; cached terms need no lock.
    """

    def __init__(self, lang: str):
        name = stemmer_name(lang)
        self._stemmer = snowballstemmer.stemmer(name) if name else None
        self._stemming = threading.Lock()
        self._cache: dict[str, str] = {}

    def term(self, word: str) -> str:
        """The folded stem of ``word``."""
        cached = self._cache.get(word)
        if cached is None:
            lowered = unicodedata.normalize("NFC", word.casefold())
            if self._stemmer is None:
                stem = lowered
            else:
                with self._stemming:
                    stem = self._stemmer.stemWord(lowered)
            cached = fold(stem) or fold(lowered)
            if len(self._cache) < 200_000:
                self._cache[word] = cached
        return cached

    def terms(self, text: str) -> list[str]:
        """The term of every word of ``text``, in order."""
        return [self.term(m.group()) for m in WORD.finditer(text)]

    def query_terms(self, query: str) -> list[str]:
        """The distinct terms of ``query`` (trimmed to :data:`MAX_QUERY` characters), at most :data:`MAX_TERMS`."""
        found: list[str] = []
        for word in WORD.findall(query[:MAX_QUERY]):
            term = self.term(word)
            if term and term not in found:
                found.append(term)
        return found[:MAX_TERMS]


@functools.lru_cache(maxsize=16)
def analyzer(lang: str) -> Analyzer:
    """The shared :class:`Analyzer` of ``lang``."""
    return Analyzer(lang)


def _spans(text: str, terms: list[str], lang: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every word of ``text`` matching one of ``terms`` (by prefix of its term)."""
    if not terms:
        return []
    words = analyzer(lang)
    prefixes = tuple(terms)
    heads = tuple({term[:2] for term in terms})  # a stem keeps its word's first letters: stem only the candidates
    return [m.span() for m in WORD.finditer(text)
            if fold(m.group()[:3]).startswith(heads) and words.term(m.group()).startswith(prefixes)]


def highlight(text: str, terms: list[str], lang: str) -> Markup:
    """``text`` escaped, with each matching word wrapped in ``<mark>``."""
    parts, last = [], 0
    for start, end in _spans(text, terms, lang):
        parts.append(escape(text[last:start]))
        parts.append(Markup("<mark>{}</mark>").format(text[start:end]))
        last = end
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def snippet(body: str, terms: list[str], lang: str) -> Markup:
    """A window of ``body`` around the first match, highlighted; the beginning if none."""
    spans = _spans(body, terms, lang)
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
    return Markup("{}{}{}").format(prefix, highlight(text, terms, lang), suffix)
