"""``passerelle downloads prune``: forget the offline downloads no upload should still need."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.group("downloads")
def downloads_group() -> None:
    """Catalogs downloaded for offline work (Poedit)."""


@downloads_group.command("prune")
@with_appcontext
def prune_command() -> None:
    """Delete downloads past the newest of each catalog and older than the kept age, and the bases they alone used."""
    from app.services.translating.downloads import prune_downloads

    deleted = prune_downloads()
    config = current_app.config
    click.echo(f"{deleted} download(s) pruned (kept: the {config['DOWNLOADS_KEEP_LATEST']} newest of each catalog "
               f"and all younger than {config['DOWNLOADS_KEEP_DAYS']} days)")


commands = [downloads_group]
