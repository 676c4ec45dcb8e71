"""PostgreSQL through psycopg 3: migrations up and down, the schema matching the models, real operations.

Runs against ``PASSERELLE_TEST_DATABASE_URL``, else a server at
postgresql://postgres@127.0.0.1:5432/test; skips with the reason when none answers. Each test
works in a schema of its own (dropped at the end), so parallel runs never see each other's tables.
"""
from __future__ import annotations

import contextlib
import os
import secrets
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DataError, IntegrityError

from app import create_app
from app.config import normalise_database_url
from app.extensions import db

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
TABLES = {"users", "api_tokens", "login_failures", "note_states", "review_events", "publications", "entry_history"}


def postgres_url() -> str:
    """The PostgreSQL server the tests may use."""
    return os.environ.get("PASSERELLE_TEST_DATABASE_URL") or DEFAULT_URL


def postgres_unavailable() -> str | None:
    """Why PostgreSQL cannot be used here, or None when a server answers."""
    url = postgres_url()
    if not url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        return f"not a PostgreSQL URL: {url}"
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3).close()
    except Exception as exc:  # noqa: BLE001  (any failure to connect means: skip, saying why)
        return f"no PostgreSQL server answers at {url}: {str(exc).strip().splitlines()[0]}"
    return None


@contextlib.contextmanager
def temporary_schema():
    """A fresh schema on the test server; yield a SQLAlchemy URL whose connections use it; drop it after."""
    import psycopg

    url = postgres_url().replace("postgresql+psycopg://", "postgresql://")
    name = f"passerelle_test_{secrets.token_hex(6)}"
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    separator = "&" if "?" in url else "?"
    try:
        yield normalise_database_url(f"{url}{separator}options={quote(f'-csearch_path={name}')}")
    finally:
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


pytestmark = pytest.mark.skipif(bool(postgres_unavailable()), reason=postgres_unavailable() or "")


@pytest.fixture
def pg_app(app_config):
    """An app on a private PostgreSQL schema, not yet migrated."""
    with temporary_schema() as url:
        application = create_app(dict(app_config, SQLALCHEMY_DATABASE_URI=url))
        yield application
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def _migrate(app, action: str, revision: str) -> None:
    from flask_migrate import downgrade, upgrade

    with app.app_context():
        (upgrade if action == "upgrade" else downgrade)(directory=app.extensions["migrate"].directory, revision=revision)


def _tables(app) -> set[str]:
    with app.app_context():
        return set(inspect(db.engine).get_table_names())


def test_migrations_run_up_down_and_up_again(pg_app):
    _migrate(pg_app, "upgrade", "head")
    assert TABLES <= _tables(pg_app)
    with pg_app.app_context():
        assert db.engine.dialect.name == "postgresql" and db.engine.dialect.driver == "psycopg"
        assert db.session.scalar(text("select count(*) from alembic_version")) == 1
    _migrate(pg_app, "downgrade", "base")
    assert not TABLES & _tables(pg_app)
    _migrate(pg_app, "upgrade", "head")
    assert TABLES <= _tables(pg_app)


def test_migrated_schema_matches_the_models(pg_app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    _migrate(pg_app, "upgrade", "head")
    with pg_app.app_context(), db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert differences == []


def test_accounts_states_publications_and_history_on_postgres(pg_app):
    from app.models import EntryHistory, NoteState, Publication
    from app.services import accounts
    from app.services.reading.note_pages import latest_publication

    _migrate(pg_app, "upgrade", "head")
    with pg_app.app_context():
        editor = accounts.create_user("éditrice", "editor", "correct-horse-battery-staple")
        token = accounts.create_token("éditrice")
        assert accounts.find_user("éditrice").check_password("correct-horse-battery-staple")
        assert token.startswith("psl_")
        db.session.add(NoteState(source="chief of staff.md", lang="en", state="in_review"))
        db.session.commit()
        db.session.add(NoteState(source="chief of staff.md", lang="en", state="published"))
        with pytest.raises(IntegrityError):  # one state per note and language
            db.session.commit()
        db.session.rollback()
        now = datetime.now(timezone.utc)
        for minutes, title in ((10, "Old"), (0, "New « chief » ✓")):
            db.session.add(Publication(source="chief of staff.md", lang="en", slug="chief-of-staff", title=title,
                                       source_text="Texte\u00a0français", source_sha256="0" * 64, text="English",
                                       approved_by=editor.id, approved_at=now - timedelta(minutes=minutes)))
        db.session.add(EntryHistory(source="chief of staff.md", lang="en", entry_id="e1", msgid="Bonjour",
                                    before="", after="Hello", user_id=editor.id))
        db.session.commit()
        latest = latest_publication("chief of staff.md", "en")
        assert latest.title == "New « chief » ✓" and latest.approved_at.tzinfo is not None
        assert abs(latest.approved_at - now) < timedelta(seconds=1)
        history = db.session.scalars(select(EntryHistory)).all()
        assert [(h.after, h.user.username) for h in history] == [("Hello", "éditrice")]


def test_login_throttling_counts_failures_on_postgres(pg_app):
    from app.models import LoginFailure
    from app.services import accounts

    _migrate(pg_app, "upgrade", "head")
    with pg_app.app_context():
        for _ in range(3):
            db.session.add(LoginFailure(key="user:someone"))
        db.session.add(LoginFailure(key="user:someone", at=datetime.now(timezone.utc) - timedelta(days=2)))
        db.session.commit()
        since = datetime.now(timezone.utc) - timedelta(hours=1)
        count = db.session.scalar(select(db.func.count()).select_from(LoginFailure)
                                  .where(LoginFailure.key == "user:someone", LoginFailure.at >= since))
        assert count == 3
        assert accounts.find_user("someone") is None


def test_postgres_refuses_nul_characters_that_sqlite_stores(pg_app):
    """Documents a difference: text with U+0000 is rejected by PostgreSQL, so inputs must be cleaned first."""
    from app.models import EntryHistory

    _migrate(pg_app, "upgrade", "head")
    with pg_app.app_context():
        db.session.add(EntryHistory(source="a.md", lang="en", entry_id="e", msgid="x", after="a\x00b"))
        with pytest.raises((DataError, ValueError)):
            db.session.commit()
        db.session.rollback()


def test_cli_init_migrates_postgres(pg_app):
    runner = pg_app.test_cli_runner()
    result = runner.invoke(args=["init"])
    assert "database ready" in result.output, result.output
    assert TABLES <= _tables(pg_app)


def test_login_with_a_nul_character_is_refused_not_an_error(pg_app):
    _migrate(pg_app, "upgrade", "head")
    pg_app.config["PROPAGATE_EXCEPTIONS"] = False
    response = pg_app.test_client().post("/login", data={"username": "bob\x00", "password": "secret"})
    assert response.status_code in (200, 400, 401, 429)
