"""Listings a sync can skip: a folder whose mtime has not moved had no file added, removed or renamed in it.

A no-op sync of 10,000 notes used to list the notes folder and each catalog folder in full (two
10,000-entry ``scandir`` walks, a third of its time). ``sync-folders.json`` in the state folder
records, after each sync, the mtime of every notes folder with the files listed, and per catalog
folder its mtime with the orphaned catalogs found and whether temporary files were left. When
every recorded mtime is unchanged, the recorded answer is the answer: creating, removing or
renaming an entry changes its folder's mtime (git's untracked cache relies on the same rule).

A folder modified less than :data:`~app.catalog.manifest.RACY_NS` before we looked is not
recorded (a change in the same timestamp tick could go unseen), nor one that still holds
temporary files to clean later. A missing, corrupt or foreign file means listing in full.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Iterable
from pathlib import Path

from app.catalog.manifest import RACY_NS
from app.content.files import walk_note_folders
from app.fsutil import atomic_write, file_lock

log = logging.getLogger(__name__)

FILE_NAME = "sync-folders.json"
FORMAT = 1


def _mtime(path: str | os.PathLike) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def _settled(mtime: int | None, looked_at: int) -> bool:
    """True when ``mtime`` is old enough that a later change in the same tick would move it."""
    return mtime is not None and mtime < looked_at - RACY_NS


def slugs_digest(slugs: Iterable[str]) -> str:
    """A digest of the live slugs, in the order given (the registry's, by file): which catalogs are orphans depends on
    them. The same slugs in another order only cost a listing."""
    return hashlib.sha256("\n".join(slugs).encode()).hexdigest()


class FolderStamps:
    """The recorded listings of one garden's notes folders and catalog folders."""

    def __init__(self, path: Path, identity: dict):
        self.path, self.identity = path, identity
        self.notes: dict | None = None  #: {"folders": {relative folder: mtime_ns}, "files": [...]}
        self.catalogs: dict[str, list] = {}  #: lang -> [mtime_ns, slugs digest, [orphan names]]
        self.dirty = False

    @classmethod
    def load(cls, state_dir: str | os.PathLike, notes_folder: Path, translations_dir: Path) -> FolderStamps:
        """The stamps recorded for these folders (none when the file is missing, unusable or for other folders)."""
        identity = {"format": FORMAT, "notes_folder": str(notes_folder.resolve()),
                    "translations_dir": str(translations_dir.resolve())}
        stamps = cls(Path(state_dir) / FILE_NAME, identity)
        try:
            data = json.loads(stamps.path.read_bytes())
            if any(data.get(k) != v for k, v in identity.items()):
                return stamps
            notes, catalogs = data.get("notes"), data["catalogs"]
            if notes is not None and not (isinstance(notes["folders"], dict) and isinstance(notes["files"], list)):
                raise ValueError("malformed notes listing")
            if any(not (isinstance(v, list) and len(v) == 3 and isinstance(v[2], list)) for v in catalogs.values()):
                raise ValueError("malformed catalog folders")
        except FileNotFoundError:
            return stamps
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("%s is unusable (%s): every folder is listed", stamps.path, exc)
            return stamps
        stamps.notes, stamps.catalogs = notes, catalogs
        return stamps

    # -- the notes folder ------------------------------------------------------------------------
    def note_files(self, notes_folder: Path) -> list[str]:
        """The note files under ``notes_folder`` (as :func:`list_note_files`), listed only if a folder changed."""
        recorded = self.notes
        if recorded is not None and all(_mtime(notes_folder / rel) == m for rel, m in recorded["folders"].items()):
            return list(recorded["files"])
        looked_at = time.time_ns()
        files, folders = walk_note_folders(notes_folder)
        settled = all(_settled(m, looked_at) for m in folders.values())
        self.notes = {"folders": folders, "files": files} if settled else None
        self.dirty = True
        return files

    # -- the catalog folders ---------------------------------------------------------------------
    def recorded_orphans(self, folder: Path, lang: str, digest: str) -> list[Path] | None:
        """The orphans of ``folder`` as recorded, if it has not changed since and the live slugs are the same."""
        recorded = self.catalogs.get(lang)
        if recorded is None or recorded[1] != digest or _mtime(folder) != recorded[0]:
            return None
        return [folder / name for name in recorded[2]]

    def record_catalogs(self, lang: str, mtime: int | None, looked_at: int, digest: str, orphans: list[Path],
                        temp_left: bool) -> None:
        """Record what a full listing of ``lang``'s catalog folder found (unless it could change unseen)."""
        value = [mtime, digest, [p.name for p in orphans]] if _settled(mtime, looked_at) and not temp_left else None
        if value != self.catalogs.get(lang):
            if value is None:
                self.catalogs.pop(lang, None)
            else:
                self.catalogs[lang] = value
            self.dirty = True

    def save(self) -> None:
        """Write the stamps atomically (under their lock) if anything changed."""
        if not self.dirty:
            return
        data = dict(self.identity, notes=self.notes, catalogs=self.catalogs)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with file_lock(self.path):
            atomic_write(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        self.dirty = False
