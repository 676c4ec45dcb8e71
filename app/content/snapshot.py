"""The indexes of a garden saved to one file, so that a new process starts from them instead of reading every note.

A snapshot holds the state of a :class:`~app.content.index.NoteIndex` and of each
:class:`~app.content.published.PublishedIndex` (parsed notes and file stamps), the folders they
index and a fingerprint of the code that parsed them. Loading one that does not match (other
folders, other code, a damaged file) is refused: the indexes then start empty and read the files.
After loading, the first refresh still compares every file's size and mtime with its stamp and
re-reads only what changed while no process was watching: a snapshot can be old, never wrong.

The file is written atomically under its lock in the instance folder, which only the site's own
processes write (it is as trusted as the secret key stored beside it): it is a pickle.
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
from pathlib import Path

from app.fsutil import atomic_write, file_lock

log = logging.getLogger(__name__)

NAME = "garden-index.pickle"
#: Attributes never saved: locks, the folder itself (checked separately), the index's collaborators and the
#: limits it reads notes within (the configuration's; a snapshot read within other limits is refused).
_SKIP = {"_lock", "folder", "slugmap", "detect_renames", "limits"}


def code_fingerprint() -> str:
    """Hash of the parsing code (every module of ``app/content``) and Python's version: another value makes a
    snapshot stale."""
    import sys

    digest = hashlib.sha256(sys.version.encode())
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _limits(index) -> tuple | None:
    limits = getattr(index, "limits", None)
    return (limits.max_bytes, limits.max_depth) if limits is not None else None


def _state(index) -> dict:
    return {key: value for key, value in vars(index).items() if key not in _SKIP}


def save(path: Path, notes, published: dict) -> None:
    """Write the state of ``notes`` and of every index in ``published`` (by language) to ``path``."""
    with notes._lock:
        state = {"notes": (str(notes.folder), _state(notes))}
        for lang, index in published.items():
            with index._lock:
                state[lang] = (str(index.folder), _state(index))
        data = pickle.dumps({"code": code_fingerprint(), "limits": _limits(notes), "state": state},
                            protocol=pickle.HIGHEST_PROTOCOL)
    with file_lock(path):
        atomic_write(path, data)


def load(path: Path, notes, published: dict) -> bool:
    """Restore the indexes from ``path`` when it was made by this code for these folders; tell whether it was."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return False
    except OSError as exc:
        log.warning("cannot read the index snapshot %s: %s", path, exc)
        return False
    try:
        saved = pickle.loads(data)
        if saved.get("code") != code_fingerprint() or saved.get("limits") != _limits(notes):
            return False  # other code, or other limits: a note broken then may be readable now, and the reverse
        state = saved["state"]
        targets = {"notes": notes, **published}
        if set(state) != set(targets) or any(state[key][0] != str(index.folder) for key, index in targets.items()):
            return False
    except Exception as exc:  # noqa: BLE001  (a damaged snapshot only means reading the notes again)
        log.warning("ignoring the index snapshot %s: %s", path, exc)
        return False
    for key, index in targets.items():
        with index._lock:
            generation = index.generation
            vars(index).update(state[key][1])
            index.generation = generation + 1  # whatever was derived from the empty index is stale
            index.refreshed_at = float("-inf")  # the first refresh checks every stamp
    return True


def remove(path: Path) -> None:
    """Delete a snapshot (tests, or a site whose notes folder moved)."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
