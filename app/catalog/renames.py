"""Renamed notes keep their catalogs; new notes draw on orphaned ones.

A note that disappears and a note that appears with the same or nearly the same French are one
note, as git detects renames: the similarity of their translatable text (the msgids, in order)
reaches :data:`RENAME_THRESHOLD`. Its catalogs move to the new slug in one atomic step per
language (the old catalog is merged into the new path, then removed; repeating the step after a
crash gives the same file). When no rename is detected, a new note's catalog is merged with the
orphaned catalogs as a compendium (``msgmerge --compendium``): exact matches come back
translated, close ones fuzzy.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import polib
from rapidfuzz import fuzz, process

from app.catalog.po import CatalogError, format_catalog, parse_catalog, read_catalog
from app.content.slugmap import Rename
from app.fsutil import atomic_write, file_lock

RENAME_THRESHOLD = 0.5  #: like git's default ``-M50%``


def catalog_msgids(path: str | os.PathLike) -> list[str]:
    """The current (not obsolete) msgids of a catalog, in order; [] when it is missing or unreadable."""
    try:
        return [e.msgid for e in read_catalog(path) if not e.obsolete and e.msgid]
    except (OSError, CatalogError):
        return []


def _text(msgids: Sequence[str]) -> str:
    return "\n".join(msgids)


def detect_renames(gone: Mapping[str, Sequence[str]], appeared: Mapping[str, Sequence[str]],
                   threshold: float = RENAME_THRESHOLD) -> dict[str, str]:
    """Pair vanished files with new ones whose msgids are the same or similar enough: old → new.

    Identical content pairs first (by file-name order), then the most similar pairs; a file
    with nothing translatable is never paired (there is nothing to tell it by).
    """
    old = {s: _text(m) for s, m in gone.items() if m}
    new = {s: _text(m) for s, m in appeared.items() if m}
    pairs: dict[str, str] = {}
    by_digest: dict[str, list[str]] = {}
    for source in sorted(new):
        by_digest.setdefault(hashlib.sha256(new[source].encode()).hexdigest(), []).append(source)
    for source in sorted(old):
        twins = by_digest.get(hashlib.sha256(old[source].encode()).hexdigest())
        if twins:
            pairs[source] = twins.pop(0)
    left_old = sorted(s for s in old if s not in pairs)
    left_new = sorted(s for s in new if s not in pairs.values())
    scored = []
    for source in left_old:
        for text, score, index in process.extract(old[source], [new[s] for s in left_new], scorer=fuzz.ratio,
                                                  score_cutoff=threshold * 100, limit=None):
            scored.append((-score, source, left_new[index]))
    for _, source, target in sorted(scored):
        if source not in pairs and target not in pairs.values():
            pairs[source] = target
    return pairs


def union_catalog(keep: polib.POFile, extra: polib.POFile) -> polib.POFile:
    """``keep`` with the entries of ``extra`` it lacks appended (as they are), for a merge to draw on."""
    seen = {(e.msgctxt, e.msgid, e.obsolete) for e in keep}
    for entry in extra:
        if (entry.msgctxt, entry.msgid, entry.obsolete) not in seen and (entry.msgstr or entry.obsolete):
            keep.append(entry)
    return keep


def move_catalogs(rename: Rename, translations_dir: str | os.PathLike, langs: Iterable[str]) -> int:
    """Move the catalogs of a renamed note to its new slug (merged with any already there); return how many moved.

    Idempotent: after a crash, running it again finishes the move with the same result.
    """
    if rename.old_slug == rename.new_slug:
        return 0
    moved = 0
    for lang in langs:
        folder = Path(translations_dir) / lang / "notes"
        old, new = folder / f"{rename.old_slug}.po", folder / f"{rename.new_slug}.po"
        if not old.exists():
            continue
        with file_lock(old), file_lock(new):
            try:
                old_data = old.read_bytes()
            except FileNotFoundError:
                continue
            try:
                new_data = new.read_bytes()
            except FileNotFoundError:
                new_data = None
            if new_data is None:
                os.replace(old, new)  # one atomic step: the catalog is at the old path or the new one
            else:
                merged = union_catalog(parse_catalog(new_data, str(new)), parse_catalog(old_data, str(old)))
                atomic_write(new, format_catalog(merged))
                old.unlink()
        moved += 1
    return moved


def orphan_entries(paths: Iterable[Path]) -> list[polib.POEntry]:
    """Translated entries of orphaned catalogs, for a compendium (unreadable catalogs are skipped)."""
    entries: list[polib.POEntry] = []
    for path in paths:
        with contextlib.suppress(OSError, CatalogError):
            entries += [e for e in read_catalog(path) if e.msgstr and not e.msgid_plural and e.msgid]
    return entries


def lacks(orphan: polib.POFile, live: Iterable[polib.POFile]) -> list[polib.POEntry]:
    """Translations of ``orphan`` that no live catalog holds (same msgid and msgstr, current or obsolete)."""
    held = {(e.msgid, e.msgstr) for po in live for e in po}
    return [e for e in orphan if e.msgstr and (e.msgid, e.msgstr) not in held]


def prune_orphans(orphans: Iterable[Path], live: Iterable[Path]) -> tuple[list[Path], dict[Path, int]]:
    """Remove the orphaned catalogs whose every translation a live catalog of the same language holds.

    Returns the removed catalogs and, for those kept, how many translations only they hold.
    Unreadable catalogs are kept (count -1).
    """
    live_by_lang: dict[Path, list[polib.POFile]] = {}
    for path in live:
        with contextlib.suppress(OSError, CatalogError):
            live_by_lang.setdefault(path.parent, []).append(read_catalog(path))
    removed, kept = [], {}
    for path in orphans:
        with file_lock(path):
            try:
                only_here = lacks(read_catalog(path), live_by_lang.get(path.parent, []))
            except (OSError, CatalogError):
                kept[path] = -1
                continue
            if only_here:
                kept[path] = len(only_here)
            else:
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed, kept
