"""Reader pages against Flask's hello world, under the same gunicorn configuration, in one run.

Usage: python bench/web.py [--notes 10000] [--duration 8] [--rounds 3] [--connections 32]

Grows a garden of N notes (bench/grow.py over the sklein corpus, plus the two seed notes and
their published English) in a fresh folder under /tmp, runs ``passerelle init`` on it, then
starts gunicorn servers on 127.0.0.1 with the project's gunicorn.conf.py (access log off, the rest
unchanged): bench/hello.py; Passerelle; unless --skip-uncached, Passerelle with its page cache off,
with the page and render caches off, and a garden of --small-notes notes with the page cache off
(for the growth ratio). wrk hits each page in turn, ROUNDS times,
and the table shows the median requests/s and p50/p99 latency, the ratio to hello world,
start-up time and memory per worker.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
GUNICORN = [PY, "-m", "gunicorn"]
PASSERELLE = [PY, "-c", "from app.cli import main; main()"]
_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def grow_garden(work: Path, notes: int) -> Path:
    """Write content/fr (grown notes and the seeds) and content/en (the seeds' published English)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from grow import grow  # noqa: PLC0415  (bench/grow.py, a sibling script)

    french = work / "content" / "fr"
    grow(SHARED / "corpora" / "sklein-notes", french, notes)
    for seed in (SHARED / "seeds").glob("*.md"):
        shutil.copyfile(seed, french / seed.name)
    english = work / "content" / "en"
    english.mkdir(parents=True, exist_ok=True)
    for published in (ROOT / "content" / "en").glob("*.md"):
        shutil.copyfile(published, english / published.name)
    return work / "content"


def site_env(work: Path) -> dict:
    """The environment of every Passerelle process of the run: all folders under ``work``."""
    env = dict(os.environ, PASSERELLE_CONTENT_DIR=str(work / "content"),
               PASSERELLE_TRANSLATIONS_DIR=str(work / "translations"),
               PASSERELLE_INSTANCE_DIR=str(work / "instance"), PASSERELLE_SECRET_KEY="bench")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a deployed server has its bytecode; without it every start compiles the app
    return env


def probe_index(env: dict) -> dict:
    """In a fresh process: time to create the app and index the garden, its RSS, and a typical note."""
    code = r"""
import json, resource, statistics, time
t0 = time.perf_counter()
from app import create_app
from app.services.garden import get_garden
app = create_app()
t1 = time.perf_counter()
with app.test_request_context():
    garden = get_garden(max_age=0)
t2 = time.perf_counter()
notes = [n for n in garden.notes.notes() if " 0" in n.name] or garden.notes.notes()
median = statistics.median(len(n.text) for n in notes)
typical = min(notes, key=lambda n: (abs(len(n.text) - median), n.slug))
print(json.dumps({"app": t1 - t0, "index": t2 - t1, "notes": len(garden.notes.notes()), "slug": typical.slug,
                  "bytes": len(typical.text.encode()), "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
    out = subprocess.run([PY, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if out.returncode:
        raise SystemExit(f"indexing the garden failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def gunicorn_config(work: Path) -> Path:
    """The project's gunicorn.conf.py with the access log off (both servers use it)."""
    path = work / "gunicorn.bench.py"
    path.write_text(f"exec(open({str(ROOT / 'gunicorn.conf.py')!r}).read())\naccesslog = None\n", encoding="utf-8")
    return path


class Server:
    """One gunicorn master started for the run and stopped at its end."""

    def __init__(self, app: str, env: dict, config: Path, extra: list[str] | None = None):
        self.port = free_port()
        self.log = open(config.parent / f"gunicorn-{self.port}.log", "wb")  # noqa: SIM115
        self.started = time.monotonic()
        self.proc = subprocess.Popen([*GUNICORN, "-c", str(config), "--bind", f"127.0.0.1:{self.port}", *(extra or []), app],
                                     cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait(self, path: str, timeout: float = 300) -> float:
        """Seconds from start until ``path`` answers 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url(path), timeout=timeout) as response:
                    if response.status == 200:
                        return time.monotonic() - self.started
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"{self.url(path)} did not answer within {timeout} s")

    def workers(self) -> list[Path]:
        """The /proc folders of the master's children."""
        found = []
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    found.append(entry)
            except (OSError, IndexError, ValueError):
                continue
        return found

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each worker, from /proc."""
        sizes = []
        for entry in self.workers():
            rss = re.search(r"VmRSS:\s+(\d+) kB", (entry / "status").read_text())
            sizes.append(int(rss.group(1)) / 1024 if rss else 0.0)
        return sorted(sizes)

    def worker_pss_mb(self) -> list[float]:
        """Proportional memory of each worker (pages shared with the master and the other workers split among them)."""
        sizes = []
        for entry in self.workers():
            try:
                pss = re.search(r"^Pss:\s+(\d+) kB", (entry / "smaps_rollup").read_text(), re.MULTILINE)
            except OSError:
                pss = None
            sizes.append(int(pss.group(1)) / 1024 if pss else 0.0)
        return sorted(sizes)

    def cpu_seconds(self) -> float:
        """CPU time used so far by the master and its workers."""
        total = 0
        for entry in [Path(f"/proc/{self.proc.pid}"), *self.workers()]:
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
            except (OSError, IndexError, ValueError):
                continue
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


def busy_seconds() -> float:
    """CPU time the whole machine spent busy since boot, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait


def wrk(url: str, duration: float, connections: int, threads: int = 2, servers=()) -> dict:
    """Requests/s, p50/p99 latency (ms) of one wrk run, and the cores other programs used meanwhile."""
    ours = sum(server.cpu_seconds() for server in servers)
    busy, children, started = busy_seconds(), resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", "--latency", "--timeout", "5s", url]
    out = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {f"p{p}": float(v) * _UNIT_MS[u] for p, v, u in _LATENCY.findall(out)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    ours = sum(server.cpu_seconds() for server in servers) - ours + wrk_cpu
    others = max(0.0, (busy_seconds() - busy - ours) / (time.monotonic() - started))
    return {"rps": rps, **latency, "non2xx": int(errors.group(1)) if errors else 0, "others": others}


def measure(args: argparse.Namespace) -> dict:
    """Prepare the garden, start both servers, run wrk on every target; return the figures."""
    work = Path(args.workdir or tempfile.mkdtemp(prefix="passerelle-bench-web-"))
    env = site_env(work)
    print(f"growing {args.notes} notes in {work} …", file=sys.stderr)
    grow_garden(work, args.notes)
    small = work / "small"  # the same seed note in a garden of --small-notes notes, for the growth ratio
    small_env = site_env(small)
    grow_garden(small, args.small_notes)
    subprocess.run([*PASSERELLE, "init"], cwd=ROOT, env=small_env, check=True, timeout=1800, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    started = time.monotonic()
    subprocess.run([*PASSERELLE, "init"], cwd=ROOT, env=env, check=True, timeout=1800, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = {"notes": args.notes, "init_s": time.monotonic() - started, "workdir": str(work), "rounds": args.rounds,
               "index": probe_index(env), "connections": args.connections, "duration": args.duration}
    slug = results["index"]["slug"]
    targets = [("hello world (Flask)", "hello", "/"),
               ("note page, seed (fr)", "site", "/fr/notes/chief-of-staff"),
               ("note page, seed (en)", "site", "/en/notes/chief-of-staff"),
               ("note page, grown (fr)", "site", f"/fr/notes/{slug}")]
    config = gunicorn_config(work)
    servers = {"hello": Server("hello:app", env, config, ["--pythonpath", str(ROOT / "bench")]),
               "site": Server(args.app, env, config)}
    if not args.skip_uncached:
        targets.append(("note page, grown (fr), page cache off", "uncached", f"/fr/notes/{slug}"))
        targets.append(("note page, seed (fr), page cache off", "uncached", "/fr/notes/chief-of-staff"))
        targets.append((f"same, garden of {args.small_notes} notes", "small", "/fr/notes/chief-of-staff"))
        targets.append(("note page, grown (fr), render cache off too", "unrendered", f"/fr/notes/{slug}"))
        servers["uncached"] = Server(args.app, dict(env, PASSERELLE_PAGE_CACHE_MB="0"), config)
        servers["small"] = Server(args.app, dict(small_env, PASSERELLE_PAGE_CACHE_MB="0"), config)
        # every request renders Markdown and templates: what the first visitor of a changed note waits for
        servers["unrendered"] = Server(args.app, dict(env, PASSERELLE_PAGE_CACHE_MB="0", PASSERELLE_RENDER_CACHE_MB="0"),
                                       config)
    try:
        results["first_page_s"] = servers["site"].wait(targets[1][2])
        # from the moment it answers: no warm-up, every worker's first requests included
        results["cold"] = wrk(servers["site"].url(targets[1][2]), args.duration, args.connections)
        if "uncached" in servers:
            results["first_page_uncached_s"] = servers["uncached"].wait(targets[1][2])
            results["cold_uncached"] = wrk(servers["uncached"].url(targets[1][2]), args.duration, args.connections)
        for key, server in servers.items():
            server.wait("/" if key == "hello" else targets[1][2])
        sizes = {}
        for name, server, path in targets:  # every worker builds its index before the clock runs
            with urllib.request.urlopen(servers[server].url(path), timeout=60) as response:
                sizes[name] = len(response.read())
            wrk(servers[server].url(path), args.warmup, args.connections)
        runs: dict[str, list[dict]] = {name: [] for name, _, _ in targets}
        for _ in range(args.rounds):
            for name, server, path in targets:
                runs[name].append(wrk(servers[server].url(path), args.duration, args.connections,
                                      servers=servers.values()))
        results["rss_mb"] = {key: server.worker_rss_mb() for key, server in servers.items()}
        results["pss_mb"] = {key: server.worker_pss_mb() for key, server in servers.items()}
    finally:
        for server in servers.values():
            server.stop()
    results["targets"] = {name: {key: statistics.median(run[key] for run in rows) for key in rows[0]}
                          | {"runs": rows, "bytes": sizes[name]} for name, rows in runs.items()}
    if not args.keep:
        shutil.rmtree(work / "content", ignore_errors=True)
        shutil.rmtree(work / "translations", ignore_errors=True)
        shutil.rmtree(small, ignore_errors=True)
    return results


def table(results: dict) -> str:
    """The figures as a plain-text table with the goals beside them."""
    hello = next(iter(results["targets"].values()))["rps"]
    lines = [f"Reader pages, wrk {results['connections']} connections, {results['duration']:g} s x {results['rounds']} "
             f"rounds (median), {results['index']['notes']} notes, 127.0.0.1, gunicorn.conf.py (access log off)",
             f"{'target':40} {'bytes':>6} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'vs hello':>9}  goal (>= 80 %, p99 < 50 ms)"]
    for name, row in results["targets"].items():
        verdict = ""
        if name.startswith("note page") and "off" not in name:
            verdict = "met" if row["rps"] >= 0.8 * hello and row.get("p99", 1e9) < 50 else "NOT met"
        lines.append(f"{name:40} {row['bytes']:6d} {row['rps']:8.0f} {row.get('p50', 0):7.2f} {row.get('p99', 0):7.2f} "
                     f"{row['rps'] / hello:9.0%}  {verdict}")
    idx, rss = results["index"], results["rss_mb"]
    lines.append(f"grown note: /fr/notes/{idx['slug']} ({idx['bytes']} bytes of Markdown, median size of the grown notes)")
    lines.append(f"start-up: first note page {results['first_page_s']:.1f} s after gunicorn starts; in one process, "
                 f"app {idx['app']:.2f} s + index of {idx['notes']} notes {idx['index']:.1f} s, peak RSS {idx['rss_mb']:.0f} MB")
    for key, sizes in rss.items():
        if sizes:
            pss = results.get("pss_mb", {}).get(key) or [0.0]
            lines.append(f"memory per worker ({key}): {min(sizes):.0f}-{max(sizes):.0f} MB RSS, {min(pss):.0f}-{max(pss):.0f} MB PSS "
                         f"(shared pages split) over {len(sizes)} workers")
    for key, label in (("cold", "page cache on"), ("cold_uncached", "page cache off")):
        if key in results:
            run = results[key]
            lines.append(f"from gunicorn's start ({label}): first note page after {results['first_page_s' if key == 'cold' else 'first_page_uncached_s']:.1f} s, "
                         f"then wrk at once: {run['rps']:.0f} req/s, p99 {run.get('p99', 0):.1f} ms")
    targets = results["targets"]
    small = next((name for name in targets if name.startswith("same, garden of")), None)
    if small:
        big = targets["note page, seed (fr), page cache off"]["rps"]
        lines.append(f"uncached seed page: {results['notes']} notes {big:.0f} req/s, {small[16:]} {targets[small]['rps']:.0f} req/s "
                     f"({big / targets[small]['rps']:.0%})")
    lines.append(f"passerelle init (migrations + cold catalog sync): {results['init_s']:.1f} s")
    others = sorted(run["others"] for row in results["targets"].values() for run in row["runs"])
    lines.append(f"cores used by other programs during the runs: median {statistics.median(others):.2f}, "
                 f"max {others[-1]:.2f} of {os.cpu_count()} (the servers and wrk excluded)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point: run, print the table, save the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=10000)
    parser.add_argument("--duration", type=float, default=6.0, help="seconds per wrk run")
    parser.add_argument("--warmup", type=float, default=4.0, help="seconds of wrk before measuring, per target")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--small-notes", type=int, default=100, help="size of the garden the uncached page is compared with")
    parser.add_argument("--app", default="wsgi:app", help="WSGI app of Passerelle (module:attribute)")
    parser.add_argument("--workdir", help="folder for the garden (default: a fresh one under /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the grown garden and catalogs")
    parser.add_argument("--skip-uncached", action="store_true", help="do not measure the page with the cache off")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    results = measure(args)
    print(table(results))
    out = Path(results["workdir"]) / "web.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"figures saved in {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
