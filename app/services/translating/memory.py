"""The translation memory of each target language, built from every catalog and kept in step with them.

The memory holds the translated, non-fuzzy entries of every catalog of a language, current and
obsolete (a vanished segment's English still helps). It is cached in the process; each lookup
stats the language's catalog folder and re-reads only the catalogs whose size or mtime changed
(or that appeared or vanished), then rebuilds the in-memory index from the cached pairs.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from app.catalog.po import CatalogError, read_catalog
from app.services.garden import Garden
from app.workflow.memory import Suggestion, TranslationMemory

log = logging.getLogger(__name__)


@dataclass
class _LangMemory:
    """The memory of one language and the file stamps it was built from."""

    stamps: dict[str, tuple] = field(default_factory=dict)
    pairs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    memory: TranslationMemory = field(default_factory=TranslationMemory)


_memories: dict[tuple[str, str], _LangMemory] = {}
_lock = threading.Lock()


def _catalog_stamps(folder: Path) -> dict[str, tuple]:
    stamps = {}
    try:
        paths = list(folder.glob("*.po"))
    except OSError:
        return stamps
    for path in paths:
        try:
            info = path.stat()
        except FileNotFoundError:
            continue
        stamps[path.name] = (info.st_mtime_ns, info.st_size, info.st_ino)
    return stamps


def _translated_pairs(path: Path) -> list[tuple[str, str]]:
    try:
        po = read_catalog(path)
    except (CatalogError, OSError) as exc:
        log.warning("translation memory skips %s: %s", path, exc)
        return []
    return [(e.msgid, e.msgstr) for e in po if e.msgid and e.msgstr and not e.fuzzy and not e.msgid_plural]


def memory_for(garden: Garden, lang: str) -> TranslationMemory:
    """The up-to-date translation memory of ``lang``."""
    folder = garden.catalog_path(lang, "x").parent
    stamps = _catalog_stamps(folder)
    key = (str(folder), lang)
    with _lock:
        cached = _memories.get(key)
        if cached is not None and cached.stamps == stamps:
            return cached.memory
        fresh = _LangMemory(stamps=stamps)
        old = cached or _LangMemory()
        for name, stamp in stamps.items():
            same = old.stamps.get(name) == stamp and name in old.pairs
            fresh.pairs[name] = old.pairs[name] if same else _translated_pairs(folder / name)
        for name in sorted(fresh.pairs):
            source = name.removesuffix(".po")
            for msgid, msgstr in fresh.pairs[name]:
                fresh.memory.add(msgid, msgstr, source)
        _memories[key] = fresh
        return fresh.memory


def suggestions_for(garden: Garden, lang: str, msgid: str, *, slug: str | None = None, current: str = "",
                    limit: int = 5, memory: TranslationMemory | None = None) -> list[Suggestion]:
    """Suggestions for ``msgid`` in ``lang``: exact first, then fuzzy by score, without the entry's own text."""
    found = (memory or memory_for(garden, lang)).suggest(msgid, limit=limit + 1)
    kept = [s for s in found if not (s.source == slug and s.msgid == msgid and s.msgstr == current)]
    return kept[:limit]


def suggestion_data(suggestions: list[Suggestion]) -> list[dict]:
    """The API form of suggestions."""
    return [{"msgid": s.msgid, "msgstr": s.msgstr, "score": s.score, "source": s.source} for s in suggestions]
