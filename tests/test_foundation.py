"""Configuration, the app factory and ``passerelle init``."""
from __future__ import annotations

import pytest

from app import create_app
from app.config import load_config, normalise_database_url, parse_languages


def test_config_from_environment(tmp_path):
    env = {
        "PASSERELLE_CONTENT_DIR": str(tmp_path / "c"),
        "PASSERELLE_TRANSLATIONS_DIR": str(tmp_path / "t"),
        "PASSERELLE_DATABASE_URL": "postgresql://u@h/db",
        "PASSERELLE_SECRET_KEY": "s3cret",
        "PASSERELLE_LANGUAGES": "fr, en, de",
    }
    config = load_config(str(tmp_path / "instance"), env)
    assert config["CONTENT_DIR"] == str(tmp_path / "c")
    assert config["TRANSLATIONS_DIR"] == str(tmp_path / "t")
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    assert config["SECRET_KEY"] == "s3cret"
    assert config["LANGUAGES"] == ["fr", "en", "de"]


def test_default_database_is_sqlite_in_instance(tmp_path):
    config = load_config(str(tmp_path), {})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/passerelle.sqlite3"
    assert "SECRET_KEY" not in config


@pytest.mark.parametrize("bad", ["fr", "", "fr,fr", " , "])
def test_languages_need_a_source_and_a_target(bad):
    with pytest.raises(ValueError):
        parse_languages(bad)


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgres://x/y") == "postgresql+psycopg://x/y"
    assert normalise_database_url("sqlite:///a") == "sqlite:///a"


def test_secret_key_generated_once_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("PASSERELLE_SECRET_KEY", raising=False)
    config = {"INSTANCE_PATH": str(tmp_path), "CONTENT_DIR": str(tmp_path / "c"), "TRANSLATIONS_DIR": str(tmp_path / "t")}
    first = create_app(dict(config)).config["SECRET_KEY"]
    second = create_app(dict(config)).config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_init_is_idempotent_and_creates_demo_accounts(runner):
    first = runner.invoke(args=["init", "--demo"])
    assert first.exit_code == 0, first.output
    assert "demo account created: translator /" in first.output
    assert "demo account created: editor /" in first.output
    second = runner.invoke(args=["init", "--demo"])
    assert second.exit_code == 0, second.output
    assert "demo accounts exist already" in second.output
    assert "indexed 2 notes" in second.output


def test_init_reports_unreadable_notes_and_exits_nonzero(runner, paths):
    (paths["content"] / "fr" / "cassé.md").write_bytes(b"---\ntitle: ok\n---\n\xff\xfe\n")
    result = runner.invoke(args=["init"])
    assert result.exit_code == 1
    assert "cassé.md:4: invalid UTF-8" in result.output
    assert "database ready" in result.output  # everything else was still done


def test_init_records_committed_published_snapshots_once(runner, app):
    from app.models import Publication
    from app.extensions import db

    first = runner.invoke(args=["init"])
    assert first.exit_code == 0, first.output
    assert "recorded published snapshot en/chief-of-staff.md" in first.output
    second = runner.invoke(args=["init"])
    assert "recorded published snapshot" not in second.output
    with app.app_context():
        assert db.session.query(Publication).count() == 2
