"""Concurrent saves through gunicorn (4 worker processes, 8 client threads) never lose an update.

Eight threads save the same three entries of one note, each sending the version it last saw
(the version a 200 returned, or the ``current`` of a 409). Afterwards:

- every answer was 200 or 409;
- no two accepted saves of an entry share a base version, and the accepted saves form one chain
  (each based on the version the previous one produced): nothing was overwritten blindly;
- the history holds every accepted save, in order, with the right ``before`` and ``after``;
- the catalog passes ``msgfmt -c`` and holds the last accepted save.

The helpers at the top (a prepared site in temporary folders, the CLI, a gunicorn server) are
shared with :mod:`tests.test_crash`.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.catalog.po import read_catalog
from tests.seeds import copy_seed_notes

ROOT = Path(__file__).resolve().parent.parent
SLUG = "chief-of-staff"
LANG = "en"
PASSWORD = "stress-test-password"
#: Bounds of the stress run: whichever comes first.
MAX_SAVES = 200
MAX_SECONDS = 30.0
THREADS = 8
WORKERS = 4


# --- a site in temporary folders, driven through the CLI ------------------------------------------

@dataclass
class Site:
    """A Passerelle site in temporary folders: its environment and where things are."""

    root: Path
    env: dict

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def translations(self) -> Path:
        return self.root / "translations"

    def catalog(self, slug: str = SLUG, lang: str = LANG) -> Path:
        return self.translations / lang / "notes" / f"{slug}.po"

    def cli(self, *args: str, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run ``passerelle ARGS`` with the site's environment; fail the test when it fails."""
        done = run_cli(self.env, *args, stdin=stdin, timeout=timeout)
        assert done.returncode == 0, f"passerelle {' '.join(args)}: {done.stdout}\n{done.stderr}"
        return done


def run_cli(env: dict, *args: str, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """``passerelle ARGS`` in a subprocess (the console script may not be installed: go through Python)."""
    code = "import sys; from app.cli import main; sys.argv[0] = 'passerelle'; main()"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env, input=stdin, text=True,
                          capture_output=True, timeout=timeout)


def _drop_postgres_tables(url: str) -> None:
    """Start from an empty PostgreSQL database, as the ``app`` fixture does."""
    from sqlalchemy import create_engine, text

    from app import models  # noqa: F401  (the tables)
    from app.config import normalise_database_url
    from app.extensions import db

    engine = create_engine(normalise_database_url(url))
    db.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


def make_site(root: Path, users: dict[str, str] | None = None) -> Site:
    """Prepare a site with the seed notes: ``passerelle init`` and ``users`` (name: role; default a translator)."""
    copy_seed_notes(root / "content" / "fr")
    (root / "content" / "en").mkdir(parents=True, exist_ok=True)
    (root / "translations").mkdir(exist_ok=True)
    database = os.environ.get("PASSERELLE_TEST_DATABASE_URL")
    if database:
        _drop_postgres_tables(database)
    else:
        database = f"sqlite:///{root / 'instance' / 'passerelle.sqlite3'}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("PASSERELLE_")}
    env.update(PASSERELLE_INSTANCE_DIR=str(root / "instance"), PASSERELLE_CONTENT_DIR=str(root / "content"),
               PASSERELLE_TRANSLATIONS_DIR=str(root / "translations"), PASSERELLE_DATABASE_URL=database,
               PASSERELLE_SECRET_KEY="stress-test-secret", PASSERELLE_LANGUAGES="fr,en", PYTHONUNBUFFERED="1")
    site = Site(root, env)
    site.cli("init")
    for name, role in (users or {"alice": "translator"}).items():
        site.cli("users", "create", name, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
    return site


def new_token(site: Site, name: str) -> str:
    """An API token for ``name`` created with ``passerelle users token`` (its last line)."""
    return site.cli("users", "token", name).stdout.strip().splitlines()[-1]


def msgfmt_check(path: Path) -> str:
    """``msgfmt -c`` of ``path``: an empty string when it passes, else its complaint."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU msgfmt is not installed")
    done = subprocess.run([msgfmt, "-c", "-o", os.devnull, str(path)], capture_output=True, text=True)
    return "" if done.returncode == 0 else done.stderr or f"msgfmt exited {done.returncode}"


# --- a gunicorn server ------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``gunicorn -w WORKERS wsgi:app`` on a free port, with the site's environment."""

    def __init__(self, site: Site, workers: int = WORKERS):
        self.site, self.workers = site, workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log = site.root / "gunicorn.log"

    def start(self, timeout: float = 45) -> None:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [str(gunicorn)] if gunicorn.exists() else [sys.executable, "-m", "gunicorn"]
        command += ["-w", str(self.workers), "-b", f"127.0.0.1:{self.port}", "--timeout", "60", "wsgi:app"]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.site.env, stdout=log, stderr=log,
                                            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited {self.process.returncode}:\n{self.log_text()}")
            try:
                if request("GET", self.base + "/fr/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer within {timeout} s:\n{self.log_text()}")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")[-5000:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # the arbiter stops its workers gracefully
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # its own session: only gunicorn and its workers
            self.process.wait(timeout=10)


def request(method: str, url: str, body: dict | None = None, token: str | None = None,
            timeout: float = 30) -> tuple[int, dict | str]:
    """One HTTP request; the status and the decoded JSON body (or the text)."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            status, raw, kind = response.status, response.read(), response.headers.get_content_type()
    except urllib.error.HTTPError as error:
        status, raw, kind = error.code, error.read(), error.headers.get_content_type()
    text = raw.decode("utf-8", errors="replace")
    return status, json.loads(text) if kind == "application/json" else text


# --- the stress test ---------------------------------------------------------------------------------

@dataclass
class Attempt:
    """One PUT: which entry, the version it was based on, what it sent and what came back."""

    thread: int
    entry: str
    base: str
    msgstr: str
    status: int
    new_version: str | None = None
    error: str | None = None


def _saver(number: int, base: str, token: str, versions: dict[str, str], budget: list[int], lock: threading.Lock,
           deadline: float, attempts: list[Attempt]) -> None:
    """Save random entries with the version this thread last saw, until the budget or the time runs out."""
    rng = random.Random(number)
    seen = dict(versions)  # entry id -> the version this thread last read
    count = 0
    while time.monotonic() < deadline:
        with lock:
            if budget[0] <= 0:
                return
            budget[0] -= 1
        ident = rng.choice(sorted(seen))
        count += 1
        text = f"Save {count} of thread {number}: “quotes”, \"double quotes\", a\\backslash, élan."
        url = f"{base}/api/v1/notes/{SLUG}/{LANG}/entries/{ident}"
        try:
            status, body = request("PUT", url, {"msgstr": text, "base_version": seen[ident]}, token)
        except OSError as exc:  # a dropped connection is a failure of the server, recorded as such
            attempts.append(Attempt(number, ident, seen[ident], text, 0, error=repr(exc)))
            continue
        attempt = Attempt(number, ident, seen[ident], text, status)
        if status == 200:
            attempt.new_version = seen[ident] = body["entry"]["version"]
        elif status == 409 and isinstance(body, dict) and "current" in body:
            seen[ident] = body["current"]["version"]
        else:
            attempt.error = str(body)[:500]
        attempts.append(attempt)


@pytest.mark.slow
def test_concurrent_saves_through_gunicorn_never_lose_an_update(tmp_path):
    site = make_site(tmp_path)
    token = new_token(site, "alice")
    server = Server(site)
    try:
        server.start()
        status, listing = request("GET", f"{server.base}/api/v1/notes/{SLUG}/{LANG}/entries", token=token)
        assert status == 200, listing
        chosen = [entry for entry in listing["entries"] if entry["type"] == "paragraph"][:3]
        assert len(chosen) == 3
        initial = {entry["id"]: entry for entry in chosen}
        versions = {entry["id"]: entry["version"] for entry in chosen}
        attempts: list[Attempt] = []
        budget, lock = [MAX_SAVES], threading.Lock()
        deadline = time.monotonic() + MAX_SECONDS
        threads = [threading.Thread(target=_saver, args=(n, server.base, token, versions, budget, lock, deadline, attempts))
                   for n in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=MAX_SECONDS + 60)
        assert not any(thread.is_alive() for thread in threads), "a client thread hung"

        statuses = Counter(attempt.status for attempt in attempts)
        unexpected = [a for a in attempts if a.status not in (200, 409)]
        assert not unexpected, f"{statuses}; first unexpected answers: {unexpected[:3]}\n{server.log_text()}"
        assert statuses[200] >= 3 and statuses[409] >= 1, f"too little happened to prove anything: {statuses}"

        accepted: dict[str, list[Attempt]] = defaultdict(list)
        for attempt in attempts:
            if attempt.status == 200:
                accepted[attempt.entry].append(attempt)
        for ident, saves in accepted.items():
            bases = Counter(save.base for save in saves)
            assert max(bases.values()) == 1, f"two accepted saves of {ident} share a base version: {bases.most_common(2)}"
            # the accepted saves form one chain from the version we started from
            by_base = {save.base: save for save in saves}
            chain, version = [], initial[ident]["version"]
            while version in by_base:
                chain.append(by_base[version])
                version = by_base[version].new_version
            assert len(chain) == len(saves), f"accepted saves of {ident} do not form one chain"

            status, body = request("GET", f"{server.base}/api/v1/notes/{SLUG}/{LANG}/entries/{ident}/history", token=token)
            assert status == 200, body
            history = list(reversed(body["history"]))  # oldest first
            assert len(history) == len(chain), f"{ident}: {len(chain)} accepted saves, {len(history)} history rows"
            assert [row["after"] for row in history] == [save.msgstr for save in chain]
            assert [row["before"] for row in history] == [initial[ident]["msgstr"]] + [s.msgstr for s in chain[:-1]]
            assert all(row["user"] == "alice" and row["action"] == "save" for row in history)

            status, body = request("GET", f"{server.base}/api/v1/notes/{SLUG}/{LANG}/entries/{ident}", token=token)
            assert status == 200 and body["entry"]["msgstr"] == chain[-1].msgstr
            assert body["entry"]["version"] == chain[-1].new_version
        for ident in initial.keys() - accepted.keys():  # an entry nobody managed to save is untouched
            status, body = request("GET", f"{server.base}/api/v1/notes/{SLUG}/{LANG}/entries/{ident}", token=token)
            assert body["entry"]["msgstr"] == initial[ident]["msgstr"]
    finally:
        server.stop()
    assert server.process.returncode is not None
    catalog = site.catalog()
    assert msgfmt_check(catalog) == ""
    po = read_catalog(catalog)
    in_file = {entry.msgid: entry.msgstr for entry in po if not entry.obsolete}
    for ident, saves in accepted.items():
        last = max(saves, key=lambda save: int(save.new_version.split("-")[0]))
        assert in_file[initial[ident]["msgid"]] == last.msgstr
    assert not list(catalog.parent.glob(".*.tmp")), "a temporary file was left behind"
