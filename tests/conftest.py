"""Fixtures: an app over temporary content, catalog, state and database folders."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from app import create_app
from app.config import normalise_database_url
from app.extensions import db

from tests.seeds import CORPUS, ROOT, copy_seed_garden  # noqa: F401  (CORPUS, ROOT: imported from here by other modules)


def seed_content(content: Path) -> None:
    """Copy the seed notes (and their published English) into a temporary content folder."""
    copy_seed_garden(content)
    (content / "fr").mkdir(parents=True, exist_ok=True)
    (content / "en").mkdir(parents=True, exist_ok=True)


@pytest.fixture
def paths(tmp_path: Path) -> dict[str, Path]:
    """Temporary folders for content, translations, instance and the SQLite database, holding the seed garden.

    The data comes from ``tests/fixtures/garden/``, never from the repository's ``content/`` and
    ``translations/`` (a user's demo edits them).
    """
    folders = {name: tmp_path / name for name in ("content", "translations", "instance")}
    for folder in folders.values():
        folder.mkdir()
    seed_content(folders["content"])
    copy_seed_garden(folders["content"], folders["translations"])
    return folders


@pytest.fixture
def app_config(paths: dict[str, Path]) -> dict:
    """The test configuration; tests may tweak it before requesting ``app``."""
    database = os.environ.get("PASSERELLE_TEST_DATABASE_URL") or f"sqlite:///{paths['instance'] / 'test.sqlite3'}"
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "INSTANCE_PATH": str(paths["instance"]),
        "CONTENT_DIR": str(paths["content"]),
        "TRANSLATIONS_DIR": str(paths["translations"]),
        "STATE_DIR": str(paths["instance"]),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database),
        "INDEX_MAX_AGE": 0.0,
        "WTF_CSRF_ENABLED": False,
    }


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """A SQLite database migrated once per session; each test gets a copy (migrations take ~1 s)."""
    folder = tmp_path_factory.mktemp("template-db")
    path = folder / "template.sqlite3"
    template_app = create_app({
        "TESTING": True, "SECRET_KEY": "template", "INSTANCE_PATH": str(folder),
        "CONTENT_DIR": str(folder / "content"), "TRANSLATIONS_DIR": str(folder / "translations"),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
    })
    with template_app.app_context():
        upgrade(directory=template_app.extensions["migrate"].directory)
        db.engine.dispose()
    return path


def prepare_database(application, migrated_sqlite: Path) -> None:
    """Give ``application`` an empty, fully migrated database."""
    uri = application.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and not Path(uri[len("sqlite:///"):]).exists():
        shutil.copyfile(migrated_sqlite, uri[len("sqlite:///"):])
        return
    with application.app_context():
        head = ScriptDirectory.from_config(application.extensions["migrate"].migrate.get_config(
            application.extensions["migrate"].directory)).get_current_head()
        inspector = inspect(db.engine)
        current = None
        if inspector.has_table("alembic_version"):
            with db.engine.connect() as conn:
                current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if current == head:
            with db.engine.begin() as conn:
                for table in reversed(db.metadata.sorted_tables):
                    conn.execute(table.delete())
        else:
            db.drop_all()
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
            upgrade(directory=application.extensions["migrate"].directory)
        db.engine.dispose()


@pytest.fixture
def app(app_config: dict, migrated_sqlite: Path):
    """A Passerelle app over the temporary folders, with an empty migrated database."""
    application = create_app(app_config)
    prepare_database(application, migrated_sqlite)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client of ``app``."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for ``app``'s commands."""
    return app.test_cli_runner()
