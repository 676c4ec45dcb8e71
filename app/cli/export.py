"""``passerelle export DIR``: the published site as static files."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from app.services.publishing.export import ExportError, export_site


@click.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=str))
@click.option("--force", is_flag=True, help="write into a non-empty folder that holds no previous export "
                                            "(its other files are kept)")
@click.option("--site-url", default=None, metavar="URL",
              help="where the copy will be published, for the feeds and the sitemap (default: PASSERELLE_SITE_URL)")
@click.option("--file-urls", is_flag=True, help="links end in index.html, so the copy can be browsed from the disk "
                                                "(file://); leave it off for a web host")
@with_appcontext
def export_command(directory: str, force: bool, site_url: str | None, file_urls: bool) -> None:
    """Write every reader page in every language, the feeds, sitemap, robots.txt and assets into DIRECTORY."""
    try:
        report = export_site(current_app._get_current_object(), directory, force=force, site_url=site_url,
                             file_urls=file_urls)
    except ExportError as exc:
        raise click.ClickException(str(exc)) from None
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(report.summary())


commands = [export_command]
