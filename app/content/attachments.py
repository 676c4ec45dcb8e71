"""Attachments (images, audio, video, PDFs) of a vault, found by file name as Obsidian finds them.

The index walks the source-language folder (and an optional extra folder) for files of the kinds
Obsidian embeds; hidden folders (``.obsidian``, ``.git``, ``.trash``) and symbolic links are
skipped, so only files really in the vault can ever be served. ``![[photo.png]]`` resolves like
Obsidian's "shortest path when possible": a path relative to the note or the vault when the link
has one, else the file of that name in the note's folder, in the vault's attachment folder
(``attachmentFolderPath``), then the one with the shortest path.
"""
from __future__ import annotations

import os
import posixpath
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from app.content.digests import SharedDigests
from app.content.slugs import fold

#: extension -> (kind, media type). Only these files are indexed and served.
FILE_TYPES: dict[str, tuple[str, str]] = {
    "png": ("image", "image/png"), "jpg": ("image", "image/jpeg"), "jpeg": ("image", "image/jpeg"),
    "gif": ("image", "image/gif"), "bmp": ("image", "image/bmp"), "webp": ("image", "image/webp"),
    "avif": ("image", "image/avif"), "svg": ("image", "image/svg+xml"), "ico": ("image", "image/vnd.microsoft.icon"),
    "mp3": ("audio", "audio/mpeg"), "wav": ("audio", "audio/wav"), "m4a": ("audio", "audio/mp4"),
    "ogg": ("audio", "audio/ogg"), "oga": ("audio", "audio/ogg"), "flac": ("audio", "audio/flac"),
    "3gp": ("audio", "audio/3gpp"),
    "mp4": ("video", "video/mp4"), "webm": ("video", "video/webm"), "ogv": ("video", "video/ogg"),
    "mov": ("video", "video/quicktime"), "mkv": ("video", "video/x-matroska"),
    "pdf": ("pdf", "application/pdf"),
}
DIGEST_CHARS = 16  #: hex characters of SHA-256 in an attachment's URL


def file_type(name: str) -> tuple[str, str] | None:
    """(kind, media type) of a file name by its extension, or None when it is not an attachment."""
    _, dot, ext = name.rpartition(".")
    return FILE_TYPES.get(ext.lower()) if dot else None


@dataclass(frozen=True)
class Attachment:
    """One file of the vault that notes can embed."""

    path: str  #: relative to its folder, ``/``-separated: its public name
    kind: str  #: ``image``, ``audio``, ``video`` or ``pdf``
    media_type: str
    size: int
    mtime_ns: int
    root: int = 0  #: which folder of the index holds it

    @property
    def name(self) -> str:
        """The file name, what ``![[...]]`` names."""
        return self.path.rsplit("/", 1)[-1]


def _walk(root: Path, index: int) -> dict[str, Attachment]:
    found: dict[str, Attachment] = {}
    stack = [""]
    while stack:
        rel = stack.pop()
        try:
            entries = list(os.scandir(root / rel if rel else root))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.is_symlink():
                continue
            path = f"{rel}/{entry.name}" if rel else entry.name
            if entry.is_dir(follow_symlinks=False):
                stack.append(path)
            elif entry.is_file(follow_symlinks=False) and (known := file_type(entry.name)):
                stat = entry.stat(follow_symlinks=False)
                found[path] = Attachment(path, known[0], known[1], stat.st_size, stat.st_mtime_ns, index)
    return found


class AttachmentIndex:
    """The attachments of the vault's folders, rescanned by :meth:`refresh`."""

    def __init__(self, roots: list[str | os.PathLike], attachment_folder: str = "/",
                 digest_cache: str | os.PathLike | None = None):
        self.roots = [Path(root) for root in roots]
        self.attachment_folder = attachment_folder
        self._lock = threading.RLock()
        #: (path -> attachment, folded name -> paths, closest first): one tuple, replaced whole by a rescan, so
        #: that a lookup in a request thread reads one version of both while the watcher's thread rescans
        self._found: tuple[dict[str, Attachment], dict[str, list[str]]] = ({}, {})
        self._digests = SharedDigests(digest_cache, DIGEST_CHARS)  #: shared by the workers through ``digest_cache``
        self.generation = 0  #: increases whenever a file is added, changed or removed
        self.refreshed_at = float("-inf")

    def refresh(self, max_age: float = 0.0) -> bool:
        """Rescan the folders unless scanned less than ``max_age`` seconds ago; tell whether anything changed."""
        if max_age and time.monotonic() - self.refreshed_at < max_age:
            return False
        with self._lock:
            files: dict[str, Attachment] = {}
            for index, root in enumerate(self.roots):
                for path, found in _walk(root, index).items() if root.is_dir() else ():
                    files.setdefault(path, found)  # the source folder wins over the extra one
            changed = files != self._found[0]
            if changed:
                by_name: dict[str, list[str]] = {}
                for path in sorted(files, key=lambda p: (p.count("/"), len(p), p)):
                    by_name.setdefault(fold(files[path].name), []).append(path)
                self._found = (files, by_name)
                self.generation += 1
            self.refreshed_at = time.monotonic()
            return changed

    def get(self, path: str) -> Attachment | None:
        """The attachment at ``path`` (its public name), or None."""
        return self._found[0].get(path)

    def all(self) -> list[Attachment]:
        """Every attachment, by path."""
        files = self._found[0]
        return [files[p] for p in sorted(files)]

    def file_of(self, attachment: Attachment) -> Path:
        """The file on disk."""
        return self.roots[attachment.root] / attachment.path

    def resolve(self, target: str, note_filename: str = "") -> Attachment | None:
        """The attachment ``![[target]]`` (or ``![](target)``) names from the note ``note_filename``."""
        target = target.replace("\\", "/").strip().lstrip("/")
        if not target or file_type(target) is None:
            return None
        folder = posixpath.dirname(note_filename)
        files, by_name = self._found
        if "/" in target:
            for candidate in (posixpath.normpath(posixpath.join(folder, target)), posixpath.normpath(target)):
                if candidate in files:
                    return files[candidate]
            wanted = "/" + fold(target)
            suffix = next((p for p in by_name.get(fold(target.rsplit("/", 1)[-1]), ())
                           if ("/" + fold(p)).endswith(wanted)), None)
            return files[suffix] if suffix else None
        paths = by_name.get(fold(target), [])
        if not paths:
            return None
        preferred = [folder, self._attachment_folder_of(folder)]
        for place in preferred:
            for path in paths:
                if posixpath.dirname(path) == place:
                    return files[path]
        return files[paths[0]]  # the shortest path

    def _attachment_folder_of(self, note_folder: str) -> str:
        setting = self.attachment_folder.strip()
        if setting == "." or setting.startswith("./"):
            place = posixpath.normpath(posixpath.join(note_folder, setting))
            return "" if place == "." else place
        return setting.strip("/")

    def digest(self, attachment: Attachment) -> str:
        """The first :data:`DIGEST_CHARS` hex characters of the file's SHA-256, cached (across processes when the
        index has a ``digest_cache`` file) while the file keeps its size and mtime."""
        return self._digests.digest(self.file_of(attachment), attachment.size, attachment.mtime_ns)
