"""Crash-safe file writes and cross-process locks.

Every catalog or published file goes through :func:`atomic_write` (temporary file in
the same folder, fsync, rename, fsync of the folder) under :func:`file_lock`, so a
killed process never leaves a torn file and two processes never interleave writes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import tempfile
import threading
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
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if fsync_dir:
        _fsync_dir(folder)


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

    ``flock`` on the sibling lock file (the kernel lock ``filelock`` takes, so processes running
    either code exclude each other); other threads of this process block too, since each opens
    its own descriptor. Raises ``filelock.Timeout`` when the lock is not obtained within
    ``timeout`` seconds.
    """
    lock_file = lock_path(path)
    held = _held_locks()
    if lock_file in held:  # this thread holds it already
        fd, count = held[lock_file]
        held[lock_file] = (fd, count + 1)
        try:
            yield
        finally:
            fd, count = held[lock_file]
            held[lock_file] = (fd, count - 1)
        return
    os.makedirs(os.path.dirname(lock_file), exist_ok=True)
    fd = _acquire(lock_file, timeout)
    held[lock_file] = (fd, 1)
    try:
        yield
    finally:
        del held[lock_file]
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


LOCK_POLL_SECONDS = 0.05  #: how often a contended lock is tried again
_HELD = threading.local()  #: per thread: lock file → (descriptor, depth)


def _held_locks() -> dict[str, tuple[int, int]]:
    held = getattr(_HELD, "locks", None)
    if held is None:
        held = _HELD.locks = {}
    return held


def _forget_held_locks() -> None:
    """In a forked child: the locks its parent's thread held are not the child's to re-enter."""
    _HELD.locks = {}


os.register_at_fork(after_in_child=_forget_held_locks)


def _acquire(lock_file: str, timeout: float) -> int:
    """A descriptor of ``lock_file`` holding its ``flock``, trying every LOCK_POLL_SECONDS until ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        fd = os.open(lock_file, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if os.fstat(fd).st_ino == os.stat(lock_file, follow_symlinks=False).st_ino:
                return fd  # still the file at that path (not one unlinked between open and flock)
        except (BlockingIOError, FileNotFoundError):
            pass
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
        if time.monotonic() >= deadline:
            from filelock import Timeout  # the exception callers and tests know

            raise Timeout(lock_file)
        time.sleep(LOCK_POLL_SECONDS)


def cleanup_temp_files(folder: str | os.PathLike[str], grace: float = 60.0) -> int:
    """Remove leftover ``.*.tmp`` files older than ``grace`` seconds under ``folder``; return how many."""
    removed = 0
    cutoff = time.time() - grace
    for root, _dirs, files in os.walk(os.fspath(folder)):
        for name in files:
            if not (name.startswith(".") and name.endswith(TEMP_SUFFIX)):
                continue
            full = os.path.join(root, name)
            try:
                info = os.lstat(full)
                if stat.S_ISREG(info.st_mode) and info.st_mtime < cutoff:
                    os.unlink(full)
                    removed += 1
            except FileNotFoundError:
                continue
    return removed
