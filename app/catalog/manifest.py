"""What a sync records and reports: file stamps, the manifest, and the report of a sync.

The manifest says what each French file and catalog looked like after the last sync.
It lets :func:`app.catalog.sync.sync_all` skip a note from two ``stat`` calls. A stamp
is size + mtime_ns + SHA-256. A file whose mtime was within :data:`RACY_NS` of the
moment we looked at it is recorded as *racy* (a write in the same timestamp tick
could go unseen), and is checked by content, not stamp, on the next sync — the
"racy git" problem. A missing, corrupt or foreign manifest only means a full pass.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polib

from app.catalog.po_format import default_locations
from app.fsutil import atomic_write, file_lock

log = logging.getLogger(__name__)

MANIFEST_NAME = "sync-manifest.json"
FORMAT = 2
RACY_NS = 1_000_000_000  #: a file modified less than this before we stat it is racy
COUNT_KEYS = ("translated", "fuzzy", "untranslated", "obsolete")
STATES = ("unchanged", "updated", "created")  #: what a sync did to a catalog
#: The modules whose behaviour shapes a catalog: when they change, every note is redone.
_CODE = ("segment.py", "blocks.py", "regions.py", "html_text.py", "private.py", "frontmatter_patch.py", "merge.py",
         "po.py", "po_format.py", "linebreak.py", "linebreak_fast.py", "manifest.py")


@dataclass(frozen=True)
class Stamp:
    """Size, modification time and content hash of a file, and whether the stamp is racy."""

    size: int
    mtime_ns: int
    sha256: str
    racy: bool = False

    @classmethod
    def of(cls, st: os.stat_result, data: bytes) -> Stamp:
        """The stamp of a file from its ``stat`` taken before reading ``data``."""
        racy = st.st_mtime_ns > time.time_ns() - RACY_NS
        return cls(st.st_size, st.st_mtime_ns, hashlib.sha256(data).hexdigest(), racy)

    def matches(self, st: os.stat_result | None) -> bool:
        """True when ``st`` proves the file unchanged without reading it."""
        return st is not None and not self.racy and st.st_size == self.size and st.st_mtime_ns == self.mtime_ns

    def to_json(self) -> list:
        """``[size, mtime_ns, sha256, racy]`` as stored in the manifest."""
        return [self.size, self.mtime_ns, self.sha256, int(self.racy)]

    @classmethod
    def from_json(cls, value: list) -> Stamp:
        """The stamp stored as :meth:`to_json` made it."""
        size, mtime_ns, sha, racy = value
        return cls(int(size), int(mtime_ns), str(sha), bool(racy))


def code_fingerprint() -> str:
    """Hash of the catalog code and polib version: a different value invalidates the manifest."""
    digest = hashlib.sha256(polib.__version__.encode())
    here = Path(__file__).resolve().parent
    for name in _CODE:
        try:
            digest.update((here / name).read_bytes())
        except OSError:
            digest.update(b"missing " + name.encode())
    return digest.hexdigest()[:16]


class Manifest:
    """Per note: French stamp and slug; per note and language: catalog stamp and entry counts."""

    def __init__(self, path: Path, identity: dict):
        self.path = path
        self.identity = identity
        #: source -> [slug, size, mtime_ns, sha256, racy, {lang: [size, mtime_ns, sha256, racy, *counts]}]
        self.notes: dict[str, list] = {}
        self.trusted = False  #: False when loaded from nothing usable: the sync is a full pass
        self.dirty = False

    @classmethod
    def load(cls, state_dir: str | os.PathLike, notes_folder: str | os.PathLike, translations_dir: str | os.PathLike) -> Manifest:
        """Read the manifest of this garden from ``state_dir``; an unusable one yields an empty manifest."""
        identity = {
            "format": FORMAT,
            "code": code_fingerprint(),
            "notes_folder": str(Path(notes_folder).resolve()),
            "translations_dir": str(Path(translations_dir).resolve()),
            "locations": default_locations(),  # another #: style rewrites every catalog
        }
        manifest = cls(Path(state_dir) / MANIFEST_NAME, identity)
        try:
            data = json.loads(manifest.path.read_bytes())
            if not isinstance(data, dict) or any(data.get(k) != v for k, v in identity.items()):
                log.info("sync manifest %s is for another garden or version: full pass", manifest.path)
                return manifest
            notes = data["notes"]
            width = 4 + len(COUNT_KEYS)
            for record in notes.values():  # validate the shape once, up front (10,000 records: kept cheap)
                if len(record) != 6 or type(record[0]) is not str:
                    raise ValueError("malformed record")
                for value in record[5].values():
                    if len(value) != width:
                        raise ValueError("malformed record")
        except FileNotFoundError:
            return manifest
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("sync manifest %s is unusable (%s): full pass", manifest.path, exc)
            return manifest
        manifest.notes, manifest.trusted = notes, True
        return manifest

    # -- reading ---------------------------------------------------------------------------------
    def french(self, source: str) -> Stamp | None:
        """The recorded stamp of the French file ``source``."""
        record = self.notes.get(source)
        return Stamp.from_json(record[1:5]) if record else None

    def slug(self, source: str) -> str | None:
        """The slug ``source`` had at the last sync."""
        record = self.notes.get(source)
        return record[0] if record else None

    def slugs_if_same(self, files: list[str]) -> dict[str, str] | None:
        """The recorded slugs when ``files`` are exactly the recorded notes (slugs depend on the whole list)."""
        if len(files) != len(self.notes) or any(f not in self.notes for f in files):
            return None
        return {f: self.notes[f][0] for f in files}

    def french_current(self, source: str, st: os.stat_result, slug: str) -> bool:
        """True when ``st`` proves the French file unchanged since the last sync (and its slug too)."""
        record = self.notes.get(source)
        return (record is not None and record[0] == slug and not record[4]
                and record[1] == st.st_size and record[2] == st.st_mtime_ns)

    def catalog_current(self, source: str, lang: str, st: os.stat_result) -> list[int] | None:
        """The entry counts of a catalog whose ``st`` proves it unchanged since the last sync, else None."""
        record = self.notes.get(source)
        value = record[5].get(lang) if record else None
        if value is None or value[3] or value[0] != st.st_size or value[1] != st.st_mtime_ns:
            return None
        return value[4:]

    def catalog(self, source: str, lang: str) -> tuple[Stamp, dict[str, int]] | None:
        """The recorded stamp and entry counts of the catalog of ``source`` in ``lang``."""
        record = self.notes.get(source)
        value = record[5].get(lang) if record else None
        return (Stamp.from_json(value[:4]), dict(zip(COUNT_KEYS, value[4:]))) if value else None

    def sources(self) -> list[str]:
        """Every French file recorded."""
        return list(self.notes)

    # -- recording -------------------------------------------------------------------------------
    def set_french(self, source: str, stamp: Stamp, slug: str) -> None:
        """Record the French file as read; its catalogs are kept only if the content and slug are the same."""
        record = self.notes.get(source)
        catalogs = record[5] if record and record[3] == stamp.sha256 and record[0] == slug else {}
        self.notes[source] = [slug, *stamp.to_json(), catalogs]
        self.dirty = True

    def set_catalog(self, source: str, lang: str, stamp: Stamp, counts: dict[str, int]) -> None:
        """Record the catalog of ``source`` in ``lang`` as in step with the recorded French."""
        self.notes[source][5][lang] = [*stamp.to_json(), *(counts[k] for k in COUNT_KEYS)]
        self.dirty = True

    def drop_catalog(self, source: str, lang: str) -> None:
        """Forget a catalog (it had an error or is out of date): it is redone next time."""
        record = self.notes.get(source)
        if record and record[5].pop(lang, None) is not None:
            self.dirty = True

    def forget(self, source: str) -> None:
        """Forget a French file that no longer exists."""
        if self.notes.pop(source, None) is not None:
            self.dirty = True

    def update(self, records: dict[str, list | None]) -> None:
        """Take the records a worker process made (None: the note is not recorded)."""
        for source, record in records.items():
            if record is None:
                self.notes.pop(source, None)
            else:
                self.notes[source] = record
        self.dirty = True

    def settle(self, racy: list[tuple[str, str | None, Path]]) -> list[tuple[str, str | None, Path]]:
        """Re-check by content the racy stamps whose tick is past, so the next sync trusts them; return the rest."""
        pending, horizon = [], time.time_ns() - RACY_NS
        for source, lang, path in racy:
            known = self.french(source) if lang is None else (self.catalog(source, lang) or (None,))[0]
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            if known is None or st.st_size != known.size or st.st_mtime_ns != known.mtime_ns:
                continue  # changed since: it stays racy and is checked by content next time
            if st.st_mtime_ns > horizon:
                pending.append((source, lang, path))
                continue
            fresh = Stamp.of(st, path.read_bytes())
            if fresh.sha256 != known.sha256:
                continue
            if lang is None:
                self.set_french(source, fresh, self.slug(source))
            else:
                self.set_catalog(source, lang, fresh, self.catalog(source, lang)[1])
        return pending

    def save(self) -> None:
        """Write the manifest atomically (under its lock) if anything changed."""
        if not self.dirty:
            return
        data = dict(self.identity, notes=self.notes)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with file_lock(self.path):
            atomic_write(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        self.dirty = False


# -- what a sync tells ------------------------------------------------------------------------------
class SyncError(Exception):
    """A note or catalog that could not be synced; its message names the file (and line when known).

    Worker processes report every error as a SyncError with the original message.
    """


@dataclass
class NoteSyncResult:
    """What syncing one note's catalog in one language did."""

    source: str
    lang: str
    catalog: Path
    state: str  #: "unchanged", "updated", "created" or "error"
    counts: dict[str, int] = field(default_factory=dict)
    error: Exception | None = None
    stamp: Stamp | None = None  #: the catalog file after the sync (None in check mode or on error)


@dataclass
class SyncReport:
    """Counts, errors and out-of-date catalogs of one sync."""

    languages: tuple[str, ...] = ()
    check: bool = False
    notes: int = 0
    states: Counter = field(default_factory=Counter)  #: catalogs per state
    entries: Counter = field(default_factory=Counter)  #: translated / fuzzy / untranslated / obsolete
    errors: list[Exception] = field(default_factory=list)
    out_of_date: list[str] = field(default_factory=list)  #: "<catalog>: <why>" lines (check mode)
    orphans: list[Path] = field(default_factory=list)  #: catalogs whose French file is gone (kept)
    renames: list = field(default_factory=list)  #: :class:`~app.content.slugmap.Rename` detected by this sync
    skipped: int = 0  #: catalogs judged unchanged from the manifest alone
    full: bool = False  #: no usable manifest: every note was read
    cleaned: int = 0  #: leftover temporary files removed
    elapsed: float = 0.0

    def add(self, result: NoteSyncResult) -> None:
        """Account for one catalog's result."""
        if result.error is not None:
            self.errors.append(result.error)
            return
        self.states[result.state] += 1
        self.entries.update(result.counts)
        if self.check and result.state != "unchanged":
            why = "missing" if result.state == "created" else "out of date"
            self.out_of_date.append(f"{result.catalog}: {why} (French {result.source})")

    def merge(self, other: SyncReport) -> None:
        """Add the counts, errors and findings of a worker's part of the sync."""
        self.states.update(other.states)
        self.entries.update(other.entries)
        self.errors += other.errors
        self.out_of_date += other.out_of_date
        self.skipped += other.skipped

    def summary(self) -> str:
        """One line: catalogs per state and entries per state."""
        langs = ", ".join(self.languages) or "none"
        head = f"{'check' if self.check else 'sync'}: {self.notes} notes × {len(self.languages)} languages ({langs}) in {self.elapsed:.2f} s"
        verbs = ("unchanged", "to update", "to create") if self.check else STATES
        parts = [f"{self.states[s]} {v}" for s, v in zip(STATES, verbs)]
        parts += [f"{len(self.orphans)} orphaned", f"{len(self.errors)} errors"]
        if self.renames:
            parts.append(f"{len(self.renames)} renamed notes followed")
        entries = ", ".join(f"{self.entries[k]} {k}" for k in COUNT_KEYS)
        tail = f" — {len(self.out_of_date)} out of date" if self.check else ""
        return f"{head} — catalogs: {', '.join(parts)} — entries: {entries}{tail}"
