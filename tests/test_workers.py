"""Several gunicorn workers see each other's writes: French files, catalogs, published files, the database.

Starts the production configuration (gunicorn.conf.py, gthread) with three workers on a free
127.0.0.1 port over temporary folders, warms every worker's page cache, then changes things
through one path (a file edit, one worker's API, the command line) and checks that every
worker serves the new state. Which worker answered comes from the access log (pid per request
id). Every loop and wait is bounded; gunicorn is stopped at the end.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.test_postgres import postgres_unavailable, temporary_schema
from tests.seeds import SEED_NOTES

ROOT = Path(__file__).resolve().parent.parent
SEEDS = SEED_NOTES
PYTHON = sys.executable
WORKERS = 3
COS = "chief-of-staff"
PASSWORD = "correct-horse-battery-staple"

pytest.importorskip("gunicorn", reason="gunicorn is not installed")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cli(env: dict, *args: str, stdin: str | None = None) -> str:
    """Run ``passerelle ARGS`` in its own process; return its output."""
    result = subprocess.run([PYTHON, "-c", "from app.cli import main; main()", *args], cwd=ROOT, env=env, input=stdin,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


class Site:
    """A gunicorn master with its workers, and requests that say which worker answered."""

    def __init__(self, env: dict, work: Path):
        self.port, self.log = free_port(), work / "access.log"
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{self.port}",
             "--access-logfile", str(self.log), "--access-logformat", "%(p)s %({x-probe}i)s %(s)s", "wsgi:app"],
            cwd=ROOT, env=env, stdout=open(work / "gunicorn.out", "wb"), stderr=subprocess.STDOUT)  # noqa: SIM115

    def request(self, method: str, path: str, body: dict | None = None, token: str | None = None):
        """One request with a unique probe id; return (probe, status, text)."""
        probe = uuid.uuid4().hex
        headers = {"X-Probe": probe, "Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                return probe, response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return probe, exc.code, exc.read().decode("utf-8")

    def ready(self) -> bool:
        try:
            return self.request("GET", "/fr/")[1] == 200
        except urllib.error.URLError:
            return False

    def pids_of(self) -> dict[str, str]:
        """Probe id → pid of the worker that answered, from the access log."""
        found = {}
        for line in self.log.read_text(encoding="utf-8").splitlines() if self.log.exists() else ():
            parts = line.split()
            if len(parts) >= 2:
                found[parts[1]] = parts[0].strip("<>")
        return found

    def workers(self) -> set[str]:
        pids = set()
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    pids.add(entry.name)
            except (OSError, IndexError, ValueError):
                continue
        return pids

    def everywhere(self, path: str, check, token: str | None = None, timeout: float = 40.0) -> set[str]:
        """GET ``path`` until every worker answered; each answer must pass ``check(status, text)``."""
        seen: set[str] = set()
        deadline = time.monotonic() + timeout
        with ThreadPoolExecutor(max_workers=8) as pool:
            while time.monotonic() < deadline:
                answers = list(pool.map(lambda _: self.request("GET", path, token=token), range(12)))
                for _probe, status, text in answers:
                    assert check(status, text), f"{path}: {status} {text[:300]}"
                time.sleep(0.05)  # let the access log reach the disk
                pids = self.pids_of()
                seen |= {pids[probe] for probe, _, _ in answers if probe in pids}
                if seen >= self.workers() and len(seen) >= WORKERS:
                    return seen
        raise AssertionError(f"{path}: only workers {sorted(seen)} of {sorted(self.workers())} answered in {timeout} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture
def site(tmp_path):
    """Passerelle under gunicorn (3 gthread workers) over temporary folders, with a translator and an editor."""
    content = tmp_path / "content"
    (content / "fr").mkdir(parents=True)
    (content / "en").mkdir()
    for seed in SEEDS.glob("*.md"):
        shutil.copyfile(seed, content / "fr" / seed.name)
    with ExitStack() as stack:
        database = None
        if os.environ.get("PASSERELLE_TEST_DATABASE_URL") and not postgres_unavailable():
            database = stack.enter_context(temporary_schema())
        env = dict(os.environ, PASSERELLE_CONTENT_DIR=str(content), PASSERELLE_TRANSLATIONS_DIR=str(tmp_path / "translations"),
                   PASSERELLE_INSTANCE_DIR=str(tmp_path / "instance"), PASSERELLE_SECRET_KEY="workers-test",
                   PASSERELLE_WORKERS=str(WORKERS), PASSERELLE_THREADS="2", PASSERELLE_INDEX_MAX_AGE="0.5",
                   PASSERELLE_PAGE_CACHE_RESCAN="1")
        if database:
            env["PASSERELLE_DATABASE_URL"] = database
        cli(env, "init")
        tokens = {}
        for name, role in (("translator", "translator"), ("editor", "editor")):
            cli(env, "users", "create", name, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
            tokens[name] = cli(env, "users", "token", name).strip().splitlines()[-1]
        server = Site(env, tmp_path)
        stack.callback(server.stop)
        deadline = time.monotonic() + 60
        while not server.ready():
            assert time.monotonic() < deadline and server.proc.poll() is None, (tmp_path / "gunicorn.out").read_text()
            time.sleep(0.2)
        server.env, server.content, server.tokens = env, content, tokens
        yield server


def test_every_worker_sees_every_write(site):
    ok = lambda status, text: status == 200  # noqa: E731
    # every worker renders and stores the pages before anything changes
    for path in (f"/fr/notes/{COS}", f"/en/notes/{COS}", "/fr/"):
        site.everywhere(path, ok)

    # 1. the author edits a French file in place: every worker serves it at once, despite its index throttle
    french = site.content / "fr" / "chief of staff.md"
    french.write_text(french.read_text(encoding="utf-8").replace("chief of staff externe", "chief of staff MARQUÉ", 1)
                      + "\nParagraphe ajouté MARQUEUR.\n", encoding="utf-8")
    site.everywhere(f"/fr/notes/{COS}", lambda s, t: s == 200 and "Paragraphe ajouté MARQUEUR" in t)
    # serving the note made every worker rescan, so its listing shows the new title too
    site.everywhere("/fr/", lambda s, t: s == 200 and "MARQUÉ" in t)

    # 2. a translator saves through one worker: the catalog file and the history row reach every worker
    token = site.tokens["translator"]
    _, status, text = site.request("GET", f"/api/v1/notes/{COS}/en/entries", token=token)
    assert status == 200, text
    entries = json.loads(text)["entries"]
    for entry in entries:
        _, status, text = site.request("PUT", f"/api/v1/notes/{COS}/en/entries/{entry['id']}", token=token,
                                       body={"msgstr": "EN " + entry["msgid"], "base_version": entry["version"]})
        assert status == 200, text
    first = entries[0]
    site.everywhere(f"/api/v1/notes/{COS}/en/entries/{first['id']}", token=token,
                    check=lambda s, t: s == 200 and json.loads(t)["entry"]["msgstr"] == "EN " + first["msgid"])
    site.everywhere(f"/api/v1/notes/{COS}/en/entries/{first['id']}/history", token=token,
                    check=lambda s, t: s == 200 and len(json.loads(t)["history"]) == 1)

    # 3. submitted through one worker, approved through another: every worker serves the English page at once
    _, status, text = site.request("POST", f"/api/v1/notes/{COS}/en/submit", token=token)
    assert status == 200, text
    _, status, text = site.request("POST", f"/api/v1/notes/{COS}/en/approve", token=site.tokens["editor"])
    assert status == 200, text
    site.everywhere(f"/en/notes/{COS}", lambda s, t: s == 200 and 'data-translation-state="published"' in t
                    and "EN chief of staff MARQUÉ" in t)

    # 4. an account disabled from the command line (another process) is refused by every worker at once
    cli(site.env, "users", "disable", "translator")
    site.everywhere("/api/v1/notes", token=token, check=lambda s, t: s == 401)
