"""Forked worker processes for a sync: a first sync of many notes, and the notes found edited since the last one.

The merge is CPU-bound Python, so several processes share it, each with its own threads
(:func:`app.catalog.sync_run.sync_files`). Each worker is forked from the parent's run and
returns, per part, its report, the manifest records of its notes and their racy stamps; the
parent records them in file order, and makes the catalogs written durable (one ``fsync`` per
folder) before its manifest names them.
"""
from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable

from app.catalog.manifest import SyncError, SyncReport
from app.catalog.sync_run import CHECKPOINT_SECONDS, WORKERS, SyncRun, sync_files

PROCESS_THRESHOLD = 400  #: new notes from which a sync allowed several processes uses them
CHUNK = 200  #: notes per task given to a worker process
EDIT_FORK_AT = 4  #: changed notes found by ``stat`` from which worker processes are started (fewer: threads)
EDIT_BATCH = 8  #: changed notes per task given to a worker process while the parent goes on looking
EDIT_MAX_PROCESSES = 8  #: worker processes for edited notes at most: they are forked before anyone knows how many changed
EDIT_WORKERS = 2  #: threads of a worker process merging a batch of changed notes (more only contend for its GIL)


_PARENT: SyncRun | None = None  #: the run that forked worker processes inherit


def _sync_chunk(pairs: list[tuple[str, str]], workers: int = WORKERS) -> tuple:
    """In a forked worker: sync some notes in ``workers`` threads; return the report part, their manifest records and racy stamps."""
    parent = _PARENT
    report = SyncReport(languages=parent.report.languages, check=parent.report.check)
    run = SyncRun(parent.notes_folder, parent.translations_dir, parent.langs, parent.manifest, report, checkpoints=False,
               limits=parent.limits, workers=workers)
    run.compendium = parent.compendium
    try:
        sync_files(run, pairs, None)
    finally:
        run.close()
    report.errors = [SyncError(str(e)) for e in report.errors]  # picklable whatever the original type
    return report, run.skipped_entries, {s: run.manifest.notes.get(s) for s, _ in pairs}, run.racy


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this worker when the sync process dies, so none outlives a killed sync."""
    import ctypes
    import signal

    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _record_part(run: SyncRun, result: tuple, done: int, total: int, progress: Callable | None) -> int:
    """Record what :func:`_sync_chunk` returned in the parent's run, checkpointing now and then; return the notes done."""
    part, skipped_entries, records, racy = result
    run.report.merge(part)
    run.skipped_entries = [a + b for a, b in zip(run.skipped_entries, skipped_entries)]
    run.manifest.update(records)
    run.racy += racy
    done += len(records)
    if progress is not None:
        progress(done, total)
    if time.monotonic() - run.last_save > max(CHECKPOINT_SECONDS, 20 * run.save_cost):
        run.save()
    return done


def can_fork() -> bool:
    """Whether this platform can fork worker processes for a sync."""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def sync_in_processes(run: SyncRun, pairs: list[tuple[str, str]], processes: int, progress: Callable | None) -> None:
    """Spread a large sync over forked processes (the merge is CPU-bound Python); merge their results in order."""
    import multiprocessing

    global _PARENT
    chunks = [pairs[i:i + CHUNK] for i in range(0, len(pairs), CHUNK)]
    _PARENT, done = run, 0
    try:
        with multiprocessing.get_context("fork").Pool(processes, initializer=_die_with_parent) as pool:
            for result in pool.imap(_sync_chunk, chunks):
                done = _record_part(run, result, done, len(pairs), progress)
    finally:
        _PARENT = None


def _load_merge_code() -> None:
    """Import what merging and writing a catalog needs, once, before forking: each worker would import it again."""
    import tempfile  # noqa: F401  (atomic writes)

    import filelock  # noqa: F401  (catalog locks)

    import app.catalog.linebreak_fast  # noqa: F401  (PO line wrapping)
    import app.catalog.note_catalog  # noqa: F401
    import app.content.notes  # noqa: F401


def sync_changed(run: SyncRun, pairs: list[tuple[str, str]], processes: int, progress: Callable | None) -> None:
    """Find by ``stat`` the notes that changed; from :data:`EDIT_FORK_AT` of them, merge them in forked processes.

    The merge is imported once, then the workers are forked; they take batches of changed notes
    while this process goes on with its ``stat`` calls, so the scan and the merges overlap. Fewer
    changed notes are merged here, in threads, after the scan.
    """
    global _PARENT
    changed: list[tuple[str, str]] = []
    pool, tasks, sent = None, [], 0
    try:
        for source, slug in pairs:
            if run.unchanged(source, slug):
                continue
            changed.append((source, slug))
            if pool is None and len(changed) >= EDIT_FORK_AT and can_fork():
                import multiprocessing

                _load_merge_code()
                gc.freeze()  # the workers' collections leave the parent's objects alone: fewer copy-on-write page faults
                _PARENT = run  # the workers fork with the manifest as loaded: the scan changes no record
                pool = multiprocessing.get_context("fork").Pool(min(processes, EDIT_MAX_PROCESSES),
                                                                initializer=_die_with_parent)
            if pool is not None and len(changed) - sent >= EDIT_BATCH:
                tasks.append(pool.apply_async(_sync_chunk, (changed[sent:], EDIT_WORKERS)))
                sent = len(changed)
        settled = len(pairs) - len(changed)
        if pool is None:
            sync_files(run, changed, progress and (lambda done, total: progress(settled + done, len(pairs))))
        else:
            if sent < len(changed):
                tasks.append(pool.apply_async(_sync_chunk, (changed[sent:], EDIT_WORKERS)))
            done = settled
            for task in tasks:
                done = _record_part(run, task.get(), done, len(pairs), progress)
        if progress is not None and not changed:
            progress(len(pairs), len(pairs))
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
            gc.unfreeze()
        _PARENT = None
