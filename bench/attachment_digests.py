"""First view of a large attachment by N worker processes: each hashing it, or one hashing it for all.

``python bench/attachment_digests.py [--mb 300] [--workers 4] [--reps 3]`` writes one file of
``--mb`` MiB into a fresh temporary folder, then, per repetition, starts ``--workers`` processes
at once that each build their own :class:`~app.content.attachments.AttachmentIndex` and ask for
the file's digest (what rendering the first page that embeds it does): once without a shared
cache (the previous way: every worker hashes) and once with the state folder's cache file
(a fresh one each repetition). It prints the median wall time until every worker has its
digest, the median hashes done, and ``sha256sum`` of the same file as the anchor.
"""
from __future__ import annotations

import argparse
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.content import digests  # noqa: E402
from app.content.attachments import AttachmentIndex  # noqa: E402


def _worker(vault: str, cache: str | None, start, hashes) -> None:
    real = digests.hash_file

    def counted(path, chars):
        with hashes.get_lock():
            hashes.value += 1
        return real(path, chars)

    digests.hash_file = counted
    index = AttachmentIndex([vault], digest_cache=cache)
    index.refresh()
    start.wait()
    index.digest(index.get("film.mp4"))


def first_views(vault: Path, cache: Path | None, workers: int) -> tuple[float, int]:
    """Seconds until ``workers`` fresh processes all have the digest, and how many hashed the file."""
    start, hashes = multiprocessing.Event(), multiprocessing.Value("i", 0)
    procs = [multiprocessing.Process(target=_worker, args=(str(vault), str(cache) if cache else None, start, hashes))
             for _ in range(workers)]
    for proc in procs:
        proc.start()
    time.sleep(0.5)  # every process has built its index
    began = time.perf_counter()
    start.set()
    for proc in procs:
        proc.join()
    return time.perf_counter() - began, hashes.value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=300)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="passerelle-digests-") as tmp:
        vault = Path(tmp) / "fr"
        vault.mkdir()
        film = vault / "film.mp4"
        with open(film, "wb") as handle:
            block = bytes(range(256)) * 4096
            for _ in range(args.mb):
                handle.write(block)
        rows = {"each worker hashes (before)": [], "shared cache (now)": [], "sha256sum once (anchor)": []}
        for rep in range(args.reps):
            rows["each worker hashes (before)"].append(first_views(vault, None, args.workers))
            rows["shared cache (now)"].append(first_views(vault, Path(tmp) / f"state{rep}" / "digests.json",
                                                          args.workers))
            began = time.perf_counter()
            subprocess.run(["sha256sum", str(film)], check=True, capture_output=True)
            rows["sha256sum once (anchor)"].append((time.perf_counter() - began, 1))
        print(f"{args.mb} MiB attachment, {args.workers} workers, median of {args.reps}")
        print(f"{'':32} {'wall s':>8} {'hashes':>7}")
        for name, runs in rows.items():
            print(f"{name:32} {statistics.median(r[0] for r in runs):8.2f} {statistics.median(r[1] for r in runs):7.0f}")


if __name__ == "__main__":
    main()
