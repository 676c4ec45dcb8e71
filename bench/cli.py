"""Command-line benchmark: the whole ``passerelle sync`` process beside its anchors, per garden size.

Usage: python bench/cli.py [--sizes 1000,10000,30000] [--reps 3] [--out DIR]

For each size, a garden is grown from the real notes (bench/grow.py) in a fresh folder, and in
the same run, each figure a whole process timed from outside (wall time, CPU of the process and
its children, peak RSS of the largest process, from ``wait4``):

- cold: ``passerelle sync`` with no catalog and no manifest;
- no-op: ``passerelle sync`` again once the catalogs are translated and settled, beside the same
  sync through the Flask command (the app built first, as every ``passerelle sync`` ran before);
- 1 % edited: one word changed in 1 % of the notes, ``passerelle sync``, beside GNU
  ``msgmerge --previous`` run on just the edited catalogs (one process each, driven by ``sh``,
  with POT files made beforehand by our segmenter: the best a GNU-tools user could do by hand).
  Each repetition restores the edited files (bytes and timestamps) first.

The app's modules are compiled once first and ``PYTHONDONTWRITEBYTECODE`` is dropped: an installed
package has its bytecode, and without it every run would compile the app again (tens of ms).

Ours and the anchors alternate (A B A B …) so a busy moment of the shared machine hits both.
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
PASSERELLE = [sys.executable, "-c", "from app.cli import main; main()"]
#: compile every module of the app once, as installing the package does
PASSERELLE_COMPILE = [sys.executable, "-m", "compileall", "-q", str(ROOT / "app")]
FLASK_PATH = [sys.executable, "-c", "import sys; from app.cli import _flask_group; _flask_group()(args=sys.argv[1:])"]


def timed(argv: list[str], env: dict) -> dict:
    """Run ``argv`` to completion; its wall time, CPU time (with children) and peak RSS."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out = proc.stdout.read().decode(errors="replace")
    err = proc.stderr.read().decode(errors="replace")
    proc.stdout.close()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv[-3:]} failed: {err[-1500:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024, "out": out}


def snapshot(paths: list[Path]) -> dict:
    return {p: (p.read_bytes(), p.stat().st_atime_ns, p.stat().st_mtime_ns) for p in paths if p.exists()}


def restore(saved: dict) -> None:
    for path, (data, atime, mtime) in saved.items():
        path.write_bytes(data)
        os.utime(path, ns=(atime, mtime))


def row(size: int, task: str, tool: str, runs: list[dict], anchor: list[dict] | None = None) -> dict:
    figure = {"notes": size, "task": task, "tool": tool, "runs": len(runs),
              "wall": statistics.median(r["wall"] for r in runs), "cpu": statistics.median(r["cpu"] for r in runs),
              "rss_mb": max(r["rss_mb"] for r in runs)}
    if anchor:
        figure["ratio"] = statistics.median(r["wall"] / a["wall"] for r, a in zip(runs, anchor))  # the tool / ours
    print(f"{size:>7,} | {task:<22} | {tool:<46} | {figure['wall']:>8.3f} | {figure['cpu']:>7.3f} | {figure['rss_mb']:>6.0f} | "
          + (f"{figure['ratio']:.1f}× ours" if anchor else ""), flush=True)
    return figure


def bench_size(n: int, reps: int, out: Path) -> list[dict]:
    from grow import edit_note, grow, source_notes, vocabulary

    work = out / str(n)
    notes = work / "content" / "fr"
    grow(CORPUS, notes, n, seed=1)
    env = dict(os.environ, PASSERELLE_CONTENT_DIR=str(work / "content"), PASSERELLE_TRANSLATIONS_DIR=str(work / "translations"),
               PASSERELLE_INSTANCE_DIR=str(work / "instance"), PASSERELLE_SECRET_KEY="bench", PASSERELLE_LANGUAGES="fr,en")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode: no run compiles the app
    subprocess.run(PASSERELLE_COMPILE, env=env, cwd=ROOT, check=True)
    figures = []
    cold = []
    for _ in range(reps):
        shutil.rmtree(work / "translations", ignore_errors=True)
        shutil.rmtree(work / "instance", ignore_errors=True)
        cold.append(timed(PASSERELLE + ["sync"], env))
    figures.append(row(n, "cold sync", "passerelle sync (whole process)", cold))
    subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "worker", "translate", str(work / "translations" / "en" / "notes")],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    for _ in range(2):  # translated catalogs are checked by content once, then trusted by their stamps
        timed(PASSERELLE + ["sync"], env)
        time.sleep(1.1)
    ours, flask = [], []
    for _ in range(reps):
        ours.append(timed(PASSERELLE + ["sync"], env))
        flask.append(timed(FLASK_PATH + ["sync"], env))
    assert f"{n} unchanged" in ours[-1]["out"], ours[-1]["out"]
    figures.append(row(n, "no-op sync", "passerelle sync (whole process)", ours))
    figures.append(row(n, "no-op sync", "the same sync through the Flask app (before)", flask, ours))
    rng = random.Random(n)
    vocab = vocabulary([p.read_text(encoding="utf-8") for p in source_notes(CORPUS)])
    files = sorted(p.name for p in notes.iterdir())
    edited = sorted(rng.sample(files, max(1, n // 100)))
    from app.catalog.sync import assign_slugs

    slugs = assign_slugs(notes, files)
    catalogs = [work / "translations" / "en" / "notes" / f"{slugs[f]}.po" for f in edited]
    saved = snapshot([notes / f for f in edited] + catalogs + [work / "instance" / "sync-manifest.json"])
    new_texts = {f: edit_note((notes / f).read_text(encoding="utf-8"), rng, vocab) for f in edited}
    script = msgmerge_anchor(work / "gnu", new_texts, slugs, catalogs)
    ours, theirs = [], []
    for _ in range(reps):
        for f, text in new_texts.items():
            (notes / f).write_text(text, encoding="utf-8")
        ours.append(timed(PASSERELLE + ["sync"], env))
        assert " 0 updated" not in ours[-1]["out"], ours[-1]["out"]
        theirs.append(timed(["sh", str(script)], env))  # reads the translated catalogs before our edit (restored below)
        restore(saved)
    figures.append(row(n, "sync after 1 % edited", "passerelle sync (whole process)", ours))
    figures.append(row(n, "sync after 1 % edited", f"GNU msgmerge --previous, {len(edited)} catalogs", theirs, ours))
    return figures


def msgmerge_anchor(gnu: Path, new_texts: dict[str, str], slugs: dict[str, str], catalogs: list[Path]) -> Path:
    """A shell script running GNU ``msgmerge --previous`` on each edited catalog, with POT files made beforehand
    by our segmenter from the edited notes (not timed): the best a GNU-tools user could do by hand."""
    (gnu / "edited").mkdir(parents=True, exist_ok=True)
    for f, text in new_texts.items():
        (gnu / "edited" / f).write_text(text, encoding="utf-8")
    pots = [(str(gnu / "edited" / f), str(gnu / f"{slugs[f]}.pot")) for f in new_texts]
    (gnu / "pots.json").write_text(json.dumps(pots))
    subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "worker", "pots", str(gnu / "pots.json")],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    (gnu / "out").mkdir(exist_ok=True)
    script = gnu / "msgmerge.sh"
    script.write_text("set -e\n" + "".join(
        f"msgmerge --previous -q -o '{gnu / 'out' / c.name}' '{c}' '{pot}'\n" for c, (_, pot) in zip(catalogs, pots)))
    return script


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,30000")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if shutil.which("msgmerge") is None:
        raise SystemExit("GNU gettext's msgmerge is needed (apt-get install gettext)")
    out = args.out or Path(tempfile.mkdtemp(prefix="passerelle-cli-bench-"))
    print(f"passerelle sync as a whole process, median of {args.reps} runs each, {os.cpu_count()} CPUs, in {out}")
    print(f"{'notes':>7} | {'task':<22} | {'tool':<46} | {'wall s':>8} | {'CPU s':>7} | {'MB':>6} | vs ours (same run)")
    figures = []
    for size in (int(s) for s in args.sizes.split(",")):
        figures += bench_size(size, args.reps, out)
    (out / "cli.json").write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
