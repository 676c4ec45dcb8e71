"""``passerelle sync`` killed with SIGKILL at random moments leaves no torn catalog behind."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.catalog.po import read_catalog
from bench.grow import grow
from tests.test_sync import msgfmt_failures
from tests.seeds import SEED_NOTES

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpora" / "sklein-notes"
NOTES = 2000
KILLS = 5


def passerelle(args: list[str], env: dict) -> subprocess.Popen:
    """Start the ``passerelle`` CLI in its own process."""
    code = "import sys; from app.cli import main; sys.argv[0] = 'passerelle'; main()"
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_sigkill_mid_sync_leaves_valid_catalogs(tmp_path):
    source = CORPUS if CORPUS.is_dir() else SEED_NOTES
    notes = tmp_path / "content" / "fr"
    grow(source, notes, NOTES, seed=7)
    translations, state = tmp_path / "translations", tmp_path / "state"
    env = dict(os.environ, PASSERELLE_CONTENT_DIR=str(tmp_path / "content"), PASSERELLE_TRANSLATIONS_DIR=str(translations),
               PASSERELLE_STATE_DIR=str(state), PASSERELLE_INSTANCE_DIR=str(tmp_path / "instance"),
               PASSERELLE_LANGUAGES="fr,en", PASSERELLE_SECRET_KEY="crash-test",
               PASSERELLE_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    rng = random.Random(20240606)
    files = sorted(notes.iterdir())
    started = time.monotonic()
    for attempt in range(KILLS):
        if attempt:  # give each run something to rewrite: edit a few notes
            for path in rng.sample(files, 40):
                path.write_text(path.read_text(encoding="utf-8") + f"\nAjout {attempt}.\n", encoding="utf-8")
        process = passerelle(["sync"], env)
        time.sleep(rng.uniform(2.5, 5.0))  # the CLI takes ~1-2 s to start
        process.send_signal(signal.SIGKILL)
        process.communicate()
        for catalog in (translations / "en" / "notes").glob("*.po"):
            read_catalog(catalog)  # raises on a torn file
    catalogs = sorted((translations / "en" / "notes").glob("*.po"))
    assert catalogs, "the sync was killed before writing anything: raise the delays"
    assert msgfmt_failures(catalogs) == []
    leftovers = list((translations / "en" / "notes").glob(".*.tmp"))
    for leftover in leftovers:  # a killed writer's temporary file: old enough for the clean-up
        os.utime(leftover, (time.time() - 3600, time.time() - 3600))
    done = passerelle(["sync"], env)
    out, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    assert f"sync: {NOTES} notes" in out and "0 errors" in out
    assert not list((translations / "en" / "notes").glob(".*.tmp"))
    assert len(list((translations / "en" / "notes").glob("*.po"))) == NOTES
    check = passerelle(["sync", "--check"], env)
    out, err = check.communicate(timeout=60)
    assert check.returncode == 0, out + err
    assert time.monotonic() - started < 120
