"""What changed in a folder of notes since its files were last read, found by one scan (read by the note index).

A file is read again only when its size or modification time differs from its stamp; it counts
as changed only when its content hash differs too (a touched file only gets its new stamp).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from app.content.files import list_note_files
from app.content.note_errors import NoteReadError
from app.content.slugmap import Rename


@dataclass(frozen=True)
class FileStamp:
    """What tells a file changed: size, modification time and content hash."""

    size: int
    mtime_ns: int
    sha256: str


@dataclass(frozen=True)
class Changes:
    """Files added, changed and removed by one :meth:`~app.content.index.NoteIndex.refresh`."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    renamed: tuple[Rename, ...] = ()  #: removed → added pairs that are one note (also listed in added and removed)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


@dataclass
class Scan:
    """One look at the folder: its files now, and what differs from the stamps it was compared with."""

    files: list[str]
    removed: list[str] = field(default_factory=list)
    added: list[tuple] = field(default_factory=list)  #: ``(file, bytes, mtime, stamp)`` of files without a stamp
    changed: list[tuple] = field(default_factory=list)  #: ``(file, bytes, mtime, stamp)`` of files of new content
    unreadable: dict[str, NoteReadError] = field(default_factory=dict)  #: files whose stamp changed but cannot be read
    restamped: dict[str, FileStamp] = field(default_factory=dict)  #: files touched, of the same content

    def __bool__(self) -> bool:
        """Whether the notes or their errors change (a new stamp alone does not)."""
        return bool(self.removed or self.added or self.changed or self.unreadable)


def scan_folder(folder: Path, stamps: dict[str, FileStamp]) -> Scan:
    """Compare the notes of ``folder`` with ``stamps`` (by file): read only the files whose size or mtime differ."""
    files = list_note_files(folder) if folder.is_dir() else []
    current = set(files)
    scan = Scan(files, removed=[f for f in stamps if f not in current])
    for filename in files:
        try:
            stat = (folder / filename).stat()
        except FileNotFoundError:
            continue
        old = stamps.get(filename)
        if old and old.size == stat.st_size and old.mtime_ns == stat.st_mtime_ns:
            continue
        try:
            data = (folder / filename).read_bytes()
        except OSError as exc:
            scan.unreadable[filename] = NoteReadError(filename, f"cannot read: {exc.strerror}")
            continue
        digest = hashlib.sha256(data).hexdigest()
        stamp = FileStamp(stat.st_size, stat.st_mtime_ns, digest)
        if old and old.sha256 == digest:
            scan.restamped[filename] = stamp
            continue
        (scan.changed if old else scan.added).append((filename, data, stat.st_mtime, stamp))
    return scan
