"""``passerelle sync`` without the web app: the same result and report as the Flask command, and the hand-over."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.models import EntryHistory

ROOT = Path(__file__).resolve().parent.parent
#: Runs ``passerelle ARGS`` and then says whether Flask was imported.
PROBE = ("import sys\nfrom app.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit as exit:\n"
         "    code = exit.code\nprint('flask imported:', 'flask' in sys.modules)\nsys.exit(code)\n")


def run(paths, *args: str) -> subprocess.CompletedProcess:
    """``passerelle ARGS`` in its own process over the test's folders and database (SQLite or PostgreSQL)."""
    database = os.environ.get("PASSERELLE_TEST_DATABASE_URL") or f"sqlite:///{paths['instance'] / 'test.sqlite3'}"
    env = dict(os.environ, PASSERELLE_CONTENT_DIR=str(paths["content"]), PASSERELLE_TRANSLATIONS_DIR=str(paths["translations"]),
               PASSERELLE_INSTANCE_DIR=str(paths["instance"]), PASSERELLE_STATE_DIR=str(paths["instance"]),
               PASSERELLE_SECRET_KEY="test", PASSERELLE_DATABASE_URL=database)
    return subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_sync_runs_without_flask_and_reports_like_the_flask_command(app, paths, runner):
    shutil.rmtree(paths["translations"], ignore_errors=True)
    fast = run(paths, "sync")
    assert fast.returncode == 0, fast.stderr
    assert "flask imported: False" in fast.stdout
    assert "2 created" in fast.stdout and sorted(p.name for p in (paths["translations"] / "en" / "notes").glob("*.po")) == [
        "ceo-noubliez-pas-votre-coo-ou-chief-of-staff.po", "chief-of-staff.po"]
    flask_way = runner.invoke(args=["sync"])
    assert flask_way.exit_code == 0
    again = run(paths, "sync")
    timeless = lambda out: re.sub(r"in \d+\.\d+ s", "in … s", out.replace("flask imported: False\n", ""))  # noqa: E731
    assert timeless(again.stdout) == timeless(flask_way.output)  # the same report: nothing to do
    check = run(paths, "sync", "--check")
    assert check.returncode == 0 and "flask imported: False" in check.stdout
    (paths["content"] / "fr" / "new.md").write_text("Une nouvelle note.\n", encoding="utf-8")
    stale = run(paths, "sync", "--check")
    assert stale.returncode == 1 and "out of date:" in stale.stdout and "flask imported: False" in stale.stdout


def test_an_interrupted_save_hands_over_to_the_app_which_settles_it(app, paths):
    with app.app_context():
        db.session.add(EntryHistory(source="chief of staff.md", lang="en", entry_id="x" * 40, msgid="m", before="",
                                    after="lost", pending=True))
        db.session.commit()
        db.engine.dispose()
    done = run(paths, "sync")
    assert done.returncode == 0, done.stderr
    assert "flask imported: True" in done.stdout
    with app.app_context():
        assert db.session.scalar(select(EntryHistory.id).where(EntryHistory.pending.is_(True))) is None


def test_an_interrupted_approval_hands_over_to_the_app(app, paths):
    (paths["content"] / "en" / ".chief-of-staff.md.journal").write_bytes(b"")
    done = run(paths, "sync")
    assert done.returncode == 0, done.stderr
    assert "flask imported: True" in done.stdout
    assert not (paths["content"] / "en" / ".chief-of-staff.md.journal").exists()


def test_options_the_fast_path_does_not_know_go_to_flask(paths):
    shown = run(paths, "sync", "--help")
    assert shown.returncode == 0 and "--check" in shown.stdout and "flask imported: True" in shown.stdout


def test_a_no_op_sync_does_not_import_the_line_breaking_it_never_uses(app, paths):
    """Wrapping catalog lines (GNU's Unicode line breaking, and uniseg for scripts it does not keep) is only for writing catalogs."""
    shutil.rmtree(paths["translations"], ignore_errors=True)
    probe = PROBE.replace("print('flask imported:'", "print('line breaking imported:', 'app.catalog.linebreak' in sys.modules)\n"
                          "print('uniseg imported:', 'uniseg' in sys.modules)\nprint('flask imported:'")
    database = f"sqlite:///{paths['instance'] / 'test.sqlite3'}"
    env = dict(os.environ, PASSERELLE_CONTENT_DIR=str(paths["content"]), PASSERELLE_TRANSLATIONS_DIR=str(paths["translations"]),
               PASSERELLE_INSTANCE_DIR=str(paths["instance"]), PASSERELLE_STATE_DIR=str(paths["instance"]),
               PASSERELLE_SECRET_KEY="test", PASSERELLE_DATABASE_URL=database)
    outputs = [subprocess.run([sys.executable, "-c", probe, "sync"], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=120).stdout for _ in range(2)]
    assert "2 created" in outputs[0] and "line breaking imported: True" in outputs[0]  # writing catalogs wraps their lines
    assert "uniseg imported: False" in outputs[0]  # the seed notes are French: their classes are kept in the module
    assert "2 unchanged" in outputs[1] and "line breaking imported: False" in outputs[1]
    assert "uniseg imported: False" in outputs[1]
