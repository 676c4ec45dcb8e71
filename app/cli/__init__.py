"""The ``passerelle`` command: Flask's CLI over the app factory, plus the project's commands."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup


def _create_app():
    from app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, help="Passerelle: a French notes garden in French and English.")
def main() -> None:
    """Entry point of the ``passerelle`` console script."""


def register_commands(app: Flask) -> None:
    """Attach the project's commands to ``app.cli`` (so ``flask --app wsgi`` has them too)."""
    from app.cli import i18n, setup

    app.cli.add_command(setup.init_command)
    app.cli.add_command(i18n.i18n_group)
    for name in ("catalog", "users", "publish", "export"):
        try:
            module = __import__(f"app.cli.{name}", fromlist=["commands"])
        except ModuleNotFoundError as exc:
            if exc.name != f"app.cli.{name}":
                raise
            continue
        for command in module.commands:
            app.cli.add_command(command)
