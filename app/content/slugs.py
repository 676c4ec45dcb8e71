"""Slugs from note names, and the folding used for case- and accent-insensitive lookups."""
from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = re.compile(r"['’ʼ`]")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lowercase ``text`` and strip its accents, for matching (``Écrire`` → ``ecrire``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slugify(name: str) -> str:
    """Turn a note name into a URL slug: folded accents, lowercase, words joined by ``-``."""
    text = fold(name)
    text = _APOSTROPHES.sub("", text)
    text = _NOT_SLUG.sub("-", text).strip("-")
    return text or "note"


def is_valid_slug(slug: str) -> bool:
    """Tell whether ``slug`` has the shape :func:`slugify` produces (no dots, slashes, spaces)."""
    return bool(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug))
