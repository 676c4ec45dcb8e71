"""A missing catalog is created without its lock, and never over a catalog someone else created meanwhile.

:func:`app.fsutil.create_new` writes and fsyncs a temporary file, then hard-links it to the
catalog's name, which fails if the name exists. A first sync of a garden therefore takes no
lock and leaves no lock file per catalog; a catalog that appears between the sync's check and
its link (another sync, the web app's watcher, a translator's save) is merged under the lock
instead, with its translations kept.
"""
from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from app import fsutil
from app.catalog.po import read_catalog, write_catalog
from app.catalog import note_catalog
from app.catalog.note_catalog import sync_note
from app.catalog.sync import catalog_file, sync_all
from tests.seeds import SEED_NOTES

CHIEF = "chief of staff.md"


def _no_temp_left(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if fsutil.is_temp_file(p.name)]


def test_create_new_writes_the_file_and_returns_its_stat(tmp_path):
    target = tmp_path / "a.po"
    written = fsutil.create_new(target, b"hello\n")
    assert target.read_bytes() == b"hello\n"
    on_disk = target.stat()
    assert (written.st_ino, written.st_size, written.st_mtime_ns) == (on_disk.st_ino, on_disk.st_size, on_disk.st_mtime_ns)
    assert stat.S_IMODE(on_disk.st_mode) == fsutil.DEFAULT_MODE and on_disk.st_nlink == 1
    assert _no_temp_left(tmp_path)


@pytest.mark.parametrize("existing", ["file", "dangling symlink", "folder"])
def test_create_new_never_replaces_what_has_the_name(tmp_path, existing):
    target = tmp_path / "a.po"
    if existing == "file":
        target.write_bytes(b"someone else's\n")
    elif existing == "dangling symlink":
        target.symlink_to(tmp_path / "nowhere.po")
    else:
        target.mkdir()
    assert fsutil.create_new(target, b"ours\n") is None
    if existing == "file":
        assert target.read_bytes() == b"someone else's\n"
    elif existing == "dangling symlink":
        assert target.is_symlink() and not (tmp_path / "nowhere.po").exists()
    assert _no_temp_left(tmp_path)


def test_create_new_without_hard_links_says_so_and_leaves_nothing(tmp_path, monkeypatch):
    def no_links(src, dst, **kwargs):
        raise PermissionError(1, "Operation not permitted")  # as on file systems without hard links

    monkeypatch.setattr(os, "link", no_links)
    assert fsutil.create_new(tmp_path / "a.po", b"ours\n") is None
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def garden(tmp_path):
    notes, translations, state = tmp_path / "notes", tmp_path / "translations", tmp_path / "state"
    shutil.copytree(SEED_NOTES, notes)
    translations.mkdir()
    state.mkdir()
    return notes, translations, state


def test_a_first_sync_takes_no_lock_and_leaves_no_lock_file(garden, monkeypatch):
    notes, translations, state = garden
    taken = []
    real_lock = fsutil.file_lock
    monkeypatch.setattr("app.catalog.note_catalog.file_lock", lambda path, *a, **k: taken.append(path) or real_lock(path, *a, **k))
    report = sync_all(notes, translations, ["en", "de"], state)
    assert report.states["created"] == 2 * len(list(notes.glob("*.md"))) and not report.errors
    assert taken == []
    assert not [p for p in translations.rglob("*") if p.name.endswith(fsutil.LOCK_SUFFIX)]
    assert not [p for p in translations.rglob("*") if fsutil.is_temp_file(p.name)]


def test_a_catalog_created_meanwhile_is_merged_under_the_lock_with_its_translations(garden, monkeypatch):
    """Another process creates the catalog and a translator fills it between our check and our link."""
    notes, translations, _state = garden
    text = (notes / CHIEF).read_text(encoding="utf-8")
    path = catalog_file(translations, "en", "chief-of-staff")
    theirs = translations / "theirs.po"
    assert sync_note(text, CHIEF, theirs, "en").state == "created"
    po = read_catalog(theirs)
    for entry in po:
        entry.msgstr = "EN " + entry.msgid
    write_catalog(theirs, po)
    real_merge = note_catalog.merged_catalog

    def merge_while_they_create(*args, **kwargs):
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(theirs, path)  # they create it after our check, before our catalog reaches the disk
        return real_merge(*args, **kwargs)

    monkeypatch.setattr(note_catalog, "merged_catalog", merge_while_they_create)
    result = sync_note(text, CHIEF, path, "en")
    assert result.state == "unchanged", result.error
    kept = read_catalog(path)
    assert kept.translated_entries() and all(e.msgstr == "EN " + e.msgid for e in kept if not e.obsolete)
    assert _no_temp_left(path.parent)
    assert result.stamp.matches(path.stat()) or result.stamp.racy
