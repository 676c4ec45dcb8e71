"""A sync skips listing folders whose mtime has not moved, and still sees every note and catalog that came or went."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from app.catalog import folder_stamps, sync as sync_module
from app.catalog.folder_stamps import FILE_NAME
from app.catalog.sync import sync_all
from tests.seeds import SEED_NOTES

OLD = 1_600_000_000_000_000_000  # 2020: far from the racy window


@pytest.fixture
def garden(tmp_path: Path) -> dict[str, Path]:
    """The seed notes (one in a sub-folder), an empty translations folder and a state folder."""
    folders = {name: tmp_path / name for name in ("notes", "translations", "state")}
    shutil.copytree(SEED_NOTES, folders["notes"])
    (folders["notes"] / "sub").mkdir()
    (folders["notes"] / "sub" / "Dans un dossier.md").write_text("# Dans un dossier\n\nUn paragraphe.\n", encoding="utf-8")
    folders["translations"].mkdir()
    folders["state"].mkdir()
    return folders


def run(garden: dict[str, Path], **kwargs):
    return sync_all(garden["notes"], garden["translations"], ["en"], garden["state"], **kwargs)


def age_folders(garden: dict[str, Path]) -> None:
    """Give every folder an mtime far in the past, as a garden nobody touched for a while has."""
    for root in (garden["notes"], garden["translations"]):
        for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
            os.utime(folder, ns=(OLD, OLD))


def settled(garden: dict[str, Path]):
    """Sync, age the folders, sync again: the second sync records every folder."""
    run(garden)
    age_folders(garden)
    return run(garden)


def refuse_listings(monkeypatch) -> None:
    """Make any listing of the notes folder or of a catalog folder fail the test."""
    def walk(*_args, **_kwargs):
        raise AssertionError("the notes folder was listed")

    real_scandir = os.scandir

    def scandir(path="."):
        if str(path).endswith(os.path.join("en", "notes")):
            raise AssertionError("a catalog folder was listed")
        return real_scandir(path)

    monkeypatch.setattr(folder_stamps, "walk_note_folders", walk)
    monkeypatch.setattr(sync_module.os, "scandir", scandir)


def test_unchanged_folders_are_not_listed_again(garden, monkeypatch):
    settled(garden)
    recorded = json.loads((garden["state"] / FILE_NAME).read_text())
    assert set(recorded["notes"]["folders"]) == {".", "sub"} and len(recorded["notes"]["files"]) == 3
    refuse_listings(monkeypatch)
    report = run(garden)
    assert report.notes == 3 and report.states["unchanged"] == 3 and not report.orphans


def test_a_new_note_in_a_sub_folder_is_seen(garden):
    settled(garden)
    (garden["notes"] / "sub" / "Nouvelle.md").write_text("Une nouvelle note.\n", encoding="utf-8")
    report = run(garden)
    assert report.notes == 4 and report.states["created"] == 1
    assert (garden["translations"] / "en" / "notes" / "nouvelle.po").exists()


def test_a_new_sub_folder_is_seen(garden):
    settled(garden)
    (garden["notes"] / "autre").mkdir()
    (garden["notes"] / "autre" / "Ailleurs.md").write_text("Ailleurs.\n", encoding="utf-8")
    report = run(garden)
    assert report.notes == 4 and report.states["created"] == 1


def test_a_deleted_note_leaves_an_orphan_and_is_reported(garden):
    settled(garden)
    (garden["notes"] / "sub" / "Dans un dossier.md").unlink()
    report = run(garden)
    assert report.notes == 2 and [p.name for p in report.orphans] == ["dans-un-dossier.po"]
    age_folders(garden)
    run(garden)
    assert [p.name for p in run(garden).orphans] == ["dans-un-dossier.po"]  # recorded orphans are still reported


def test_a_catalog_dropped_in_by_hand_is_an_orphan(garden):
    settled(garden)
    (garden["translations"] / "en" / "notes" / "inconnue.po").write_text('msgid ""\nmsgstr ""\n', encoding="utf-8")
    assert [p.name for p in run(garden).orphans] == ["inconnue.po"]


def test_a_leftover_temporary_file_is_cleaned(garden):
    settled(garden)
    leftover = garden["translations"] / "en" / "notes" / ".chief-of-staff.po.abc123.tmp"
    leftover.write_text("torn")
    os.utime(leftover, (0, 0))
    assert run(garden).cleaned == 1 and not leftover.exists()


def test_a_young_temporary_file_is_looked_at_again(garden):
    settled(garden)
    young = garden["translations"] / "en" / "notes" / ".chief-of-staff.po.young.tmp"
    young.write_text("a save in progress")
    assert run(garden).cleaned == 0 and young.exists()  # too young to be a leftover: kept, and the folder not recorded
    age_folders(garden)  # time passes: the file ages, its folder's mtime stays where it was
    os.utime(young, (0, 0))
    assert run(garden).cleaned == 1 and not young.exists()


def test_folders_changed_within_the_racy_window_are_not_recorded(garden):
    run(garden)  # every folder was just written: a change in the same tick could go unseen
    recorded = json.loads((garden["state"] / FILE_NAME).read_text())
    assert recorded["notes"] is None and recorded["catalogs"] == {}


def test_a_corrupt_or_foreign_record_means_listing_in_full(garden):
    settled(garden)
    path = garden["state"] / FILE_NAME
    for broken in ("{not json", json.dumps({"format": 1, "notes_folder": "/elsewhere"}), "[]",
                   json.dumps({**json.loads(path.read_text()), "catalogs": {"en": [1]}})):
        path.write_text(broken)
        (garden["notes"] / "Encore.md").write_text("Encore une note.\n", encoding="utf-8")
        report = run(garden)
        assert report.notes == 4 and not report.errors
        (garden["notes"] / "Encore.md").unlink()
        run(garden)
        age_folders(garden)


def test_check_mode_writes_no_record(garden):
    report = sync_all(garden["notes"], garden["translations"], ["en"], garden["state"], check=True)
    assert report.out_of_date and not (garden["state"] / FILE_NAME).exists()
