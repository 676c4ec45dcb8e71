"""Crash-safe file writes and cross-process locks.

Every catalog or published file goes through :func:`atomic_write` (temporary file in
the same folder, fsync, rename, fsync of the folder) under :func:`file_lock`, so a
killed process never leaves a torn file and two processes never interleave writes.
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

DEFAULT_MODE = 0o644
TEMP_SUFFIX = ".tmp"
LOCK_SUFFIX = ".lock"


def _fsync_dir(folder: str) -> None:
    """Flush a directory entry to disk (best effort where the OS refuses)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _durable_temp(folder: str, name: str, data: bytes, mode: int) -> tuple[str, os.stat_result]:
    """A temporary file beside ``name`` in ``folder`` holding ``data`` with ``mode``, on disk; its path and stat."""
    import tempfile  # here: a command that writes nothing does not import it

    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
            return tmp, os.fstat(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write(path: str | os.PathLike[str], data: bytes | str, *, fsync_dir: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically: readers see the old or the new file, never a mix.

    With ``fsync_dir=False`` the caller makes the rename durable itself, with one :func:`fsync_dir`
    of the folder for many files (a sync writing hundreds of catalogs), before it records them.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    target = os.path.realpath(os.fspath(path))
    folder, name = os.path.split(target)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = DEFAULT_MODE
    tmp, _written = _durable_temp(folder, name, data, mode)
    try:
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if fsync_dir:
        _fsync_dir(folder)


def create_new(path: str | os.PathLike[str], data: bytes, *, fsync_dir: bool = True) -> os.stat_result | None:
    """Create ``path`` holding ``data`` if no file has that name; its stat, or None if it exists.

    The file is written and fsynced under a temporary name, then hard-linked to ``path``: the link
    fails if the name exists, so the new file never replaces another and readers never see it
    partly written; no lock is needed. None too where the file system cannot hard-link (the
    caller then writes under the lock as usual). A crash leaves at most the temporary file,
    which :func:`cleanup_temp_files` removes.
    """
    target = os.fspath(path)
    folder, name = os.path.split(os.path.abspath(target))
    tmp, written = _durable_temp(folder, name, data, DEFAULT_MODE)  # the inode linked below: the new file's stat
    try:
        try:
            os.link(tmp, target)
        except OSError:  # the name exists (someone created it meanwhile), or no hard links here
            return None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    if fsync_dir:
        _fsync_dir(folder)
    return written


def fsync_dir(folder: str | os.PathLike[str]) -> None:
    """Make the renames done in ``folder`` durable (one call for any number of files)."""
    _fsync_dir(os.fspath(folder))


def lock_path(path: str | os.PathLike[str]) -> str:
    """Return the sibling lock file used for ``path`` (``<folder>/.<name>.lock``)."""
    target = Path(os.path.abspath(os.fspath(path)))
    return str(target.with_name(f".{target.name}{LOCK_SUFFIX}"))


@contextlib.contextmanager
def file_lock(path: str | os.PathLike[str], timeout: float = 30) -> Iterator[None]:
    """Hold an exclusive cross-process lock on ``path``; reentrant within a thread.

    Raises ``filelock.Timeout`` when the lock is not obtained within ``timeout`` seconds.
    """
    from filelock import FileLock  # here: a command that locks nothing does not import it

    lock_file = lock_path(path)
    os.makedirs(os.path.dirname(lock_file), exist_ok=True)
    # One FileLock instance per lock file: its counter makes nested use in one
    # thread reentrant, while other threads and processes block on the flock.
    lock = FileLock(lock_file, is_singleton=True)
    lock.acquire(timeout=timeout)
    try:
        yield
    finally:
        lock.release()


def is_temp_file(name: str) -> bool:
    """Whether ``name`` is one of :func:`atomic_write`'s temporary files (``.<name>.<random>.tmp``)."""
    return name.startswith(".") and name.endswith(TEMP_SUFFIX)


def remove_stale_temp(path: str, cutoff: float) -> bool:
    """Remove the temporary file ``path`` if it is a regular file last modified before ``cutoff``; True if removed."""
    try:
        info = os.lstat(path)
        if stat.S_ISREG(info.st_mode) and info.st_mtime < cutoff:
            os.unlink(path)
            return True
    except FileNotFoundError:
        pass
    return False


def cleanup_temp_files(folder: str | os.PathLike[str], grace: float = 60.0) -> int:
    """Remove leftover ``.*.tmp`` files older than ``grace`` seconds under ``folder``; return how many."""
    removed = 0
    cutoff = time.time() - grace
    for root, _dirs, files in os.walk(os.fspath(folder)):
        removed += sum(remove_stale_temp(os.path.join(root, name), cutoff) for name in files if is_temp_file(name))
    return removed
