"""Published translations: ``content/<lang>/<slug>.md`` snapshots written on approval."""
from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.content.frontmatter import as_string_list
from app.content.index import list_note_files
from app.content.limits import NoteLimits
from app.content.notes import DEFAULT_LIMITS, NoteReadError, check_note, unexpected

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublishedNote:
    """An approved translation as readers get it."""

    slug: str
    lang: str
    title: str
    tags: tuple[str, ...]
    source: str  #: the French file it translates, relative to ``content/fr/``
    source_sha256: str  #: SHA-256 of the French text it was approved against
    approved_at: str  #: ISO 8601 time of approval
    text: str = field(repr=False)
    body: str = field(repr=False)
    body_line: int = 1
    mtime: float = 0.0


class PublishedIndex:
    """The published notes of one target language, refreshed from disk when files change."""

    def __init__(self, folder: str | os.PathLike, lang: str, limits: NoteLimits = DEFAULT_LIMITS):
        self.folder = Path(folder)
        self.lang = lang
        self.limits = limits
        self._lock = threading.RLock()
        self._stamps: dict[str, tuple[int, int]] = {}
        self._notes: dict[str, PublishedNote] = {}  # by slug
        self.errors: dict[str, str] = {}  # filename -> reason
        self.generation = 0
        self.refreshed_at = float("-inf")  #: monotonic time of the last scan; never scanned yet

    def refresh(self, max_age: float = 0.0) -> bool:
        """Rescan the folder (unless scanned within ``max_age`` seconds); tell whether anything changed.

        Request threads read the index without the lock while a refresh runs (the watcher's thread):
        what changes is built in copies, then published, never changed in place under a reader.
        """
        if max_age and time.monotonic() - self.refreshed_at < max_age:
            return False
        with self._lock:
            files = [f for f in list_note_files(self.folder) if "/" not in f] if self.folder.is_dir() else []
            gone = set(self._stamps) - set(files)
            found = []
            for filename in files:
                try:
                    stat = (self.folder / filename).stat()
                except FileNotFoundError:
                    continue
                stamp = (stat.st_size, stat.st_mtime_ns)
                if self._stamps.get(filename) != stamp:
                    found.append((filename, stat.st_mtime, stamp))
            changed = bool(gone or found)
            if changed:
                notes, errors = dict(self._notes), dict(self.errors)
                for filename in gone:
                    notes.pop(filename[:-3], None)
                    errors.pop(filename, None)
                for filename, mtime, _stamp in found:
                    self._load(notes, errors, filename, mtime)
                self._notes, self.errors = notes, errors
                for filename in gone:
                    del self._stamps[filename]
                for filename, _mtime, stamp in found:
                    self._stamps[filename] = stamp  # only once published: a refresh cut short is tried again
                self.generation += 1
            self.refreshed_at = time.monotonic()
            return changed

    def _load(self, notes: dict[str, PublishedNote], errors: dict[str, str], filename: str, mtime: float) -> None:
        """Read ``filename`` into ``notes``, or its error into ``errors``."""
        slug = filename[:-3]
        try:
            text, split, meta = check_note((self.folder / filename).read_bytes(), filename, self.limits)
        except (NoteReadError, OSError) as exc:
            log.warning("cannot read published note %s/%s: %s", self.lang, filename, exc)
            notes.pop(slug, None)
            errors[filename] = str(exc)
            return
        except Exception as exc:  # noqa: BLE001  (one published file never takes the site down)
            log.exception("cannot read published note %s/%s", self.lang, filename)
            notes.pop(slug, None)
            errors[filename] = str(unexpected(filename, exc))
            return
        errors.pop(filename, None)
        notes[slug] = PublishedNote(
            slug=slug,
            lang=self.lang,
            title=str(meta.get("title") or slug),
            tags=tuple(as_string_list(meta.get("tags"), split_spaces=True)),
            source=str(meta.get("source") or ""),
            source_sha256=str(meta.get("source_sha256") or ""),
            approved_at=str(meta.get("approved_at") or ""),
            text=text,
            body=split.body,
            body_line=split.body_line,
            mtime=mtime,
        )

    def get(self, slug: str) -> PublishedNote | None:
        """The published note with ``slug``, or None."""
        return self._notes.get(slug)

    def notes(self) -> list[PublishedNote]:
        """All published notes, sorted by slug."""
        notes = self._notes  # one version of the index: a refresh publishes another dict meanwhile
        return [notes[s] for s in sorted(notes)]
