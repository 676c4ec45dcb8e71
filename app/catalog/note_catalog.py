"""One note's catalog in one language: merged with the note's segments, compared, written only when it changes.

:func:`sync_note` segments a note, merges its catalog (``msgmerge --previous`` semantics, see
:mod:`app.catalog.merge`) and writes it only when its content changes, holding the catalog's
lock from read to write so that a translator's save in between is never lost. A catalog that
does not exist yet is created without the lock (:func:`app.fsutil.create_new` never replaces a
file). :mod:`app.catalog.sync` runs this for every note of a garden; it is imported only when a
note has to be merged.
"""
from __future__ import annotations

import contextlib
import copy
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import polib

from app.catalog.manifest import NoteSyncResult, Stamp, SyncError
from app.catalog.merge import merge_catalog
from app.catalog.po import CatalogError, catalog_counts, format_catalog, parse_catalog
from app.catalog.po_format import FSI, apply_locations, default_locations, reference_tokens
from app.catalog.segment import FrontMatterError, note_name, segment_note
from app.content.limits import LimitExceeded
from app.content.note_errors import NoteReadError
from app.fsutil import atomic_write, create_new, file_lock


def _with_reference_tokens(po: polib.POFile) -> str:
    """The catalog formatted with each entry's references reduced to their words (see reference_tokens)."""
    shown = copy.copy(po)
    shown[:] = [copy.copy(e) for e in po]
    for entry in shown:
        entry.occurrences = [(word, "") for word in reference_tokens(entry.occurrences)]
    return format_catalog(shown)


def _content_unchanged(old: polib.POFile | None, old_data: bytes | None, po: polib.POFile, data: bytes) -> bool:
    """True when the catalog on disk says what ``data`` says, however another tool wrapped it.

    References that gettext 0.21's msgcat re-split (file names with spaces) count as unchanged:
    they are the same words, and rewriting them would only start the same fight again.
    """
    if old_data is None:
        return False
    if data == old_data:
        return True
    if _written_strings(old) != _written_strings(po):
        return False  # each string is written in full, so the texts differ however they are wrapped
    if format_catalog(old).encode("utf-8") == data:
        return True
    return FSI.encode() in old_data and _with_reference_tokens(old) == _with_reference_tokens(po)


def _written_strings(po: polib.POFile) -> list[tuple]:
    """The strings :func:`format_catalog` writes for each current entry, in order (escaped and wrapped, never altered)."""
    return [(e.msgctxt, e.msgid, e.msgid_plural or None, None if e.msgid_plural else e.msgstr)
            for e in po if not e.obsolete]


def merged_catalog(old: polib.POFile | None, note_text: str, source: str, lang: str, locations: str | None = None,
                   compendium: Callable[[str], Sequence] | None = None) -> polib.POFile:
    """The catalog of ``source`` merged from ``old`` (msgmerge semantics), references in the configured style.

    A note without a catalog yet draws on ``compendium(lang)`` (the orphaned catalogs' entries).
    """
    extra = compendium(lang) if compendium is not None and old is None else ()
    po = merge_catalog(old, segment_note(note_text, note_name(source)), source, lang, extra)
    style = locations or default_locations()
    if style != "full":
        for entry in po:
            entry.occurrences = apply_locations(entry.occurrences, style)
    return po


def _create_catalog(note_text: str, source: str, path: Path, lang: str, locations: str | None,
                    compendium: Callable[[str], Sequence] | None, fsync_dir: bool) -> NoteSyncResult | None:
    """Create the missing catalog of ``source`` without taking its lock; None if it appeared meanwhile.

    A catalog that does not exist holds no translation to keep, and :func:`create_new` never
    replaces a file: whoever created it first wins, and the caller merges into theirs under the
    lock. A first sync of a garden takes no lock and creates no lock file per catalog.
    """
    po = merged_catalog(None, note_text, source, lang, locations, compendium)
    data = format_catalog(po).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    written = create_new(path, data, fsync_dir=fsync_dir)
    if written is None:
        return None
    return NoteSyncResult(source, lang, path, "created", catalog_counts(po), stamp=Stamp.of(written, data))


def sync_note(note_text: str, source: str, catalog_path: str | os.PathLike, lang: str, *, write: bool = True,
              locations: str | None = None, compendium: Callable[[str], Sequence] | None = None,
              fsync_dir: bool = True) -> NoteSyncResult:
    """Merge the catalog of ``source`` in ``lang`` with the note's current segments; write it if its content changes.

    A catalog that another tool (msgcat, Poedit) rewrapped but whose content is what the sync
    would write is left byte for byte as it is. ``fsync_dir=False``: the caller fsyncs the
    catalog folder before it records the result (see :meth:`_Run.save`).
    """
    path = Path(catalog_path)
    try:
        if write and not os.path.lexists(path):
            created = _create_catalog(note_text, source, path, lang, locations, compendium, fsync_dir)
            if created is not None:
                return created
        with file_lock(path) if write else contextlib.nullcontext():  # held from read to write
            try:
                old_data = path.read_bytes()
            except FileNotFoundError:
                old_data = None
            old = parse_catalog(old_data, str(path)) if old_data is not None else None
            po = merged_catalog(old, note_text, source, lang, locations, compendium)
            data = format_catalog(po).encode("utf-8")
            unchanged = _content_unchanged(old, old_data, po, data)
            state = "created" if old_data is None else "unchanged" if unchanged else "updated"
            stamp = None
            if write:
                if state != "unchanged":
                    path.parent.mkdir(parents=True, exist_ok=True)
                    atomic_write(path, data, fsync_dir=fsync_dir)
                stamp = Stamp.of(path.stat(), old_data if unchanged else data)
    except CatalogError as exc:
        return NoteSyncResult(source, lang, path, "error", error=exc)
    except (FrontMatterError, LimitExceeded) as exc:
        return NoteSyncResult(source, lang, path, "error", error=NoteReadError(source, exc.reason, exc.line))
    except Exception as exc:  # one broken note (or a lock timeout) must not stop the garden's sync  # noqa: BLE001
        error = SyncError(f"{path}: cannot sync {source}: {type(exc).__name__}: {exc}")
        return NoteSyncResult(source, lang, path, "error", error=error)
    return NoteSyncResult(source, lang, path, state, catalog_counts(po), stamp=stamp)
