"""One :func:`app.catalog.sync.sync_all` run: plan each note from stamps, merge in worker threads or forked processes, checkpoint.

The plan reads a French file only when its stamp or a catalog's changed; worker threads merge
and write (their fsync waits overlap); results are recorded in file order so a killed sync
resumes from its last manifest checkpoint. Forked worker processes are in
:mod:`app.catalog.sync_processes`.
"""
from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path

from app.catalog.manifest import COUNT_KEYS, Manifest, NoteSyncResult, Stamp, SyncError, SyncReport
from app.content.limits import NoteLimits
from app.content.note_errors import DEFAULT_LIMITS, NoteReadError, unexpected
from app.fsutil import fsync_dir

CHECKPOINT_SECONDS = 2.0  #: a long sync saves its manifest this often (or less: ≤ 5 % of its time), so a killed one resumes
WORKERS = 8  #: threads merging and writing catalogs: mostly to overlap fsync waits
PLAN_AHEAD = 200  #: notes to merge planned (their text held) before their merges start


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _open_dir(path: Path) -> int | None:
    """A descriptor of folder ``path`` to ``stat`` its files by name (the kernel then walks no path prefix), or None."""
    try:
        return os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None


def _stat(name: str, folder_fd: int | None, path: str) -> os.stat_result:
    """``stat`` of ``name`` in the folder of ``folder_fd`` when open, else of the full ``path``."""
    return os.stat(name, dir_fd=folder_fd) if folder_fd is not None else os.stat(path)


def _sync_jobs(source: str, text: str, jobs: list[tuple[str, Path]], *, write: bool,
               compendium: Callable[[str], Sequence] | None = None) -> list[NoteSyncResult]:
    """Sync one note's catalogs (run in a worker thread: fsync waits overlap, journal commits group)."""
    from app.catalog.note_catalog import sync_note  # here: a sync with nothing to merge never imports the merge

    results = []
    for lang, catalog in jobs:
        results.append(sync_note(text, source, catalog, lang, write=write, compendium=compendium,
                                 fsync_dir=False))  # one fsync of the folder before the manifest records them
        if isinstance(results[-1].error, NoteReadError):
            break
    return results


class SyncRun:
    """The state of one :func:`sync_all` call."""

    def __init__(self, notes_folder: Path, translations_dir: Path, langs: list[str], manifest: Manifest,
                 report: SyncReport, *, checkpoints: bool = True, limits: NoteLimits = DEFAULT_LIMITS,
                 workers: int = WORKERS):
        self.notes_folder, self.translations_dir, self.langs = notes_folder, translations_dir, langs
        self.limits = limits  #: a French note over them is reported, as the note index does
        self.workers = workers  #: threads merging and writing catalogs
        self.manifest, self.report = manifest, report
        self.write, self.checkpoints = not report.check, checkpoints  # no checkpoints in worker processes
        self.racy: list[tuple[str, str | None, Path]] = []  #: stamps to confirm once their tick is past
        self.notes_prefix = os.path.join(notes_folder, "")
        self.catalogs_prefix = os.path.join(translations_dir, "")
        self.skipped_entries = [0] * len(COUNT_KEYS)  #: entry counts of the catalogs skipped
        self.last_save, self.save_cost = time.monotonic(), 0.0  #: manifest checkpoints
        self.inflight = 0  #: notes submitted to the workers and not finished yet
        self.durable = 0  #: catalogs written whose folder was fsynced since
        self.compendium: Callable[[str], Sequence] | None = None  #: orphaned catalogs' entries, for new notes
        #: descriptors of the notes folder and of each language's catalog folder: 20,000 ``stat`` a no-op sync
        self.notes_fd = _open_dir(notes_folder)
        self.catalog_fds = {lang: _open_dir(translations_dir / lang / "notes") for lang in langs}

    def close(self) -> None:
        """Close the folder descriptors."""
        for fd in (self.notes_fd, *self.catalog_fds.values()):
            if fd is not None:
                os.close(fd)
        self.notes_fd, self.catalog_fds = None, {}

    def plan(self, source: str, slug: str) -> tuple[str, str, list[tuple[str, Path]]] | None:
        """Decide from stamps what one French file needs; read it only if something changed."""
        path = self.notes_prefix + source  # plain strings: this runs 10,000 times in a no-op sync
        try:
            st, data = _stat(source, self.notes_fd, path), None
            if not self.manifest.french_current(source, st, slug):
                data = _read(path)
                stamp = Stamp.of(st, data)
                self.manifest.set_french(source, stamp, slug)  # forgets the catalogs if the French changed
                if stamp.racy:
                    self.racy.append((source, None, Path(path)))
            jobs = []
            for lang in self.langs:
                catalog = f"{self.catalogs_prefix}{lang}/notes/{slug}.po"
                if not self._catalog_unchanged(source, lang, catalog, f"{slug}.po"):
                    jobs.append((lang, Path(catalog)))
            if not jobs:
                return None
            from app.content.notes import check_note  # YAML and the rest: only once a note must be read

            text, _, _ = check_note(_read(path) if data is None else data, source, self.limits)
            return source, text, jobs
        except FileNotFoundError:
            return None  # removed while we were syncing: the next sync reports its orphans
        except (NoteReadError, OSError) as exc:
            self._note_failed(source, exc if isinstance(exc, NoteReadError) else SyncError(f"{path}: {exc.strerror or exc}"))
            return None
        except Exception as exc:  # noqa: BLE001  (whatever one note does, the others are synced)
            self._note_failed(source, unexpected(source, exc))
            return None

    def unchanged(self, source: str, slug: str) -> bool:
        """True (and counted) when the French file and every catalog are as the last sync left them.

        By ``stat``, or by content for a file whose stamp moved but not its size (a ``touch``, or a
        racy stamp just after a sync): only such files are read. A note this does not prove unchanged
        is planned by :meth:`plan` afterwards (here or in a worker process).
        """
        path = self.notes_prefix + source
        try:
            if not self._french_same(source, slug, path, _stat(source, self.notes_fd, path)):
                return False
            counts = []
            for lang in self.langs:
                catalog = f"{self.catalogs_prefix}{lang}/notes/{slug}.po"
                counts.append(self._catalog_counts(source, lang, catalog, _stat(f"{slug}.po", self.catalog_fds.get(lang), catalog)))
                if counts[-1] is None:
                    return False
        except OSError:
            return False  # :meth:`plan` says what is wrong
        for entries in counts:
            for i, n in enumerate(entries):
                self.skipped_entries[i] += n
        self.report.skipped += len(counts)
        return True

    def finish(self, source: str, results: list[NoteSyncResult]) -> None:
        """Record the results of one note's catalogs in the report and the manifest."""
        for result in results:
            if isinstance(result.error, NoteReadError):  # the French is at fault: say it once
                self._note_failed(source, result.error)
                return
            self.report.add(result)
            if result.error is None and result.stamp is not None:
                self.manifest.set_catalog(source, result.lang, result.stamp, result.counts)
                if result.stamp.racy:
                    self.racy.append((source, result.lang, result.catalog))
            else:
                self.manifest.drop_catalog(source, result.lang)

    def _note_failed(self, source: str, error: Exception) -> None:
        self.report.errors.append(error)
        for lang in self.langs:
            self.manifest.drop_catalog(source, lang)

    def _catalog_unchanged(self, source: str, lang: str, catalog: str, name: str) -> bool:
        """True (and counted) when the catalog is as the last sync left it, by stamp or by content."""
        try:
            counts = self._catalog_counts(source, lang, catalog, _stat(name, self.catalog_fds.get(lang), catalog))
        except FileNotFoundError:
            return False
        if counts is None:
            return False
        for i, n in enumerate(counts):
            self.skipped_entries[i] += n
        self.report.skipped += 1
        return True

    def _catalog_counts(self, source: str, lang: str, catalog: str, st: os.stat_result) -> list[int] | None:
        """The entry counts of a catalog as the last sync left it (by stamp, else by content, recorded afresh), or None."""
        counts = self.manifest.catalog_current(source, lang, st)
        if counts is None:
            known = self.manifest.catalog(source, lang)
            if known is None or st.st_size != known[0].size:
                return None
            fresh = Stamp.of(st, Path(catalog).read_bytes())
            if fresh.sha256 != known[0].sha256:
                return None
            counts = [known[1][k] for k in COUNT_KEYS]
            self.manifest.set_catalog(source, lang, fresh, known[1])
            if fresh.racy:
                self.racy.append((source, lang, Path(catalog)))
        return counts

    def _french_same(self, source: str, slug: str, path: str, st: os.stat_result) -> bool:
        """True when the French file is as the last sync left it, by stamp or, same size, by content (recorded afresh)."""
        if self.manifest.french_current(source, st, slug):
            return True
        known = self.manifest.french(source)
        if known is None or self.manifest.slug(source) != slug or st.st_size != known.size:
            return False
        fresh = Stamp.of(st, _read(path))
        if fresh.sha256 != known.sha256:
            return False
        self.manifest.set_french(source, fresh, slug)  # same content and slug: its catalogs stay recorded
        if fresh.racy:
            self.racy.append((source, None, Path(path)))
        return True

    def collect(self, pending: deque, total: int, progress: Callable | None, *, wait: bool = False) -> None:
        """Finish, in file order, the notes whose work is done; with ``wait``, all of them."""
        while pending and (wait or pending[0][2] is None or pending[0][2].done() or self.inflight > 2 * self.workers):
            done, source, future = pending.popleft()
            if future is not None:
                self.inflight -= 1
                self.finish(source, future.result())
            if progress is not None:
                progress(done, total)
            if time.monotonic() - self.last_save > max(CHECKPOINT_SECONDS, 20 * self.save_cost):
                self.save()

    def save(self) -> None:
        """Make the catalogs written so far durable (one fsync per folder), settle racy stamps, write the manifest."""
        started = time.monotonic()
        if self.write and self.checkpoints:
            written = self.report.states["created"] + self.report.states["updated"]
            if written != self.durable:  # the manifest never records a catalog whose rename could still be lost
                for lang in self.langs:
                    fsync_dir(self.translations_dir / lang / "notes")
                self.durable = written
            self.racy = self.manifest.settle(self.racy)
            self.manifest.save()
        self.last_save = time.monotonic()
        self.save_cost = self.last_save - started


def sync_files(run: SyncRun, pairs: list[tuple[str, str]], progress: Callable | None) -> None:
    """Plan the notes in order, merge and write in worker threads, record results in order.

    Notes are planned (``stat``-ed, changed ones read) up to :data:`PLAN_AHEAD` notes to merge
    before any merge starts: a ``stat`` releases the GIL, and while merge threads run, each one
    waits up to a switch interval to get it back (a 1 %-edited sync of 10,000 notes spent 0.45 s
    more in its 20,000 ``stat`` calls that way).
    """
    pool = None  # started at the first note to merge: a no-op sync starts no thread
    pending: deque = deque()  # (done, source, future or None)
    planned: list = []  # (done, source, job or None), not submitted yet
    to_merge = 0

    def submit() -> None:
        nonlocal pool, to_merge
        for done, source, job in planned:
            if job is not None and pool is None:
                from concurrent.futures import ThreadPoolExecutor

                pool = ThreadPoolExecutor(max_workers=run.workers)
            pending.append((done, source, job and pool.submit(_sync_jobs, *job, write=run.write, compendium=run.compendium)))
            run.inflight += job is not None
            run.collect(pending, len(pairs), progress)
        planned.clear()
        to_merge = 0

    try:
        for done, (source, slug) in enumerate(pairs, 1):
            job = run.plan(source, slug)
            planned.append((done, source, job))
            to_merge += job is not None
            if to_merge >= PLAN_AHEAD:
                submit()
        submit()
        run.collect(pending, len(pairs), progress, wait=True)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
