"""Slugs that belong to one note for good: the persisted assignment of slugs to French files.

A note gets its slug when it first appears: the slug of its file name, or ``-2``, ``-3``… when
that slug is taken, in file-name order (the rule :class:`~app.content.index.NoteIndex` always
had, so a first run keeps every existing slug). From then on, adding notes never changes it.
Only renaming or deleting the note releases it; a rename leaves the old slug redirecting to the
note (``redirects``), and a redirecting slug is never given to another note. Renames whose
catalogs, snapshots and database rows have not all followed yet are kept in ``pending`` until
a sync settles them, so a crash in the middle is finished by the next sync.

The registry is ``slugs.json`` in the state folder, read and written under its file lock,
written atomically. :func:`assign` is the pure rule; :class:`SlugMap` the stored registry.
"""
from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from app.content.slugs import slugify
from app.fsutil import atomic_write, file_lock

log = logging.getLogger(__name__)

FILE_NAME = "slugs.json"
FORMAT = 1


@dataclass(frozen=True)
class Rename:
    """A French file renamed or moved: its old and new path, its old and new slug."""

    old_source: str
    new_source: str
    old_slug: str
    new_slug: str

    def as_list(self) -> list[str]:
        """The stored form."""
        return [self.old_source, self.new_source, self.old_slug, self.new_slug]


def base_slug(source: str) -> str:
    """The slug a file name asks for, before any ``-2`` suffix."""
    return slugify(source.rsplit("/", 1)[-1].removesuffix(".md"))


def _fits(slug: str, base: str) -> bool:
    """True when ``slug`` is ``base`` or ``base-N``: a file may keep it when it moves or changes case."""
    if slug == base:
        return True
    head, _, tail = slug.rpartition("-")
    return head == base and tail.isdigit() and int(tail) >= 2


def _free_slug(base: str, taken: set[str]) -> str:
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def assign(previous: dict[str, str], files: Iterable[str], renames: dict[str, str] | None = None,
           reserved: Mapping[str, str] | None = None) -> tuple[dict[str, str], list[Rename]]:
    """Slugs for ``files`` given the ``previous`` assignment and detected ``renames`` (old → new file).

    Files already known keep their slug; a renamed file keeps its slug when its new name still
    fits it, else gets a new one; new files get the first free slug in file-name order. No file
    takes a slug that another file keeps or that is ``reserved`` (an old slug → the file it
    redirects to), except the renamed note those old slugs lead to. Returns the new assignment
    and the renames with their slugs.
    """
    reserved = dict(reserved or {})
    files = sorted(set(files))
    current = set(files)
    renames = {old: new for old, new in (renames or {}).items() if old in previous and old not in current and new in current and new not in previous}
    result: dict[str, str] = {f: previous[f] for f in files if f in previous}
    taken = set(result.values()) | set(reserved)
    done: list[Rename] = []
    for old, new in sorted(renames.items(), key=lambda item: item[1]):
        slug, base = previous[old], base_slug(new)
        own = sorted(s for s, target in reserved.items() if target == old and _fits(s, base) and s not in result.values())
        if own:  # renamed back: the note takes its old address again
            slug = own[0]
        elif not _fits(slug, base) or slug in taken:
            slug = _free_slug(base, taken | {previous[old]})
        result[new] = slug
        taken.add(slug)
        done.append(Rename(old, new, previous[old], slug))
    taken |= {r.old_slug for r in done}  # an old slug now redirects: no new note takes it
    for f in files:
        if f not in result:
            result[f] = _free_slug(base_slug(f), taken)
            taken.add(result[f])
    return result, done


class SlugMap:
    """The stored slug registry of one garden (``slugs.json`` in the state folder)."""

    def __init__(self, state_dir: str | os.PathLike):
        self.path = Path(state_dir) / FILE_NAME
        self.slugs: dict[str, str] = {}  #: French file -> slug
        self.redirects: dict[str, str] = {}  #: old slug -> French file it now leads to
        self.pending: list[Rename] = []  #: renames whose files or database rows may not have followed yet
        self.loaded = False  #: True when read from a usable file

    # -- storage ---------------------------------------------------------------------------------
    def _read(self, set_aside: bool = True) -> None:
        """Read the stored registry; an unusable one is moved aside (``set_aside``, under the lock) or left as is."""
        try:
            data = json.loads(self.path.read_bytes())
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("unknown format")
            slugs, redirects = dict(data["slugs"]), dict(data.get("redirects", {}))
            pending = [Rename(*map(str, item)) for item in data.get("pending", [])]
            if not all(isinstance(k, str) and isinstance(v, str) for k, v in [*slugs.items(), *redirects.items()]):
                raise ValueError("malformed entries")
        except FileNotFoundError:
            self.slugs, self.redirects, self.pending, self.loaded = {}, {}, [], False
            return
        except (OSError, ValueError, KeyError, TypeError) as exc:
            if not set_aside:
                self.loaded = False
                return
            # Never silently start over: that would hand slugs to other notes. Keep the bad file aside.
            log.error("slug registry %s is unusable (%s): kept as %s.broken, slugs reassigned by file order", self.path, exc, self.path.name)
            os.replace(self.path, self.path.with_name(self.path.name + ".broken"))
            self.slugs, self.redirects, self.pending, self.loaded = {}, {}, [], False
            return
        self.slugs, self.redirects, self.pending, self.loaded = slugs, redirects, pending, True

    def _write(self) -> None:
        data = {"format": FORMAT, "slugs": dict(sorted(self.slugs.items())),
                "redirects": dict(sorted(self.redirects.items())), "pending": [r.as_list() for r in self.pending]}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, json.dumps(data, ensure_ascii=False, indent=0, separators=(",", ":")) + "\n")

    @classmethod
    def load(cls, state_dir: str | os.PathLike) -> SlugMap:
        """The registry as stored (empty when there is none yet)."""
        registry = cls(state_dir)
        if registry.path.exists():
            registry._read(set_aside=False)  # written atomically: a read without the lock sees a whole file
            if not registry.loaded and registry.path.exists():
                with file_lock(registry.path):  # unusable: set aside under the lock, as an update would
                    registry._read()
        return registry

    # -- changing --------------------------------------------------------------------------------
    def update(self, files: Iterable[str], renames: dict[str, str] | None = None) -> list[Rename]:
        """Give every file its slug (re-reading the stored registry under its lock), record renames; return them.

        Deleted files release their slug and the slugs that redirected to them.
        """
        files = list(files)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with file_lock(self.path):
            self._read()
            before = (dict(self.slugs), dict(self.redirects), list(self.pending))
            slugs, done = assign(self.slugs, files, renames, reserved=self._reserved(files))
            for rename in done:
                self.redirects.pop(rename.new_slug, None)  # a slug that leads to itself no longer redirects
            for rename in done:
                if rename.old_slug != rename.new_slug:
                    self.redirects[rename.old_slug] = rename.new_source
                for old_slug, target in list(self.redirects.items()):
                    if target == rename.old_source:
                        self.redirects[old_slug] = rename.new_source
                self.pending.append(rename)
            live = set(slugs)
            self.redirects = {s: t for s, t in self.redirects.items() if t in live and s not in slugs.values()}
            self.slugs = slugs
            if (self.slugs, self.redirects, self.pending) != before or not self.loaded:
                self._write()
                self.loaded = True
        return done

    def _reserved(self, files: list[str]) -> dict[str, str]:
        current = set(files)
        return {slug: target for slug, target in self.redirects.items() if target in current or target in self.slugs}

    def settled(self, rename: Rename) -> None:
        """Forget a pending rename once its catalogs, snapshots and database rows have followed."""
        with file_lock(self.path):
            self._read()
            if rename in self.pending:
                self.pending.remove(rename)
                self._write()

    # -- reading ---------------------------------------------------------------------------------
    def slug_for(self, source: str) -> str | None:
        """The slug of ``source``."""
        return self.slugs.get(source)

    def redirect(self, slug: str) -> str | None:
        """The French file an old slug now leads to, if it redirects."""
        return self.redirects.get(slug)
