"""The garden: the French note index and the published translations, shared by the app."""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from flask import Flask, current_app

from app.content.attachments import AttachmentIndex
from app.content.dates import Dates, GitDates, note_dates
from app.content.index import Changes, NoteIndex
from app.content.limits import NoteLimits
from app.content.notes import Note
from app.content.published import PublishedIndex, PublishedNote
from app.content.slugmap import SlugMap
from app.content.vault import VaultSettings, read_vault_settings
from app.services.translating.catalogs import sync_changed
from app.services.translating.renames import detect_text_renames

log = logging.getLogger(__name__)


class Garden:
    """Where the notes, catalogs and published files of one site live, and their indexes."""

    def __init__(self, content_dir: str, translations_dir: str, languages: list[str],
                 attachments_dir: str | None = None, state_dir: str | None = None, limits: NoteLimits | None = None):
        self.limits = limits or NoteLimits()  #: how large and deep a note may be
        self.content_dir = Path(content_dir)
        self.translations_dir = Path(translations_dir)
        self.state_dir = Path(state_dir) if state_dir else None  #: holds the slug registry (None: slugs not kept)
        self.source_lang = languages[0]
        self.languages = list(languages)
        self.target_langs = languages[1:]
        slugs = SlugMap(self.state_dir) if self.state_dir else None
        self.notes = NoteIndex(self.content_dir / self.source_lang, slugs=slugs, detect_renames=detect_text_renames,
                               limits=self.limits)
        self.published = {lang: PublishedIndex(self.content_dir / lang, lang, self.limits) for lang in self.target_langs}
        self.vault: VaultSettings = read_vault_settings(self.notes.folder)
        roots = [self.notes.folder] + ([Path(attachments_dir)] if attachments_dir else [])
        self.attachments = AttachmentIndex(roots, self.vault.attachment_folder,
                                           Path(state_dir) / "attachment-digests.json" if state_dir else None)
        self.git_dates = GitDates(self.notes.folder, Path(state_dir) / "git-dates.json" if state_dir else None)
        self._memo: dict = {}  #: values derived from the indexes, with the version they were derived from
        self.watcher = None  #: this process's :class:`~app.services.garden_watch.GardenWatcher`, once started
        self.snapshot_saved = float("-inf")  #: monotonic time of the last snapshot saved by this process

    def watched(self) -> bool:
        """Whether this process's watcher keeps the indexes current (no periodic rescans needed)."""
        return self.watcher is not None and self.watcher.healthy()

    def version(self) -> tuple:
        """The indexes' generations: any change of a note or a publication changes it."""
        return (self.notes.generation, *(index.generation for index in self.published.values()))

    def memo(self, key, build):
        """``build()``, computed once per version of the garden (listings, tag groups), by ``key``."""
        version = self.version()
        cached = self._memo.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        value = build()
        if len(self._memo) > 256:
            self._memo.clear()
        self._memo[key] = (version, value)
        return value

    def refresh(self, max_age: float = 0.0) -> Changes:
        """Bring the indexes up to date with the files; return the French changes."""
        changes = self.notes.refresh(max_age)
        for index in self.published.values():
            index.refresh(max_age)
        self._refresh_vault(max_age)
        return changes

    def _refresh_vault(self, max_age: float) -> None:
        """Re-read the vault's settings and rescan its attachments, at the pace of the note index."""
        scanned = self.attachments.refreshed_at
        self.attachments.refresh(max_age)
        if self.attachments.refreshed_at != scanned:
            self.vault = read_vault_settings(self.notes.folder)
            self.attachments.attachment_folder = self.vault.attachment_folder

    def dates(self, note: Note) -> Dates:
        """When ``note`` was created and last changed: its front matter, else git, else its file's time."""
        git = self.git_dates.get(note.filename) if not (note.created and note.updated) else None
        return note_dates((note.created, note.updated), git, note.mtime)

    def catalog_path(self, lang: str, slug: str) -> Path:
        """Where the catalog of note ``slug`` for ``lang`` lives."""
        return self.translations_dir / lang / "notes" / f"{slug}.po"

    def published_path(self, lang: str, slug: str) -> Path:
        """Where the approved snapshot of note ``slug`` in ``lang`` is published."""
        return self.content_dir / lang / f"{slug}.md"

    def published_note(self, lang: str, note: Note) -> PublishedNote | None:
        """The published translation of ``note`` in ``lang``, if there is one."""
        index = self.published.get(lang)
        return index.get(note.slug) if index else None

    def note_path(self, note: Note) -> Path:
        """The French file of ``note``."""
        return self.notes.path_of(note)


def init_garden(app: Flask) -> Garden:
    """Create the garden for ``app`` and keep it in ``app.extensions``."""
    limits = NoteLimits(int(app.config["MAX_NOTE_BYTES"]), int(app.config["MAX_NOTE_DEPTH"]))
    garden = Garden(app.config["CONTENT_DIR"], app.config["TRANSLATIONS_DIR"], app.config["LANGUAGES"],
                    app.config.get("ATTACHMENTS_DIR") or None, app.config.get("STATE_DIR"), limits)
    app.extensions["garden"] = garden
    return garden


def get_garden(max_age: float | None = None) -> Garden:
    """The current app's garden, current with the files; changed notes get their catalogs synced.

    When this process watches the files (:mod:`app.services.garden_watch`), the watcher keeps the
    indexes current and this checks no file; otherwise the indexes are rescanned when older than
    ``INDEX_MAX_AGE`` seconds (``max_age=0``: now, whoever watches).
    """
    garden: Garden = current_app.extensions["garden"]
    if max_age is None and _watching(current_app._get_current_object(), garden):
        return garden
    return refresh_garden(garden, current_app.config["INDEX_MAX_AGE"] if max_age is None else max_age)


def refresh_garden(garden: Garden, max_age: float = 0.0) -> Garden:
    """Rescan the garden's files (unless scanned within ``max_age`` s) and sync the catalogs of changed notes."""
    changes = garden.refresh(max_age)
    if changes:
        sync_changed(garden, changes)  # catalogs follow the French; errors are logged, never raised
    return garden


def snapshot_path(app: Flask) -> Path:
    """Where the indexes of ``app``'s garden are saved between processes."""
    from app.content.snapshot import NAME

    return Path(app.instance_path) / NAME


def warm_garden(app: Flask) -> Garden:
    """Index the garden now, from the saved snapshot when there is one (then only changed files are read).

    Called before a server forks its workers (``wsgi.py`` under gunicorn's ``preload_app``) and by
    ``passerelle init``: the workers start with the indexes in memory, shared until written.
    """
    from app.content import snapshot

    garden: Garden = app.extensions["garden"]
    with app.app_context():
        loaded = snapshot.load(snapshot_path(app), garden.notes, garden.published)
        changes = garden.refresh(0)
        if changes and loaded:
            sync_changed(garden, changes)
        if changes or not loaded:
            save_snapshot(app, garden)
    return garden


def save_snapshot(app: Flask, garden: Garden) -> None:
    """Save the garden's indexes for the next process (errors are logged: a snapshot is only a head start)."""
    from app.content import snapshot

    try:
        snapshot.save(snapshot_path(app), garden.notes, garden.published)
        garden.snapshot_saved = time.monotonic()
    except Exception:  # noqa: BLE001
        log.exception("cannot save the index snapshot")


#: Seconds between two snapshot saves of a process whose garden keeps changing.
SNAPSHOT_EVERY = 60.0


def _watching(app: Flask, garden: Garden) -> bool:
    """Whether a healthy watcher of this process keeps ``garden`` current (starting it on first use)."""
    watcher = garden.watcher
    if watcher is not None and watcher.healthy():
        return True
    if not app.config.get("WATCH_FILES", False) or not garden.content_dir.is_dir():
        return False
    with _start_lock:
        if garden.watcher is not None and garden.watcher.healthy():
            return True
        from app.services.garden_watch import start_watcher

        if garden.notes.refreshed_at == float("-inf"):
            warm_garden(app)  # this process has no index yet: the snapshot, then the changed files

        def refresh() -> None:
            with app.app_context():
                changes = garden.refresh(0)
                if changes:
                    sync_changed(garden, changes)
                if changes and time.monotonic() - garden.snapshot_saved > SNAPSHOT_EVERY:
                    save_snapshot(app, garden)

        garden.watcher = start_watcher(refresh, str(garden.content_dir), app.config.get("SAFETY_SCAN", 300.0))
        if garden.watcher is not None:
            garden.watcher.wake.set()  # what changed between the warm-up and the first event: in its thread, not here
        return garden.watcher is not None


_start_lock = threading.Lock()
