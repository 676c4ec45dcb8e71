"""A real Passerelle site for tests that go through processes: temporary folders, the CLI, gunicorn, HTTP clients.

Shared by :mod:`tests.test_stress`, :mod:`tests.test_crash` and the session and throttling tests.
The database is SQLite in the site's folder, or PostgreSQL when ``PASSERELLE_TEST_DATABASE_URL`` is
set (its tables are dropped first, as the ``app`` fixture does).
"""
from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.seeds import ROOT, copy_seed_notes

SLUG = "chief-of-staff"
LANG = "en"
PASSWORD = "stress-test-password"
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
    """gunicorn with the production settings (``gunicorn.conf.py``: gthread) and ``workers`` workers."""

    def __init__(self, site: Site, workers: int = WORKERS, threads: int = 4):
        self.site, self.workers, self.threads = site, workers, threads
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log = site.root / "gunicorn.log"

    def start(self, timeout: float = 45) -> None:
        command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{self.port}",
                   "--access-logfile", str(self.site.root / "access.log"), "wsgi:app"]
        env = dict(self.site.env, PASSERELLE_WORKERS=str(self.workers), PASSERELLE_THREADS=str(self.threads))
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited {self.process.returncode}:\n{self.log_text()}")
            try:
                if request("GET", self.base + "/fr/")[0] == 200 and len(self.worker_pids()) == self.workers:
                    return
            except (OSError, Cut):
                pass
            time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer within {timeout} s:\n{self.log_text()}")

    def worker_pids(self) -> set[int]:
        """The pids of the arbiter's worker processes, from /proc."""
        pids = set()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    pids.add(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
        return pids

    def kill_worker(self, pid: int) -> None:
        """``kill -9`` one worker of this server (never anything else)."""
        assert pid in self.worker_pids()
        os.kill(pid, signal.SIGKILL)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")[-5000:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # the arbiter stops its workers gracefully
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # its own session: only gunicorn and its workers
            self.process.wait(timeout=10)


# --- HTTP clients ------------------------------------------------------------------------------------

class Cut(Exception):
    """The connection closed without an answer (the worker serving it was killed)."""


def _send(opener, req: urllib.request.Request, timeout: float) -> tuple[int, dict | str]:
    try:
        try:
            with opener.open(req, timeout=timeout) as response:
                status, raw, kind = response.status, response.read(), response.headers.get_content_type()
        except urllib.error.HTTPError as error:  # its body can be cut short too
            status, raw, kind = error.code, error.read(), error.headers.get_content_type()
    except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected, http.client.IncompleteRead) as exc:
        raise Cut(repr(exc)) from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (ConnectionResetError, BrokenPipeError)):
            raise Cut(repr(exc)) from exc
        raise
    text = raw.decode("utf-8", errors="replace")
    return status, json.loads(text) if kind == "application/json" else text


def request(method: str, url: str, body: dict | None = None, token: str | None = None,
            timeout: float = 30) -> tuple[int, dict | str]:
    """One HTTP request; the status and the decoded JSON body (or the text); :class:`Cut` when cut."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    return _send(urllib.request.build_opener(), req, timeout)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A logged-in browser: a cookie jar, the CSRF token of the forms, no automatic redirects."""

    def __init__(self, base: str):
        self.base, self.jar = base, http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())
        self.csrf = ""

    def get(self, path: str, timeout: float = 30) -> tuple[int, str]:
        status, text = _send(self.opener, urllib.request.Request(self.base + path), timeout)
        found = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', text if isinstance(text, str) else "")
        self.csrf = found.group(1) if found else self.csrf
        return status, text

    def post(self, path: str, fields: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, str]:
        data = urllib.parse.urlencode({"csrf_token": self.csrf, **(fields or {})}).encode("ascii")
        return _send(self.opener, urllib.request.Request(self.base + path, data=data, method="POST"), timeout)

    def log_in(self, username: str, password: str = PASSWORD) -> int:
        """Log in through the form; the status of the answer (302 when it worked)."""
        self.get("/login")
        return self.post("/login", {"username": username, "password": password})[0]

    def cookie(self, name: str = "session") -> str | None:
        return next((cookie.value for cookie in self.jar if cookie.name == name), None)
