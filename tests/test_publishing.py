"""Publishing service: the snapshot file and its record, refusals, unpublishing, drafts never leaking."""
from __future__ import annotations

import hashlib
from unittest import mock

import pytest

from app.services.translating.catalogs import sync_garden
import yaml

from app.catalog.po import read_catalog, write_catalog
from app.content.frontmatter import split_front_matter
from app.extensions import db
from app.models import Publication, ReviewEvent
from app.services.publishing import approval
from app.services.publishing.drafts import build_draft
from app.services.garden import get_garden
from app.services.reviewing.workflow import WorkflowError, current_state, stored_state, transition
from app.workflow.states import Action, InvalidTransition, State
from tests.review_support import LANG, OTHER, SLUG, change_french, clean_garden, fill, make_users, ready, submit, user


@pytest.fixture
def garden_app(app):
    """The app over a clean garden (no published English, fresh catalogs) with three accounts."""
    clean_garden(app)
    make_users(app)
    return app


def _approve(app, slug=SLUG, name="editor"):
    with app.app_context():
        garden = get_garden(0)
        return approval.approve_translation(garden, garden.notes.get(slug), LANG, user(name)).id


def test_approve_writes_the_snapshot_with_its_front_matter_and_the_record(garden_app):
    app = garden_app
    ready(app)
    pub_id = _approve(app)
    with app.app_context():
        garden = get_garden(0)
        note = garden.notes.get(SLUG)
        french = garden.note_path(note).read_bytes()
        text = garden.published_path(LANG, SLUG).read_text(encoding="utf-8")
        split = split_front_matter(text)
        meta = yaml.safe_load(split.yaml_text)
        assert list(meta) == ["title", "tags", "source", "source_sha256", "approved_at"]
        assert meta["title"] == "EN chief of staff externe"
        assert meta["tags"] == ["atome"]
        assert meta["source"] == "chief of staff.md"
        assert meta["source_sha256"] == hashlib.sha256(french).hexdigest()
        assert isinstance(meta["approved_at"], str) and meta["approved_at"].endswith("Z")
        # the body is exactly what the catalog assembles
        draft = build_draft(garden, note, LANG)
        assert split.body == draft.body
        assert "EN que fait le chief of staff?" in split.body and "### " in split.body
        row = db.session.get(Publication, pub_id)
        assert (row.source, row.lang, row.slug, row.title) == ("chief of staff.md", LANG, SLUG, meta["title"])
        assert row.source_text == french.decode("utf-8")
        assert row.source_sha256 == meta["source_sha256"]
        assert row.text == text
        assert row.approver.username == "editor"
        assert approval.iso_utc(row.approved_at) == meta["approved_at"]
        assert row.unpublished_at is None
        assert stored_state(note.filename, LANG) is State.PUBLISHED
        assert current_state(note.filename, LANG, note.sha256) is State.PUBLISHED
        assert garden.published_note(LANG, note).title == meta["title"]


def test_the_reader_index_sees_the_snapshot_as_approved(garden_app):
    ready(garden_app, OTHER)
    _approve(garden_app, OTHER)
    with garden_app.app_context():
        garden = get_garden(0)
        published = garden.published_note(LANG, garden.notes.get(OTHER))
        assert published.source == "Ceo, n'oubliez pas votre COO ou Chief of Staff.md"
        assert published.tags == ("tips",)
        assert "[[chief of staff]]" in published.body  # wikilink targets survive


@pytest.mark.parametrize("state", ["untranslated", "in_progress", "changes_requested", "published"])
def test_approve_needs_a_submitted_note(garden_app, state):
    app = garden_app
    fill(app)
    with app.app_context():
        source = get_garden(0).notes.get(SLUG).filename
        steps = {"untranslated": [], "in_progress": [Action.EDIT], "changes_requested": [Action.SUBMIT, Action.REQUEST_CHANGES],
                 "published": [Action.SUBMIT, Action.APPROVE]}[state]
        for action in steps:
            transition(source, LANG, action, user("editor"), comment="x")
    with pytest.raises(InvalidTransition):
        _approve(app)
    with app.app_context():
        assert not get_garden(0).published_path(LANG, SLUG).exists()
        assert db.session.scalar(db.select(db.func.count()).select_from(Publication)) == 0


def _first_paragraph(entry):
    return entry.msgid.startswith("pourquoi travailler")


@pytest.mark.parametrize("problem", ["untranslated", "fuzzy", "errors"])
def test_approve_refuses_an_incomplete_or_failing_catalog(garden_app, problem):
    app = garden_app
    fill(app, keep=_first_paragraph)
    with app.app_context():
        garden = get_garden(0)
        path = garden.catalog_path(LANG, SLUG)
        po = read_catalog(path)
        entry = next(e for e in po if _first_paragraph(e))
        if problem == "fuzzy":
            entry.msgstr, entry.flags = "Why work with an external chief of staff?", ["fuzzy"]
        elif problem == "errors":  # a URL lost is an error-level check
            entry = next(e for e in po if "https://liut.me/cos" in e.msgid)
            entry.msgstr = "To learn more, see the site."
            next(e for e in po if _first_paragraph(e)).msgstr = "Why work with an external chief of staff?"
        write_catalog(path, po)
    submit(app)
    with pytest.raises(WorkflowError) as caught:
        _approve(app)
    assert caught.value.missing[problem] == 1
    assert all(v == 0 for k, v in caught.value.missing.items() if k not in (problem, "entries"))
    with app.app_context():
        assert not get_garden(0).published_path(LANG, SLUG).exists()
        assert stored_state(get_garden(0).notes.get(SLUG).filename, LANG) is State.SUBMITTED


def test_approve_refuses_a_catalog_behind_the_french(garden_app):
    """A French change leaves a segment without current English (untranslated, or fuzzy once synced)."""
    app = garden_app
    ready(app)
    with app.app_context():
        garden = get_garden(0)
        path = garden.note_path(garden.notes.get(SLUG))
        path.write_text(path.read_text(encoding="utf-8").replace("direction de projets", "pilotage de projets"), encoding="utf-8")
    with pytest.raises(WorkflowError) as caught:
        _approve(app)
    missing = caught.value.missing
    assert missing["untranslated"] + missing["fuzzy"] == 1, missing


def _published_then_resubmitted(app):
    """Approve the note, then submit a new English for it; return the published path and its bytes."""
    ready(app)
    _approve(app)
    with app.app_context():
        path = get_garden(0).published_path(LANG, SLUG)
        published = path.read_bytes()
    fill(app, translate=lambda m: "NEW " + m)
    submit(app)
    return path, published


def test_a_failed_commit_restores_the_previous_file(garden_app):
    app = garden_app
    path, before = _published_then_resubmitted(app)
    with app.app_context(), mock.patch.object(db.session, "commit", side_effect=RuntimeError("database down")):
        with pytest.raises(RuntimeError):
            approval.approve_translation(get_garden(0), get_garden(0).notes.get(SLUG), LANG, user("editor"))
    with app.app_context():
        assert path.read_bytes() == before
        assert db.session.scalar(db.select(db.func.count()).select_from(Publication)) == 1


def test_a_failed_first_commit_leaves_no_file(garden_app):
    ready(garden_app)
    with garden_app.app_context(), mock.patch.object(db.session, "commit", side_effect=RuntimeError("database down")):
        garden = get_garden(0)
        with pytest.raises(RuntimeError):
            approval.approve_translation(garden, garden.notes.get(SLUG), LANG, user("editor"))
        assert not garden.published_path(LANG, SLUG).exists()


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, no handler cleans up."""


def _approve_and_die(app, when: str) -> None:
    """Approve, and 'kill' the process just before (or just after) the database commit."""
    real_commit = db.session.commit

    def commit():
        if when == "after":
            real_commit()
        raise Killed()

    with app.app_context(), mock.patch.object(db.session, "commit", side_effect=commit), \
            mock.patch.object(approval, "_restore", lambda *args: None):
        garden = get_garden(0)
        with pytest.raises(Killed):
            approval.approve_translation(garden, garden.notes.get(SLUG), LANG, user("editor"))
        db.session.rollback()


@pytest.mark.parametrize("when", ["before", "after"])
def test_an_approval_killed_around_its_commit_is_settled_by_the_next_sync(garden_app, when):
    app = garden_app
    path, first = _published_then_resubmitted(app)
    _approve_and_die(app, when)
    with app.app_context():
        assert b"NEW " in path.read_bytes()  # the dead process left its new file in place
        assert path.with_name(f".{path.name}.journal").exists()
        sync_garden(get_garden(0))
        assert not path.with_name(f".{path.name}.journal").exists()
        live = db.session.scalars(db.select(Publication).where(Publication.unpublished_at.is_(None))
                                  .order_by(Publication.id.desc())).first()
        assert path.read_bytes() == live.text.encode("utf-8")
        assert (b"NEW " in path.read_bytes()) == (when == "after")
        if when == "before":
            assert path.read_bytes() == first


def test_a_first_approval_killed_before_its_commit_leaves_no_page(garden_app):
    ready(garden_app)
    _approve_and_die(garden_app, "before")
    with garden_app.app_context():
        garden = get_garden(0)
        path = garden.published_path(LANG, SLUG)
        assert path.exists()
        approval.approve_translation(garden, garden.notes.get(SLUG), LANG, user("editor"))  # settles, then approves
        assert not path.with_name(f".{path.name}.journal").exists()
        assert db.session.scalar(db.select(db.func.count()).select_from(Publication)) == 1


def test_a_draft_saved_after_approval_never_changes_the_published_file(garden_app):
    app = garden_app
    ready(app)
    _approve(app)
    with app.app_context():
        garden = get_garden(0)
        path = garden.published_path(LANG, SLUG)
        published = path.read_bytes()
        transition(garden.notes.get(SLUG).filename, LANG, Action.EDIT, user("translator"))
    fill(app, translate=lambda m: "DRAFT " + m)
    with app.app_context():
        garden = get_garden(0)
        assert path.read_bytes() == published
        assert b"DRAFT" not in path.read_bytes()
        assert "DRAFT" not in garden.published_note(LANG, garden.notes.get(SLUG)).text
        assert "DRAFT" in build_draft(garden, garden.notes.get(SLUG), LANG).english


def test_unpublish_removes_the_file_and_keeps_the_records(garden_app):
    app = garden_app
    ready(app)
    pub_id = _approve(app)
    with app.app_context():
        garden = get_garden(0)
        note = garden.notes.get(SLUG)
        approval.unpublish(garden, note, LANG, user("editor2"))
        assert not garden.published_path(LANG, SLUG).exists()
        assert garden.published_note(LANG, note) is None
        row = db.session.get(Publication, pub_id)
        assert row.unpublished_at is not None and row.text  # the record stays
        assert stored_state(note.filename, LANG) is State.IN_PROGRESS
        history = approval.publication_history(note.filename, LANG)
        assert [e["action"] for e in history["events"]] == ["unpublished", "approved", "submitted"]
        assert history["events"][0]["user"] == "editor2"
        assert history["publications"][0]["live"] is False
        with pytest.raises(WorkflowError):  # twice: nothing left to unpublish
            approval.unpublish(garden, note, LANG, user("editor"))


def test_unpublish_refuses_a_note_never_published(garden_app):
    with garden_app.app_context():
        garden = get_garden(0)
        with pytest.raises(WorkflowError):
            approval.unpublish(garden, garden.notes.get(SLUG), LANG, user("editor"))


@pytest.mark.parametrize("comment", [None, "", "   ", 42, "x" * (approval.MAX_COMMENT_LENGTH + 1)])
def test_request_changes_needs_a_comment(garden_app, comment):
    ready(garden_app)
    with garden_app.app_context():
        note = get_garden(0).notes.get(SLUG)
        with pytest.raises(approval.PublishingInputError):
            approval.request_changes(note, LANG, user("editor"), comment)
        assert stored_state(note.filename, LANG) is State.SUBMITTED


def test_request_changes_records_the_comment(garden_app):
    ready(garden_app)
    with garden_app.app_context():
        note = get_garden(0).notes.get(SLUG)
        assert approval.request_changes(note, LANG, user("editor"), "  Say “leaders”, not “executives”.  ") == "changes_requested"
        event = db.session.scalar(db.select(ReviewEvent).where(ReviewEvent.action == "changes_requested"))
        assert event.comment == "Say “leaders”, not “executives”."
        history = approval.publication_history(note.filename, LANG)
        assert history["events"][0] == {"action": "changes_requested", "user": "editor", "at": history["events"][0]["at"],
                                        "comment": "Say “leaders”, not “executives”."}


def test_reapproval_after_a_french_change_pins_the_new_french(garden_app):
    app = garden_app
    ready(app)
    _approve(app)
    change_french(app, SLUG, "direction de projets stratégiques", "direction de grands projets stratégiques")
    with app.app_context():
        garden = get_garden(0)
        note = garden.notes.get(SLUG)
        assert current_state(note.filename, LANG, note.sha256) is State.OUTDATED
        draft = build_draft(garden, note, LANG)
        assert draft.missing["fuzzy"] == 1
    fill(app)
    with app.app_context():
        transition(source := get_garden(0).notes.get(SLUG).filename, LANG, Action.SUBMIT, user("translator"))
    _approve(app)
    with app.app_context():
        garden = get_garden(0)
        note = garden.notes.get(SLUG)
        assert current_state(source, LANG, note.sha256) is State.PUBLISHED
        assert garden.published_note(LANG, note).source_sha256 == note.sha256
        assert len(approval.publication_history(source, LANG)["publications"]) == 2


def test_snapshots_without_records_are_adopted_once(garden_app):
    """A fresh database over committed snapshots (as after a clone): records are made, unpublish then works."""
    app = garden_app
    ready(app)
    _approve(app)
    with app.app_context():
        from app.models import NoteState

        for model in (Publication, ReviewEvent, NoteState):
            db.session.execute(db.delete(model))
        db.session.commit()
        garden = get_garden(0)
        note = garden.notes.get(SLUG)
        adopted = approval.adopt_published(garden)
        assert [(p.slug, p.lang, p.approved_by) for p in adopted] == [(SLUG, LANG, None)]
        assert adopted[0].source_text == garden.note_path(note).read_text(encoding="utf-8")
        assert adopted[0].text == garden.published_path(LANG, SLUG).read_text(encoding="utf-8")
        assert stored_state(note.filename, LANG) is State.PUBLISHED
        assert [e["action"] for e in approval.publication_history(note.filename, LANG)["events"]] == ["approved", "submitted"]
        assert approval.adopt_published(garden) == []
        approval.unpublish(garden, note, LANG, user("editor"))
        assert not garden.published_path(LANG, SLUG).exists()
