"""A note without ``title:`` is titled by its file name: renaming it changes the English title, so it is outdated."""
from __future__ import annotations

import pytest

from app.services.garden import get_garden
from app.services.publishing import approval
from app.services.reading.outdated import french_outdated
from app.services.reviewing.screens import review_queue
from app.services.translating.catalogs import sync_garden
from app.services.translating.progress import garden_progress
from tests.review_support import LANG, clean_garden, make_users, ready, user

UNTITLED = "Prendre soin du collectif.md"
TEXT = "Un collectif se soigne comme un jardin.\n\nIl faut du temps, et de l'attention.\n"


@pytest.fixture
def site(app):
    with app.app_context():
        (get_garden(0).notes.folder / UNTITLED).write_text(TEXT, encoding="utf-8")
    clean_garden(app)
    make_users(app)
    ready(app, "prendre-soin-du-collectif")
    with app.app_context():
        garden = get_garden(0)
        approval.approve_translation(garden, garden.notes.get("prendre-soin-du-collectif"), LANG, user("editor"))
    return app


def rename(app, new_name: str):
    """Rename the French file (same bytes), sync, and return the note under its new name."""
    with app.app_context():
        garden = get_garden(0)
        (garden.notes.folder / UNTITLED).rename(garden.notes.folder / new_name)
        sync_garden(get_garden(0))
        return get_garden(0).notes.by_filename(new_name)


def outdated_for_everyone(app, client, note) -> dict[str, bool]:
    with app.app_context():
        garden = get_garden(0)
        published = garden.published_note(LANG, note)
        queue = review_queue(garden)
        [row] = [r for r in garden_progress(garden) if r.note.filename == note.filename]
        return {"dashboard": row.languages[LANG].state == "outdated","verdict": french_outdated(published.source_sha256, note, lang=LANG),
                "reader banner": "original of this note changed" in client.get(f"/en/notes/{note.slug}").get_data(as_text=True),
                "editor's list": any(item.note.filename == note.filename for item in queue.outdated)}


def test_renaming_a_titleless_note_outdates_its_english(site, client):
    note = rename(site, "Prendre soin des équipes.md")
    assert outdated_for_everyone(site, client, note) == {"dashboard": True, "verdict": True, "reader banner": True,
                                                       "editor's list": True}


def test_a_minor_fix_of_the_name_does_not(site, client):
    note = rename(site, "prendre soin du collectif.md")  # letter case only: a minor change of the title
    assert outdated_for_everyone(site, client, note) == {"dashboard": False, "verdict": False,
                                                         "reader banner": False, "editor's list": False}


def test_approving_again_under_the_new_name_makes_it_current(site, client):
    note = rename(site, "Prendre soin des équipes.md")
    ready(site, note.slug)
    with site.app_context():
        approval.approve_translation(get_garden(0), note, LANG, user("editor"))
    assert outdated_for_everyone(site, client, note) == {"dashboard": False, "verdict": False,
                                                         "reader banner": False, "editor's list": False}


def test_in_fuzzy_mode_a_case_change_of_the_name_outdates_too(app_config, app):
    """``PASSERELLE_MINOR_CHANGES=fuzzy`` (same database as ``app``): any new name outdates the English."""
    from app import create_app
    from app.catalog import minor

    strict = create_app({**app_config, "MINOR_CHANGES": "fuzzy"})
    with strict.app_context():
        (get_garden(0).notes.folder / UNTITLED).write_text(TEXT, encoding="utf-8")
    clean_garden(strict)
    make_users(strict)
    ready(strict, "prendre-soin-du-collectif")
    with strict.app_context():
        garden = get_garden(0)
        approval.approve_translation(garden, garden.notes.get("prendre-soin-du-collectif"), LANG, user("editor"))
    note = rename(strict, "prendre soin du collectif.md")
    try:
        assert outdated_for_everyone(strict, strict.test_client(), note)["verdict"] is True
    finally:
        minor.configure("keep")
