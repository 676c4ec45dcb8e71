"""Listing a garden's note files: one ``scandir`` per folder, nothing else imported (a no-op sync starts here)."""
from __future__ import annotations

import os
from pathlib import Path


def list_note_files(folder: Path) -> list[str]:
    """Return the ``.md`` files under ``folder`` as sorted ``/``-separated relative paths.

    Symbolic links are skipped (files and folders): a link could publish any file of the
    machine, such as the instance's secret key, as a note. Hidden files and folders are skipped.
    One ``scandir`` per folder, no ``stat`` per file (the entry types come with the listing).
    """
    return walk_note_folders(folder)[0]


def walk_note_folders(folder: Path) -> tuple[list[str], dict[str, int | None]]:
    """The note files under ``folder`` (as :func:`list_note_files`) and the mtime of each folder walked, taken
    just before it was listed (``.`` is ``folder`` itself; None: it could not be read)."""
    found: list[str] = []
    mtimes: dict[str, int | None] = {}
    pending = [(os.fspath(folder), "")]
    while pending:
        path, prefix = pending.pop()
        try:
            mtimes[prefix.rstrip("/") or "."] = os.stat(path).st_mtime_ns
            with os.scandir(path) as entries:
                for entry in entries:
                    name = entry.name
                    if name.startswith(".") or entry.is_symlink():
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        pending.append((entry.path, f"{prefix}{name}/"))
                    elif name.endswith(".md") and entry.is_file(follow_symlinks=False):
                        found.append(prefix + name)
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            mtimes[prefix.rstrip("/") or "."] = None
            continue
    return sorted(found), mtimes
