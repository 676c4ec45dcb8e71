"""The pristine seed garden every test starts from, committed under ``tests/fixtures/garden/``.

The repository's own ``content/`` and ``translations/`` are a user's garden: ``make run``, an
approval or an unpublishing edits them. Tests never read them; they copy this fixture (the two
seed notes byte for byte, their approved English and their catalogs) into temporary folders.
Only the optional corpora come from ``../shared``, and their tests skip with a reason when absent.
"""
from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The seed garden: ``content/fr`` (the two seed notes), ``content/en`` (published), ``translations/en/notes``.
GARDEN = Path(__file__).resolve().parent / "fixtures" / "garden"
#: The two French seed notes.
SEED_NOTES = GARDEN / "content" / "fr"
#: Their approved English snapshots.
SEED_PUBLISHED = GARDEN / "content" / "en"
#: Their catalogs, one folder per target language.
SEED_TRANSLATIONS = GARDEN / "translations"
#: The optional real garden (547 notes), absent outside the project's machine.
CORPUS = ROOT.parent / "shared" / "corpora" / "sklein-notes"
CEO_SEED = "Ceo, n'oubliez pas votre COO ou Chief of Staff.md"
COS_SEED = "chief of staff.md"


def copy_seed_notes(folder: Path) -> None:
    """The two seed notes, byte for byte, into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in SEED_NOTES.glob("*.md"):
        shutil.copyfile(path, folder / path.name)


def copy_seed_garden(content: Path, translations: Path | None = None) -> None:
    """The seed notes and their published English into ``content``; their catalogs into ``translations``."""
    for lang_dir in (GARDEN / "content").iterdir():
        if lang_dir.is_dir():
            shutil.copytree(lang_dir, content / lang_dir.name, dirs_exist_ok=True)
    if translations is not None:
        for lang_dir in SEED_TRANSLATIONS.iterdir():
            shutil.copytree(lang_dir, translations / lang_dir.name, dirs_exist_ok=True)
