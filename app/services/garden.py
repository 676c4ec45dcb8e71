"""The garden: the French note index and the published translations, shared by the app."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from app.content.index import Changes, NoteIndex
from app.content.limits import NoteLimits
from app.content.notes import Note
from app.content.published import PublishedIndex, PublishedNote
from app.services.translating.catalogs import sync_changed


class Garden:
    """Where the notes, catalogs and published files of one site live, and their indexes."""

    def __init__(self, content_dir: str, translations_dir: str, languages: list[str],
                 limits: NoteLimits | None = None):
        self.limits = limits or NoteLimits()  #: how large and deep a note may be
        self.content_dir = Path(content_dir)
        self.translations_dir = Path(translations_dir)
        self.source_lang = languages[0]
        self.languages = list(languages)
        self.target_langs = languages[1:]
        self.notes = NoteIndex(self.content_dir / self.source_lang, self.limits)
        self.published = {lang: PublishedIndex(self.content_dir / lang, lang, self.limits) for lang in self.target_langs}

    def refresh(self, max_age: float = 0.0) -> Changes:
        """Bring the indexes up to date with the files; return the French changes."""
        changes = self.notes.refresh(max_age)
        for index in self.published.values():
            index.refresh(max_age)
        return changes

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
    garden = Garden(app.config["CONTENT_DIR"], app.config["TRANSLATIONS_DIR"], app.config["LANGUAGES"], limits)
    app.extensions["garden"] = garden
    return garden


def get_garden(max_age: float | None = None) -> Garden:
    """The current app's garden, refreshed if older than ``INDEX_MAX_AGE`` seconds; changed notes get their catalogs synced."""
    garden: Garden = current_app.extensions["garden"]
    changes = garden.refresh(current_app.config["INDEX_MAX_AGE"] if max_age is None else max_age)
    if changes:
        sync_changed(garden, changes)  # catalogs follow the French; errors are logged, never raised
    return garden
