"""Fixtures: an app over temporary content, catalog, state and database folders."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from app import create_app
from app.config import normalise_database_url
from app.extensions import db

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
CORPUS = ROOT.parent / "shared" / "corpora" / "sklein-notes"


def seed_content(content: Path) -> None:
    """Copy the project's French notes (and published English) into a temporary content folder."""
    for lang_dir in (ROOT / "content").iterdir():
        if lang_dir.is_dir():
            shutil.copytree(lang_dir, content / lang_dir.name, dirs_exist_ok=True)
    (content / "fr").mkdir(parents=True, exist_ok=True)
    (content / "en").mkdir(parents=True, exist_ok=True)


@pytest.fixture
def paths(tmp_path: Path) -> dict[str, Path]:
    """Temporary folders for content, translations, instance and the SQLite database."""
    folders = {name: tmp_path / name for name in ("content", "translations", "instance")}
    for folder in folders.values():
        folder.mkdir()
    seed_content(folders["content"])
    translations = ROOT / "translations"
    for lang_dir in translations.iterdir() if translations.is_dir() else ():
        notes = lang_dir / "notes"
        if notes.is_dir():
            shutil.copytree(notes, folders["translations"] / lang_dir.name / "notes")
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


@pytest.fixture
def app(app_config: dict):
    """A Passerelle app with its database created from the migrations."""
    application = create_app(app_config)
    with application.app_context():
        if application.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            db.drop_all()
            from sqlalchemy import text

            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        from flask_migrate import upgrade

        upgrade(directory=application.extensions["migrate"].directory)
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
