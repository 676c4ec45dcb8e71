"""``passerelle i18n``: extract, update and compile the interface catalogs (pybabel underneath)."""
from __future__ import annotations

from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from flask import current_app

from app.i18n import compile_interface_catalogs


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def _paths() -> tuple[Path, Path, Path]:
    source = Path(current_app.config["I18N_SOURCE_DIR"])
    root = Path(current_app.root_path)
    return source, root, source / "messages.pot"


@click.group("i18n")
def i18n_group() -> None:
    """Manage the interface's own catalogs (translations/<lang>/LC_MESSAGES/messages.po)."""


@i18n_group.command("extract")
def extract_command() -> None:
    """Extract interface strings from the code and templates into messages.pot."""
    source, root, pot = _paths()
    _pybabel("extract", "-F", str(root.parent / "babel.cfg"), "-k", "_l", "-k", "N_", "--no-location",
             "--sort-output", "--project", "Passerelle", "-o", str(pot), str(root.parent))
    click.echo(f"extracted {pot}")


@i18n_group.command("update")
def update_command() -> None:
    """Extract, then merge messages.pot into every language's messages.po."""
    extract_command.callback()
    source, _root, pot = _paths()
    for lang in current_app.config["LANGUAGES"]:
        po = source / lang / "LC_MESSAGES" / "messages.po"
        action = "update" if po.exists() else "init"
        _pybabel(action, "-i", str(pot), "-d", str(source), "-l", lang, "-w", "79")
        click.echo(f"{action}d {po}")


@i18n_group.command("compile")
def compile_command() -> None:
    """Compile the interface catalogs for the running app (into the instance folder)."""
    done = compile_interface_catalogs(current_app.config["I18N_SOURCE_DIR"], current_app.config["I18N_COMPILED_DIR"], force=True)
    click.echo(f"compiled {', '.join(done) or 'nothing'}")
