"""``passerelle init``: database, interface catalogs, note index and catalogs, demo accounts."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from app.i18n import compile_interface_catalogs


@click.command("init")
@click.option("--demo", is_flag=True, help="also create demo accounts with random passwords (printed once)")
@with_appcontext
def init_command(demo: bool) -> None:
    """Create or migrate the database, compile interface catalogs, index and sync the notes."""
    from flask_migrate import upgrade  # here: the app itself never imports Flask-Migrate and alembic

    upgrade(directory=current_app.extensions["migrate"].directory)
    click.echo("database ready")
    compiled = compile_interface_catalogs(current_app.config["I18N_SOURCE_DIR"], current_app.config["I18N_COMPILED_DIR"], force=True)
    click.echo(f"interface catalogs compiled: {', '.join(compiled) or 'none found'}")
    garden = current_app.extensions["garden"]
    garden.refresh(0)  # the index only: the sync below creates the catalogs, and says so
    errors = garden.notes.errors()
    click.echo(f"indexed {len(garden.notes.notes())} notes in {garden.notes.folder}")
    from app.services.translating.catalogs import sync_garden

    report = sync_garden(garden)
    click.echo(report.summary())
    from app.services.reading.search import search_index

    search_index(garden)  # the full-text index, so that the first search does not build it
    from app.services.translating.summaries import warm_summaries

    warm_summaries(garden)  # every catalog's counts and words, so that the first dashboard does not read them all
    from app.services.garden import save_snapshot

    save_snapshot(current_app, garden)  # server processes start from it instead of reading every note
    from app.services.publishing.approval import adopt_published

    for publication in adopt_published(garden):
        click.echo(f"recorded published snapshot {publication.lang}/{publication.slug}.md")
    if demo:
        from app.services.accounts import ensure_demo_accounts

        created = ensure_demo_accounts()
        for name, password in created.items():
            click.echo(f"demo account created: {name} / {password}  (role {name}; shown only once)")
        if not created:
            click.echo("demo accounts exist already; reset one with: passerelle users set-password translator")
    problems = [str(e) for e in errors] + [str(e) for e in report.errors]
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    if problems:
        raise SystemExit(1)
