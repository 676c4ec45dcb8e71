"""Helpers for the editor's tests: a clean garden, accounts, filled catalogs and submitted notes.

Every helper works in the temporary folders of the ``app`` fixture; none touches the
repository's ``content/`` or ``translations/``.
"""
from __future__ import annotations

import shutil
from collections.abc import Callable

from werkzeug.security import generate_password_hash

from app.catalog.po import read_catalog, write_catalog
from app.extensions import db
from app.models import User
from app.services import accounts
from app.services.translating.catalogs import sync_garden
from app.services.garden import get_garden
from app.services.reviewing.workflow import transition
from app.workflow.states import Action

PASSWORD = "correct-horse-battery"
SLUG = "chief-of-staff"
OTHER = "ceo-noubliez-pas-votre-coo-ou-chief-of-staff"
LANG = "en"


def fake_english(msgid: str) -> str:
    """A translation that passes every error-level check: the French with an English prefix."""
    return "EN " + msgid


def clean_garden(app) -> None:
    """Drop the published files and catalogs copied from the repository, then sync afresh."""
    garden = app.extensions["garden"]
    for lang in garden.target_langs:
        for path in (garden.content_dir / lang).glob("*.md"):
            path.unlink()
        shutil.rmtree(garden.translations_dir / lang, ignore_errors=True)
    with app.app_context():
        sync_garden(get_garden(0))


def make_users(app) -> dict[str, int]:
    """Create ``translator``, ``editor`` and ``editor2``; return their ids by name.

    The password hash is a cheap PBKDF2 (scrypt takes half a second per account, too slow for
    hundreds of tests); logging in checks it like any werkzeug hash.
    """
    cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    with app.app_context():
        users = [User(username=name, role=role, active=True, password_hash=cheap)
                 for name, role in (("translator", "translator"), ("editor", "editor"), ("editor2", "editor"))]
        db.session.add_all(users)
        db.session.commit()
        return {u.username: u.id for u in users}


def user(name: str) -> User:
    """The user called ``name`` (inside an app context)."""
    return accounts.find_user(name)


def fill(app, slug: str = SLUG, translate: Callable[[str], str] = fake_english, *, keep: Callable | None = None,
         lang: str = LANG) -> None:
    """Translate every live entry of the catalog (``keep(entry)`` true: leave it as it is) and clear fuzzy flags."""
    with app.app_context():
        path = get_garden(0).catalog_path(lang, slug)
        po = read_catalog(path)
        for entry in po:
            if entry.obsolete or (keep is not None and keep(entry)):
                continue
            entry.msgstr = translate(entry.msgid)
            entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
            entry.previous_msgid = None
        write_catalog(path, po)


def source_of(app, slug: str = SLUG) -> str:
    """The French file of ``slug``."""
    with app.app_context():
        return get_garden(0).notes.get(slug).filename


def submit(app, slug: str = SLUG, name: str = "translator", lang: str = LANG) -> None:
    """Move the note to ``submitted`` as the translator would."""
    with app.app_context():
        transition(source_of(app, slug), lang, Action.SUBMIT, user(name))


def ready(app, slug: str = SLUG) -> None:
    """A fully translated, submitted note."""
    fill(app, slug)
    submit(app, slug)


def change_french(app, slug: str, old: str, new: str) -> None:
    """Edit the French file in the temporary content folder and sync its catalogs."""
    with app.app_context():
        garden = get_garden(0)
        path = garden.note_path(garden.notes.get(slug))
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {path.name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        sync_garden(get_garden(0))
        db.session.remove()
