"""Sync benchmark: our catalog sync against GNU msgmerge, mdpo and po4a on grown gardens.

Usage: python bench/run.py [--sizes 300,3000,10000] [--reps 3] [--tool-reps 1] [--out DIR]

For each size, one garden is grown from real notes (bench/grow.py) and every tool runs on
it in the same run, each measurement in a fresh process (wall time, CPU time, peak RSS):

- ours: cold sync (no catalogs), no-op sync, sync after 1 % of the notes were edited
  (their catalogs fully translated beforehand), and the no-op through the ``passerelle``
  command (process start-up included);
- GNU ``msgmerge --previous`` on just the edited notes' catalogs, one call per catalog,
  with ready-made POT files (the best a user of the GNU tools could do by hand);
- mdpo's ``markdown_to_pofile`` over every note (extraction only), from a separate venv;
- po4a: ``po4a-updatepo`` on the edited notes, and a cold ``po4a`` run over every note
  (small sizes only: it takes ~0.3 s a note here).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpora" / "sklein-notes"
MDPO_SCRIPT = """
import json, os, resource, sys, time
from mdpo.md2po import markdown_to_pofile
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out)
start, cpu, failed = time.perf_counter(), time.process_time(), 0
for i, name in enumerate(sorted(os.listdir(src))):
    try:
        markdown_to_pofile(os.path.join(src, name), location=True).save(os.path.join(out, f"{i}.po"))
    except Exception:  # mdpo crashes on some real notes (links without href)
        failed += 1
print(json.dumps({"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                  "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "failed": failed}))
"""


# -- workers: each measurement runs in its own process and prints one JSON line ----------------
def _rusage(who: int) -> tuple[float, int]:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def worker(mode: str, args: list[str]) -> dict:
    """Run one measured task in this process; return seconds, CPU seconds and peak RSS."""
    if mode == "sync":  # timed from after the imports: the CLI row shows the whole process
        from app.catalog.sync import sync_all

        start, cpu0 = time.perf_counter(), time.process_time()
        report = sync_all(args[0], args[1], ["en"], args[2], processes=os.cpu_count() or 1)  # as `passerelle sync`
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu0
        children_cpu, children_rss = _rusage(resource.RUSAGE_CHILDREN)  # worker processes of a big sync
        return {"seconds": seconds, "cpu": cpu + children_cpu, "rss_kb": max(_rusage(resource.RUSAGE_SELF)[1], children_rss),
                "summary": report.summary(), "errors": len(report.errors)}
    if mode == "translate":  # give every entry of every catalog an English text
        from app.catalog.po import read_catalog, write_catalog

        for path in sorted(Path(args[0]).glob("*.po")):
            po = read_catalog(path)
            for entry in po:
                entry.msgstr = "EN " + entry.msgid
            write_catalog(path, po)
        return {}
    if mode == "pots":  # POT files of some notes, with our segmenter (preparation, not measured)
        from app.catalog.merge import merge_catalog
        from app.catalog.po import format_catalog
        from app.catalog.segment import segment_note

        for source, pot in json.loads(Path(args[0]).read_text()):
            po = merge_catalog(None, segment_note(Path(source).read_text(encoding="utf-8")), Path(source).name, "en")
            Path(pot).write_text(format_catalog(po), encoding="utf-8")
        return {}
    commands = json.loads(Path(args[0]).read_text())  # "commands": a list of argv run one after the other
    start = time.perf_counter()
    for argv in commands:
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cpu, rss = _rusage(resource.RUSAGE_CHILDREN)
    return {"seconds": time.perf_counter() - start, "cpu": cpu, "rss_kb": rss}


def measure(argv: list[str], env: dict | None = None) -> dict:
    """Run a worker process and return what it measured."""
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT)
    if done.returncode:
        raise RuntimeError(f"{argv[:4]} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_worker(mode: str, *args, env: dict | None = None) -> dict:
    """Run ``bench/run.py worker MODE ARGS`` in a fresh process."""
    return measure([sys.executable, __file__, "worker", mode, *map(str, args)], env)


def run_commands(commands: list[list[str]], jobfile: Path, env: dict | None = None) -> dict:
    """Run external commands one after the other in a worker process that measures them."""
    jobfile.write_text(json.dumps(commands))
    return run_worker("commands", jobfile, env=env)


# -- the benchmark ----------------------------------------------------------------------------------
class Table:
    """Rows of measurements: medians of repetitions."""

    def __init__(self):
        self.rows: list[dict] = []

    def add(self, size: int, task: str, tool: str, runs: list[dict], ours: str | None = None) -> dict:
        """Record the median of ``runs`` (compared with our row for task ``ours``) and print it."""
        row = {"size": size, "task": task, "tool": tool, "runs": len(runs),
               "seconds": statistics.median(r["seconds"] for r in runs),
               "cpu": statistics.median(r["cpu"] for r in runs),
               "rss_mb": max(r["rss_kb"] for r in runs) / 1024, "vs": ours, "all": [r["seconds"] for r in runs]}
        self.rows.append(row)
        print(f"  {size:>6} {task:<28} {tool:<34} {row['seconds']:8.3f} s  (runs: {', '.join(f'{s:.3f}' for s in row['all'])})", flush=True)
        return row

    def render(self) -> str:
        """The table in Markdown."""
        lines = ["| notes | task | tool | median wall (s) | median CPU (s) | peak RSS (MB) | runs | vs ours (same run) |",
                 "|---:|---|---|---:|---:|---:|---:|---|"]
        ours = {(r["size"], r["task"]): r for r in self.rows if r["tool"].startswith("passerelle")}
        for r in self.rows:
            ratio = ""
            if r["vs"] and (r["size"], r["vs"]) in ours:
                ratio = f"{r['seconds'] / ours[(r['size'], r['vs'])]['seconds']:.1f}× ours ({r['vs']})"
            lines.append(f"| {r['size']:,} | {r['task']} | {r['tool']} | {r['seconds']:.3f} | {r['cpu']:.3f} | "
                         f"{r['rss_mb']:.0f} | {r['runs']} | {ratio} |")
        return "\n".join(lines)


def snapshot(paths: list[Path]) -> dict[Path, tuple[bytes, int, int]]:
    """The bytes and timestamps of ``paths``, to put them back later."""
    return {p: (p.read_bytes(), p.stat().st_atime_ns, p.stat().st_mtime_ns) for p in paths if p.exists()}


def restore(saved: dict[Path, tuple[bytes, int, int]]) -> None:
    """Put files back byte for byte with their timestamps, so the manifest's stamps hold again."""
    for path, (data, atime, mtime) in saved.items():
        path.write_bytes(data)
        os.utime(path, ns=(atime, mtime))


def bench_size(n: int, args, table: Table) -> None:
    """Grow a garden of ``n`` notes and measure every tool on it."""
    from app.catalog.sync import assign_slugs
    from bench.grow import edit_note, grow, source_notes, vocabulary

    base = args.out / str(n)
    notes = base / "notes"
    grow(args.src, notes, n, seed=1)
    print(f"grown {n} notes into {notes}", flush=True)
    cold = [run_worker("sync", notes, base / f"cold{r}" / "tr", base / f"cold{r}" / "state") for r in range(args.reps)]
    table.add(n, "cold sync", "passerelle sync", cold)
    tr, state = base / "cold0" / "tr", base / "cold0" / "state"
    run_worker("translate", tr / "en" / "notes")
    for _ in range(2):  # the translated catalogs are checked by content once, then trusted by stamp
        run_worker("sync", notes, tr, state)
        time.sleep(1.1)
    noop = [run_worker("sync", notes, tr, state) for _ in range(args.reps)]
    assert f"{n} unchanged" in noop[-1]["summary"], noop[-1]["summary"]
    table.add(n, "no-op sync", "passerelle sync", noop)
    env = dict(os.environ, PASSERELLE_CONTENT_DIR=str(base / "content"), PASSERELLE_TRANSLATIONS_DIR=str(tr),
               PASSERELLE_STATE_DIR=str(state), PASSERELLE_INSTANCE_DIR=str(base / "instance"),
               PASSERELLE_LANGUAGES="fr,en", PASSERELLE_SECRET_KEY="bench")
    (base / "content").mkdir(exist_ok=True)
    if not (base / "content" / "fr").exists():
        (base / "content" / "fr").symlink_to(notes)
    cli = [sys.executable, "-c", "import sys; from app.cli import main; sys.argv[0] = 'passerelle'; main()", "sync"]
    assert run_commands([cli + ["--check"]], base / "cli.json", env)  # the CLI sees this garden, all in step
    if args.cli:
        table.add(n, "no-op sync", "passerelle sync (CLI process)", [run_commands([cli], base / "cli.json", env) for _ in range(args.reps)])
    rng = random.Random(n)
    vocab = vocabulary([p.read_text(encoding="utf-8") for p in source_notes(args.src)])
    files = sorted(p.name for p in notes.iterdir())
    edited = sorted(rng.sample(files, max(1, n // 100)))
    slugs = assign_slugs(notes, files)
    catalogs = [tr / "en" / "notes" / f"{slugs[f]}.po" for f in edited]
    originals = snapshot([notes / f for f in edited] + catalogs + [state / "sync-manifest.json"])
    new_texts = {f: edit_note((notes / f).read_text(encoding="utf-8"), rng, vocab) for f in edited}
    runs = []
    for _ in range(args.reps):
        for f, text in new_texts.items():
            (notes / f).write_text(text, encoding="utf-8")
        runs.append(run_worker("sync", notes, tr, state))
        assert " 0 updated" not in runs[-1]["summary"], runs[-1]["summary"]  # a few edits may hit untranslatable text
        restore(originals)
    updated = runs[-1]["summary"].split(" updated")[0].rsplit(" ", 1)[-1]
    print(f"  {len(edited)} notes edited, {updated} catalogs updated", flush=True)
    table.add(n, "sync after 1 % edited", "passerelle sync", runs)
    # GNU msgmerge on just the edited catalogs, with POTs made beforehand from the edited French
    work = base / "gnu"
    (work / "edited").mkdir(parents=True, exist_ok=True)
    for f, text in new_texts.items():
        (work / "edited" / f).write_text(text, encoding="utf-8")
    pots = [(str(work / "edited" / f), str(work / f"{slugs[f]}.pot")) for f in edited]
    (work / "pots.json").write_text(json.dumps(pots))
    run_worker("pots", work / "pots.json")
    (work / "old").mkdir()
    for catalog in catalogs:  # the translated catalogs as they were before the edit
        (work / "old" / catalog.name).write_bytes(originals[catalog][0])
    runs = []
    for r in range(args.reps):
        (work / f"out{r}").mkdir()
        runs.append(run_commands([["msgmerge", "--previous", "-q", "-o", str(work / f"out{r}" / c.name), str(work / "old" / c.name), pot]
                                  for c, (_, pot) in zip(catalogs, pots)], work / "jobs.json"))
    table.add(n, "sync after 1 % edited", "GNU msgmerge --previous (edited only)", runs, ours="sync after 1 % edited")
    bench_tools(n, args, table, base, notes, edited, new_texts)


def bench_tools(n: int, args, table: Table, base: Path, notes: Path, edited: list[str], new_texts: dict) -> None:
    """mdpo's extraction and po4a, when installed."""
    if args.mdpo_python:
        runs = [measure([args.mdpo_python, "-c", MDPO_SCRIPT, str(notes), str(base / f"mdpo{r}")]) for r in range(args.tool_reps)]
        failed = max(r["failed"] for r in runs)
        tool = "mdpo markdown_to_pofile (all notes)" + (f", {failed} crashed" if failed else "")
        table.add(n, "cold extraction", tool, runs, ours="cold sync")
    else:
        print("  mdpo skipped: no python with mdpo (--mdpo-python; see bench/README.md)", flush=True)
    if not shutil.which("po4a-updatepo"):
        print("  po4a skipped: not installed", flush=True)
        return
    work = base / "po4a"
    (work / "edited").mkdir(parents=True, exist_ok=True)
    prep = []
    for i, f in enumerate(edited):  # po4a's own catalog of the note before the edit, then the edited French
        (work / "edited" / f"{i}.md").write_text(new_texts[f], encoding="utf-8")
        prep.append(["po4a-updatepo", "-f", "text", "-o", "markdown", "-M", "UTF-8", "-m", str(notes / f), "-p", str(work / f"{i}.po")])
    run_commands(prep, work / "prep.json")
    runs = []
    for r in range(args.tool_reps):
        shutil.copytree(work, base / f"po4a{r}", ignore=shutil.ignore_patterns("*.json", "edited"))
        runs.append(run_commands([["po4a-updatepo", "-f", "text", "-o", "markdown", "-M", "UTF-8", "-m", str(work / "edited" / f"{i}.md"),
                                   "-p", str(base / f"po4a{r}" / f"{i}.po")] for i in range(len(edited))], work / "jobs.json"))
    table.add(n, "sync after 1 % edited", "po4a-updatepo (edited only)", runs, ours="sync after 1 % edited")
    if n > args.po4a_max:
        print(f"  po4a cold run skipped above {args.po4a_max} notes (--po4a-max)", flush=True)
        return
    runs = []
    for r in range(args.tool_reps):
        folder = base / f"po4a-cold{r}"
        (folder / "src").mkdir(parents=True)
        lines = ["[po4a_langs] en", "[po4a_paths] po/$master.pot $lang:po/$master.$lang.po", '[options] opt:"-o markdown -M UTF-8 -k 0"']
        for i, name in enumerate(sorted(os.listdir(notes))):  # po4a's config cannot quote names with spaces
            (folder / "src" / f"n{i}.md").symlink_to(notes / name)
            lines.append(f"[type: text] src/n{i}.md $lang:out/n{i}.md pot=n{i}")
        (folder / "po4a.cfg").write_text("\n".join(lines) + "\n")
        runs.append(run_commands([["po4a", "--no-translations", "-q", "--srcdir", str(folder), "--destdir", str(folder), str(folder / "po4a.cfg")]], folder / "jobs.json"))
    table.add(n, "cold extraction + catalogs", "po4a --no-translations (all notes)", runs, ours="cold sync")


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["worker"]:
        print(json.dumps(worker(argv[1], argv[2:])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="300,3000,10000", help="comma-separated garden sizes")
    parser.add_argument("--reps", type=int, default=3, help="repetitions of our runs and msgmerge (median)")
    parser.add_argument("--tool-reps", type=int, default=1, help="repetitions of mdpo and po4a (slow)")
    parser.add_argument("--src", type=Path, default=CORPUS, help="folder of real notes to grow from")
    parser.add_argument("--out", type=Path, default=Path("/tmp/passerelle-bench") / time.strftime("%Y%m%d-%H%M%S"))
    parser.add_argument("--mdpo-python", default="/tmp/bench-venv/bin/python", help="python of a venv with mdpo")
    parser.add_argument("--po4a-max", type=int, default=300, help="largest garden for the cold po4a run")
    parser.add_argument("--no-cli", dest="cli", action="store_false", help="skip the CLI process measurement")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=False)
    if not (args.mdpo_python and Path(args.mdpo_python).exists()
            and subprocess.run([args.mdpo_python, "-c", "import mdpo"], capture_output=True).returncode == 0):
        args.mdpo_python = None
    table = Table()
    print(f"bench into {args.out} on {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}", flush=True)
    for n in (int(s) for s in args.sizes.split(",")):
        bench_size(n, args, table)
    text = table.render()
    (args.out / "table.md").write_text(text + "\n")
    (args.out / "results.json").write_text(json.dumps(table.rows, indent=1))
    print(text)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
