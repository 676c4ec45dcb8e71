"""A worker's first note page and its memory, as gunicorn's preloading master makes it: this code against another tree.

Usage: python bench/worker_start.py --garden DIR [--before TREE] [--reps 5] [--workers 4] [--gunicorn 6]

``DIR`` is an initialised site (content/, translations/, instance/ with its saved index), e.g. the
folder ``bench/web.py --keep`` leaves. Each rep starts, for this tree and for ``--before`` (a checkout
of another revision, run with this tree's virtualenv), interleaved, a process that does what
gunicorn's master does under ``gunicorn.conf.py``: imports ``wsgi`` with ``PASSERELLE_PRELOAD=1``,
``gc.freeze()``, then forks ``--workers`` children at once. Each child disposes of the master's
database connections (``post_fork``) and times its first request of a note page (a grown note of
median size, not the one the master may have answered), then a second request of another note
(the anchor: what a warm worker takes), and reads its RSS, PSS and private memory from /proc.
``--before`` runs on a copy of the site in a fresh folder under /tmp (deleted at the end); one unmeasured
run per tree first lets each save the index snapshot its code accepts.
Medians over reps and workers are printed side by side.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable

MASTER = r"""
import gc, json, os, re, sys, time
t0 = time.perf_counter()
tree, first, second, workers = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sys.path.insert(0, tree)
os.environ["PASSERELLE_PRELOAD"] = "1"
import wsgi
master_s = time.perf_counter() - t0

def memory():
    text = open("/proc/self/smaps_rollup").read()
    field = lambda name: int(re.search(rf"^{name}:\s+(\d+) kB", text, re.M).group(1)) / 1024
    return {"rss_mb": field("Rss"), "pss_mb": field("Pss"), "private_mb": field("Private_Clean") + field("Private_Dirty")}

gc.freeze()
master_memory = memory()
pipes = []
for _ in range(workers):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        from app.extensions import db
        with wsgi.app.app_context():
            db.engine.dispose(close=False)
        client = wsgi.app.test_client()
        t = time.perf_counter(); status = client.get(first).status_code; first_ms = (time.perf_counter() - t) * 1000
        t = time.perf_counter(); status2 = client.get(second).status_code; second_ms = (time.perf_counter() - t) * 1000
        os.write(write, json.dumps({"first_ms": first_ms, "second_ms": second_ms, "status": [status, status2], **memory()}).encode())
        os._exit(0)
    os.close(write)
    pipes.append((pid, read))
children = []
for pid, read in pipes:
    data = b""
    while chunk := os.read(read, 65536):
        data += chunk
    os.waitpid(pid, 0)
    children.append(json.loads(data))
print(json.dumps({"master_s": master_s, "master": master_memory, "workers": children}))
"""


def pick_notes(garden: Path) -> tuple[str, str]:
    """Two grown notes of about median size (by file), neither the first by name (the one a master may warm)."""
    files = sorted((garden / "content" / "fr").glob("*.md"))[1:]
    sizes = sorted(files, key=lambda path: path.stat().st_size)
    middle = len(sizes) // 2
    return tuple(f"/fr/notes/{slug_of(garden, path)}" for path in sizes[middle:middle + 2])


def slug_of(garden: Path, path: Path) -> str:
    """The slug the registry gave ``path`` (the file's stem when it has none)."""
    registry = json.loads((garden / "instance" / "slugs.json").read_text(encoding="utf-8"))
    by_file = registry.get("slugs", registry) if isinstance(registry, dict) else {}
    slug = by_file.get(path.name) if isinstance(by_file, dict) else None
    return slug if isinstance(slug, str) else path.stem


def run(tree: Path, garden: Path, first: str, second: str, workers: int) -> dict:
    """One master and its forked workers from ``tree``, on ``garden``."""
    env = dict(os.environ, PASSERELLE_CONTENT_DIR=str(garden / "content"), PASSERELLE_TRANSLATIONS_DIR=str(garden / "translations"),
               PASSERELLE_INSTANCE_DIR=str(garden / "instance"), PASSERELLE_SECRET_KEY="bench")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a deployed package has its bytecode
    out = subprocess.run([PY, "-c", MASTER, str(tree), first, second, str(workers)], cwd=tree, env=env,
                         capture_output=True, text=True, timeout=600)
    if out.returncode:
        raise SystemExit(f"{tree}: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def gunicorn_from_start(tree: Path, garden: Path, page: str, duration: float) -> dict:
    """gunicorn (the project's gunicorn.conf.py, access log off) started from ``tree``: seconds to the first note page,
    then wrk at 32 connections at once, then each worker's memory."""
    sys.path.insert(0, str(ROOT / "bench"))
    import web  # noqa: PLC0415  (bench/web.py, a sibling script)

    env = web.site_env(garden)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    server = web.Server("wsgi:app", env, web.gunicorn_config(garden), ["--chdir", str(tree)])
    try:
        first = server.wait(page)
        run = web.wrk(server.url(page), duration, 32)
        return {"first_page_s": first, "rps": run["rps"], "p99": run.get("p99", 0.0),
                "rss_mb": statistics.median(server.worker_rss_mb()), "pss_mb": statistics.median(server.worker_pss_mb())}
    finally:
        server.stop()


def summary(runs: list[dict]) -> dict:
    """Medians over every rep's master and every worker."""
    workers = [worker for run in runs for worker in run["workers"]]
    med = lambda key, rows: statistics.median(row[key] for row in rows)  # noqa: E731
    return {"master_s": statistics.median(run["master_s"] for run in runs),
            "master_rss_mb": statistics.median(run["master"]["rss_mb"] for run in runs),
            **{key: med(key, workers) for key in ("first_ms", "second_ms", "rss_mb", "pss_mb", "private_mb")},
            "first_max_ms": max(worker["first_ms"] for worker in workers),
            "statuses": sorted({status for worker in workers for status in worker["status"]})}


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--garden", required=True, type=Path)
    parser.add_argument("--before", type=Path, help="another checkout to compare with (same virtualenv)")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--gunicorn", type=float, default=0.0, metavar="SECONDS",
                        help="also start gunicorn from each tree and run wrk for SECONDS from its first answer")
    args = parser.parse_args(argv)
    first, second = pick_notes(args.garden)
    trees = {"this tree": (ROOT, args.garden)}
    if args.before:  # its own copy of the site: a snapshot saved by other code is refused, and would be rebuilt every run
        copy = Path(tempfile.mkdtemp(prefix="passerelle-bench-before-")) / "site"
        shutil.copytree(args.garden, copy, symlinks=True)
        trees["before"] = (args.before.resolve(), copy)
    for tree, garden in trees.values():
        run(tree, garden, first, second, 1)  # unmeasured: each tree saves its own snapshot of its copy
    runs: dict[str, list[dict]] = {name: [] for name in trees}
    load = [os.getloadavg()[0]]
    for _ in range(args.reps):
        for name, (tree, garden) in trees.items():
            runs[name].append(run(tree, garden, first, second, args.workers))
            if args.gunicorn:
                runs[name][-1]["gunicorn"] = gunicorn_from_start(tree, garden, first, args.gunicorn)
            load.append(os.getloadavg()[0])
    if args.before:
        shutil.rmtree(trees["before"][1].parent, ignore_errors=True)
    notes = len(list((args.garden / "content" / "fr").glob("*.md")))
    print(f"{notes} notes, {args.workers} workers forked by a preloading master, {args.reps} reps (medians); "
          f"pages {first} then {second}; load average {min(load):.1f}-{max(load):.1f} on {os.cpu_count()} cores")
    print(f"{'code':10} {'master s':>9} {'master RSS':>10} {'1st page ms':>12} {'max ms':>8} {'2nd page ms':>12} "
          f"{'RSS MB':>7} {'PSS MB':>7} {'private MB':>10}  statuses")
    for name, rows in runs.items():
        row = summary(rows)
        print(f"{name:10} {row['master_s']:9.2f} {row['master_rss_mb']:10.0f} {row['first_ms']:12.0f} {row['first_max_ms']:8.0f} "
              f"{row['second_ms']:12.1f} {row['rss_mb']:7.0f} {row['pss_mb']:7.0f} {row['private_mb']:10.1f}  {row['statuses']}")
    if args.gunicorn:
        print(f"gunicorn from its start (gunicorn.conf.py, {os.environ.get('PASSERELLE_WORKERS') or 2 * os.cpu_count()} workers), "
              f"then wrk -c32 for {args.gunicorn:g} s at once (medians):")
        print(f"{'code':10} {'first page s':>12} {'req/s':>7} {'p99 ms':>8} {'RSS MB':>7} {'PSS MB':>7}")
        for name, rows in runs.items():
            med = {key: statistics.median(row["gunicorn"][key] for row in rows) for key in rows[0]["gunicorn"]}
            print(f"{name:10} {med['first_page_s']:12.2f} {med['rps']:7.0f} {med['p99']:8.1f} {med['rss_mb']:7.0f} {med['pss_mb']:7.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
