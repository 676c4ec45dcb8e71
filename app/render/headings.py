"""Headings of rendered notes: their anchor ids (what ``[[note#Heading]]`` links to) and their levels."""
from __future__ import annotations

import re
from collections.abc import Iterable

from app.content.slugs import fold

_APOSTROPHES = re.compile(r"['’ʼ`]")
_NOT_ID_CHARS = re.compile(r"[\W_]+")


def heading_id(text: str) -> str:
    """The anchor id of a heading, so that ``[[note#Heading]]`` links to ``#<heading_id("Heading")>``."""
    text = _APOSTROPHES.sub("", fold(text))
    return _NOT_ID_CHARS.sub("-", text).strip("-") or "section"


def unique_heading_ids(texts: Iterable[str]) -> list[str]:
    """The ids :func:`heading_id` gives headings of these source texts, a repeated one suffixed ``-1``, ``-2``…"""
    seen: set[str] = set()
    next_suffix: dict[str, int] = {}  # so that a thousand identical headings cost a thousand steps, not their square
    ids = []
    for text in texts:
        base = heading_id(text)
        slug, n = base, next_suffix.get(base, 1)
        while slug in seen:
            slug, n = f"{base}-{n}", n + 1
        next_suffix[base] = n
        seen.add(slug)
        ids.append(slug)
    return ids


_HEADING_TAG = re.compile(r"<(/?)h([1-6])(?=[\s>])")


def shift_headings(html: str, top: int) -> str:
    """Shift the headings of rendered HTML so the highest becomes ``h<top>`` (order kept, at most ``h6``)."""
    levels = [int(level) for closing, level in _HEADING_TAG.findall(html) if not closing]
    shift = top - min(levels) if levels else 0
    if not shift:
        return html
    return _HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{min(6, max(top, int(m.group(2)) + shift))}", html)
