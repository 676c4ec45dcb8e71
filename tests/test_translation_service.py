"""The translation services: versions, saves in both file and database or neither, memory cache, progress."""
from __future__ import annotations

import polib
import pytest

from app.catalog.po import read_catalog

from app.catalog.po import entry_digest, read_catalog, write_catalog
from app.extensions import db
from app.models import EntryHistory, User
from app.services.translating import memory
from app.services.translating import entries
from app.services.translating import progress
from app.services.translating import summaries
from app.services.garden import get_garden
from app.services.translating.screen import next_needing_work, note_screen
from app.services.reviewing.workflow import stored_state, transition
from app.workflow.states import Action
from tests.test_api import BREAK_EN, BREAK_FR, CHECKS_FILE, LINK_EN, LINK_FR, fresh_garden, make_accounts

LANG = "en"


@pytest.fixture
def ctx(app):
    """An app context over fresh catalogs, with the translator account and the checks note."""
    fresh_garden(app)
    make_accounts(app)
    with app.app_context():
        garden = get_garden(0)
        yield garden, garden.notes.by_filename(CHECKS_FILE), db.session.query(User).filter_by(username="translator").one()


def entry_of(garden, note, msgid: str) -> dict:
    """The entry of ``note`` whose French is ``msgid``, in API form."""
    return next(e for e in entries.note_entries(garden, note, LANG) if e["msgid"] == msgid)


def test_version_is_save_count_and_digest():
    entry = polib.POEntry(msgid="a", msgstr="b")
    assert entries.entry_version(entry, 0) == f"0-{entry_digest(entry)}"
    assert entries.entry_version(entry, 3) != entries.entry_version(entry, 0)
    entry.flags.append("fuzzy")
    assert entries.entry_version(entry, 0) != f"0-{entry_digest(polib.POEntry(msgid='a', msgstr='b'))}"


def test_save_updates_file_history_and_state(ctx):
    garden, note, user = ctx
    entry = entry_of(garden, note, LINK_FR)
    saved = entries.save_entry(garden, note, LANG, entry["id"], LINK_EN, entry["version"], user)
    assert saved["version"].startswith("1-") and saved["msgstr"] == LINK_EN
    assert any(e.msgstr == LINK_EN for e in read_catalog(entries.catalog_file(garden, note, LANG)))
    rows = db.session.query(EntryHistory).all()
    assert [(r.before, r.after, r.user_id, r.entry_id) for r in rows] == [("", LINK_EN, user.id, entry["id"])]
    assert stored_state(note.filename, LANG).value == "in_progress"


def test_a_failed_file_write_leaves_no_history_row(ctx, monkeypatch):
    garden, note, user = ctx
    entry = entry_of(garden, note, LINK_FR)
    before = entries.catalog_file(garden, note, LANG).read_bytes()

    def broken_write(path, po, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(entries, "write_catalog", broken_write)
    with pytest.raises(OSError):
        entries.save_entry(garden, note, LANG, entry["id"], LINK_EN, entry["version"], user)
    assert db.session.query(EntryHistory).count() == 0
    assert stored_state(note.filename, LANG).value == "untranslated"
    assert entries.catalog_file(garden, note, LANG).read_bytes() == before


def test_a_failed_commit_puts_the_old_file_back(ctx, monkeypatch):
    garden, note, user = ctx
    entry = entry_of(garden, note, LINK_FR)
    path = entries.catalog_file(garden, note, LANG)
    before = path.read_bytes()

    def broken_commit():
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "commit", broken_commit)
    with pytest.raises(RuntimeError):
        entries.save_entry(garden, note, LANG, entry["id"], LINK_EN, entry["version"], user)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert db.session.query(EntryHistory).count() == 0


def test_a_failed_final_commit_puts_the_old_file_back_and_the_pending_row_is_settled(ctx, monkeypatch):
    garden, note, user = ctx
    entry = entry_of(garden, note, LINK_FR)
    path = entries.catalog_file(garden, note, LANG)
    before = path.read_bytes()
    real_commit, calls = db.session.commit, []

    def second_commit_fails():
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        real_commit()

    monkeypatch.setattr(db.session, "commit", second_commit_fails)
    with pytest.raises(RuntimeError):
        entries.save_entry(garden, note, LANG, entry["id"], LINK_EN, entry["version"], user)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert db.session.query(EntryHistory).filter_by(pending=True).count() == 1  # the interrupted save
    assert entries.settle_pending_saves(note.filename, LANG, read_catalog(path)) == 1
    assert db.session.query(EntryHistory).count() == 0


def test_a_pending_row_whose_save_reached_the_file_is_kept(ctx, monkeypatch):
    garden, note, user = ctx
    entry = entry_of(garden, note, LINK_FR)
    path = entries.catalog_file(garden, note, LANG)
    real_commit, calls = db.session.commit, []

    def crash_before_done():  # as if the process died between the file write and the last commit
        calls.append(1)
        if len(calls) == 2:
            raise SystemExit("killed")
        real_commit()

    monkeypatch.setattr(db.session, "commit", crash_before_done)
    monkeypatch.setattr(entries, "atomic_write", lambda *args: None)  # a dead process restores nothing
    with pytest.raises(SystemExit):
        entries.save_entry(garden, note, LANG, entry["id"], LINK_EN, entry["version"], user)
    monkeypatch.undo()
    assert entries.settle_pending_saves(note.filename, LANG, read_catalog(path)) == 1
    [row] = db.session.query(EntryHistory).all()
    assert row.after == LINK_EN and not row.pending


def test_conflict_carries_the_current_entry_and_writes_nothing(ctx):
    garden, note, user = ctx
    entry = entry_of(garden, note, LINK_FR)
    entries.save_entry(garden, note, LANG, entry["id"], LINK_EN, entry["version"], user)
    path = entries.catalog_file(garden, note, LANG)
    before = path.read_bytes()
    with pytest.raises(entries.Conflict) as caught:
        entries.save_entry(garden, note, LANG, entry["id"], "other", entry["version"], user)
    assert caught.value.status == 409 and caught.value.current["msgstr"] == LINK_EN
    assert path.read_bytes() == before and db.session.query(EntryHistory).count() == 1


@pytest.mark.parametrize("value", [None, 3, ["x"], "bad\x07"])
def test_clean_translation_refuses_bad_values(ctx, value):
    with pytest.raises(entries.InvalidInput):
        entries.clean_translation(value)


def test_clean_translation_normalises_line_endings(ctx):
    assert entries.clean_translation("a\r\nb\rc\td") == "a\nb\nc\td"


def test_submission_gaps_and_submit(ctx):
    garden, note, user = ctx
    po = read_catalog(entries.catalog_file(garden, note, LANG))
    assert progress.submission_gaps(po) == {"untranslated": 3, "fuzzy": 0, "errors": []}
    with pytest.raises(progress.workflow.WorkflowError) as caught:
        progress.submit_note(garden, note, LANG, user)
    assert caught.value.missing["untranslated"] == 3
    for msgid, msgstr in {LINK_FR: LINK_EN, BREAK_FR: BREAK_EN, "Essai des contrôles": "Testing the checks"}.items():
        entry = entry_of(garden, note, msgid)
        entries.save_entry(garden, note, LANG, entry["id"], msgstr, entry["version"], user)
    assert progress.submit_note(garden, note, LANG, user).value == "submitted"


def test_progress_sorts_what_needs_work_first_and_filters(ctx):
    garden, note, user = ctx
    for msgid, msgstr in {LINK_FR: LINK_EN, BREAK_FR: BREAK_EN, "Essai des contrôles": "Testing the checks"}.items():
        entry = entry_of(garden, note, msgid)
        entries.save_entry(garden, note, LANG, entry["id"], msgstr, entry["version"], user)
    rows = progress.garden_progress(garden)
    assert rows[-1].note.filename == CHECKS_FILE
    assert rows[-1].languages[LANG].ready and not rows[-1].languages[LANG].needs_work
    assert [r.note.filename for r in progress.garden_progress(garden, "ready")] == [CHECKS_FILE]
    assert CHECKS_FILE not in [r.note.filename for r in progress.garden_progress(garden, "needs-work")]
    assert progress.garden_progress(garden, "outdated") == []
    transition(note.filename, LANG, Action.SUBMIT, user)
    transition(note.filename, LANG, Action.REQUEST_CHANGES, user, "Say “sofa”, not “couch”.")
    rows = progress.garden_progress(garden)
    assert rows[0].note.filename == CHECKS_FILE
    assert rows[0].languages[LANG].comment == "Say “sofa”, not “couch”."
    assert rows[0].languages[LANG].last_change is not None


def test_progress_reports_an_unreadable_catalog_and_keeps_the_rest(ctx):
    garden, note, _ = ctx
    entries.catalog_file(garden, note, LANG).write_text('msgid "x"\n', encoding="utf-8")
    rows = {r.note.filename: r for r in progress.garden_progress(garden)}
    assert "msgid without msgstr" in rows[CHECKS_FILE].languages[LANG].problem
    assert all(r.languages[LANG].problem is None for name, r in rows.items() if name != CHECKS_FILE)


def test_catalog_summary_is_cached_until_the_file_changes(ctx, monkeypatch):
    garden, note, user = ctx
    first = progress.catalog_summary(garden, note, LANG)
    calls = []
    monkeypatch.setattr(summaries, "read_note_catalog",  # the cache lives in app.services.translating.summaries
                        lambda *a: calls.append(a) or entries.read_note_catalog(*a))
    assert progress.catalog_summary(garden, note, LANG) == first and calls == []
    entry = entry_of(garden, note, LINK_FR)
    entries.save_entry(garden, note, LANG, entry["id"], LINK_EN, entry["version"], user)
    assert progress.catalog_summary(garden, note, LANG)["translated"] == first["translated"] + 1
    assert len(calls) == 1


def test_memory_rereads_only_changed_catalogs(ctx, monkeypatch):
    garden, note, user = ctx
    memory.memory_for(garden, LANG)
    reads = []
    original = memory._translated_pairs
    monkeypatch.setattr(memory, "_translated_pairs", lambda path: reads.append(path.name) or original(path))
    memory.memory_for(garden, LANG)
    assert reads == []
    entry = entry_of(garden, note, LINK_FR)
    entries.save_entry(garden, note, LANG, entry["id"], LINK_EN, entry["version"], user)
    tm = memory.memory_for(garden, LANG)
    assert reads == [entries.catalog_file(garden, note, LANG).name]
    assert tm.suggest(LINK_FR)[0].msgstr == LINK_EN


def test_memory_keeps_obsolete_translations(ctx):
    garden, note, _ = ctx
    path = entries.catalog_file(garden, note, LANG)
    po = read_catalog(path)
    po.append(polib.POEntry(msgid="Une phrase disparue du français.", msgstr="A sentence gone from the French.", obsolete=True))
    write_catalog(path, po)
    found = memory.suggestions_for(garden, LANG, "Une phrase disparue du français.")
    assert found[0].msgstr == "A sentence gone from the French." and found[0].score == 100


def test_note_screen_and_next_segment(ctx):
    garden, note, user = ctx
    screen = note_screen(garden, note, LANG)
    assert [s.status for s in screen.segments] == ["untranslated"] * 3
    first, second, third = (s.id for s in screen.segments)
    assert next_needing_work(garden, note, LANG, first)[0] == second
    entry = entry_of(garden, note, LINK_FR)
    entries.save_entry(garden, note, LANG, entry["id"], LINK_EN, entry["version"], user)
    screen = note_screen(garden, note, LANG)
    assert screen.segments[1].history[0].after == LINK_EN
    assert "<ins>" in str(screen.segments[1].history[0].diff)
    assert next_needing_work(garden, note, LANG, first)[0] == third
    assert next_needing_work(garden, note, LANG, third)[0] == first
