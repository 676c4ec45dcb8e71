"""Sync of the per-note catalogs, without Flask: creation, incrementality, staleness, errors."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from app.catalog import sync_processes as sync_module
from app.catalog import manifest as manifest_module
from app.catalog.manifest import MANIFEST_NAME, Stamp
from app.catalog.po import read_catalog, write_catalog
from app.catalog import note_catalog
from app.catalog.note_catalog import sync_note
from app.catalog.sync import assign_slugs, catalog_file, sync_all
from app.content.index import NoteIndex
from tests.seeds import SEED_NOTES

ROOT = Path(__file__).resolve().parent.parent
SEEDS = SEED_NOTES
CORPUS = ROOT.parent / "shared" / "corpora" / "sklein-notes"
CHIEF = "chief of staff.md"
OLD_TIME = 1_600_000_000_000_000_000  # 2020: far from the racy window


def msgfmt_failures(paths: list[Path]) -> list[str]:
    """Run ``msgfmt -c`` on each catalog (one call per file: msgfmt merges several); return failures."""
    def check(path: Path) -> str | None:
        done = subprocess.run(["msgfmt", "-c", "-o", os.devnull, str(path)], capture_output=True, text=True)
        return f"{path}: {done.stderr.strip()}" if done.returncode else None

    with ThreadPoolExecutor(max_workers=4) as pool:
        return [failure for failure in pool.map(check, paths) if failure]


@pytest.fixture
def garden(tmp_path: Path) -> dict[str, Path]:
    """A notes folder with the two seed notes, an empty translations folder and a state folder."""
    folders = {name: tmp_path / name for name in ("notes", "translations", "state")}
    shutil.copytree(SEEDS, folders["notes"])
    for path in folders["notes"].iterdir():
        path.chmod(0o644)
    folders["translations"].mkdir()
    folders["state"].mkdir()
    return folders


def run(garden: dict[str, Path], langs=("en",), **kwargs):
    return sync_all(garden["notes"], garden["translations"], langs, garden["state"], **kwargs)


def catalogs(garden: dict[str, Path]) -> dict[Path, tuple[bytes, int]]:
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(garden["translations"].rglob("*.po"))}


def translate_all(path: Path) -> dict[str, str]:
    """Give every entry of the catalog at ``path`` an English text; return msgid -> msgstr."""
    po = read_catalog(path)
    for entry in po:
        entry.msgstr = f"EN: {entry.msgid}"
    write_catalog(path, po)
    return {e.msgid: e.msgstr for e in po}


def test_creates_one_valid_catalog_per_note_and_language(garden):
    report = run(garden, ("en", "de"))
    assert report.states["created"] == 4 and not report.errors and report.full
    index = NoteIndex(garden["notes"])
    index.refresh()
    for note in index.notes():
        for lang in ("en", "de"):
            po = read_catalog(catalog_file(garden["translations"], lang, note.slug))
            assert po.metadata["Language"] == lang
            assert po.metadata["X-Source-File"] == f"content/fr/{note.filename}"
            assert len(po) > 5 and all(e.msgstr == "" for e in po)
    assert msgfmt_failures(list(catalogs(garden))) == []
    assert "4 created" in report.summary() and "0 errors" in report.summary()


def test_second_sync_rewrites_nothing_even_without_manifest(garden):
    run(garden)
    before = catalogs(garden)
    report = run(garden)
    assert report.states == {"unchanged": 2} and not report.full
    (garden["state"] / MANIFEST_NAME).unlink()
    report = run(garden)
    assert report.full and report.states == {"unchanged": 2}
    (garden["state"] / MANIFEST_NAME).write_text("{not json")
    assert run(garden).states == {"unchanged": 2}
    assert catalogs(garden) == before


def test_noop_sync_reads_no_file_once_stamps_settle(garden, monkeypatch):
    run(garden)
    for path in [*garden["notes"].iterdir(), *garden["translations"].rglob("*.po")]:
        os.utime(path, ns=(OLD_TIME, OLD_TIME))
    run(garden)  # stamps changed (mtime): checked by content once, then trusted
    monkeypatch.setattr(Stamp, "of", classmethod(lambda *a: pytest.fail("a file was read")))
    monkeypatch.setattr(note_catalog, "sync_note", lambda *a, **k: pytest.fail("a note was merged"))
    report = run(garden)
    assert report.skipped == 2 and report.states == {"unchanged": 2}


def test_same_size_edit_within_the_racy_window_is_seen(garden):
    path = garden["notes"] / CHIEF
    text = path.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")  # written just now: its stamp is racy
    run(garden)
    st = path.stat()
    path.write_text(text.replace("externe?", "externe!", 1), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime: only content tells
    assert path.stat().st_size == st.st_size
    report = run(garden)
    assert report.states["updated"] == 1


def test_edited_paragraph_turns_fuzzy_and_keeps_every_other_translation(garden):
    run(garden)
    catalog = catalog_file(garden["translations"], "en", "chief-of-staff")
    translated = translate_all(catalog)
    path = garden["notes"] / CHIEF
    text = path.read_text(encoding="utf-8")
    old = "pourquoi travailler avec un chief of staff externe?"
    removed = "direction de projets stratégiques"
    added = "Zéphyr 1234 quux: une phrase sans rapport."
    assert old in text and f"- {removed}\n" in text
    text = text.replace(old, "pourquoi travailler avec un chief of staff vraiment externe ?", 1)  # substantive
    text = text.replace(f"- {removed}\n", "", 1).rstrip("\n") + f"\n\n{added}\n"
    path.write_text(text, encoding="utf-8")
    report = run(garden)
    assert report.states == {"updated": 1, "unchanged": 1}
    po = read_catalog(catalog)
    by_id = {e.msgid: e for e in po if not e.obsolete}
    fuzzy = [e for e in po if e.fuzzy]
    assert [e.msgid for e in fuzzy] == ["pourquoi travailler avec un chief of staff vraiment externe ?"]
    assert fuzzy[0].previous_msgid == old and fuzzy[0].msgstr == translated[old]
    assert by_id[added].msgstr == "" and not by_id[added].fuzzy
    obsolete = [e for e in po if e.obsolete]
    assert [(e.msgid, e.msgstr) for e in obsolete] == [(removed, translated[removed])]
    for msgid, msgstr in translated.items():
        if msgid not in (old, removed):
            assert by_id[msgid].msgstr == msgstr and not by_id[msgid].fuzzy
    assert report.entries["fuzzy"] == 1 and report.entries["obsolete"] == 1
    assert msgfmt_failures([catalog]) == []
    assert run(garden).states == {"unchanged": 2}


def test_translator_save_is_picked_up_and_kept(garden):
    run(garden)
    catalog = catalog_file(garden["translations"], "en", "chief-of-staff")
    translate_all(catalog)
    data = catalog.read_bytes()
    report = run(garden)
    assert report.states == {"unchanged": 2} and report.entries["translated"] > 5
    assert catalog.read_bytes() == data


def test_corrupt_catalog_is_reported_and_left_untouched(garden):
    run(garden)
    catalog = catalog_file(garden["translations"], "en", "chief-of-staff")
    broken = catalog.read_bytes().replace(b'msgstr ""\n\n#. type: heading', b'msgstr "oops\n\n#. type: heading', 1)
    catalog.write_bytes(broken)
    (garden["notes"] / "new note.md").write_text("---\ntitle: Nouvelle\n---\nUn paragraphe.\n", encoding="utf-8")
    report = run(garden)
    assert len(report.errors) == 1
    message = str(report.errors[0])
    assert str(catalog) in message and f"{catalog}:" in message and message.split(":")[1].strip().isdigit()
    assert catalog.read_bytes() == broken
    assert report.states["created"] == 1
    assert run(garden).errors  # still reported until fixed


def test_unreadable_french_is_reported_with_line_and_others_sync(garden):
    (garden["notes"] / "bad.md").write_bytes(b"---\ntitle: x\n---\nligne\n\xff\n")
    (garden["notes"] / "bad yaml.md").write_text("---\ntitle: [oops\n---\ntexte\n", encoding="utf-8")
    report = run(garden, ("en", "de"))
    messages = sorted(str(e) for e in report.errors)
    assert len(messages) == 2
    assert messages[0].startswith("bad yaml.md:") and messages[1].startswith("bad.md:5:")
    assert report.states["created"] == 4
    assert not catalog_file(garden["translations"], "en", "bad").exists()


def test_deleted_note_keeps_its_catalog_as_orphan(garden):
    run(garden)
    catalog = catalog_file(garden["translations"], "en", "chief-of-staff")
    data = catalog.read_bytes()
    (garden["notes"] / CHIEF).unlink()
    report = run(garden)
    assert report.orphans == [catalog] and catalog.read_bytes() == data
    assert "1 orphaned" in report.summary()
    manifest = json.loads((garden["state"] / MANIFEST_NAME).read_text())
    assert CHIEF not in manifest["notes"]


def test_check_writes_nothing_and_lists_out_of_date(garden):
    report = run(garden, check=True)
    assert len(report.out_of_date) == 2 and "missing" in report.out_of_date[0]
    assert not list(garden["translations"].rglob("*")) and not list(garden["state"].iterdir())
    run(garden)
    assert run(garden, check=True).out_of_date == []
    path = garden["notes"] / CHIEF
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\nEncore un paragraphe.\n", encoding="utf-8")
    before = catalogs(garden)
    report = run(garden, check=True)
    assert len(report.out_of_date) == 1 and "chief-of-staff.po: out of date" in report.out_of_date[0]
    assert catalogs(garden) == before


def test_leftover_temp_files_are_cleaned(garden):
    run(garden)
    folder = garden["translations"] / "en" / "notes"
    leftover = folder / ".chief-of-staff.po.abc123.tmp"
    leftover.write_text("torn")
    os.utime(leftover, (0, 0))
    report = run(garden)
    assert report.cleaned == 1 and not leftover.exists()


def test_slugs_agree_with_the_note_index(tmp_path):
    names = ["Été.md", "ete.md", "sub/Ete.md", "a b.md", "A-B.md", "z.md"]
    for name in names:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("texte\n", encoding="utf-8")
    index = NoteIndex(tmp_path)
    index.refresh()
    slugs = assign_slugs(tmp_path, sorted(n for n in names))
    assert slugs == {n: index.slug_for(n) for n in names}
    assert len(set(slugs.values())) == len(names)


def test_sync_note_reports_states(tmp_path):
    catalog = tmp_path / "en" / "notes" / "x.po"
    first = sync_note("# Titre\n\nUn paragraphe.\n", "x.md", catalog, "en")
    assert first.state == "created" and first.counts["untranslated"] == 3  # the file name "x" is the title
    again = sync_note("# Titre\n\nUn paragraphe.\n", "x.md", catalog, "en")
    assert again.state == "unchanged"
    dry = sync_note("# Titre\n\nDeux paragraphes.\n", "x.md", catalog, "en", write=False)
    assert dry.state == "updated" and dry.stamp is None
    assert sync_note("# Titre\n", "x.md", catalog, "en").state == "updated"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the sklein corpus is not in ../shared/corpora")
def test_sklein_corpus_syncs_into_valid_catalogs(tmp_path):
    notes = tmp_path / "fr"
    shutil.copytree(CORPUS, notes)
    report = sync_all(notes, tmp_path / "translations", ["en"], tmp_path / "state")
    assert not report.errors, report.errors[:5]
    files = sorted((tmp_path / "translations").rglob("*.po"))
    assert len(files) == report.states["created"] == report.notes > 500
    assert msgfmt_failures(files) == []
    report = sync_all(notes, tmp_path / "translations", ["en"], tmp_path / "state")
    assert report.states == {"unchanged": len(files)}


def test_progress_reports_every_note_in_order(garden):
    seen = []
    run(garden, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)]
    seen.clear()
    run(garden, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)]


def test_worker_processes_give_the_same_catalogs_and_errors(garden, tmp_path, monkeypatch):
    for i in range(6):
        (garden["notes"] / f"note {i}.md").write_text(f"# Titre {i}\n\nParagraphe {i}.\n", encoding="utf-8")
    (garden["notes"] / "bad.md").write_bytes(b"ok\n\xff\n")
    single = {**garden, "translations": tmp_path / "single", "state": tmp_path / "single-state"}
    run(single, ("en", "de"))
    monkeypatch.setattr(sync_module, "PROCESS_THRESHOLD", 1)
    monkeypatch.setattr(sync_module, "CHUNK", 2)
    seen = []
    report = run(garden, ("en", "de"), processes=2, progress=lambda done, total: seen.append(done))
    assert report.states["created"] == 16 and seen[-1] == 9
    assert [str(e) for e in report.errors] == ["bad.md:2: invalid UTF-8 at byte 3"]
    assert {p.relative_to(garden["translations"]): p.read_bytes() for p in garden["translations"].rglob("*.po")} == {
        p.relative_to(single["translations"]): p.read_bytes() for p in single["translations"].rglob("*.po")
    }
    again = run(garden, ("en", "de"), processes=2)
    assert again.skipped == 16 and [str(e) for e in again.errors] == ["bad.md:2: invalid UTF-8 at byte 3"]


def _edit_garden(garden: dict[str, Path], count: int) -> None:
    """Rewrite ``count`` notes with a new sentence, as an editor saving them would."""
    for i in range(count):
        (garden["notes"] / f"note {i}.md").write_text(f"# Titre {i}\n\nParagraphe {i}, revu.\n", encoding="utf-8")


_MARKS: list[Path] = []  #: where :func:`_marked_chunk` leaves its files (a worker process inherits it)
_REAL_CHUNK = sync_module._sync_chunk


def _marked_chunk(pairs, *args):
    """The part of a sync a worker process runs, leaving a file named after that process with its number of notes."""
    mark = _MARKS[-1] / str(os.getpid())
    mark.write_text(str(int(mark.read_text()) + len(pairs) if mark.exists() else len(pairs)))
    return _REAL_CHUNK(pairs, *args)


def _record_worker_pids(tmp_path: Path, monkeypatch) -> Path:
    """Make each part of a sync run in a worker process leave a file named after that process; return their folder."""
    marks = tmp_path / "worker-pids"
    marks.mkdir()
    monkeypatch.setattr(sys.modules[__name__], "_MARKS", [marks])
    monkeypatch.setattr(sync_module, "_sync_chunk", _marked_chunk)
    return marks


def test_edited_notes_are_merged_in_worker_processes_with_the_same_catalogs(garden, tmp_path, monkeypatch):
    for i in range(7):
        (garden["notes"] / f"note {i}.md").write_text(f"# Titre {i}\n\nParagraphe {i}.\n", encoding="utf-8")
    (garden["notes"] / "bad.md").write_text("# Bien\n", encoding="utf-8")
    single = {**garden, "translations": tmp_path / "single", "state": tmp_path / "single-state"}
    shutil.copytree(garden["notes"], tmp_path / "single-notes")
    single["notes"] = tmp_path / "single-notes"
    for folders in (garden, single):
        run(folders, ("en", "de"))
        _edit_garden(folders, 6)
        (folders["notes"] / "bad.md").write_bytes(b"ok\n\xff\n")
    monkeypatch.setattr(sync_module, "EDIT_FORK_AT", 2)
    monkeypatch.setattr(sync_module, "EDIT_BATCH", 3)
    marks = _record_worker_pids(tmp_path, monkeypatch)
    seen = []
    report = run(garden, ("en", "de"), processes=2, progress=lambda done, total: seen.append(done))
    expected = run(single, ("en", "de"))
    workers = {int(p.name) for p in marks.iterdir()}
    assert workers and os.getpid() not in workers
    assert sum(int(p.read_text()) for p in marks.iterdir()) >= 7  # the edited notes and the broken one
    assert report.states == expected.states == {"updated": 12, "unchanged": 6}
    assert report.entries == expected.entries and report.skipped == expected.skipped
    assert [str(e) for e in report.errors] == [str(e) for e in expected.errors] == ["bad.md:2: invalid UTF-8 at byte 3"]
    assert seen == sorted(seen) and seen[-1] == report.notes
    assert {p.relative_to(garden["translations"]): p.read_bytes() for p in garden["translations"].rglob("*.po")} == {
        p.relative_to(single["translations"]): p.read_bytes() for p in single["translations"].rglob("*.po")
    }
    again = run(garden, ("en", "de"), processes=2)
    assert again.skipped == 18 and again.states == {"unchanged": 18}


def test_a_few_edited_notes_are_merged_in_threads(garden, tmp_path, monkeypatch):
    monkeypatch.setattr(manifest_module, "RACY_NS", 0)  # the notes and catalogs are all new: none is checked by content
    for i in range(3):
        (garden["notes"] / f"note {i}.md").write_text(f"# Titre {i}\n\nParagraphe {i}.\n", encoding="utf-8")
    run(garden)
    _edit_garden(garden, 3)
    monkeypatch.setattr(sync_module, "EDIT_FORK_AT", 4)
    marks = _record_worker_pids(tmp_path, monkeypatch)
    report = run(garden, processes=2)
    assert report.states == {"updated": 3, "unchanged": 2} and not list(marks.iterdir())


def test_a_sync_right_after_a_sync_forks_no_worker_for_its_racy_stamps(garden, tmp_path, monkeypatch):
    for i in range(5):
        (garden["notes"] / f"note {i}.md").write_text(f"# Titre {i}\n\nParagraphe {i}.\n", encoding="utf-8")
    run(garden)  # every file was written less than a second ago: its stamps are racy
    (garden["notes"] / "note 0.md").touch()  # a new mtime, the same content
    monkeypatch.setattr(sync_module, "EDIT_FORK_AT", 2)
    marks = _record_worker_pids(tmp_path, monkeypatch)
    report = run(garden, processes=2)
    assert report.states == {"unchanged": 7} and report.skipped == 7 and not list(marks.iterdir())
    assert run(garden, processes=2).skipped == 7
