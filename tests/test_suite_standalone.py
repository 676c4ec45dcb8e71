"""The suite stands on its own: a copy of the project outside this folder layout, whose garden a user
has changed (a demo approved, unpublished and edited notes), still passes its tests.

The copy has no ``../shared`` beside it (no seeds, no corpora) and is not a git checkout; its
``content/`` and ``translations/`` are mutated the way ``make run`` and a few clicks would. The
tests that read notes, catalogs and published English are run in that copy with this Python:
they must pass (the corpus tests skip with their reason), because they take their data from
``tests/fixtures/garden/`` only.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.seeds import ROOT

#: Suite files that read seed notes, published English or catalogs (the ones that used to fail).
FILES = ["tests/test_content.py", "tests/test_roundtrip.py", "tests/test_render.py", "tests/test_reader.py",
         "tests/test_sync.py"]
#: What a copy of the project leaves out: environments, caches, the git metadata, the user's instance.
SKIP = shutil.ignore_patterns(".venv", "node_modules", ".git", "instance", ".pytest_cache", ".hypothesis",
                              "__pycache__", "*.egg-info")


def mutate_garden(project: Path) -> None:
    """What a demo session does to the repository's garden: approve, unpublish, translate, write notes."""
    content, catalogs = project / "content", project / "translations" / "en" / "notes"
    for path in (content / "en").glob("*.md"):  # unpublished…
        path.unlink()
    (content / "en" / "chief-of-staff.md").write_text(  # …and approved again with other words
        "---\ntitle: Something else\ntags: [other]\nsource: chief of staff.md\nsource_sha256: 00\n"
        "approved_at: '2030-01-01T00:00:00Z'\n---\nA different English text.\n", encoding="utf-8")
    for path in catalogs.glob("*.po"):  # translators saved other English, a sync rewrote the catalogs
        path.write_text(path.read_text(encoding="utf-8").replace('msgstr "', 'msgstr "Demo: ', 3), encoding="utf-8")
    (catalogs / "a-demo-note.po").write_text("this is not a catalog\n", encoding="utf-8")
    french = content / "fr" / "chief of staff.md"
    french.write_text(french.read_text(encoding="utf-8") + "\nUn paragraphe ajouté pendant la démo.\n", encoding="utf-8")
    (content / "fr" / "Une note de démo.md").write_text("---\ntitle: Démo\ntags: [démo]\n---\nBonjour [[chief of staff]].\n",
                                                         encoding="utf-8")
    (project / "instance").mkdir()
    (project / "instance" / "passerelle.sqlite3").write_bytes(b"not a database")


@pytest.mark.slow
def test_the_suite_passes_in_a_copy_whose_garden_a_demo_changed(tmp_path):
    project = tmp_path / "elsewhere" / "passerelle"  # no ../shared beside it
    shutil.copytree(ROOT, project, ignore=SKIP, symlinks=True)
    mutate_garden(project)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PASSERELLE_") or key == "PASSERELLE_TEST_DATABASE_URL"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    which = subprocess.run([sys.executable, "-c", "import app, tests.seeds; print(app.__file__); print(tests.seeds.__file__)"],
                           cwd=project, env=env, capture_output=True, text=True, timeout=60)
    assert which.returncode == 0, which.stderr
    assert all(Path(line).is_relative_to(project) for line in which.stdout.split()), "the copy must run its own code"
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", "-rs", *FILES],
                          cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert " passed" in done.stdout


#: How a test would reach the user's garden or the seeds outside the repository.
FORBIDDEN = re.compile(r'"shared"\s*/\s*"seeds"|ROOT\s*/\s*"content"|ROOT\s*/\s*"translations"\s*/\s*(?!.*LC_MESSAGES)[^\n]*"notes"'
                       r'|parent\s*/\s*"content"')


def test_no_test_reads_the_users_garden_nor_the_shared_seeds():
    """A cheap guard for new tests: seeds come from tests/seeds.py, corpora only from ../shared/corpora."""
    offenders = [f"{path.name}:{number}: {line.strip()}"
                 for path in sorted((ROOT / "tests").glob("*.py")) if path.name != "test_suite_standalone.py"
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if FORBIDDEN.search(line)]
    assert not offenders, "use tests/seeds.py (the committed fixture garden):\n" + "\n".join(offenders)
