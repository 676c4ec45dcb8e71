"""No accepted save is ever lost while others read the same note (SQLite, and PostgreSQL with its URL).

A save commits its history row as *pending*, writes the catalog, then marks the row done, all
under the catalog's lock. Readers used to settle pending rows without that lock: a reader that
read the file just before a save's write deleted the save's row (the save answered 500 with
``StaleDataError``, or answered 200 and vanished from the history). These tests reproduce both
the exact interleaving and the busy mix, in one process with threads (the lock holds across
threads as across processes); ``tests/test_stress.py`` does it through gunicorn.
"""
from __future__ import annotations

import threading
import time

import pytest

from app.catalog.po import read_catalog
from app.extensions import db
from app.models import EntryHistory, User
from app.services.garden import get_garden
from app.services.translating import entries
from tests.test_api import CHECKS_FILE, LINK_EN, LINK_FR, bearer, fresh_garden, make_accounts, slug_of

LANG = "en"


@pytest.fixture
def site(app):
    """Fresh catalogs, a translator and an editor with API tokens; the checks note's slug."""
    fresh_garden(app)
    tokens = make_accounts(app)
    return app, tokens, slug_of(app, CHECKS_FILE)


def _entry(app, msgid: str) -> dict:
    with app.app_context():
        garden = get_garden(0)
        note = garden.notes.by_filename(CHECKS_FILE)
        return next(e for e in entries.note_entries(garden, note, LANG) if e["msgid"] == msgid)


def test_a_reader_between_a_save_and_its_file_write_never_settles_the_save(site, monkeypatch):
    """The reader read the old file, then the save committed its pending row: the reader must not delete it."""
    app, _, _ = site
    entry = _entry(app, LINK_FR)
    pending_committed, outcome = threading.Event(), {}
    real_write, real_parse = entries.write_catalog, entries.parse_catalog
    writer_started = []

    def save_in_another_thread():
        with app.app_context():
            garden = get_garden(0)
            note = garden.notes.by_filename(CHECKS_FILE)
            user = db.session.query(User).filter_by(username="translator").one()
            try:
                outcome["saved"] = entries.save_entry(garden, note, LANG, entry["id"], LINK_EN, entry["version"], user)
            except Exception as exc:  # noqa: BLE001  (the test reports it)
                outcome["error"] = exc

    def slow_write(path, po, **kwargs):  # the save, its pending row committed, is about to write the file
        pending_committed.set()
        time.sleep(0.5)  # long enough for the reader to reach the pending row
        return real_write(path, po, **kwargs)

    def parse_then_let_the_save_in(data, *args, **kwargs):
        po = real_parse(data, *args, **kwargs)
        if threading.current_thread() is threading.main_thread() and not writer_started:
            writer_started.append(threading.Thread(target=save_in_another_thread))
            writer_started[0].start()
            assert pending_committed.wait(10), "the save never reached its file write"
        return po

    monkeypatch.setattr(entries, "write_catalog", slow_write)
    monkeypatch.setattr(entries, "parse_catalog", parse_then_let_the_save_in)
    with app.app_context():
        garden = get_garden(0)
        note = garden.notes.by_filename(CHECKS_FILE)
        seen = {e["id"]: e for e in entries.note_entries(garden, note, LANG)}
    writer_started[0].join(20)
    assert "error" not in outcome, repr(outcome.get("error"))
    assert outcome["saved"]["msgstr"] == LINK_EN
    # what the reader returned is consistent: the old text with the old version, or the new with the new
    assert (seen[entry["id"]]["msgstr"], seen[entry["id"]]["version"]) in {
        (entry["msgstr"], entry["version"]), (LINK_EN, outcome["saved"]["version"])}
    with app.app_context():
        rows = db.session.query(EntryHistory).all()
        assert [(row.after, row.pending) for row in rows] == [(LINK_EN, False)]


def test_settling_touches_only_rows_still_pending(site):
    """A row marked done between the reader's look and its settling is kept, whatever the file the reader holds."""
    app, _, _ = site
    entry = _entry(app, LINK_FR)
    with app.app_context():
        garden = get_garden(0)
        note = garden.notes.by_filename(CHECKS_FILE)
        user = db.session.query(User).filter_by(username="translator").one()
        old = read_catalog(entries.catalog_file(garden, note, LANG))  # a reader's copy, from before the save
        entries.save_entry(garden, note, LANG, entry["id"], LINK_EN, entry["version"], user)
        assert entries.settle_pending_saves(note.filename, LANG, old) == 0
        assert [(row.after, row.pending) for row in db.session.query(EntryHistory)] == [(LINK_EN, False)]


def _reader(app, token: str, slug: str, ident: str, stop: threading.Event, failures: list, counts: list) -> None:
    client = app.test_client()
    paths = [f"/api/v1/notes/{slug}/{LANG}/entries", f"/api/v1/notes/{slug}/{LANG}/entries/{ident}",
             f"/api/v1/notes/{slug}/{LANG}/entries/{ident}/history", "/api/v1/notes"]
    number = 0
    while not stop.is_set():
        path = paths[number % len(paths)]
        number += 1
        try:
            response = client.get(path, headers=bearer(token))
        except Exception as exc:  # noqa: BLE001  (TESTING propagates what would be a 500)
            failures.append(f"GET {path}: {exc!r}")
            continue
        if response.status_code != 200:
            failures.append(f"GET {path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
        counts.append(1)


@pytest.mark.parametrize("saves", [60])
def test_saves_while_three_readers_read_are_all_in_the_history(site, saves):
    """One translator saves the same entry again and again while three readers list, open and read history."""
    app, tokens, slug = site
    entry = _entry(app, LINK_FR)
    stop, failures, counts = threading.Event(), [], []
    readers = [threading.Thread(target=_reader, args=(app, tokens["editor"], slug, entry["id"], stop, failures, counts))
               for _ in range(3)]
    for reader in readers:
        reader.start()
    client, version, accepted = app.test_client(), entry["version"], []
    try:
        for number in range(saves):
            text = f"{LINK_EN} ({number})"
            try:
                response = client.put(f"/api/v1/notes/{slug}/{LANG}/entries/{entry['id']}", headers=bearer(tokens["translator"]),
                                      json={"msgstr": text, "base_version": version})
            except Exception as exc:  # noqa: BLE001
                failures.append(f"save {number}: {exc!r}")
                continue
            if response.status_code == 200:
                version = response.get_json()["entry"]["version"]
                accepted.append(text)
            elif response.status_code == 409:  # a stale version read by a racing reader: take the current one
                version = response.get_json()["current"]["version"]
            else:
                failures.append(f"save {number}: {response.status_code} {response.get_data(as_text=True)[:300]}")
    finally:
        stop.set()
        for reader in readers:
            reader.join(30)
    assert not failures, f"{len(failures)} failures, first: {failures[:3]}"
    assert len(accepted) == saves and len(counts) >= saves // 3  # alone, the writer never conflicts
    with app.app_context():
        rows = db.session.query(EntryHistory).order_by(EntryHistory.id).all()
        assert [row.after for row in rows] == accepted
        assert not any(row.pending for row in rows)
        garden = get_garden(0)
        po = read_catalog(entries.catalog_file(garden, garden.notes.by_filename(CHECKS_FILE), LANG))
        assert next(e.msgstr for e in po if e.msgid == LINK_FR) == accepted[-1]
