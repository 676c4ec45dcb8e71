"""Dashboard benchmark: the translator's dashboard and the review queue at 10,000 notes, beside Flask's hello world.

Usage: python bench/dashboard.py [--notes 10000] [--requests 15] [--saves 3000] [--garden DIR]

A garden of ``--notes`` notes is grown from the real notes (bench/grow.py, plus the seeds) in a
fresh folder under /tmp and synced with ``passerelle init`` (``--garden`` reuses one already
grown and initialised). Then, in a fresh process, ``--saves`` history rows spread over the last
twelve weeks are written (so the chart has something to rebuild), and through Flask's test client
with a translator's and an editor's session:

- the first dashboard request of the process (every catalog summarised, then cached by file stamp);
- the median and p95 of ``--requests`` requests of: the dashboard, a search with a filter, a sort
  and page 2, the last page sorted by last French change, a hostile query string, the review
  queue, the dashboard right after one catalog changed and right after one note's state changed
  (the cached snapshot of every note's progress patched); beside Flask's hello world through the same test client in the same run.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

URLS = {
    "dashboard": "/translate/",
    "search + filter + sort, page 2": "/translate/?q=note&show=untranslated&sort=title&page=2",
    "last page by French change": "/translate/?sort=changed&page=9999",
    "hostile query string": "/translate/?q=%00%3Cscript%3E&show=%27;drop&sort=x&page=-1",
    "review queue": "/review/",
    "review queue, all notes": "/review/?show=all&sort=remaining",
}

PROBE = r"""
import json, random, statistics, sys, time
from datetime import datetime, timedelta, timezone
from flask import Flask
from app import create_app
from app.extensions import db
from app.models import EntryHistory, User
from app.services import accounts
from app.services.garden import get_garden
from app.web import SESSION_KEY

urls, requests, saves = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
app = create_app()
with app.app_context():
    for name, role in (("bench-translator", "translator"), ("bench-editor", "editor")):
        if accounts.find_user(name) is None:
            user = User(username=name, role=role, active=True)
            user.set_password("bench-password-123")
            db.session.add(user)
    db.session.commit()
    garden = get_garden(max_age=0)
    notes = sorted(garden.notes.notes(), key=lambda n: n.filename)
    rng, now = random.Random(7), datetime.now(timezone.utc)
    translator = accounts.find_user("bench-translator")
    if not db.session.query(EntryHistory).count():
        for k in range(saves):
            note = notes[rng.randrange(len(notes))]
            db.session.add(EntryHistory(source=note.filename, lang="en", entry_id=f"{k:040x}", msgid="un deux trois quatre",
                                        before="", after="one two three four", user_id=translator.id,
                                        at=now - timedelta(minutes=rng.randrange(12 * 7 * 24 * 60))))
        db.session.commit()

clients = {}
for name in ("bench-translator", "bench-editor"):
    client = app.test_client()
    with app.app_context():
        account = accounts.find_user(name)
        key, ident = accounts.open_session(account), account.id
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"], session[SESSION_KEY] = str(ident), True, key
    clients[name] = client

def timed(client, url):
    start = time.perf_counter()
    response = client.get(url)
    took = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    return took

first = timed(clients["bench-translator"], "/translate/")
hello = Flask("hello")
hello.add_url_rule("/", "hello", lambda: "Hello, World!")
hello_client = hello.test_client()
figures = {"first dashboard request": {"median": first, "p95": first}}
rows = {"Flask hello world": lambda: hello_client.get("/")}
for label, url in urls.items():
    client = clients["bench-editor" if url.startswith("/review") else "bench-translator"]
    rows[label] = lambda client=client, url=url: timed(client, url)
with app.app_context():
    catalog = next(iter(sorted((get_garden().translations_dir / "en" / "notes").glob("*.po"))))

def after_a_save():
    catalog.touch()  # a new stamp, as a save gives: the snapshot of every note's progress is rebuilt
    return timed(clients["bench-translator"], "/translate/")

rows["dashboard after one catalog changed"] = after_a_save

def after_a_state_change():
    with app.app_context():  # as a submission or a decision does: one state row written, no file touched
        from app.models import NoteState, utcnow
        row = db.session.query(NoteState).filter_by(source=notes[0].filename, lang="en").one_or_none()
        if row is None:
            row = NoteState(source=notes[0].filename, lang="en", state="untranslated")
            db.session.add(row)
        row.state = "in_progress" if row.state == "untranslated" else "untranslated"
        row.updated_at = utcnow()
        db.session.commit()
    return timed(clients["bench-translator"], "/translate/")

rows["dashboard after one state changed"] = after_a_state_change
for label, call in rows.items():
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    figures[label] = {"median": statistics.median(times), "p95": times[max(0, int(len(times) * 0.95) - 1)]}
with app.app_context():
    figures["notes"] = len(get_garden().notes.notes())
print(json.dumps(figures))
"""


def grow_site(work: Path, notes: int) -> dict:
    """Grow and initialise a garden of ``notes`` notes under ``work``; return its environment."""
    from web import PASSERELLE, grow_garden, site_env  # noqa: PLC0415  (bench/web.py, a sibling script)

    grow_garden(work, notes)
    env = site_env(work)
    subprocess.run(PASSERELLE + ["init"], cwd=ROOT, env=env, check=True, capture_output=True)
    return env


def main() -> None:
    """Grow (or reuse) the garden, run the probe in a fresh process, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10000)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--saves", type=int, default=3000)
    parser.add_argument("--garden", type=Path, help="a folder bench/dashboard.py (or bench/web.py) grew and initialised")
    args = parser.parse_args()
    from web import PY, site_env  # noqa: PLC0415

    if args.garden:
        work, env = args.garden, site_env(args.garden)
    else:
        work = Path(tempfile.mkdtemp(prefix="passerelle-dashboard-bench-"))
        started = time.perf_counter()
        env = grow_site(work, args.notes)
        print(f"grew and initialised {args.notes:,} notes in {work} in {time.perf_counter() - started:.0f} s", flush=True)
    out = subprocess.run([PY, "-c", PROBE, json.dumps(URLS), str(args.requests), str(args.saves)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=3600)
    if out.returncode:
        raise SystemExit(f"the probe failed:\n{out.stderr[-3000:]}")
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    notes = figures.pop("notes")
    print(f"\n{notes:,} notes indexed; {args.requests} requests per row (ms, Flask test client, one process)\n")
    print("| request | median | p95 |\n|---|---:|---:|")
    for label, row in figures.items():
        print(f"| {label} | {row['median']:.1f} | {row['p95']:.1f} |")
    (work / "dashboard-bench.json").write_text(json.dumps(figures, indent=1))
    print(f"\nmedian of the dashboard / hello world: {figures['dashboard']['median'] / figures['Flask hello world']['median']:.0f}×")


if __name__ == "__main__":
    main()
