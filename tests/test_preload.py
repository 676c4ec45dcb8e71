"""What gunicorn's master loads before forking (``wsgi.py`` under ``preload_app``), and what it must not load."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app import create_app
from app.content import index as note_index
from app.services.reading.preload import preload_server, warm_up_pages
from tests.conftest import ROOT, prepare_database


@pytest.fixture
def count_parses(monkeypatch):
    """Count every note file the index parses from here on."""
    calls = []
    real = note_index.parse_note

    def counting(data, filename, *args, **kwargs):
        calls.append(filename)
        return real(data, filename, *args, **kwargs)

    monkeypatch.setattr(note_index, "parse_note", counting)
    return calls


def test_preloaded_app_answers_note_pages_without_parsing_a_note(app, count_parses):
    """After the master's preload, a worker's pages come from the inherited index: no note file is parsed."""
    answered = preload_server(app)
    assert answered and answered[0].startswith("/fr/notes/")
    parsed_by_preload = len(count_parses)
    assert parsed_by_preload > 0  # the first process of a garden has no snapshot yet: it reads every note once
    del count_parses[:]
    slugs = [note.slug for note in app.extensions["garden"].notes.notes()]
    client = app.test_client()
    for slug in slugs:
        assert client.get(f"/fr/notes/{slug}").status_code == 200
    assert count_parses == []


def test_next_master_starts_from_the_saved_snapshot(app, app_config, migrated_sqlite, count_parses):
    """A second master (a restart) loads the snapshot the first saved: it parses no note at all."""
    preload_server(app)
    del count_parses[:]
    restarted = create_app(app_config)
    prepare_database(restarted, migrated_sqlite)
    assert preload_server(restarted)
    assert count_parses == []


def test_a_fresh_app_without_preload_parses_every_note(app, count_parses):
    """The counter-check of the tests above: without the preload, the first page indexes the whole garden."""
    assert app.extensions["garden"].notes.refreshed_at == float("-inf")  # nothing indexed yet
    assert app.test_client().get("/fr/notes/chief-of-staff").status_code == 200
    assert len(count_parses) >= 2


def test_warm_up_answers_each_language_and_starts_no_watcher(app):
    """The master answers a French and an English page, without starting a file watcher of its own."""
    app.config["WATCH_FILES"] = True
    answered = preload_server(app)
    assert [path.split("/")[1] for path in answered] == ["fr", "en"]
    assert app.extensions["garden"].watcher is None
    assert app.config["WATCH_FILES"] is True  # restored for the workers, which start their own


def test_warm_up_reports_a_page_that_fails(app, caplog):
    """A warm-up page that does not answer 200 is logged and left out; the master still starts."""
    assert warm_up_pages(app, ["/fr/notes/no-such-note"]) == []
    assert "no-such-note" in caplog.text


def test_serving_app_does_not_import_flask_migrate(paths):
    """Flask-Migrate and alembic (0.7 s and ~10 MB per process) are loaded only by the commands that migrate."""
    code = ("import sys; from app import create_app; create_app(); "
            "print(sorted(m for m in ('flask_migrate', 'alembic') if m in sys.modules))")
    env = dict(os.environ, PASSERELLE_CONTENT_DIR=str(paths["content"]), PASSERELLE_TRANSLATIONS_DIR=str(paths["translations"]),
               PASSERELLE_INSTANCE_DIR=str(paths["instance"]), PASSERELLE_SECRET_KEY="test")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_db_commands_still_load_on_demand(app, runner):
    """``flask db …`` works through the lazy group, and the migrate configuration knows its folder."""
    listed = runner.invoke(args=["db", "--help"])
    assert listed.exit_code == 0, listed.output
    assert "upgrade" in listed.output and "heads" in listed.output
    result = runner.invoke(args=["db", "heads"])
    assert result.exit_code == 0 and result.exception is None, result.output
    assert app.extensions["migrate"].directory.endswith("migrations")
    assert app.extensions["migrate"].configure_args["render_as_batch"] is True
