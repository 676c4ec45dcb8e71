"""Keeping every note's catalogs in step with its French: one note, or a whole garden incrementally.

:func:`sync_note` segments a note, merges its catalog (``msgmerge --previous`` semantics,
see :mod:`app.catalog.merge`) and writes it only when its bytes change, holding the
catalog's lock from read to write so a translator's save in between is never lost.
:func:`sync_all` does that for every note and target language, skipping notes whose
French file and catalogs are unchanged according to the manifest (two ``stat`` calls).
"""
from __future__ import annotations

import contextlib
import copy
import ctypes
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polib

from app.catalog.manifest import COUNT_KEYS, Manifest, NoteSyncResult, Stamp, SyncError, SyncReport
from app.content import slugmap
from app.content.index import list_note_files
from app.content.limits import LimitExceeded, NoteLimits
from app.content.slugmap import Rename, SlugMap
from app.content.notes import DEFAULT_LIMITS, NoteReadError, check_note, unexpected
from app.fsutil import atomic_write, cleanup_temp_files, file_lock, fsync_dir

CHECKPOINT_SECONDS = 2.0  #: a long sync saves its manifest this often (or less: ≤ 5 % of its time), so a killed one resumes
WORKERS = 8  #: threads merging and writing catalogs: mostly to overlap fsync waits
PROCESS_THRESHOLD = 400  #: new notes from which a sync allowed several processes uses them
CHUNK = 200  #: notes per task given to a worker process


def _load_catalog_code() -> None:
    """Import the segmenter, the merge and the PO code: a sync with nothing to merge (the usual one) never needs them."""
    global merge_catalog, CatalogError, catalog_counts, format_catalog, parse_catalog, FSI, apply_locations
    global default_locations, reference_tokens, FrontMatterError, note_name, segment_note
    global catalog_msgids, detect_renames, move_catalogs, orphan_entries
    if "segment_note" in globals():
        return
    from app.catalog.merge import merge_catalog
    from app.catalog.po import CatalogError, catalog_counts, format_catalog, parse_catalog
    from app.catalog.po_format import FSI, apply_locations, default_locations, reference_tokens
    from app.catalog.renames import catalog_msgids, detect_renames, move_catalogs, orphan_entries
    from app.catalog.segment import FrontMatterError, note_name, segment_note


def catalog_file(translations_dir: str | os.PathLike, lang: str, slug: str) -> Path:
    """``translations/<lang>/notes/<slug>.po``, as :meth:`Garden.catalog_path` has it."""
    return Path(translations_dir) / lang / "notes" / f"{slug}.po"


def assign_slugs(notes_folder: str | os.PathLike, files: list[str]) -> dict[str, str]:
    """The slug every file gets when none has one yet (file-name order), as :class:`NoteIndex` gives them."""
    return slugmap.assign({}, files)[0]


def _msgids_of_files(notes_folder: Path, files: Iterable[str], limits: NoteLimits = DEFAULT_LIMITS) -> dict[str, list[str]]:
    """The msgids of each French file (files that cannot be read or segmented, or over ``limits``, have none)."""
    _load_catalog_code()
    found = {}
    for source in files:
        try:
            text, _, _ = check_note((notes_folder / source).read_bytes(), source, limits)
            found[source] = [s.msgid for s in segment_note(text)]
        except Exception:  # noqa: BLE001  (a broken note is reported by the sync itself; here it has no msgids)
            found[source] = []
    return found


def resolve_slugs(notes_folder: Path, translations_dir: Path, langs: list[str], state_dir: str | os.PathLike,
                  files: list[str], *, check: bool = False,
                  limits: NoteLimits = DEFAULT_LIMITS) -> tuple[dict[str, str], list[Rename]]:
    """Every file's slug from the registry, after detecting renames among vanished and new files.

    Renamed notes' catalogs move to their new slug here (the rest of a rename — snapshots,
    database rows — is settled by the app's services from the registry's pending renames).
    With ``check``, nothing is written: the renames are only reported.
    """
    registry = SlugMap.load(state_dir)
    current = set(files)
    if registry.loaded and current == set(registry.slugs) and not registry.pending:
        return dict(registry.slugs), []  # the usual no-op sync: nothing appeared or vanished
    _load_catalog_code()
    gone = {s: slug for s, slug in registry.slugs.items() if s not in current}
    appeared = [f for f in files if f not in registry.slugs]
    renames: dict[str, str] = {}
    if gone and appeared:
        old = {s: next((m for lang in langs if (m := catalog_msgids(catalog_file(translations_dir, lang, slug)))), [])
               for s, slug in gone.items()}
        renames = detect_renames(old, _msgids_of_files(notes_folder, appeared, limits))
    if check:
        slugs, done = slugmap.assign(registry.slugs, files, renames, reserved=registry.redirects)
        return slugs, done
    done = registry.update(files, renames)
    for rename in registry.pending:
        move_catalogs(rename, translations_dir, langs)
    return dict(registry.slugs), done


def find_orphans(translations_dir: str | os.PathLike, langs: Iterable[str], live_slugs: set[str]) -> list[Path]:
    """Catalogs of ``langs`` whose slug belongs to no current note (kept, never deleted)."""
    orphans = []
    for lang in langs:
        folder = Path(translations_dir) / lang / "notes"
        with contextlib.suppress(FileNotFoundError, NotADirectoryError), os.scandir(folder) as entries:
            orphans += [folder / e.name for e in entries
                        if e.name.endswith(".po") and not e.name.startswith(".") and e.name[:-3] not in live_slugs]
    return sorted(orphans)


def _with_reference_tokens(po: polib.POFile) -> str:
    """The catalog formatted with each entry's references reduced to their words (see reference_tokens)."""
    _load_catalog_code()
    shown = copy.copy(po)
    shown[:] = [copy.copy(e) for e in po]
    for entry in shown:
        entry.occurrences = [(word, "") for word in reference_tokens(entry.occurrences)]
    return format_catalog(shown)


def _content_unchanged(old: polib.POFile | None, old_data: bytes | None, po: polib.POFile, data: bytes) -> bool:
    """True when the catalog on disk says what ``data`` says, however another tool wrapped it.

    References that gettext 0.21's msgcat re-split (file names with spaces) count as unchanged:
    they are the same words, and rewriting them would only start the same fight again.
    """
    _load_catalog_code()
    if old_data is None:
        return False
    if data == old_data or format_catalog(old).encode("utf-8") == data:
        return True
    return FSI.encode() in old_data and _with_reference_tokens(old) == _with_reference_tokens(po)


class OrphanCompendium:
    """The translated entries of the orphaned catalogs of each language, read once, when a new note first needs them."""

    def __init__(self, translations_dir: Path, live_slugs: set[str]):
        self.translations_dir, self.live_slugs = translations_dir, live_slugs
        self._entries: dict[str, list] = {}
        self._lock = threading.Lock()

    def __call__(self, lang: str) -> list:
        with self._lock:
            if lang not in self._entries:
                _load_catalog_code()
                self._entries[lang] = orphan_entries(find_orphans(self.translations_dir, [lang], self.live_slugs))
            return self._entries[lang]


def merged_catalog(old: polib.POFile | None, note_text: str, source: str, lang: str, locations: str | None = None,
                   compendium: Callable[[str], Sequence] | None = None) -> polib.POFile:
    """The catalog of ``source`` merged from ``old`` (msgmerge semantics), references in the configured style.

    A note without a catalog yet draws on ``compendium(lang)`` (the orphaned catalogs' entries).
    """
    _load_catalog_code()
    extra = compendium(lang) if compendium is not None and old is None else ()
    po = merge_catalog(old, segment_note(note_text, note_name(source)), source, lang, extra)
    style = locations or default_locations()
    if style != "full":
        for entry in po:
            entry.occurrences = apply_locations(entry.occurrences, style)
    return po


def sync_note(note_text: str, source: str, catalog_path: str | os.PathLike, lang: str, *, write: bool = True,
              locations: str | None = None, compendium: Callable[[str], Sequence] | None = None,
              fsync_dir: bool = True) -> NoteSyncResult:
    """Merge the catalog of ``source`` in ``lang`` with the note's current segments; write it if its content changes.

    A catalog that another tool (msgcat, Poedit) rewrapped but whose content is what the sync
    would write is left byte for byte as it is. ``fsync_dir=False``: the caller fsyncs the
    catalog folder before it records the result (see :meth:`_Run.save`).
    """
    _load_catalog_code()
    path = Path(catalog_path)
    try:
        with file_lock(path) if write else contextlib.nullcontext():  # held from read to write
            try:
                old_data = path.read_bytes()
            except FileNotFoundError:
                old_data = None
            old = parse_catalog(old_data, str(path)) if old_data is not None else None
            po = merged_catalog(old, note_text, source, lang, locations, compendium)
            data = format_catalog(po).encode("utf-8")
            unchanged = _content_unchanged(old, old_data, po, data)
            state = "created" if old_data is None else "unchanged" if unchanged else "updated"
            stamp = None
            if write:
                if state != "unchanged":
                    path.parent.mkdir(parents=True, exist_ok=True)
                    atomic_write(path, data, fsync_dir=fsync_dir)
                stamp = Stamp.of(path.stat(), old_data if unchanged else data)
    except CatalogError as exc:
        return NoteSyncResult(source, lang, path, "error", error=exc)
    except (FrontMatterError, LimitExceeded) as exc:
        return NoteSyncResult(source, lang, path, "error", error=NoteReadError(source, exc.reason, exc.line))
    except Exception as exc:  # one broken note (or a lock timeout) must not stop the garden's sync  # noqa: BLE001
        error = SyncError(f"{path}: cannot sync {source}: {type(exc).__name__}: {exc}")
        return NoteSyncResult(source, lang, path, "error", error=error)
    return NoteSyncResult(source, lang, path, state, catalog_counts(po), stamp=stamp)


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _sync_jobs(source: str, text: str, jobs: list[tuple[str, Path]], *, write: bool,
               compendium: Callable[[str], Sequence] | None = None) -> list[NoteSyncResult]:
    """Sync one note's catalogs (run in a worker thread: fsync waits overlap, journal commits group)."""
    results = []
    for lang, catalog in jobs:
        results.append(sync_note(text, source, catalog, lang, write=write, compendium=compendium,
                                 fsync_dir=False))  # one fsync of the folder before the manifest records them
        if isinstance(results[-1].error, NoteReadError):
            break
    return results


class _Run:
    """The state of one :func:`sync_all` call."""

    def __init__(self, notes_folder: Path, translations_dir: Path, langs: list[str], manifest: Manifest,
                 report: SyncReport, *, checkpoints: bool = True, limits: NoteLimits = DEFAULT_LIMITS):
        self.notes_folder, self.translations_dir, self.langs = notes_folder, translations_dir, langs
        self.limits = limits  #: a French note over them is reported, as the note index does
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

    def plan(self, source: str, slug: str) -> tuple[str, str, list[tuple[str, Path]]] | None:
        """Decide from stamps what one French file needs; read it only if something changed."""
        path = self.notes_prefix + source  # plain strings: this runs 10,000 times in a no-op sync
        try:
            st, data = os.stat(path), None
            if not self.manifest.french_current(source, st, slug):
                data = _read(path)
                stamp = Stamp.of(st, data)
                self.manifest.set_french(source, stamp, slug)  # forgets the catalogs if the French changed
                if stamp.racy:
                    self.racy.append((source, None, Path(path)))
            jobs = []
            for lang in self.langs:
                catalog = f"{self.catalogs_prefix}{lang}/notes/{slug}.po"
                if not self._catalog_unchanged(source, lang, catalog):
                    jobs.append((lang, Path(catalog)))
            if not jobs:
                return None
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

    def _catalog_unchanged(self, source: str, lang: str, catalog: str) -> bool:
        """True (and counted) when the catalog is as the last sync left it, by stamp or by content."""
        try:
            st = os.stat(catalog)
        except FileNotFoundError:
            return False
        counts = self.manifest.catalog_current(source, lang, st)
        if counts is None:
            known = self.manifest.catalog(source, lang)
            if known is None or st.st_size != known[0].size:
                return False
            fresh = Stamp.of(st, Path(catalog).read_bytes())
            if fresh.sha256 != known[0].sha256:
                return False
            counts = [known[1][k] for k in COUNT_KEYS]
            self.manifest.set_catalog(source, lang, fresh, known[1])
            if fresh.racy:
                self.racy.append((source, lang, Path(catalog)))
        for i, n in enumerate(counts):
            self.skipped_entries[i] += n
        self.report.skipped += 1
        return True

    def collect(self, pending: deque, total: int, progress: Callable | None, *, wait: bool = False) -> None:
        """Finish, in file order, the notes whose work is done; with ``wait``, all of them."""
        while pending and (wait or pending[0][2] is None or pending[0][2].done() or self.inflight > 2 * WORKERS):
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


def _sync_files(run: _Run, pairs: list[tuple[str, str]], progress: Callable | None) -> None:
    """Plan each note in order, merge and write in worker threads, record results in order."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        pending: deque = deque()  # (done, source, future or None)
        for done, (source, slug) in enumerate(pairs, 1):
            job = run.plan(source, slug)
            pending.append((done, source, job and pool.submit(_sync_jobs, *job, write=run.write, compendium=run.compendium)))
            run.inflight += job is not None
            run.collect(pending, len(pairs), progress)
        run.collect(pending, len(pairs), progress, wait=True)


_PARENT: _Run | None = None  #: the run that forked worker processes inherit


def _sync_chunk(pairs: list[tuple[str, str]]) -> tuple:
    """In a forked worker: sync some notes; return the report part, their manifest records and racy stamps."""
    parent = _PARENT
    report = SyncReport(languages=parent.report.languages, check=parent.report.check)
    run = _Run(parent.notes_folder, parent.translations_dir, parent.langs, parent.manifest, report, checkpoints=False,
               limits=parent.limits)
    run.compendium = parent.compendium
    _sync_files(run, pairs, None)
    report.errors = [SyncError(str(e)) for e in report.errors]  # picklable whatever the original type
    return report, run.skipped_entries, {s: run.manifest.notes.get(s) for s, _ in pairs}, run.racy


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this worker when the sync process dies, so none outlives a killed sync."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _sync_in_processes(run: _Run, pairs: list[tuple[str, str]], processes: int, progress: Callable | None) -> None:
    """Spread a large sync over forked processes (the merge is CPU-bound Python); merge their results in order."""
    global _PARENT
    chunks = [pairs[i:i + CHUNK] for i in range(0, len(pairs), CHUNK)]
    _PARENT, done = run, 0
    try:
        with multiprocessing.get_context("fork").Pool(processes, initializer=_die_with_parent) as pool:
            for part, skipped_entries, records, racy in pool.imap(_sync_chunk, chunks):
                run.report.merge(part)
                run.skipped_entries = [a + b for a, b in zip(run.skipped_entries, skipped_entries)]
                run.manifest.update(records)
                run.racy += racy
                done += len(records)
                if progress is not None:
                    progress(done, len(pairs))
                if time.monotonic() - run.last_save > max(CHECKPOINT_SECONDS, 20 * run.save_cost):
                    run.save()
    finally:
        _PARENT = None


def sync_all(
    notes_folder: str | os.PathLike,
    translations_dir: str | os.PathLike,
    langs: Iterable[str],
    state_dir: str | os.PathLike,
    *,
    check: bool = False,
    progress: Callable[[int, int], None] | None = None,
    processes: int = 1,
    limits: NoteLimits = DEFAULT_LIMITS,
) -> SyncReport:
    """Sync the catalogs of every note in every language in ``langs``; with ``check``, write nothing.

    With ``processes`` > 1, a sync with many new notes (a first sync) forks that many workers. A
    note over ``limits`` (or that cannot be read at all) is reported and its catalogs left alone.
    """
    started = time.perf_counter()
    notes_folder, translations_dir, langs = Path(notes_folder), Path(translations_dir), list(langs)
    report = SyncReport(languages=tuple(langs), check=check)
    manifest = Manifest.load(state_dir, notes_folder, translations_dir)
    report.full = not manifest.trusted
    run = _Run(notes_folder, translations_dir, langs, manifest, report, limits=limits)
    if not check:
        for lang in langs:
            if (translations_dir / lang / "notes").is_dir():
                report.cleaned += cleanup_temp_files(translations_dir / lang / "notes")
    files = list_note_files(notes_folder) if notes_folder.is_dir() else []
    slugs, report.renames = resolve_slugs(notes_folder, translations_dir, langs, state_dir, files, check=check,
                                          limits=limits)
    for rename in report.renames:
        manifest.forget(rename.old_source)
        if check:
            report.out_of_date.append(f"{rename.old_source} → {rename.new_source}: renamed note, catalogs to move ({rename.old_slug} → {rename.new_slug})")
    run.compendium = OrphanCompendium(translations_dir, set(slugs.values()))
    report.notes = len(files)
    pairs = [(f, slugs[f]) for f in files]
    new_notes = len(files) if not manifest.trusted else sum(f not in manifest.notes for f in files)
    if processes > 1 and new_notes >= PROCESS_THRESHOLD and "fork" in multiprocessing.get_all_start_methods():
        _sync_in_processes(run, pairs, processes, progress)
    else:
        _sync_files(run, pairs, progress)
    report.states["unchanged"] += report.skipped
    report.entries.update(dict(zip(COUNT_KEYS, run.skipped_entries)))
    for source in set(manifest.sources()) - set(files):
        manifest.forget(source)
    report.orphans = find_orphans(translations_dir, langs, set(slugs.values()))
    run.save()
    report.elapsed = time.perf_counter() - started
    return report
