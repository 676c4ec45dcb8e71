"""A renamed note keeps its translations: catalogs, snapshots and database rows follow the new file.

The slug registry (:mod:`app.content.slugmap`) records each detected rename as *pending* in the
same atomic write that gives the new file its slug. :func:`settle_renames` then moves, step by
idempotent step: the catalogs (one ``rename``/merge per language), the published snapshots
(written at the new slug with the new ``source``), the database rows keyed by ``source`` (one
transaction), and only then removes the old snapshots and clears the pending rename. A process
killed anywhere in between leaves the rename pending; the next sync runs the same steps again.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from sqlalchemy import inspect, select, update
from sqlalchemy.exc import OperationalError, ProgrammingError

from app.catalog.renames import detect_renames, move_catalogs
from app.catalog.segment import FrontMatterError, segment_note
from app.content.frontmatter import split_front_matter
from app.content.slugmap import Rename, SlugMap
from app.extensions import db
from app.fsutil import atomic_write, file_lock
from app.models import CatalogDownload, EntryHistory, NoteState, Publication, ReviewEvent, SegmentComment

if TYPE_CHECKING:
    from app.services.garden import Garden

log = logging.getLogger(__name__)


def _msgids(text: str) -> list[str]:
    try:
        return [s.msgid for s in segment_note(text)]
    except FrontMatterError:
        return []


def detect_text_renames(old_texts: dict[str, str], new_texts: dict[str, str]) -> dict[str, str]:
    """Vanished and new French files that are one note, by their texts (the index's rename hook)."""
    return detect_renames({s: _msgids(t) for s, t in old_texts.items()}, {s: _msgids(t) for s, t in new_texts.items()})


def with_source(text: str, source: str) -> str:
    """A published snapshot whose front matter names ``source`` as its French file (body untouched)."""
    split = split_front_matter(text)
    if split.yaml_text is None:
        return text
    meta = yaml.safe_load(split.yaml_text) or {}
    if not isinstance(meta, dict) or meta.get("source") == source:
        return text
    meta["source"] = source
    head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=False, width=10_000)
    return f"---\n{head}---\n{split.body}"


def _write_snapshots(garden: Garden, rename: Rename) -> list[Path]:
    """Write each language's snapshot at the new slug; return the old files to remove once the rows follow."""
    stale = []
    for lang in garden.target_langs:
        old, new = garden.published_path(lang, rename.old_slug), garden.published_path(lang, rename.new_slug)
        with file_lock(old), file_lock(new):
            if not old.exists():
                continue
            text = with_source(old.read_text(encoding="utf-8"), rename.new_source)
            if not new.exists() or new.read_text(encoding="utf-8") != text:
                atomic_write(new, text)
            if old != new:
                stale.append(old)
    return stale


def _move_rows(rename: Rename) -> None:
    """Re-key every row of the note from the old French file to the new one, in one transaction."""
    for model in (NoteState, ReviewEvent, EntryHistory, SegmentComment, CatalogDownload):
        db.session.execute(update(model).where(model.source == rename.old_source).values(source=rename.new_source))
    for publication in db.session.scalars(select(Publication).where(Publication.source == rename.old_source)):
        publication.source = rename.new_source
        if publication.slug == rename.old_slug:
            publication.slug = rename.new_slug
        publication.text = with_source(publication.text, rename.new_source)
    db.session.commit()


def _has_tables() -> bool:
    """False before ``passerelle init`` created the database: then no row has to follow."""
    try:
        return inspect(db.engine).has_table(NoteState.__tablename__)
    except OperationalError:
        return True  # the database is there but unreachable: the rename waits for it


def settle_renames(garden: Garden, *, with_database: bool = True) -> list[Rename]:
    """Finish every pending rename of the garden's registry; return those settled (never raises)."""
    registry = SlugMap.load(garden.state_dir)
    if not registry.pending:
        return []
    with_database = with_database and _has_tables()
    settled = []
    for rename in list(registry.pending):
        try:
            move_catalogs(rename, garden.translations_dir, garden.target_langs)
            stale = _write_snapshots(garden, rename)
            if with_database:
                _move_rows(rename)
            for path in stale:
                with file_lock(path):
                    path.unlink(missing_ok=True)
            registry.settled(rename)
            settled.append(rename)
            log.info("note renamed: %s → %s (slug %s → %s)", rename.old_source, rename.new_source, rename.old_slug, rename.new_slug)
        except (OperationalError, ProgrammingError) as exc:
            db.session.rollback()
            log.warning("rename %s → %s waits for the database: %s", rename.old_source, rename.new_source, exc)
        except Exception:  # one rename must not stop the others; it stays pending  # noqa: BLE001
            db.session.rollback()
            log.exception("rename %s → %s could not be settled", rename.old_source, rename.new_source)
    for index in garden.published.values():
        index.refresh(0)
    return settled
