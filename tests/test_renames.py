"""Renamed notes keep their translations; new notes draw on orphaned catalogs; old URLs redirect."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from app.catalog import sync as sync_module
from app.catalog.po import read_catalog, write_catalog
from app.catalog.renames import detect_renames
from app.catalog.sync import sync_all
from app.content.slugmap import SlugMap
from app.extensions import db
from app.models import EntryHistory, NoteState, Publication, ReviewEvent
from app.services.garden import get_garden
from app.services.publishing import approval
from app.services.translating.catalogs import sync_garden
from tests.review_support import LANG, SLUG, clean_garden, make_users, ready, user
from tests.seeds import SEED_NOTES

ROOT = Path(__file__).resolve().parent.parent
SEEDS = SEED_NOTES  # the pristine seeds, never the user's content/
CHIEF = "chief of staff.md"


@pytest.fixture
def garden(tmp_path: Path) -> dict[str, Path]:
    folders = {name: tmp_path / name for name in ("notes", "po", "state")}
    shutil.copytree(SEEDS, folders["notes"])
    return folders


def sync(g, **kwargs):
    return sync_all(g["notes"], g["po"], ["en"], g["state"], **kwargs)


def translate(path: Path) -> dict[str, str]:
    po = read_catalog(path)
    for entry in po:
        if not entry.obsolete:
            entry.msgstr = "EN " + entry.msgid
    write_catalog(path, po)
    return {e.msgid: e.msgstr for e in po if not e.obsolete}


def test_similarity_pairs_like_git():
    gone = {"a.md": ["Un", "Deux paragraphes assez longs pour compter."], "b.md": ["Autre chose entièrement."]}
    new = {"c.md": ["Un", "Deux paragraphes assez longs pour compter !"], "d.md": ["Sans rapport aucun, ici."]}
    assert detect_renames(gone, new) == {"a.md": "c.md"}
    assert detect_renames({"e.md": []}, {"f.md": []}) == {}  # nothing to tell them by


@pytest.mark.parametrize("edit", [False, True])
def test_a_renamed_note_keeps_its_catalog(garden, edit):
    sync(garden)
    old_catalog = garden["po"] / "en" / "notes" / "chief-of-staff.po"
    kept = translate(old_catalog)
    text = (garden["notes"] / CHIEF).read_text(encoding="utf-8")
    if edit:
        text = text.replace("direction de projets stratégiques", "direction des projets stratégiques", 1)
    (garden["notes"] / CHIEF).unlink()
    (garden["notes"] / "roles").mkdir()
    (garden["notes"] / "roles" / "Le bras droit.md").write_text(text, encoding="utf-8")
    report = sync(garden)
    assert [(r.old_source, r.new_source, r.new_slug) for r in report.renames] == [(CHIEF, "roles/Le bras droit.md", "le-bras-droit")]
    assert not old_catalog.exists() and report.orphans == []
    po = read_catalog(garden["po"] / "en" / "notes" / "le-bras-droit.po")
    assert po.metadata["X-Source-File"] == "content/fr/roles/Le bras droit.md"
    live = {e.msgid: e for e in po if not e.obsolete}
    lost = [m for m, s in kept.items() if m in live and live[m].msgstr != s]
    assert lost == []
    if not edit:
        assert all(e.msgstr and not e.fuzzy for e in live.values())
    else:
        assert sum(1 for e in live.values() if e.fuzzy) >= 1
    assert SlugMap.load(garden["state"]).redirect("chief-of-staff") == "roles/Le bras droit.md"


def test_check_reports_a_rename_and_moves_nothing(garden):
    sync(garden)
    (garden["notes"] / CHIEF).rename(garden["notes"] / "Bras droit.md")
    report = sync(garden, check=True)
    assert any("renamed note" in line for line in report.out_of_date)
    assert (garden["po"] / "en" / "notes" / "chief-of-staff.po").exists()
    assert "Bras droit.md" not in SlugMap.load(garden["state"]).slugs


def test_a_crash_in_the_middle_of_a_rename_is_settled_by_the_next_sync(garden, monkeypatch):
    sync(garden)
    kept = translate(garden["po"] / "en" / "notes" / "chief-of-staff.po")
    (garden["notes"] / CHIEF).rename(garden["notes"] / "Bras droit.md")

    def killed(*args, **kwargs):
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(sync_module, "move_catalogs", killed)
    with pytest.raises(KeyboardInterrupt):
        sync(garden)
    assert SlugMap.load(garden["state"]).pending  # recorded before anything moved
    monkeypatch.undo()
    sync(garden)
    po = read_catalog(garden["po"] / "en" / "notes" / "bras-droit.po")
    assert {e.msgid: e.msgstr for e in po if not e.obsolete and e.msgid in kept} == {
        m: s for m, s in kept.items() if m in {e.msgid for e in po if not e.obsolete}}
    assert not (garden["po"] / "en" / "notes" / "chief-of-staff.po").exists()


def test_a_new_note_draws_on_orphaned_catalogs(garden):
    sync(garden)
    kept = translate(garden["po"] / "en" / "notes" / "chief-of-staff.po")
    paragraph = next(m for m in kept if len(m) > 80)
    (garden["notes"] / CHIEF).unlink()
    sync(garden)  # deleted: its catalog is an orphan
    (garden["notes"] / "Nouvelle.md").write_text(f"# Tout autre chose\n\n{paragraph}\n\n{paragraph[:-3]}!!!\n", encoding="utf-8")
    sync(garden)
    po = read_catalog(garden["po"] / "en" / "notes" / "nouvelle.po")
    entries = {e.msgid: e for e in po}
    assert entries[paragraph].msgstr == kept[paragraph] and not entries[paragraph].fuzzy
    assert entries[paragraph[:-3] + "!!!"].fuzzy
    assert not any(e.obsolete for e in po)  # the compendium never adds obsolete entries


# -- the whole garden follows: database, snapshots, addresses -----------------------------------------
def test_renamed_published_note_keeps_everything_and_old_urls_redirect(app, client):
    clean_garden(app)
    make_users(app)
    ready(app)
    with app.app_context():
        garden = get_garden(0)
        approval.approve_translation(garden, garden.notes.get(SLUG), LANG, user("editor"))
        french = garden.notes.folder / CHIEF
        french.rename(garden.notes.folder / "Le rôle de chief of staff.md")
        garden = get_garden(0)  # the running app sees the rename
        note = garden.notes.by_filename("Le rôle de chief of staff.md")
        assert note.slug == "le-role-de-chief-of-staff"
        assert not garden.published_path(LANG, SLUG).exists()
        snapshot = garden.published_path(LANG, note.slug).read_text(encoding="utf-8")
        assert "source: Le rôle de chief of staff.md" in snapshot
        for model in (NoteState, ReviewEvent, Publication):
            assert db.session.scalars(select(model.source)).all()
            assert set(db.session.scalars(select(model.source)).all()) <= {"Le rôle de chief of staff.md",
                                                                           "Ceo, n'oubliez pas votre COO ou Chief of Staff.md"}
        assert db.session.scalar(select(Publication.slug)) == note.slug
        assert not db.session.scalars(select(EntryHistory).where(EntryHistory.source == CHIEF)).all()
        assert SlugMap.load(garden.state_dir).pending == []
    for lang in ("fr", "en"):
        response = client.get(f"/{lang}/notes/{SLUG}")
        assert response.status_code == 301
        assert response.headers["Location"].endswith(f"/{lang}/notes/le-role-de-chief-of-staff")
    assert client.get("/en/notes/le-role-de-chief-of-staff").status_code == 200
    assert client.get("/en/notes/no-such-note").status_code == 404


def test_cli_sync_settles_a_rename_without_the_app_having_seen_it(app, runner):
    clean_garden(app)
    make_users(app)
    ready(app)
    with app.app_context():
        garden = get_garden(0)
        approval.approve_translation(garden, garden.notes.get(SLUG), LANG, user("editor"))
        folder = garden.notes.folder
    (folder / CHIEF).rename(folder / "Bras droit.md")
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        garden = get_garden(0)
        assert garden.published_path(LANG, "bras-droit").exists()
        assert db.session.scalar(select(Publication.source)) == "Bras droit.md"
        assert sync_garden(garden).renames == []


def test_status_lists_orphans_and_prune_removes_only_what_is_held_elsewhere(app, runner):
    clean_garden(app)
    with app.app_context():
        garden = get_garden(0)
        folder, catalog = garden.notes.folder, garden.catalog_path(LANG, SLUG)
    translate(catalog)
    text = (folder / CHIEF).read_text(encoding="utf-8")
    (folder / CHIEF).unlink()
    assert runner.invoke(args=["sync"]).exit_code == 0
    status = runner.invoke(args=["status"])
    assert f"orphaned (French file gone" in status.output and "chief-of-staff.po" in status.output
    kept = runner.invoke(args=["sync", "--prune-orphans"])
    assert "kept orphaned catalog" in kept.output and catalog.exists()
    (folder / "Copie.md").write_text(text, encoding="utf-8")  # later, the same text comes back under another name
    assert runner.invoke(args=["sync"]).exit_code == 0
    pruned = runner.invoke(args=["sync", "--prune-orphans"])
    assert "removed orphaned catalog" in pruned.output and not catalog.exists()
