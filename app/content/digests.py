"""Attachment digests shared by every worker process: a JSON file keyed by path, size and mtime.

Each gunicorn worker has its own :class:`~app.content.attachments.AttachmentIndex`; without a
shared cache each one read and hashed every large attachment on its first view (300 MB took
about 1.5 s, once per worker). The cache file lives in the state folder and holds, per file,
``[size, mtime_ns, digest]``: an entry counts only while the file keeps that size and mtime. A
worker that misses takes the file's cross-process lock, reads the cache again (another worker
may have just hashed that file), hashes only if still missing, and rewrites the cache
atomically, so workers that need the same digest at once wait for one hash instead of doing
four. Files under :data:`SHARED_MIN_SIZE` are hashed in each process (that costs less than a
cache write). The cache is only a cache: an unreadable or damaged file counts as empty and is replaced.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from pathlib import Path

from filelock import Timeout

from app.fsutil import atomic_write, file_lock

log = logging.getLogger(__name__)

CACHE_VERSION = 1
#: smaller files are hashed in each process: hashing 1 MiB costs about what a locked, atomic cache write does
SHARED_MIN_SIZE = 1 << 20
#: seconds a worker waits for another one hashing before it hashes on its own
LOCK_TIMEOUT = 20.0


def hash_file(path: Path, chars: int) -> str:
    """The first ``chars`` hex characters of the SHA-256 of the file at ``path``, read in 1 MiB chunks."""
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()[:chars]


class SharedDigests:
    """Digests of files kept in ``cache_file`` for every process (``None``: in this process only)."""

    def __init__(self, cache_file: str | os.PathLike | None, chars: int):
        self.cache_file = Path(cache_file) if cache_file else None
        self.chars = chars
        self._known: dict[str, tuple[int, int, str]] = {}
        self._loaded_stamp: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def digest(self, path: Path, size: int, mtime_ns: int) -> str:
        """The digest of the file at ``path`` whose size and mtime are ``size`` and ``mtime_ns``."""
        key = str(path)
        with self._lock:
            found = self._lookup(key, size, mtime_ns)
        if found is not None:
            return found
        if self.cache_file is None or size < SHARED_MIN_SIZE:
            return self._remember(key, size, mtime_ns, hash_file(path, self.chars))
        try:
            with file_lock(self.cache_file, timeout=LOCK_TIMEOUT):
                with self._lock:
                    self._load()  # another worker may have hashed it while we waited
                    found = self._lookup(key, size, mtime_ns, reload=False)
                if found is not None:
                    return found
                value = self._remember(key, size, mtime_ns, hash_file(path, self.chars))
                self._save()
                return value
        except Timeout:  # someone hashes a huge file: do not keep a reader waiting longer
            return self._remember(key, size, mtime_ns, hash_file(path, self.chars))
        except OSError as exc:
            if not path.exists():
                raise
            log.warning("attachment digest cache %s unusable: %s", self.cache_file, exc)
            return self._remember(key, size, mtime_ns, hash_file(path, self.chars))

    def _lookup(self, key: str, size: int, mtime_ns: int, reload: bool = True) -> str | None:
        known = self._known.get(key)
        stale = known is None or known[:2] != (size, mtime_ns)
        if stale and reload and self.cache_file is not None and size >= SHARED_MIN_SIZE:
            self._load()
            known = self._known.get(key)
        return known[2] if known is not None and known[:2] == (size, mtime_ns) else None

    def _remember(self, key: str, size: int, mtime_ns: int, value: str) -> str:
        with self._lock:
            self._known[key] = (size, mtime_ns, value)
        return value

    def _load(self) -> None:
        """Read the cache file again if it changed since this process last read it."""
        try:
            stat = self.cache_file.stat()
        except FileNotFoundError:
            return
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp == self._loaded_stamp:
            return
        try:
            data = json.loads(self.cache_file.read_text(encoding="utf-8"))
            rows = data["digests"] if data.get("version") == CACHE_VERSION else {}
            loaded = {key: (int(row[0]), int(row[1]), str(row[2])) for key, row in rows.items()
                      if isinstance(row, list) and len(row) == 3}
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("ignoring the damaged attachment digest cache %s: %s", self.cache_file, exc)
            loaded = {}
        self._known.update(loaded)
        self._loaded_stamp = stamp

    def _save(self) -> None:
        """Write every known digest whose file still exists (called under the file's lock)."""
        with self._lock:
            rows = {key: list(row) for key, row in self._known.items() if os.path.exists(key)}
        self.cache_file.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.cache_file, json.dumps({"version": CACHE_VERSION, "digests": rows}, ensure_ascii=False,
                                                 separators=(",", ":")), fsync_dir=False)
        with self._lock:
            stat = self.cache_file.stat()
            self._loaded_stamp = (stat.st_mtime_ns, stat.st_size)
