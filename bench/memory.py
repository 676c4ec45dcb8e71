"""Translation-memory benchmark: the database-backed memory against the in-memory scan it replaced.

Usage: python bench/memory.py [--entries 300000] [--queries 200] [--database URL] [--out DIR]

Builds, in a fresh folder, a garden's worth of catalogs whose translated entries come from the
real notes of ``../shared/corpora/sklein-notes`` (each segment of every note, then copies with
about 4 % of their words swapped, as bench/grow.py grows a garden), ``--entries`` entries in
catalogs of 30. Then, in the same run and on the same catalogs:

- ours: the memory refreshed from the catalogs into the database (SQLite by default, or
  ``--database postgresql://…``), then ``suggest`` for each query;
- the anchor: the in-memory ``TranslationMemory`` (a scan of every entry, as the app did before),
  built from the same pairs, then ``suggest`` for the same queries.

Queries are stored segments with one word changed (what a translator meets after the author
edits a sentence) and a few sentences of new words. Printed: build time, median and p95 lookup
time of both, how often our suggestions equal the scan's (the exact ones and the best fuzzy), how
many lookups proved their best match the best of every entry, and each lookup where the best differs.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
CORPUS = ROOT.parent / "shared" / "corpora" / "sklein-notes"


def corpus_segments() -> tuple[list[str], list[str]]:
    """The distinct segments of the corpus's notes, and its vocabulary."""
    from grow import source_notes, vocabulary

    from app.catalog.segment import segment_note

    texts = [p.read_text(encoding="utf-8") for p in source_notes(CORPUS)]
    segments: dict[str, None] = {}
    for text in texts:
        try:
            for segment in segment_note(text):
                if len(segment.msgid.strip()) > 3:
                    segments.setdefault(segment.msgid)
        except Exception:  # noqa: BLE001  (a note the segmenter refuses is left out)
            continue
    return list(segments), vocabulary(texts)


def write_catalogs(folder: Path, entries: int, rng: random.Random, segments: list[str], vocab: list[str]) -> list[str]:
    """Write catalogs of 30 translated entries until ``entries`` are written; return their msgids."""
    import polib
    from grow import vary_line

    from app.catalog.po import format_catalog, new_catalog

    folder.mkdir(parents=True, exist_ok=True)
    msgids: list[str] = []
    for k in range(0, entries, 30):
        po = new_catalog(f"note-{k // 30:05d}.md", "en")
        seen = set()
        for j in range(k, min(k + 30, entries)):
            base = segments[j % len(segments)]
            msgid = base if j < len(segments) else vary_line(base, rng, vocab, 0.04)
            if msgid in seen:
                msgid += f" ({j})"
            seen.add(msgid)
            po.append(polib.POEntry(msgid=msgid, msgstr=f"EN {j}: {msgid[:40]}"))
            msgids.append(msgid)
        (folder / f"note-{k // 30:05d}.po").write_text(format_catalog(po), encoding="utf-8")
    return msgids


def queries(rng: random.Random, msgids: list[str], vocab: list[str], count: int) -> list[tuple[str, str]]:
    """``(kind, query)``: stored segments with one word changed, and a tenth of sentences of random words."""
    found = []
    for _ in range(count):
        if rng.random() < 0.1:
            found.append(("new", " ".join(rng.choice(vocab) for _ in range(rng.randint(4, 20))).capitalize() + "."))
            continue
        words = rng.choice(msgids).split(" ")
        words[rng.randrange(len(words))] = rng.choice(vocab)
        found.append(("edited", " ".join(words)))
    return found


def timed(fn, items, cpu: list | None = None) -> tuple[list, list[float]]:
    results, times = [], []
    for item in items:
        start, start_cpu = time.perf_counter(), time.process_time()
        results.append(fn(item))
        times.append((time.perf_counter() - start) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - start_cpu) * 1000)
    return results, times


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=300_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--database", help="a PostgreSQL URL (default: SQLite in the fresh folder)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="passerelle-memory-bench-"))
    rng = random.Random(3)
    segments, vocab = corpus_segments()
    start = time.perf_counter()
    msgids = write_catalogs(out / "translations" / "en" / "notes", args.entries, rng, segments, vocab)
    print(f"{len(msgids)} entries in {len(msgids) // 30 + 1} catalogs written in {time.perf_counter() - start:.1f} s ({out})",
          flush=True)

    from flask_migrate import upgrade

    from app import create_app
    from app.config import normalise_database_url
    from app.extensions import db
    from app.services.garden import Garden
    from app.services.translating import memory
    from app.workflow.memory import TranslationMemory

    (out / "content" / "fr").mkdir(parents=True, exist_ok=True)
    database = normalise_database_url(args.database or f"sqlite:///{out / 'bench.sqlite3'}")
    app = create_app({"INSTANCE_PATH": str(out / "instance"), "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": database,
                      "CONTENT_DIR": str(out / "content"), "TRANSLATIONS_DIR": str(out / "translations")})
    garden = Garden(out / "content", out / "translations", ["fr", "en"])
    kinds = queries(rng, msgids, vocab, args.queries)
    asked = [query for _, query in kinds]
    ours_cpu: list[float] = []
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        start = time.perf_counter()
        stored = memory.memory_for(garden, "en")
        ours_build = time.perf_counter() - start
        timed(stored.suggest, asked[-20:])  # a warm database, as a running server has it
        lookups, ours_times = timed(stored.lookup, asked, ours_cpu)
        ours = [lookup.suggestions for lookup in lookups]
        again, _ = timed(stored.suggest, asked[:20])
        db.session.remove()
    start = time.perf_counter()
    scan = TranslationMemory()
    for path in sorted((out / "translations" / "en" / "notes").glob("*.po")):
        for msgid, msgstr in memory._translated_pairs(path):
            scan.add(msgid, msgstr, path.stem)
    scan_build = time.perf_counter() - start
    scan_cpu: list[float] = []
    theirs, scan_times = timed(scan.suggest, asked, scan_cpu)
    best = [(a[:1] and (a[0].score, a[0].msgstr)) == (b[:1] and (b[0].score, b[0].msgstr)) for a, b in zip(ours, theirs)]
    same_best = sum(best)
    by_kind = {kind: (sum(ok for (k, _), ok in zip(kinds, best) if k == kind), sum(k == kind for k, _ in kinds))
               for kind in ("edited", "new")}
    same_all = sum([(s.score, s.msgstr) for s in a] == [(s.score, s.msgstr) for s in b] for a, b in zip(ours, theirs))
    exact = [(a, b) for a, b in zip(ours, theirs) if b and b[0].score == 100]
    lower = [b[0].score - (a[0].score if a else 0) for a, b in zip(ours, theirs) if b and (not a or a[0].score < b[0].score)]
    kind = "PostgreSQL pg_trgm" if database.startswith("postgresql") else "SQLite FTS5 trigram"
    print(f"Translation memory, {len(msgids)} entries, {len(asked)} lookups (one word changed in a stored segment; 10 % new sentences)")
    print(f"{'memory':<42} {'build s':>8} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'CPU median':>11} {'CPU p95':>8}")
    print(f"{'ours: database, ' + kind:<42} {ours_build:>8.1f} {statistics.median(ours_times):>10.1f} {p95(ours_times):>8.1f} "
          f"{max(ours_times):>8.1f} {statistics.median(ours_cpu):>11.1f} {p95(ours_cpu):>8.1f}")
    print(f"{'before: in-memory scan of every entry':<42} {scan_build:>8.1f} {statistics.median(scan_times):>10.1f} {p95(scan_times):>8.1f} "
          f"{max(scan_times):>8.1f} {statistics.median(scan_cpu):>11.1f} {p95(scan_cpu):>8.1f}")
    print(f"p95 ours / scan: {p95(ours_times) / p95(scan_times):.2f}; goal p95 < 50 ms: {'met' if p95(ours_times) < 50 else 'not met'}")
    print(f"same best suggestion (score and English) as the scan: {same_best} of {len(asked)} "
          f"(edited segments {by_kind['edited'][0]} of {by_kind['edited'][1]}, new sentences {by_kind['new'][0]} of {by_kind['new'][1]}); "
          f"same whole list: {same_all}; "
          f"exact matches found: {sum(bool(a) and a[0].score == 100 for a, _ in exact)} of {len(exact)}")
    if lower:
        print(f"where the best differs, ours is lower by {min(lower)}-{max(lower)} points (median {statistics.median(lower)})")
    proven = [lookup.proven for lookup in lookups]
    print(f"proven the best of every entry: {sum(proven)} of {len(asked)} "
          f"(edited {sum(p for (k, _), p in zip(kinds, proven) if k == 'edited')}, new {sum(p for (k, _), p in zip(kinds, proven) if k == 'new')}); "
          f"entries scored per lookup: median {statistics.median(lookup.scored for lookup in lookups):.0f}, "
          f"max {max(lookup.scored for lookup in lookups)}")
    for (kind, query), a, b, p in zip(kinds, ours, theirs, proven):
        if (a[:1] and (a[0].score, a[0].msgstr)) != (b[:1] and (b[0].score, b[0].msgstr)):
            print(f"  differs ({kind}, proven {p}): {query[:70]!r}: ours {a[:1] and (a[0].score, a[0].msgstr[:30])}, "
                  f"scan {b[:1] and (b[0].score, b[0].msgstr[:30])}")
    print(f"repeated lookups identical: {again == ours[:20]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
