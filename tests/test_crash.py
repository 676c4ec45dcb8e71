"""``kill -9`` during saves and published-file writes: no torn file, no stray temp file, no lost history.

- Saves in a loop, through :func:`app.services.translating.entries.save_entry` in a separate process,
  killed with SIGKILL at random moments several times: every catalog still parses and passes
  ``msgfmt -c``; the next run (``passerelle sync``) removes the killed writers' temporary files;
  the database and the file agree (each entry's last history row holds the file's msgstr, and
  the history is one unbroken chain, so no msgstr reached the file without its row).
- The same save killed at chosen points (while writing the temporary file, just after the rename,
  just after the commit) to hit the narrow windows that random kills only sometimes reach.
- A loop of :func:`app.fsutil.atomic_write` of large published-like files, killed at random: the
  file is always one of the complete versions, never torn or empty.

The kill -9 of a sync of a 2,000-note garden is :mod:`tests.test_sync_crash`.
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app.catalog.po import entry_id, read_catalog
from app.config import normalise_database_url
from tests.live_site import LANG, ROOT, SLUG, Site, make_site, msgfmt_check

SOURCE = "chief of staff.md"
KILLS = 6

#: Saves entries of the seed note in a loop (or once, with a SIGKILL armed at CRASH_AT).
SAVE_SCRIPT = r'''
import os, signal, sys
from app import create_app
from app.services import accounts
from app.services.translating import entries
from app.services.garden import get_garden

run, point, ids = sys.argv[1], os.environ.get("CRASH_AT", ""), sys.argv[2:]
app = create_app()


def die(*_args, **_kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


def arm(catalog):
    """Kill this process at ``point`` of the next save."""
    import app.fsutil as fsutil
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    real_replace, real_fsync = os.replace, os.fsync
    if point == "writing-temp":  # the temporary file is half written and not yet renamed
        def fsync(fd):
            if os.readlink(f"/proc/self/fd/{fd}").endswith(".tmp"):
                die()
            real_fsync(fd)
        fsutil.os.fsync = fsync
    elif point == "after-rename":  # the new catalog is in place; the commit has not happened
        def replace(src, dst):
            real_replace(src, dst)
            if os.path.realpath(dst) == os.path.realpath(catalog):
                die()
        fsutil.os.replace = replace
    elif point in ("after-pending-commit", "after-final-commit"):  # a save commits twice: its pending row, then done
        commits = []

        def count(_session):
            commits.append(1)
            if len(commits) == (1 if point == "after-pending-commit" else 2):
                die()
        event.listen(Session, "after_commit", count)
    else:
        raise SystemExit(f"unknown CRASH_AT {point!r}")


with app.app_context():
    garden = get_garden(0)
    note = garden.notes.get("chief-of-staff")
    user = accounts.find_user("alice")
    if point:
        arm(garden.catalog_path("en", note.slug))
    print("ready", flush=True)
    count = 0
    while True:
        ident = ids[count % len(ids)]
        count += 1
        current = entries.one_entry(garden, note, "en", ident)
        entries.save_entry(garden, note, "en", ident, f"Run {run}, save {count}: “ça marche”.",
                               current["version"], user)
        if point:
            raise SystemExit("the armed kill did not happen")
'''

#: Writes two large versions of a published-like file in turn, forever.
PUBLISH_SCRIPT = r'''
import sys
from app.fsutil import atomic_write, file_lock

path, versions = sys.argv[1], [open(p, "rb").read() for p in sys.argv[2:]]
print("ready", flush=True)
count = 0
while True:
    with file_lock(path):
        atomic_write(path, versions[count % len(versions)])
    count += 1
'''


def start(script: str, env: dict, *args: str) -> subprocess.Popen:
    """Run ``script`` with the venv's Python; return once it printed ``ready``."""
    process = subprocess.Popen([sys.executable, "-c", script, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if line.strip() != "ready":
        process.kill()
        raise AssertionError(f"the script did not start: {line}{process.communicate()[1][-3000:]}")
    return process


def kill(process: subprocess.Popen) -> str:
    """SIGKILL ``process`` (if it is not dead already) and return its stderr."""
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    _out, err = process.communicate(timeout=30)
    return err


def entry_ids(site: Site, count: int = 3) -> list[str]:
    """Ids of the first paragraphs of the seed note's catalog."""
    po = read_catalog(site.catalog())
    return [entry_id(e) for e in po if not e.obsolete and "type: paragraph" in (e.comment or "")][:count]


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(".*.tmp") if p.is_file()]


def age(paths: list[Path], seconds: float = 3600) -> None:
    """Make leftover temporary files look old enough for the clean-up's grace period."""
    moment = time.time() - seconds
    for path in paths:
        os.utime(path, (moment, moment))


def history_rows(site: Site) -> dict[str, list[dict]]:
    """The committed history rows of the seed note's English entries, oldest first, by entry id."""
    engine = create_engine(normalise_database_url(site.env["PASSERELLE_DATABASE_URL"]))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT entry_id, before, after FROM entry_history "
                                     "WHERE source = :source AND lang = :lang ORDER BY id"),
                                {"source": SOURCE, "lang": LANG}).mappings().all()
    finally:
        engine.dispose()
    found: dict[str, list[dict]] = {}
    for row in rows:
        found.setdefault(row["entry_id"], []).append(dict(row))
    return found


def disagreements(site: Site, initial: dict[str, str]) -> list[str]:
    """Where the catalog and the history disagree (empty when every save is in both or in neither)."""
    po = read_catalog(site.catalog())
    in_file = {entry_id(e): e.msgstr for e in po if not e.obsolete}
    problems, history = [], history_rows(site)
    for ident, rows in history.items():
        if ident not in in_file:
            continue
        if rows[-1]["after"] != in_file[ident]:
            problems.append(f"{ident}: the last history row says {rows[-1]['after']!r}, the file {in_file[ident]!r}")
        previous = initial[ident]
        for number, row in enumerate(rows, 1):
            if row["before"] != previous:
                problems.append(f"{ident}: history row {number} was saved over {row['before']!r}, which no "
                                f"history row wrote (the row before says {previous!r})")
            previous = row["after"]
    for ident, msgstr in in_file.items():
        if ident in initial and ident not in history and msgstr != initial[ident]:
            problems.append(f"{ident}: the file holds {msgstr!r} but the history has no row")
    return problems


def clone_site(template: Site, root: Path) -> Site:
    """A copy of a prepared site (SQLite) under ``root``; with PostgreSQL, a freshly made one."""
    if os.environ.get("PASSERELLE_TEST_DATABASE_URL"):
        return make_site(root)
    shutil.copytree(template.root, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.lock", "gunicorn.log"))
    env = {key: value.replace(str(template.root), str(root)) if key.startswith("PASSERELLE_") else value
           for key, value in template.env.items()}
    return Site(root, env)


@pytest.fixture(scope="module")
def template_site(tmp_path_factory) -> Site:
    """A prepared site (seed notes, ``passerelle init``, a translator), copied by each test."""
    return make_site(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="module")
def killed_saves(template_site, tmp_path_factory):
    """A site whose save loop was SIGKILLed at random moments :data:`KILLS` times.

    Returns the site, the initial msgstr of each entry, and what was observed after each kill.
    """
    site = clone_site(template_site, tmp_path_factory.mktemp("killed-saves"))
    ids = entry_ids(site)
    po = read_catalog(site.catalog())
    initial = {entry_id(e): e.msgstr for e in po if not e.obsolete}
    rng = random.Random(20240607)
    observed = []
    for run in range(KILLS):
        process = start(SAVE_SCRIPT, site.env, str(run), *ids)
        time.sleep(rng.uniform(0.2, 1.2))
        died = process.poll()
        err = kill(process)
        assert died is None, f"the save loop stopped by itself: {err[-3000:]}"
        catalog_bytes = site.catalog().read_bytes()
        observed.append({"run": run, "bytes": catalog_bytes, "msgfmt": msgfmt_check(site.catalog()),
                         "temp": temp_files(site.translations)})
        read_catalog(site.catalog())  # raises CatalogError naming the line on a torn file
    return site, initial, observed


@pytest.mark.slow
def test_random_kills_during_saves_leave_valid_catalogs(killed_saves):
    site, _initial, observed = killed_saves
    for seen in observed:
        assert seen["bytes"].strip(), f"run {seen['run']}: empty catalog"
        assert seen["msgfmt"] == "", f"run {seen['run']}: {seen['msgfmt']}"
    assert history_rows(site), "no save was ever committed: raise the delays"


@pytest.mark.slow
def test_the_next_run_removes_temp_files_left_by_killed_saves(killed_saves, tmp_path):
    site, _initial, _observed = killed_saves
    folder = site.catalog().parent
    leftovers = temp_files(folder)
    planted = folder / f".{site.catalog().name}.planted.tmp"  # what a writer killed before its rename leaves
    planted.write_bytes(b"# half a catalog\nmsgid \"")
    age([*leftovers, planted])
    site.cli("sync")
    assert temp_files(folder) == []
    assert msgfmt_check(site.catalog()) == ""


@pytest.mark.slow
def test_random_kills_during_saves_keep_files_and_history_in_agreement(killed_saves):
    site, initial, _observed = killed_saves
    site.cli("sync")  # the next run: a recovery step, if any, has happened by now
    assert disagreements(site, initial) == []


@pytest.mark.slow
@pytest.mark.parametrize("point", ["writing-temp", "after-pending-commit", "after-rename", "after-final-commit"])
def test_a_kill_at_each_step_of_a_save(template_site, tmp_path, point):
    site = clone_site(template_site, tmp_path / "site")
    ids = entry_ids(site, 1)
    po = read_catalog(site.catalog())
    initial = {entry_id(e): e.msgstr for e in po if not e.obsolete}
    before = site.catalog().read_bytes()
    process = start(SAVE_SCRIPT, dict(site.env, CRASH_AT=point), "armed", *ids)
    _out, err = process.communicate(timeout=120)  # it kills itself at ``point``
    assert process.returncode == -signal.SIGKILL, f"the process was not killed at {point}: {err[-3000:]}"
    after = site.catalog().read_bytes()
    read_catalog(site.catalog())
    assert msgfmt_check(site.catalog()) == ""
    if point == "writing-temp":
        assert after == before and temp_files(site.translations), "the killed write should leave only its temp file"
    age(temp_files(site.translations))
    site.cli("sync")  # the next run cleans up (and would recover, if the design had a recovery step)
    assert temp_files(site.translations) == []
    assert disagreements(site, initial) == []
    rows = history_rows(site).get(ids[0], [])
    if point in ("writing-temp", "after-pending-commit"):  # the file never got the save: neither
        assert rows == [] and after == before
    else:  # the file holds the save: the pending row is kept, both
        assert len(rows) == 1 and after != before


# --- published files ---------------------------------------------------------------------------------

def published_version(mark: str, size: int) -> bytes:
    """A large published-like note, every line tagged with ``mark`` so a mix would show."""
    head = f"---\ntitle: Version {mark}\nsource: chief of staff.md\nsource_sha256: {mark * 64}\n---\n"
    line = f"Paragraph of version {mark}, long enough to take some time to write to disk.\n\n"
    return (head + line * (size // len(line))).encode("utf-8")


@pytest.mark.slow
def test_random_kills_during_published_writes_never_tear_the_file(tmp_path):
    published = tmp_path / "content" / "en"
    published.mkdir(parents=True)
    target = published / f"{SLUG}.md"
    versions = {mark: published_version(mark, size) for mark, size in (("a", 3_000_000), ("b", 1_000_000))}
    sources = []
    for mark, data in versions.items():
        source = tmp_path / f"version-{mark}.md"
        source.write_bytes(data)
        sources.append(str(source))
    target.write_bytes(versions["a"])
    rng = random.Random(99)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PASSERELLE_")}
    seen = set()
    for _ in range(KILLS):
        process = start(PUBLISH_SCRIPT, env, str(target), *sources)
        time.sleep(rng.uniform(0.05, 0.6))
        died = process.poll()
        err = kill(process)
        assert died is None, f"the writer stopped by itself: {err[-3000:]}"
        data = target.read_bytes()
        assert data in versions.values(), f"torn published file: {len(data)} bytes, starting {data[:80]!r}"
        seen.add(data)
    assert len(seen) >= 1


@pytest.mark.slow
def test_the_next_run_removes_temp_files_left_by_a_killed_publisher(template_site, tmp_path):
    site = clone_site(template_site, tmp_path / "site")
    leftover = site.content / "en" / f".{SLUG}.md.killed.tmp"
    leftover.write_bytes(b"---\ntitle: half a fi")
    age([leftover])
    site.cli("sync")
    assert not leftover.exists()
