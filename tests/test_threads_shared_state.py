"""State a worker's threads share stays whole for each of them while another thread changes it.

Gunicorn's thread workers serve requests in several threads of one process, and the file watcher
refreshes the garden's indexes in a thread of its own: whatever those threads share (indexes,
caches, memoised values) must give each reader one consistent version, never a dict changed
under its loop (``KeyError``, "dictionary changed size during iteration") or a value half-built.
The races are made likely by handing the GIL over as often as possible (``sys.setswitchinterval``).

See also tests/test_shared_across_threads.py (parsers and stemmers shared by threads).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from app.content.attachments import AttachmentIndex
from app.content.dates import GitDates
from app.content.index import NoteIndex
from app.content.published import PublishedIndex
from app.extensions import db
from app.models import User
from app.services.garden import get_garden
from app.services.translating import entries, summaries
from tests.test_api import CHECKS_FILE, LINK_EN, LINK_FR, fresh_garden, make_accounts
from tests.threads_support import fast_switching, together

NOTES = 200


def _while_changing(read, change, rounds: int, readers: int = 3) -> list:
    """Run ``read`` in ``readers`` threads while ``change(round)`` runs ``rounds`` times; return what they got."""
    stop, seen = threading.Event(), []

    def reader():
        while not stop.is_set():
            try:
                seen.append(read())
            except Exception as exc:  # noqa: BLE001  (the failure is the finding)
                seen.append(repr(exc))

    with fast_switching():
        started = [threading.Thread(target=reader) for _ in range(readers)]
        for thread in started:
            thread.start()
        try:
            for round_ in range(rounds):
                change(round_)
        finally:
            stop.set()
            for thread in started:
                thread.join(timeout=30)
    return seen


def _note(i: int) -> str:
    """A note tagged and linking to the next one (listings, tags and backlinks all have something to read)."""
    return f"---\ntitle: Note {i}\ntags: [t{i % 3}]\n---\nBody {i} [[n{(i + 1) % NOTES:03}]]\n"


def _half_removed_and_back(folder: Path, text):
    """A change: every other note removed (even rounds), then written back (odd rounds)."""
    def change(round_: int) -> None:
        for i in range(0, NOTES, 2):
            path = folder / f"n{i:03}.md"
            if round_ % 2 == 0:
                path.unlink()
            else:
                path.write_text(text(i), encoding="utf-8")
    return change


@pytest.mark.parametrize("kind", ["notes", "published"])
def test_index_readers_get_one_version_while_it_refreshes(kind, tmp_path):
    """Listings read an index without its lock while the watcher refreshes it: each gets a whole version."""
    text = _note if kind == "notes" else (lambda i: f"---\ntitle: T{i}\nsource: n{i:03}.md\n---\nBody\n")
    for i in range(NOTES):
        (tmp_path / f"n{i:03}.md").write_text(text(i), encoding="utf-8")
    index = NoteIndex(tmp_path) if kind == "notes" else PublishedIndex(tmp_path, "en")
    index.refresh()
    change = _half_removed_and_back(tmp_path, text)

    def read():
        if kind == "published":
            return len(index.notes())
        notes = index.notes()
        index.errors()
        index.tags()
        for note in notes[:20]:
            index.backlinks(note)
        return len(notes)

    seen = _while_changing(read, lambda r: (change(r), index.refresh()), rounds=16)
    assert seen and set(seen) <= {NOTES, NOTES // 2}, sorted({s for s in seen if s not in (NOTES, NOTES // 2)}, key=str)


def _git(folder: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@a", "GIT_COMMITTER_NAME": "a",
           "GIT_COMMITTER_EMAIL": "a@a"}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "-C", str(folder), *args], check=True, env=env, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_first_git_dates_are_read_once_for_every_thread(tmp_path):
    """A fresh worker's threads asking a note's git dates at once all get them, none the file's time instead.

    The first reading of the history set "checked just now" before reading: the other threads
    went on with no dates at all, and the page cache kept that page (its key has no git HEAD).
    """
    _git(tmp_path, "init", "-q")
    (tmp_path / "a.md").write_text("a\n")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "1", date="2020-01-01T00:00:00Z")
    shared = {}

    def fresh():
        shared["dates"] = GitDates(tmp_path)

    together(lambda: (shared["dates"].get("a.md"), shared["dates"].head), fresh, trials=5, threads=4)


def test_attachment_lookups_get_one_version_while_they_are_rescanned(tmp_path):
    """Embeds resolve attachments without the index's lock while the watcher rescans it: never a KeyError."""
    for i in range(NOTES):
        folder = tmp_path / f"d{i % 4}"
        folder.mkdir(exist_ok=True)
        (folder / f"img{i:03}.png").write_bytes(b"png")
    index = AttachmentIndex([tmp_path])
    index.refresh()

    def change(round_: int) -> None:
        for i in range(0, NOTES, 2):
            path = tmp_path / f"d{i % 4}" / f"img{i:03}.png"
            if round_ % 2 == 0:
                path.unlink()
            else:
                path.write_bytes(b"png")
        index.refresh()

    def read():
        for i in range(0, NOTES, 7):
            index.resolve(f"img{i:03}.png", "d1/note.md")
            index.resolve(f"d{i % 4}/img{i:03}.png")
        return len(index.all())

    seen = _while_changing(read, change, rounds=16)
    assert seen and set(seen) <= {NOTES, NOTES // 2}, sorted({s for s in seen if s not in (NOTES, NOTES // 2)}, key=str)


def test_a_save_landing_while_a_summary_is_worked_out_is_not_hidden(app, monkeypatch):
    """A catalog saved (by another thread or worker) while a dashboard thread summarises it: the next summary counts it.

    The summary was filed under the catalog's stamp taken after reading it: a save landing between
    the read and that stamp left the older counts filed under the newer file, for good (and saved
    for the next processes in catalog-summaries.json).
    """
    fresh_garden(app)
    make_accounts(app)
    with app.app_context():
        garden = get_garden(0)
        note = garden.notes.by_filename(CHECKS_FILE)
        user = db.session.query(User).filter_by(username="translator").one()
        entry = next(e for e in entries.note_entries(garden, note, "en") if e["msgid"] == LINK_FR)
        monkeypatch.setattr(summaries, "_cache", {})
        read = summaries.read_note_catalog

        def read_then_a_save_lands(*args):
            found = read(*args)
            monkeypatch.setattr(summaries, "read_note_catalog", read)
            entries.save_entry(garden, note, "en", entry["id"], LINK_EN, entry["version"], user)
            return found

        monkeypatch.setattr(summaries, "read_note_catalog", read_then_a_save_lands)
        before = summaries.catalog_summary(garden, note, "en")
        assert summaries.catalog_summary(garden, note, "en")["translated"] == before["translated"] + 1
