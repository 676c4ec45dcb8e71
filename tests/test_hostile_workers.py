"""Hostile notes under gunicorn: every worker keeps the other pages whole, and heals without a restart.

Three gthread workers (as ``tests/test_workers.py`` runs them) over a copy of the seed notes. A
note nested 10,000 levels deep, one of 100 KB of code fences (35 s of ``strip_code`` each time a
worker read it, longer than gunicorn's timeout) and an alias bomb are written while every worker
serves; each worker must answer the broken-note page for them and 200 for everything else. Fixing a
file in place, then deleting one, must reach every worker without a restart.
"""
from __future__ import annotations

import os
import time
from contextlib import ExitStack

import pytest

from tests.conftest import seed_content
from tests.test_hostile_notes import ALIAS_BOMB, DEEP_YAML, OTHER, SEED
from tests.test_postgres import postgres_unavailable, temporary_schema
from tests.test_workers import Site, cli

pytest.importorskip("gunicorn", reason="gunicorn is not installed")

FENCES = ("---\ntitle: Barrières\n---\n" + "```x\n" * 20_000).encode()


@pytest.fixture
def site(tmp_path):
    """Passerelle under gunicorn (3 gthread workers) over a copy of the seed notes."""
    content = tmp_path / "content"
    content.mkdir()
    seed_content(content)
    with ExitStack() as stack:
        env = dict(os.environ, PASSERELLE_CONTENT_DIR=str(content), PASSERELLE_TRANSLATIONS_DIR=str(tmp_path / "translations"),
                   PASSERELLE_INSTANCE_DIR=str(tmp_path / "instance"), PASSERELLE_SECRET_KEY="hostile-workers-test",
                   PASSERELLE_WORKERS="3", PASSERELLE_THREADS="2", PASSERELLE_INDEX_MAX_AGE="0.5",
                   PASSERELLE_PAGE_CACHE_RESCAN="1")
        if os.environ.get("PASSERELLE_TEST_DATABASE_URL") and not postgres_unavailable():
            env["PASSERELLE_DATABASE_URL"] = stack.enter_context(temporary_schema())
        cli(env, "init")
        server = Site(env, tmp_path)
        stack.callback(server.stop)
        deadline = time.monotonic() + 60
        while not server.ready():
            assert time.monotonic() < deadline and server.proc.poll() is None, (tmp_path / "gunicorn.out").read_text()
            time.sleep(0.2)
        server.content = content
        yield server


def whole(status: int, text: str) -> bool:
    return status == 200 and f"/fr/notes/{SEED}" in text and f"/fr/notes/{OTHER}" in text


def test_hostile_notes_never_take_a_worker_down_and_fixing_them_heals_every_worker(site):
    ok = lambda status, text: status == 200  # noqa: E731
    for path in ("/fr/", f"/fr/notes/{SEED}", f"/en/notes/{SEED}", "/fr/tags/"):
        site.everywhere(path, ok)  # every worker has rendered and stored its pages

    french = site.content / "fr"
    (french / "Hostile.md").write_bytes(DEEP_YAML)
    (french / "Barrieres.md").write_bytes(FENCES)
    (french / "Bombe.md").write_bytes(ALIAS_BOMB)
    site.everywhere("/fr/notes/hostile", lambda s, t: s == 500 and "Hostile.md" in t and "nested" in t)
    site.everywhere("/fr/notes/bombe", lambda s, t: s == 500 and "Bombe.md" in t and "aliases" in t)
    site.everywhere("/fr/notes/barrieres", lambda s, t: s == 200 and "Barrières" in t)
    site.everywhere("/fr/", lambda s, t: whole(s, t) and "Barrières" in t)
    for path in (f"/fr/notes/{SEED}", f"/fr/notes/{OTHER}", f"/en/notes/{SEED}", "/fr/tags/", "/fr/feed.xml",
                 "/sitemap.xml", "/fr/search?q=chief"):
        site.everywhere(path, ok)

    # the author fixes one file in place and deletes another: every worker follows, none restarts
    workers = site.workers()
    (french / "Hostile.md").write_text("---\ntitle: Réparée\n---\nTexte RÉPARÉ.\n", encoding="utf-8")
    site.everywhere("/fr/notes/hostile", lambda s, t: s == 200 and "Texte RÉPARÉ" in t)
    site.everywhere("/fr/", lambda s, t: whole(s, t) and "Réparée" in t)
    (french / "Bombe.md").unlink()
    site.everywhere("/fr/notes/bombe", lambda s, t: s == 404)
    site.everywhere("/fr/", whole)
    assert site.workers() == workers, "a worker was restarted"
