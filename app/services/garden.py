"""The garden: the French note index and the published translations, shared by the app."""
from __future__ import annotations

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
        self.attachments = AttachmentIndex(roots, self.vault.attachment_folder)
        self.git_dates = GitDates(self.notes.folder, Path(state_dir) / "git-dates.json" if state_dir else None)

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
        git = self.git_dates.get(note.filename) if not (note.created or note.updated) else None
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
    """The current app's garden, refreshed if older than ``INDEX_MAX_AGE`` seconds; changed notes get their catalogs synced."""
    garden: Garden = current_app.extensions["garden"]
    changes = garden.refresh(current_app.config["INDEX_MAX_AGE"] if max_age is None else max_age)
    if changes:
        sync_changed(garden, changes)  # catalogs follow the French; errors are logged, never raised
    return garden
