"""Page benchmark: what each reader page costs to render, by garden size, beside Flask's hello world.

Usage: python bench/pages.py [--sizes 1000,10000,30000] [--requests 30] [--out DIR]

For each size, a garden is grown from the real notes (bench/grow.py, plus the seed notes and
their published English) in a fresh folder and prepared with ``passerelle init``. Then, in one
process, with the page cache off (every request renders, as for a logged-in translator):

- the app's start: creating it, and its first note page (the index of notes built or loaded);
- each reader page through Flask's test client: a note, the home page, a tag page, the tag index,
  the feed and searches, median and p95 of ``--requests`` requests, beside Flask's hello world
  through the same test client in the same run;
- search against the previous way (every note read and folded on each query, kept here as the
  anchor): time per query and how many of its first 10 results ours has in its first 10.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
QUERIES = ["chief", "stratégique", "économie", "logiciel libre", "postgresql", "apprentissage", "note", "zorglub"]


# -- the previous search, as the anchor: every visible note folded and scanned on each query ----------
def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def previous_search(entries, query: str) -> list[str]:
    """The slugs the search before the full-text index returned, in its order (every word as a substring)."""
    from app.content.fulltext import plain_text

    terms = []
    for word in _fold(query[:200]).split():
        word = word.strip(".,;:!?\"'«»()[]{}")
        if word and word not in terms:
            terms.append(word)
    scored = []
    for entry in entries:
        title, body = _fold(entry.title), _fold(plain_text(entry.body))
        if all(t in title or t in body for t in terms):
            scored.append((-sum(t in title for t in terms), -sum(body.count(t) for t in terms), title, entry.slug))
    scored.sort()
    return [s[-1] for s in scored[:50]]


def measure(fn, count: int) -> dict:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"median": statistics.median(times), "p95": times[max(0, int(len(times) * 0.95) - 1)], "first": None}


def probe(work: Path, requests: int) -> dict:
    """In a fresh process (this script with --probe): start-up, pages and search against the anchors."""
    started = time.perf_counter()
    from flask import Flask

    from app import create_app

    app = create_app({"PAGE_CACHE_MB": 0})
    created = time.perf_counter() - started
    client = app.test_client()
    hello = Flask("hello")
    hello.add_url_rule("/", "hello", lambda: "Hello, World!")
    hello_client = hello.test_client()
    from app.services.garden import warm_garden

    t0 = time.perf_counter()
    garden = warm_garden(app)  # as a server starts: the snapshot `passerelle init` saved, then changed files only
    notes = garden.notes.notes()
    index_seconds = time.perf_counter() - t0
    typical = sorted(notes, key=lambda n: (len(n.text), n.slug))[len(notes) // 2]
    t0 = time.perf_counter()
    assert client.get(f"/fr/notes/{typical.slug}").status_code == 200
    first_page = time.perf_counter() - t0 + index_seconds
    tags = sorted(garden.notes.tags().items(), key=lambda item: -len(item[1]))
    big_tag = tags[0][0] if tags else "x"
    pages = {"hello world (Flask)": (hello_client, "/"), "note page": (client, f"/fr/notes/{typical.slug}"),
             "home page": (client, "/fr/"), "home page, page 2": (client, "/fr/?page=2"),
             f"tag page (#{big_tag}, {len(tags[0][1]) if tags else 0} notes)": (client, f"/fr/tags/{big_tag}"),
             "tag index": (client, "/fr/tags/"), "feed": (client, "/fr/feed.xml")}
    figures = {"created": created, "first_note_page": first_page, "notes": len(notes), "pages": {}}
    for name, (who, url) in pages.items():
        response = who.get(url)
        assert response.status_code == 200, (url, response.status_code)
        figures["pages"][name] = dict(measure(lambda: who.get(url), requests), bytes=len(response.data))
    with app.test_request_context():
        from app.services.reading.listings import visible_entries
        from app.services.reading.search import search

        entries = visible_entries("fr")
        search("fr", "préchauffage")  # the index brought up to date before timing
        ours_t, theirs_t, overlap = [], [], []
        for query in QUERIES:
            t0 = time.perf_counter()
            results, total = search("fr", query)
            ours_t.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            before = previous_search(entries, query)
            theirs_t.append((time.perf_counter() - t0) * 1000)
            top = [r.slug for r in results[:10]]
            overlap.append((query, total, len(before), len(set(top) & set(before[:10]))))
    figures["search"] = {"ours_median": statistics.median(ours_t), "ours_max": max(ours_t),
                         "before_median": statistics.median(theirs_t), "before_max": max(theirs_t), "queries": overlap}
    for query in QUERIES[:3]:
        url = "/fr/search?q=" + query
        figures["pages"][f"search page ({query})"] = dict(measure(lambda: client.get(url), requests), bytes=len(client.get(url).data))
    import resource

    figures["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def grow_site(work: Path, notes: int) -> dict:
    from web import grow_garden, site_env

    grow_garden(work, notes)
    env = site_env(work)
    env["PASSERELLE_LANGUAGES"] = "fr,en"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from app.cli import main; main()", "init"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return {"env": env, "init": time.perf_counter() - t0}


def table(size: int, figures: dict, init: float) -> str:
    lines = [f"{size:,} notes ({figures['notes']} indexed): passerelle init {init:.1f} s; app created in {figures['created']:.2f} s, "
             f"first note page {figures['first_note_page']:.2f} s after; peak RSS {figures['rss_mb']:.0f} MB",
             f"{'page (page cache off)':<44} {'bytes':>9} {'median ms':>10} {'p95 ms':>8} {'vs hello':>9}"]
    hello = figures["pages"]["hello world (Flask)"]["median"]
    for name, page in figures["pages"].items():
        lines.append(f"{name:<44} {page['bytes']:>9,} {page['median']:>10.2f} {page['p95']:>8.2f} {hello / page['median']:>8.0%}")
    s = figures["search"]
    lines.append(f"search, {len(s['queries'])} queries: ours median {s['ours_median']:.1f} ms (max {s['ours_max']:.1f}); "
                 f"before median {s['before_median']:.0f} ms (max {s['before_max']:.0f}); "
                 f"before / ours {s['before_median'] / s['ours_median']:.0f}×")
    lines.append("  query: notes found ours / before, first 10 in common: " + "; ".join(
        f"{q} {a}/{b} {c}" for q, a, b, c in s["queries"]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,30000")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        print(json.dumps(probe(args.probe, args.requests)))
        return 0
    out = args.out or Path(tempfile.mkdtemp(prefix="passerelle-pages-bench-"))
    results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        work = out / str(size)
        site = grow_site(work, size)
        done = subprocess.run([sys.executable, __file__, "--probe", str(work), "--requests", str(args.requests)], cwd=ROOT,
                              env=dict(site["env"], PASSERELLE_PAGE_CACHE_MB="0"), capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(done.stderr[-3000:])
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        results[size] = dict(figures, init=site["init"])
        print(table(size, figures, site["init"]), "\n", flush=True)
        shutil.rmtree(work / "content", ignore_errors=True)
    (out / "pages.json").write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
