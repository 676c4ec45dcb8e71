"""A no-op ``passerelle sync`` as a whole process: this tree beside another revision, same garden, same run.

Usage: python bench/noop_sync.py [--before REV] [--notes 10000] [--reps 15] [--garden DIR] [--out DIR]

The other revision (default ``HEAD``) is exported with ``git archive`` into a fresh folder and
run with the same interpreter; the two alternate (A B A B …) on one garden grown from the real
notes (bench/grow.py), translated and settled first, so a busy moment of the shared machine
hits both. Bytecode is cached as in an installed package (``PYTHONDONTWRITEBYTECODE`` is
dropped: with it every run compiles the project's modules again). Prints medians of wall and
CPU time (the process and its children, from ``wait4``) and the load average around the run.
"""
from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
CORPUS = ROOT.parent / "shared" / "corpora" / "sklein-notes"
SYNC = [sys.executable, "-c", "from app.cli import main; main(['sync'])"]


def timed(cwd: Path, env: dict) -> tuple[float, float]:
    """Wall and CPU seconds of one whole ``passerelle sync`` run from ``cwd``'s ``app`` package."""
    start = time.perf_counter()
    proc = subprocess.Popen(SYNC, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"sync from {cwd} failed: {err[-1500:]}")
    return wall, usage.ru_utime + usage.ru_stime


def export(rev: str, folder: Path) -> Path:
    """The ``app`` package of ``rev`` in ``folder``."""
    archive = subprocess.run(["git", "archive", rev, "app"], cwd=ROOT, check=True, capture_output=True).stdout
    folder.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def garden(work: Path, notes: int, env: dict) -> None:
    """Grow, sync, translate and settle a garden of ``notes`` notes in ``work``."""
    from grow import grow

    grow(CORPUS, work / "content" / "fr", notes, seed=1)
    subprocess.run(SYNC, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "worker", "translate",
                    str(work / "translations" / "en" / "notes")], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    for _ in range(2):  # translated catalogs are checked by content once, then trusted by their stamps
        subprocess.run(SYNC, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        time.sleep(1.1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="HEAD")
    parser.add_argument("--notes", type=int, default=10000)
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--garden", type=Path, help="an existing settled garden (content/, translations/, instance/)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="passerelle-noop-bench-"))
    work = args.garden or out / "garden"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PASSERELLE_CONTENT_DIR=str(work / "content"), PASSERELLE_TRANSLATIONS_DIR=str(work / "translations"),
               PASSERELLE_INSTANCE_DIR=str(work / "instance"), PASSERELLE_SECRET_KEY="bench", PASSERELLE_LANGUAGES="fr,en")
    if args.garden is None:
        garden(work, args.notes, env)
    trees = {f"{args.before} (before)": export(args.before, out / "before"), "this tree": ROOT}
    envs = {}
    for number, (name, cwd) in enumerate(trees.items()):
        # each tree its own manifest: it names the catalog code, so one tree's sync is a full pass for the other
        state = out / f"instance-{number}"
        shutil.copytree(work / "instance", state)
        envs[name] = dict(env, PASSERELLE_INSTANCE_DIR=str(state))
        for _ in range(2):  # bytecode caches written, the manifest settled for this tree
            timed(cwd, envs[name])
            time.sleep(1.1)
    runs = {name: [] for name in trees}
    print(f"no-op passerelle sync, whole process, {args.reps} runs each alternating, garden {work}")
    print(f"load before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    for _ in range(args.reps):
        for name, cwd in trees.items():
            runs[name].append(timed(cwd, envs[name]))
    print(f"load after:  {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    print(f"{'tree':<24} | {'wall median s':>13} | {'CPU median s':>12}")
    for name, figures in runs.items():
        print(f"{name:<24} | {statistics.median(w for w, _ in figures):>13.3f} | "
              f"{statistics.median(c for _, c in figures):>12.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
