"""``passerelle sync``, ``status`` and ``render``: the per-note catalogs from the command line."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.cli.progress import ProgressBar as _ProgressBar


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    raise SystemExit(code)


def _garden(refresh: bool):
    garden = current_app.extensions["garden"]
    if refresh:
        garden.refresh(0)  # read the French as it is now, without syncing (these commands write no catalog)
    return garden


def _settle_interrupted_saves(garden) -> int:
    """Settle translation saves a crash cut between their history row and their file write."""
    from sqlalchemy import select
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from app.extensions import db
    from app.models import EntryHistory
    from app.services.translating.entries import settle_all_pending_saves

    try:
        if db.session.scalar(select(EntryHistory.id).where(EntryHistory.pending.is_(True)).limit(1)) is None:
            return 0  # the usual case: no index refresh, the sync stays a stat-only pass
    except (OperationalError, ProgrammingError):  # no database yet (never initialised): no save to settle
        db.session.rollback()
        return 0
    garden.refresh(0)
    return settle_all_pending_saves(garden)


@click.command("sync")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when any catalog is out of date.")
@click.option("--prune-orphans", is_flag=True,
              help="Remove orphaned catalogs that hold no translation a live catalog lacks (the others are kept and listed).")
@with_appcontext
def sync_command(check: bool, prune_orphans: bool) -> None:
    """Bring every note's catalogs in line with the French, in every target language.

    Also settles translation saves a crash interrupted (their history rows), before syncing.
    """
    from app.services.translating.catalogs import sync_garden

    garden = _garden(refresh=False)  # sync_all scans the files itself, by stamps
    settled = 0 if check else _settle_interrupted_saves(garden)
    if settled:
        click.echo(f"settled {settled} translation saves interrupted by a crash")
    bar = _ProgressBar("checking catalogs" if check else "syncing catalogs") if sys.stdout.isatty() else None
    try:
        # a first sync of a large garden is CPU-bound: let it fork one worker per CPU
        report = sync_garden(garden, check=check, progress=bar, processes=os.cpu_count() or 1)
    finally:
        if bar is not None:
            bar.close()
    for line in report.out_of_date:
        click.echo(f"out of date: {line}")
    if prune_orphans and not check:
        from app.catalog.renames import prune_orphans as prune

        live = [garden.catalog_path(lang, slug) for lang in garden.target_langs for slug in _live_slugs(garden)]
        removed, kept = prune(report.orphans, [p for p in live if p.exists()])
        for path in removed:
            click.echo(f"removed orphaned catalog (every translation is in a live catalog): {path}")
        report.orphans = list(kept)
        for path, count in kept.items():
            why = "unreadable" if count < 0 else f"{count} translations no live catalog holds"
            click.echo(f"kept orphaned catalog ({why}): {path}")
    else:
        for orphan in report.orphans:
            click.echo(f"orphaned (French file gone, catalog kept): {orphan}")
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(report.summary())
    if report.errors or (check and report.out_of_date):
        raise SystemExit(1)


def _live_slugs(garden) -> set[str]:
    from app.content.slugmap import SlugMap

    return set(SlugMap.load(current_app.config["STATE_DIR"]).slugs.values())


def _print_table(rows: list[dict], langs: list[str]) -> None:
    header = f"{'note':<40} {'lang':<5} {'transl.':>7} {'fuzzy':>6} {'untr.':>6} {'obs.':>5}  remark"
    click.echo(header)
    click.echo("-" * len(header))
    for row in rows:
        name = row["slug"] if len(row["slug"]) <= 40 else row["slug"][:39] + "…"
        if "error" in row:
            click.echo(f"{name:<40} {'':<5} {'':>7} {'':>6} {'':>6} {'':>5}  error: {row['error']}")
        for lang in langs:
            c = row["languages"][lang]
            remark = f"error: {c['error']}" if "error" in c else "no catalog yet" if c.get("missing") else ""
            click.echo(
                f"{name:<40} {lang:<5} {c['translated']:>7} {c['fuzzy']:>6} {c['untranslated']:>6} {c['obsolete']:>5}  {remark}".rstrip()
            )


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of notes instead of a table.")
@with_appcontext
def status_command(as_json: bool) -> None:
    """Per note and language: translated, fuzzy, untranslated and obsolete entries, and errors (exit 1 if any)."""
    from app.services.translating.catalogs import catalog_status, orphan_status, orphaned_catalogs

    garden = _garden(refresh=True)
    rows = catalog_status(garden)
    if as_json:  # orphans follow the notes, marked "orphaned" (an orphan is not an error: exit status unchanged)
        click.echo(json.dumps(rows + orphan_status(garden), ensure_ascii=False, indent=2))
    else:
        _print_table(rows, garden.target_langs)
        for orphan in orphaned_catalogs(garden):
            click.echo(f"orphaned (French file gone; passerelle sync --prune-orphans removes it once nothing is lost): {orphan}")
    if any("error" in row or any("error" in c for c in row["languages"].values()) for row in rows):
        raise SystemExit(1)


@click.command("render")
@click.option("--lang", required=True, help="Target language of the rendering (one of PASSERELLE_LANGUAGES after the first).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Write one file per note into this folder.")
@click.argument("slugs", nargs=-1)
@with_appcontext
def render_command(lang: str, out: Path | None, slugs: tuple[str, ...]) -> None:
    """Print (or write with --out) notes assembled from their catalogs; untranslated entries stay French."""
    from app.catalog.po import CatalogError
    from app.fsutil import atomic_write
    from app.services.translating.catalogs import render_translation

    garden = _garden(refresh=True)
    if lang not in garden.target_langs:
        _fail(f"unknown language {lang!r}; target languages: {', '.join(garden.target_langs)}", 2)
    if out is None and len(slugs) != 1:
        _fail("give exactly one SLUG to print, or --out DIR to write several notes", 2)
    if out is not None and out.resolve() == garden.notes.folder.resolve():
        _fail(f"--out {out} is the French notes folder, which passerelle never rewrites", 2)
    notes, problems = [], []
    for slug in slugs:
        note = garden.notes.get(slug) or garden.notes.by_filename(slug)
        if note is None:
            broken = garden.notes.error_for(slug)
            _fail(f"note {slug!r} cannot be read: {broken}" if broken else f"no note with slug {slug!r} (see: passerelle status)", 2)
        notes.append(note)
    if not slugs:
        notes, problems = garden.notes.notes(), list(garden.notes.errors())
    for note in notes:
        try:
            text = render_translation(garden, lang, note)
        except CatalogError as exc:
            problems.append(exc)
            continue
        except Exception as exc:  # noqa: BLE001  (one note that cannot be assembled is reported; the others are rendered)
            problems.append(CatalogError(note.filename, None, f"cannot be assembled ({type(exc).__name__}: {exc})"))
            continue
        if out is None:
            click.echo(text, nl=False)
        else:
            target = out / note.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, text)
    if out is not None:
        click.echo(f"rendered {len(notes) - len([p for p in problems if isinstance(p, CatalogError)])} notes in {lang} into {out}")
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    if problems:
        raise SystemExit(1)


commands = [sync_command, status_command, render_command]
