"""The ``passerelle`` command: Flask's CLI over the app factory, plus the project's commands.

``passerelle sync`` takes a fast path that never builds the Flask app (see :mod:`app.cli.fast`):
a command that has nothing to do returns at once.
"""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import click
    from flask import Flask


def _create_app():
    from app import create_app

    return create_app()


def _flask_group() -> click.Group:
    import click
    from flask.cli import FlaskGroup

    @click.group(cls=FlaskGroup, create_app=_create_app,
                 help="Passerelle: a French notes garden in French and English.")
    def passerelle() -> None:
        """The Flask command group of Passerelle."""

    return passerelle


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``passerelle`` console script."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["sync"]:
        from app.cli.fast import sync_without_app

        code = sync_without_app(args[1:])
        if code is not None:
            raise SystemExit(code)
    _flask_group()(args=args, prog_name="passerelle")


def register_commands(app: Flask) -> None:
    """Attach the project's commands to ``app.cli`` (so ``flask --app wsgi`` has them too)."""
    from app.cli import i18n, setup

    app.cli.add_command(setup.init_command)
    app.cli.add_command(i18n.i18n_group)
    for name in ("catalog", "users", "publish", "export", "downloads"):
        try:
            module = __import__(f"app.cli.{name}", fromlist=["commands"])
        except ModuleNotFoundError as exc:
            if exc.name != f"app.cli.{name}":
                raise
            continue
        for command in module.commands:
            app.cli.add_command(command)
