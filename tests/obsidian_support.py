"""The Obsidian test vault (tests/fixtures/vault) in a temporary garden, with English published through the workflow."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.services.garden import get_garden
from app.services.publishing import approval
from tests.review_support import clean_garden, fill, make_users, submit, user

VAULT = Path(__file__).resolve().parent / "fixtures" / "vault"
#: slugs of the vault's notes
ATTACHMENTS, BLOCKS, EMBEDS, BARE, CALLOUTS = ("pieces-jointes", "source-des-blocs", "embeds-de-notes",
                                               "sans-front-matter", "callouts")
PUBLISHED = (BLOCKS, EMBEDS, CALLOUTS, ATTACHMENTS)  #: published in English by the ``vault`` fixture


def english(msgid: str) -> str:
    """A translation that keeps every check happy: the French marked as English (alt texts too)."""
    return "EN " + msgid.replace("|Courbe", "|EN Courbe").replace("![Plan", "![EN Plan")


def install_vault(paths: dict[str, Path]) -> Path:
    """Copy the test vault into the temporary ``content/fr`` (beside the seed notes)."""
    target = paths["content"] / "fr"
    shutil.copytree(VAULT, target, dirs_exist_ok=True)
    return target


def publish(app, slug: str, translate=english) -> None:
    """Translate every segment of ``slug``, submit it and approve it as the editor."""
    fill(app, slug, translate)
    submit(app, slug)
    with app.app_context():
        garden = get_garden(0)
        approval.approve_translation(garden, garden.notes.get(slug), "en", user("editor"))


@pytest.fixture
def vault(app, paths):
    """The vault in the garden; :data:`PUBLISHED` notes approved in English (``Sans front matter`` stays French)."""
    install_vault(paths)
    clean_garden(app)
    make_users(app)
    for slug in PUBLISHED:
        publish(app, slug)
    return paths
