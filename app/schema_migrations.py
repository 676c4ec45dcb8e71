"""Flask-Migrate bound to the app without importing it (and alembic) until a migration is asked for.

Importing Flask-Migrate imports alembic and its dialect modules: about 0.7 s of a 1.8 s start-up
and 10 MB of every gunicorn worker, for code that only ``passerelle init``, ``flask db …`` and
the tests run. The app gets a stand-in for ``app.extensions["migrate"]`` that builds Flask-Migrate's
configuration on first use, and a ``db`` command group that loads Flask-Migrate's commands when
it is invoked or listed.
"""
from __future__ import annotations

import click


class LazyMigrateConfig:
    """What Flask-Migrate keeps in ``app.extensions["migrate"]``, made on first attribute access."""

    def __init__(self, app, db, directory: str, **kwargs):
        self._args = (app, db, directory, kwargs)
        self._config = None

    def _real(self):
        """Flask-Migrate's own configuration object (imports Flask-Migrate once, binds it as it would be bound)."""
        if self._config is None:
            from flask_migrate import Migrate

            app, db, directory, kwargs = self._args
            Migrate().init_app(app, db, directory=directory, **kwargs)  # replaces this stand-in and the lazy group
            self._config = app.extensions["migrate"]
        return self._config

    @property
    def directory(self) -> str:
        """The migrations folder (known without importing Flask-Migrate)."""
        return self._args[2]

    def __getattr__(self, name: str):
        return getattr(self._real(), name)


class LazyDbGroup(click.Group):
    """``flask db …``: Flask-Migrate's command group, imported when the group is invoked (``--help`` included)."""

    def _real(self) -> click.Group:
        from flask_migrate.cli import db

        return db

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        return self._real().make_context(info_name, args, parent=parent, **extra)  # its options and callback run

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._real().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str):
        return self._real().get_command(ctx, cmd_name)


def init_migrations(app, db, directory: str, **kwargs) -> None:
    """Give ``app`` Flask-Migrate's configuration and ``db`` commands, both loaded on first use."""
    app.extensions["migrate"] = LazyMigrateConfig(app, db, directory, **kwargs)
    app.cli.add_command(LazyDbGroup("db", help="Perform database migrations (Flask-Migrate)."))
