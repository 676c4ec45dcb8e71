"""Cold and 1 %-edited ``passerelle sync`` of this tree beside another revision, interleaved, with msgmerge's anchor.

Usage: python bench/sync_ab.py [--before REV] [--notes 10000] [--reps 3] [--out DIR]

One garden is grown from the real notes (bench/grow.py). The other revision (default ``HEAD``) is
exported with ``git archive`` and run with the same interpreter; the two alternate (A B A B …),
each a whole process timed from outside (wall, CPU of the process and its children from
``wait4``), so a busy moment of the shared machine hits both:

- cold: each run writes into folders of its own that nothing deleted files from just before (a
  first sync of a garden; ``bench/cli.py`` deletes the previous run's 20,000 files first, and on
  this disk's ext4 without a journal, creating files right after many deletions costs more);
- 1 % edited: the garden translated and settled, each tree with its own manifest (it names the
  catalog code); one word changed in 1 % of the notes (the edits of ``bench/cli.py``), then each
  tree's sync, then GNU ``msgmerge --previous`` on just those catalogs (one process each, POT
  files made beforehand by our segmenter); notes, catalogs and manifests restored after each.

Bytecode is cached as in an installed package (``PYTHONDONTWRITEBYTECODE`` is dropped). Prints
medians, the median of the per-round ratios, and the load average before and after each part.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
CORPUS = ROOT.parent / "shared" / "corpora" / "sklein-notes"
SYNC = [sys.executable, "-c", "from app.cli import main; main(['sync'])"]


def timed_from(cwd: Path, env: dict, argv: list[str] = SYNC) -> dict:
    """Wall, CPU (with children) and peak RSS of one whole process run with ``cwd`` as its project root."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out, err = proc.stdout.read().decode(errors="replace"), proc.stderr.read().decode(errors="replace")
    proc.stdout.close()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv[-1][:60]} from {cwd} failed: {err[-1500:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024, "out": out}


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def report(title: str, runs: dict[str, list[dict]], ours: str) -> list[dict]:
    """Print medians and the median per-round ratio of each row to ``ours``; return the rows."""
    rows = []
    print(f"\n{title}")
    print(f"{'what':<44} | {'wall s':>7} | {'CPU s':>7} | {'MB':>4} | ratio to this tree, per round (median)")
    for name, figures in runs.items():
        ratio = statistics.median(a["wall"] / b["wall"] for a, b in zip(figures, runs[ours]))
        cpu_ratio = statistics.median(a["cpu"] / b["cpu"] for a, b in zip(figures, runs[ours]))
        row = {"what": name, "wall": statistics.median(f["wall"] for f in figures),
               "cpu": statistics.median(f["cpu"] for f in figures), "rss_mb": max(f["rss_mb"] for f in figures),
               "wall_ratio": ratio, "cpu_ratio": cpu_ratio, "walls": [f["wall"] for f in figures]}
        rows.append(row)
        print(f"{name:<44} | {row['wall']:>7.3f} | {row['cpu']:>7.3f} | {row['rss_mb']:>4.0f} | "
              f"wall {ratio:.2f}×, CPU {cpu_ratio:.2f}×")
    return rows


def main(argv: list[str] | None = None) -> int:
    from cli import msgmerge_anchor, restore, snapshot
    from grow import edit_note, grow, source_notes, vocabulary
    from noop_sync import export

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="HEAD")
    parser.add_argument("--notes", type=int, default=10000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="passerelle-sync-ab-"))
    trees = {f"{args.before} (before)": export(args.before, out / "before"), "this tree": ROOT}
    this = "this tree"
    notes = out / "garden" / "content" / "fr"
    grow(CORPUS, notes, args.notes, seed=1)
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    base.update(PASSERELLE_CONTENT_DIR=str(notes.parent), PASSERELLE_SECRET_KEY="bench", PASSERELLE_LANGUAGES="fr,en")

    def env_for(folder: Path) -> dict:
        return dict(base, PASSERELLE_TRANSLATIONS_DIR=str(folder / "translations"), PASSERELLE_INSTANCE_DIR=str(folder / "instance"))

    print(f"passerelle sync, whole processes, {args.notes} notes, {args.reps} rounds, {os.cpu_count()} CPUs, in {out}")
    for name, cwd in trees.items():  # bytecode written once, as an installed package has it
        timed_from(cwd, env_for(out / "warm" / name.split()[0]))
    print(f"load before cold: {load()}")
    cold: dict[str, list[dict]] = {name: [] for name in trees}
    for rep in range(args.reps):
        for number, (name, cwd) in enumerate(trees.items()):
            cold[name].append(timed_from(cwd, env_for(out / "cold" / f"{rep}-{number}")))
    print(f"load after cold: {load()}")
    rows = report(f"cold sync of {args.notes} notes", cold, this)
    shutil.rmtree(out / "cold")
    shutil.rmtree(out / "warm")

    settled = out / "settled"
    timed_from(ROOT, env_for(settled))
    subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "worker", "translate", str(settled / "translations" / "en" / "notes")],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    envs = {}
    for number, (name, cwd) in enumerate(trees.items()):  # each tree its own manifest, settled
        state = out / f"instance-{number}"
        shutil.copytree(settled / "instance", state)
        envs[name] = dict(env_for(settled), PASSERELLE_INSTANCE_DIR=str(state))
        for _ in range(2):
            timed_from(cwd, envs[name])
            time.sleep(1.1)
    rng = random.Random(args.notes)
    vocab = vocabulary([p.read_text(encoding="utf-8") for p in source_notes(CORPUS)])
    files = sorted(p.name for p in notes.iterdir())
    edited = sorted(rng.sample(files, max(1, args.notes // 100)))
    from app.catalog.sync import assign_slugs

    slugs = assign_slugs(notes, files)
    catalogs = [settled / "translations" / "en" / "notes" / f"{slugs[f]}.po" for f in edited]
    manifests = [out / f"instance-{n}" / "sync-manifest.json" for n in range(len(trees))]
    saved = snapshot([notes / f for f in edited] + catalogs + manifests)
    new_texts = {f: edit_note((notes / f).read_text(encoding="utf-8"), rng, vocab) for f in edited}
    script = msgmerge_anchor(out / "gnu", new_texts, slugs, catalogs)
    anchor = f"GNU msgmerge --previous, {len(edited)} catalogs"
    edits: dict[str, list[dict]] = {**{name: [] for name in trees}, anchor: []}
    print(f"\nload before 1 % edited: {load()}")
    for _ in range(args.reps):
        for name, cwd in trees.items():
            for f, text in new_texts.items():
                (notes / f).write_text(text, encoding="utf-8")
            edits[name].append(timed_from(cwd, envs[name]))
            assert " 0 updated" not in edits[name][-1]["out"], edits[name][-1]["out"]
            restore(saved)
        edits[anchor].append(timed_from(ROOT, base, ["sh", str(script)]))
    print(f"load after 1 % edited: {load()}")
    rows += report(f"sync after 1 % of {args.notes} notes edited ({len(edited)} notes)", edits, this)
    (out / "sync_ab.json").write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
