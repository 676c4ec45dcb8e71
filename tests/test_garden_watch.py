"""The garden kept current by kernel file events, and its indexes saved for the next process."""
from __future__ import annotations

import os
import pickle
import time

import pytest

from app.content import snapshot
from app.content.index import NoteIndex
from app.services.garden import Garden, get_garden, save_snapshot, snapshot_path, warm_garden


def wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


@pytest.fixture
def watched(app_config, migrated_sqlite):
    """An app that watches its files and never polls them (INDEX_MAX_AGE of an hour)."""
    from tests.conftest import prepare_database
    from app import create_app

    application = create_app(dict(app_config, WATCH_FILES=True, INDEX_MAX_AGE=3600.0, SAFETY_SCAN=3600.0))
    prepare_database(application, migrated_sqlite)
    yield application
    watcher = application.extensions["garden"].watcher
    if watcher is not None:
        watcher.stop()


def test_requests_read_the_index_without_checking_files_and_events_refresh_it(watched, paths, monkeypatch):
    client = watched.test_client()
    assert client.get("/fr/notes/chief-of-staff", headers={"Cookie": "session=x"}).status_code == 200
    garden = watched.extensions["garden"]
    assert garden.watched()
    calls = []
    original = NoteIndex.refresh
    monkeypatch.setattr(NoteIndex, "refresh", lambda self, max_age=0.0: calls.append(max_age) or original(self, max_age))
    with watched.app_context():
        for _ in range(20):
            get_garden()
    assert calls == []  # no file was looked at on behalf of a request
    (paths["content"] / "fr" / "nouvelle.md").write_text("---\ntitle: Nouvelle\n---\nBonjour.\n", encoding="utf-8")
    assert wait_for(lambda: garden.notes.get("nouvelle") is not None)  # refreshed by the watcher's thread
    (paths["content"] / "fr" / "nouvelle.md").write_text("---\ntitle: Renommée\n---\nBonjour.\n", encoding="utf-8")
    assert wait_for(lambda: garden.notes.get("nouvelle").title == "Renommée")
    (paths["content"] / "fr" / "nouvelle.md").unlink()
    assert wait_for(lambda: garden.notes.get("nouvelle") is None)
    assert (paths["translations"] / "en" / "notes" / "nouvelle.po").exists()  # the watcher synced its catalog


def test_a_new_process_starts_from_the_snapshot_and_reads_only_changed_files(app, paths, monkeypatch):
    with app.app_context():
        garden = get_garden(max_age=0)
        save_snapshot(app, garden)
    path = snapshot_path(app)
    assert path.exists()
    (paths["content"] / "fr" / "chief of staff.md").write_text("---\ntitle: Changé hors ligne\n---\nTexte.\n", encoding="utf-8")
    later = os.stat(paths["content"] / "fr" / "chief of staff.md").st_mtime_ns + 10_000_000
    os.utime(paths["content"] / "fr" / "chief of staff.md", ns=(later, later))
    fresh = Garden(paths["content"], paths["translations"], ["fr", "en"])
    read = []
    original = NoteIndex._parse
    monkeypatch.setattr(NoteIndex, "_parse", lambda self, f, *a: read.append(f) or original(self, f, *a))
    app.extensions["garden"] = fresh
    warm_garden(app)
    assert read == ["chief of staff.md"]  # the other note came from the snapshot
    assert fresh.notes.get("chief-of-staff").title == "Changé hors ligne"
    assert {n.slug for n in fresh.notes.notes()} == {n.slug for n in garden.notes.notes()}
    assert fresh.notes.resolve("Changé hors ligne") is not None


def test_a_damaged_or_foreign_snapshot_is_ignored(app, paths):
    path = snapshot_path(app)
    garden = app.extensions["garden"]
    for data in (b"not a pickle", pickle.dumps({"code": "other", "state": {}}), b""):
        path.write_bytes(data)
        fresh = Garden(paths["content"], paths["translations"], ["fr", "en"])
        assert not snapshot.load(path, fresh.notes, fresh.published)
    with app.app_context():
        save_snapshot(app, get_garden(max_age=0))
    elsewhere = Garden(paths["instance"], paths["translations"], ["fr", "en"])  # other folders
    assert not snapshot.load(path, elsewhere.notes, elsewhere.published)
    assert snapshot.load(path, Garden(paths["content"], paths["translations"], ["fr", "en"]).notes,
                         Garden(paths["content"], paths["translations"], ["fr", "en"]).published)
    assert garden is app.extensions["garden"]
