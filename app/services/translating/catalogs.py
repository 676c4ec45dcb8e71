"""The garden's per-note catalogs as the app and the CLI use them: sync, status and rendering."""
from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from flask import current_app, has_app_context

from app.catalog.assemble import assemble_note
from app.catalog.manifest import COUNT_KEYS, Manifest
from app.catalog.merge import merge_catalog
from app.catalog.po import SOURCE_DIR, CatalogError, catalog_counts, read_catalog, translations_of
from app.catalog.segment import segment_note
from app.catalog.note_catalog import sync_note
from app.catalog.sync import OrphanCompendium, SyncReport, find_orphans, sync_all
from app.content.index import Changes
from app.content.notes import Note
from app.fsutil import cleanup_temp_files

from app.services.translating.renames import settle_renames

if TYPE_CHECKING:
    from app.services.garden import Garden

log = logging.getLogger(__name__)

#: Above this many added or changed notes, the app runs the incremental garden sync
#: (stat-based, uses the manifest) rather than re-merging each note.
PER_NOTE_LIMIT = 20


def _state_dir(state_dir: str | os.PathLike | None) -> str | os.PathLike:
    if state_dir is not None:
        return state_dir
    if has_app_context():
        return current_app.config["STATE_DIR"]
    raise ValueError("state_dir is required outside a Flask app context")


def sync_garden(
    garden: Garden,
    *,
    check: bool = False,
    progress: Callable[[int, int], None] | None = None,
    state_dir: str | os.PathLike | None = None,
    processes: int = 1,
) -> SyncReport:
    """Sync every note's catalogs in every target language of ``garden`` (incrementally)."""
    report = sync_all(
        garden.notes.folder, garden.translations_dir, garden.target_langs, _state_dir(state_dir),
        check=check, progress=progress, processes=processes, limits=garden.limits,
    )
    if not check and has_app_context() and garden.state_dir is not None:
        settle_renames(garden)  # snapshots and database rows follow the renamed notes' catalogs
    if not check:  # a publisher killed mid-way leaves a temporary file or a journal beside the snapshots
        for lang in garden.target_langs:
            if (garden.content_dir / lang).is_dir():
                report.cleaned += cleanup_temp_files(garden.content_dir / lang)
        if has_app_context():
            from app.services.publishing.journal import recover_publications

            recover_publications(garden.content_dir, garden.target_langs)
    return report


def sync_changed(garden: Garden, changes: Changes, *, state_dir: str | os.PathLike | None = None) -> int:
    """Sync the catalogs of the notes in ``changes``; log errors, never raise; return catalogs written."""
    todo = [*changes.added, *changes.changed]
    if not todo:
        return 0
    try:
        if garden.state_dir is not None and (changes.renamed or changes.added):
            settle_renames(garden, with_database=has_app_context())
        if len(todo) > PER_NOTE_LIMIT:
            report = sync_garden(garden, state_dir=state_dir)
            for error in report.errors:
                log.warning("catalog sync: %s", error)
            log.info("%s", report.summary())
            return report.states["created"] + report.states["updated"]
        written = 0
        live = garden.notes.live_slugs()
        compendium = OrphanCompendium(garden.translations_dir, live) if changes.added else None
        for filename in todo:
            note = garden.notes.by_filename(filename)
            if note is None:
                continue  # unreadable French: the index logs it
            for lang in garden.target_langs:
                result = sync_note(note.text, note.filename, garden.catalog_path(lang, note.slug), lang,
                                   compendium=compendium if filename in changes.added else None)
                if result.error is not None:
                    log.warning("catalog sync: %s", result.error)
                elif result.state != "unchanged":
                    written += 1
                    log.info("catalog %s %s after a French change", result.catalog, result.state)
        return written
    except Exception:  # readers must get their page whatever happens to a catalog  # noqa: BLE001
        log.exception("catalog sync after French changes failed")
        return 0


def _counts_of(garden: Garden, manifest: Manifest, note: Note | None, source: str, lang: str, slug: str) -> dict:
    """Entry counts of one catalog, from the manifest when its stamp proves it current."""
    path = garden.catalog_path(lang, slug)
    try:
        st = path.stat()
    except FileNotFoundError:
        st = None
    known = manifest.catalog(source, lang)
    if known is not None and known[0].matches(st):
        return dict(known[1])
    if st is None:
        counts = dict.fromkeys(COUNT_KEYS, 0)
        if note is not None:  # what the catalog would hold: every segment untranslated
            try:
                counts.update(catalog_counts(merge_catalog(None, segment_note(note.text, note.name), source, lang)))
            except Exception as exc:  # noqa: BLE001  (one note that cannot be segmented is reported, not fatal)
                return dict(counts, error=f"{source}: cannot be segmented ({type(exc).__name__}: {exc})")
        return dict(counts, missing=True)
    try:
        return catalog_counts(read_catalog(path))
    except CatalogError as exc:
        return dict(dict.fromkeys(COUNT_KEYS, 0), error=str(exc))


def catalog_status(garden: Garden, *, state_dir: str | os.PathLike | None = None) -> list[dict]:
    """Per note: slug, source, title, error (if unreadable) and per-language entry counts."""
    manifest = Manifest.load(_state_dir(state_dir), garden.notes.folder, garden.translations_dir)
    rows = []
    notes = {note.filename: note for note in garden.notes.notes()}
    broken = {error.filename: error for error in garden.notes.errors()}
    for source in sorted({*notes, *broken}):
        note = notes.get(source)
        slug = note.slug if note else garden.notes.slug_for(source)
        if slug is None:
            continue
        row = {"slug": slug, "source": source, "title": note.title if note else None}
        if source in broken:
            row["error"] = str(broken[source])
        row["languages"] = {
            lang: _counts_of(garden, manifest, note, source, lang, slug) for lang in garden.target_langs
        }
        rows.append(row)
    return rows


def orphaned_catalogs(garden: Garden) -> list:
    """Catalogs whose note is gone (no live note has their slug), in every target language."""
    return find_orphans(garden.translations_dir, garden.target_langs, garden.notes.live_slugs())


def orphan_status(garden: Garden) -> list[dict]:
    """Per orphaned catalog (its note is gone), a row like :func:`catalog_status`'s, marked ``orphaned``.

    ``source`` and ``title`` are None (no French file); ``former_source`` is the file the catalog was made
    for (its ``X-Source-File`` header); each language's counts name the ``catalog`` file.
    """
    rows: dict[str, dict] = {}
    prefix = f"{SOURCE_DIR}/"
    for path in orphaned_catalogs(garden):
        lang, slug = path.parent.parent.name, path.stem
        row = rows.setdefault(slug, {"slug": slug, "source": None, "title": None, "orphaned": True,
                                     "former_source": None, "languages": {}})
        try:
            po = read_catalog(path)
        except CatalogError as exc:
            counts = dict(dict.fromkeys(COUNT_KEYS, 0), error=str(exc))
        else:
            counts = catalog_counts(po)
            former = po.metadata.get("X-Source-File", "")
            row["former_source"] = row["former_source"] or (former.removeprefix(prefix) or None)
        row["languages"][lang] = dict(counts, catalog=str(path))
    return [rows[slug] for slug in sorted(rows)]


def render_translation(garden: Garden, lang: str, note: Note) -> str:
    """The note in ``lang`` from its current catalog; untranslated and fuzzy entries stay French."""
    path = garden.catalog_path(lang, note.slug)
    translations = translations_of(read_catalog(path)) if path.exists() else {}
    return assemble_note(note.text, translations)
