"""The index of notes: slugs, titles, aliases, wikilink resolution and backlinks."""
from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from app.content import slugmap
from app.content.files import list_note_files  # noqa: F401  (imported from here)
from app.content.folder_scan import Changes, FileStamp, Scan, scan_folder  # noqa: F401  (imported from here)
from app.content.limits import NoteLimits
from app.content.notes import DEFAULT_LIMITS, Note, NoteReadError, parse_note, unexpected
from app.content.slugmap import Rename, SlugMap
from app.content.slugs import fold

log = logging.getLogger(__name__)


class NoteIndex:
    """All notes of one folder, kept current by :meth:`refresh` without reparsing unchanged files."""

    def __init__(self, folder: str | os.PathLike, slugs: SlugMap | None = None,
                 detect_renames: Callable[[dict[str, str], dict[str, str]], dict[str, str]] | None = None,
                 limits: NoteLimits = DEFAULT_LIMITS):
        self.folder = Path(folder)
        self.limits = limits  #: a note over them is a broken note
        self.slugmap = slugs  #: the persisted slug registry (None: slugs by file order, not kept)
        self.detect_renames = detect_renames  #: (old texts, new texts) -> {old file: new file}
        self._renamed: tuple[Rename, ...] = ()
        self._lock = threading.RLock()
        self._stamps: dict[str, FileStamp] = {}
        self._notes: dict[str, Note] = {}  # by filename
        self._errors: dict[str, NoteReadError] = {}  # by filename
        self._slugs: dict[str, str] = {}  # slug -> filename
        self._by_filename_slug: dict[str, str] = {}
        self._lookup: dict[str, str] = {}  # folded name/title/alias -> filename
        self._same_name: dict[str, list[str]] = {}  # folded file name -> files of that name, closest to the root first
        self._backlinks: dict[str, list[str]] = {}
        self.generation = 0  #: increases whenever any note is added, changed or removed
        self.refreshed_at = float("-inf")  #: monotonic time of the last scan; never scanned yet

    # -- keeping current -------------------------------------------------------------------------
    def refresh(self, max_age: float = 0.0) -> Changes:
        """Rescan the folder unless it was scanned less than ``max_age`` seconds ago."""
        if max_age and time.monotonic() - self.refreshed_at < max_age:
            return Changes()
        with self._lock:
            return self._refresh()

    def _refresh(self) -> Changes:
        """Rescan under the lock; readers keep the dicts they hold: changed ones are built apart, then published."""
        scan = scan_folder(self.folder, self._stamps)
        self._stamps.update(scan.restamped)
        self._renamed = ()
        if scan:
            self._update(scan)
        result = Changes(tuple(a[0] for a in scan.added), tuple(c[0] for c in scan.changed), tuple(scan.removed),
                         self._renamed)
        if result:
            self._rebuild_lookups()
            self.generation += 1
            for error in self._errors.values():
                if error.filename in result.added or error.filename in result.changed:
                    log.warning("cannot read note %s", error)
        self.refreshed_at = time.monotonic()
        return result

    def _update(self, scan: Scan) -> None:
        """Apply a scan to copies of the notes and errors, then publish them with the slugs: request threads read
        the index without the lock, and a dict changed in place under a reader's loop raised KeyError there."""
        notes, errors = dict(self._notes), {**self._errors, **scan.unreadable}
        removed, added, changed = scan.removed, scan.added, scan.changed
        renames = self._renames_among(removed, added)
        for filename in removed:
            notes.pop(filename, None)
            errors.pop(filename, None)
        slugs, by_file = self._slugs, self._by_filename_slug
        if added or removed:
            slugs, by_file = self._assign_slugs(scan.files, renames, notes, errors)
        for filename, data, mtime, _stamp in added + changed:
            self._parse(filename, data, mtime, by_file[filename], notes, errors)
        self._slugs, self._by_filename_slug, self._notes, self._errors = slugs, by_file, notes, errors
        for filename in removed:
            self._stamps.pop(filename, None)
        for filename, _data, _mtime, stamp in added + changed:
            self._stamps[filename] = stamp  # only once published: a refresh cut short is tried again

    def _renames_among(self, removed: list[str], added: list[tuple]) -> dict[str, str]:
        """Removed and added files that are one note, by the content of their French (needs ``detect_renames``)."""
        if not (removed and added and self.detect_renames and self.slugmap is not None):
            return {}
        old = {f: self._notes[f].text for f in removed if f in self._notes}
        new = {}
        for filename, data, *_ in added:
            with contextlib.suppress(UnicodeDecodeError):
                new[filename] = data.decode("utf-8")
        try:
            return self.detect_renames(old, new) if old and new else {}
        except Exception:  # a failed detection only means new slugs: never a broken index  # noqa: BLE001
            log.exception("rename detection failed")
            return {}

    def _registry_slugs(self, files: list[str], renames: dict[str, str]) -> dict[str, str]:
        """Slugs from the persisted registry: kept for good, renames recorded (see :mod:`app.content.slugmap`)."""
        try:
            self._renamed = tuple(self.slugmap.update(files, renames))
            return {f: self.slugmap.slugs[f] for f in files}
        except OSError:
            log.exception("slug registry %s cannot be written: slugs kept in memory only", self.slugmap.path)
            previous = dict(self._by_filename_slug)
            return slugmap.assign(previous, files, renames)[0]

    def _assign_slugs(self, files: list[str], renames: dict[str, str] | None,
                      notes: dict[str, Note], errors: dict[str, NoteReadError]) -> tuple[dict, dict]:
        """``(slug -> file, file -> slug)`` of ``files``; notes whose slug changed are parsed again into ``notes``."""
        if self.slugmap is not None:
            by_file = self._registry_slugs(files, renames or {})
        else:
            by_file = slugmap.assign({}, files)[0]
        slugs = {slug: filename for filename, slug in by_file.items()}
        renamed = [f for f, s in by_file.items() if f in notes and notes[f].slug != s]
        for filename in renamed:
            stamp = self._stamps[filename]
            try:
                data = (self.folder / filename).read_bytes()
            except OSError as exc:
                notes.pop(filename, None)
                errors[filename] = NoteReadError(filename, f"cannot read: {exc.strerror}")
                self._stamps.pop(filename, None)
                continue
            self._parse(filename, data, stamp.mtime_ns / 1e9, by_file[filename], notes, errors)
        return slugs, by_file

    def _parse(self, filename: str, data: bytes, mtime: float, slug: str,
               notes: dict[str, Note], errors: dict[str, NoteReadError]) -> None:
        """Index the note in ``notes``, or its error in ``errors``: what goes wrong reading a note concerns it only."""
        try:
            notes[filename] = parse_note(data, filename, slug, mtime, self.limits)
            errors.pop(filename, None)
        except NoteReadError as exc:
            notes.pop(filename, None)
            errors[filename] = exc
        except Exception as exc:  # noqa: BLE001  (a bug, a recursion, memory: the note is broken, not the site)
            log.exception("cannot read note %s", filename)
            notes.pop(filename, None)
            errors[filename] = unexpected(filename, exc)

    def _rebuild_lookups(self) -> None:
        lookup: dict[str, str] = {}
        # lowest priority first so that file names win over titles, titles over aliases, and among notes of the
        # same name the one closest to the vault's root (then the shorter path), as Obsidian resolves them
        closest_last = sorted(self._notes, key=lambda f: (f.count("/"), len(f), f), reverse=True)
        same_name: dict[str, list[str]] = {}
        for filename in reversed(closest_last):
            same_name.setdefault(fold(_last_component(filename)), []).append(filename)
        self._same_name = same_name
        for attr in ("aliases", "title", "name"):
            for filename in closest_last:
                note = self._notes[filename]
                values = getattr(note, attr)
                for value in values if isinstance(values, tuple) else (values,):
                    lookup[fold(value)] = filename
        self._lookup = lookup
        backlinks: dict[str, list[str]] = {}
        for filename, note in sorted(self._notes.items()):
            for link in note.wikilinks:
                target = self._resolve_filename(link.target)
                if target and target != filename and filename not in backlinks.setdefault(target, []):
                    backlinks[target].append(filename)
        self._backlinks = backlinks

    # -- reading --------------------------------------------------------------------------------
    def notes(self) -> list[Note]:
        """All readable notes, sorted by file name."""
        notes = self._notes  # one version of the index: a refresh publishes another dict meanwhile
        return [notes[f] for f in sorted(notes)]

    def errors(self) -> list[NoteReadError]:
        """Notes that could not be read, sorted by file name."""
        errors = self._errors
        return [errors[f] for f in sorted(errors)]

    def get(self, slug: str) -> Note | None:
        """The note with ``slug``, or None (also for unreadable notes)."""
        filename = self._slugs.get(slug)
        return self._notes.get(filename) if filename else None

    def error_for(self, slug: str) -> NoteReadError | None:
        """The read error of the note with ``slug``, if it exists but cannot be read."""
        filename = self._slugs.get(slug)
        return self._errors.get(filename) if filename else None

    def is_current(self, filename: str) -> bool:
        """Whether ``filename`` is as the index last read it (one ``stat``): a fixed broken note is not."""
        stamp = self._stamps.get(filename)
        try:
            stat = (self.folder / filename).stat()
        except OSError:
            return stamp is None
        return stamp is not None and stamp.size == stat.st_size and stamp.mtime_ns == stat.st_mtime_ns

    def by_filename(self, filename: str) -> Note | None:
        """The note stored in ``filename`` (relative path), or None."""
        return self._notes.get(filename)

    def slug_for(self, filename: str) -> str | None:
        """The slug assigned to ``filename``, readable or not."""
        return self._by_filename_slug.get(filename)

    def live_slugs(self) -> set[str]:
        """Every slug held by a current note, readable or not."""
        return set(self._slugs)

    def redirect(self, slug: str) -> str | None:
        """The current slug of the note that had ``slug`` before a rename (None: not an old slug)."""
        if self.slugmap is None or slug in self._slugs:
            return None
        target = self.slugmap.redirect(slug)
        return self._by_filename_slug.get(target) if target else None

    def old_slugs(self) -> list[str]:
        """The slugs that now redirect to a live note (renamed notes' old addresses), sorted."""
        if self.slugmap is None:
            return []
        return sorted(slug for slug in self.slugmap.redirects if self.redirect(slug) is not None)

    def path_of(self, note: Note) -> Path:
        """The file of ``note`` on disk."""
        return self.folder / note.filename

    def resolve(self, target: str) -> Note | None:
        """Resolve a wikilink target as Obsidian does: file name, then title, then alias, ignoring case."""
        if not target:
            return None
        filename = self._resolve_filename(target)
        return self._notes.get(filename) if filename else None

    def _resolve_filename(self, target: str) -> str | None:
        """The file a link target names: ``folder/Note`` the note whose path ends so, else by its last component."""
        name = fold(_last_component(target))
        found = self._lookup.get(name)
        path = target.replace("\\", "/").strip("/")
        if "/" not in path or found is None:
            return found
        wanted = "/" + fold(path[:-3] if path.lower().endswith(".md") else path)
        return next((f for f in self._same_name.get(name, ()) if ("/" + fold(f[:-3])).endswith(wanted)), found)

    def backlinks(self, note: Note) -> list[Note]:
        """Notes that link to ``note``, sorted by file name."""
        notes = self._notes
        return [notes[f] for f in self._backlinks.get(note.filename, ()) if f in notes]

    def tags(self) -> dict[str, list[Note]]:
        """Every tag with the notes carrying it, tags sorted case-insensitively."""
        tags: dict[str, list[Note]] = {}
        for note in self.notes():
            for tag in note.tags:
                tags.setdefault(tag, []).append(note)
        return dict(sorted(tags.items(), key=lambda item: fold(item[0])))


def _last_component(target: str) -> str:
    """``folder/Note.md`` → ``Note``: Obsidian resolves paths by their last component."""
    name = target.replace("\\", "/").rsplit("/", 1)[-1]
    return name[:-3] if name.lower().endswith(".md") else name
