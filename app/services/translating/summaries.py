"""Per-catalog summaries (entry counts, words, entries failing a check, minor changes) cached by file stamp.

A summary is recomputed only when its catalog's size, mtime or inode changes, so the dashboard does
not re-read and re-check every catalog on every request. The summaries are also saved in the state
folder (``catalog-summaries.json``) after a pass that computed many, so a restarted server does not
parse every catalog again: a saved summary counts only while its file's stamp is unchanged.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import weakref

from app.catalog import minor
from app.catalog.po import catalog_counts
from app.catalog.words import count_words
from app.content.notes import Note
from app.fsutil import atomic_write
from app.services.garden import Garden
from app.services.translating.entries import live_entries, read_note_catalog
from app.services.translating.entry_views import entry_checks
from app.workflow.checks import has_errors

_cache: dict[str, tuple[tuple, dict]] = {}
_cache_lock = threading.Lock()
_fresh: set[str] = set()  #: summaries computed since the last save
_loaded: set[str] = set()  #: saved summary files already read by this process
_gardens_seen: weakref.WeakSet = weakref.WeakSet()  #: gardens whose saved summaries were looked for
SUMMARY_VERSION = 2  #: bump when a summary's fields change: saved summaries of another version are ignored
log = logging.getLogger(__name__)


def _stamp(path) -> tuple | None:
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def catalog_summary(garden: Garden, note: Note, lang: str) -> dict:
    """Counts, words and the number of entries failing an error-level check, cached by file stamp."""
    path = os.path.join(garden.translations_dir, lang, "notes", f"{note.slug}.po")
    stamp = _stamp(path)
    _load_saved(garden)
    with _cache_lock:
        cached = _cache.get(path)
    if cached and stamp is not None and cached[0] == stamp:
        return cached[1]
    po, _ = read_note_catalog(garden, note, lang)
    summary = dict(catalog_counts(po))
    summary["errors"] = sum(1 for e in live_entries(po) if e.msgstr and not e.fuzzy and has_errors(entry_checks(e)))
    summary["minor"] = sum(1 for e in live_entries(po) if minor.pending(e))  # minor French changes to confirm
    summary.update(word_counts(po))
    # Filed under the stamp taken before reading: a save landing meanwhile (another thread or worker) makes it stale,
    # where the stamp taken after would have filed these counts under the newer file for good. A catalog the
    # read created (no stamp before) is filed under its new stamp.
    with _cache_lock:
        _cache[path] = (stamp if stamp is not None else _stamp(path), summary)
        _fresh.add(path)
    return summary


def _saved_file(garden: Garden) -> str | None:
    return os.path.join(garden.state_dir, "catalog-summaries.json") if garden.state_dir else None


def _load_saved(garden: Garden) -> None:
    """Once per process, the summaries a previous process saved (a restarted server has them at once)."""
    if garden in _gardens_seen:
        return
    _gardens_seen.add(garden)
    name = _saved_file(garden)
    if name is None or name in _loaded:
        return
    _loaded.add(name)
    try:
        with open(name, encoding="utf-8") as file:
            saved = json.load(file)
    except (OSError, ValueError):
        return
    if saved.get("version") != SUMMARY_VERSION:
        return
    with _cache_lock:
        for path, (stamp, summary) in saved.get("catalogs", {}).items():
            _cache.setdefault(path, (tuple(stamp), summary))


def save_summaries(garden: Garden, at_least: int = 20) -> None:
    """Save the cached summaries in the state folder when ``at_least`` were computed since the last save."""
    name = _saved_file(garden)
    with _cache_lock:
        if name is None or len(_fresh) < at_least:
            return
        _fresh.clear()
        mine = os.path.join(garden.translations_dir, "")  # a process serving several gardens (tests) saves each its own
        catalogs = {path: [list(stamp), summary] for path, (stamp, summary) in _cache.items()
                    if stamp is not None and path.startswith(mine)}
    try:
        atomic_write(name, json.dumps({"version": SUMMARY_VERSION, "catalogs": catalogs}), fsync_dir=False)
    except OSError:
        log.warning("cannot save the catalog summaries in %s", name, exc_info=True)


def warm_summaries(garden: Garden) -> int:
    """Compute and save the summary of every readable note's catalog in every target language (``passerelle init``).

    The first dashboard after an init then reads them from the state folder instead of parsing every
    catalog; a catalog that cannot be read is left for the dashboard to report. Returns how many.
    """
    done = 0
    for note in garden.notes.notes():
        for lang in garden.target_langs:
            try:
                catalog_summary(garden, note, lang)
            except Exception:  # noqa: BLE001  (a corrupt catalog is the dashboard's to report, not init's to stop on)
                log.warning("no summary for %s in %s", note.filename, lang, exc_info=True)
                continue
            done += 1
    save_summaries(garden, at_least=1)
    return done


def word_counts(po) -> dict[str, int]:
    """Words of the French in translated, fuzzy and untranslated live entries (``translated_words``…)."""
    words = {"translated_words": 0, "fuzzy_words": 0, "untranslated_words": 0}
    for entry in live_entries(po):
        filled = all(entry.msgstr_plural.values()) if entry.msgstr_plural else bool(entry.msgstr)
        kind = "untranslated" if not filled else "fuzzy" if entry.fuzzy else "translated"
        words[f"{kind}_words"] += count_words(entry.msgid)
    return words
