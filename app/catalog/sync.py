"""Keeping every note's catalogs in step with its French, incrementally, for a whole garden.

:func:`app.catalog.note_catalog.sync_note` merges one note's catalog (``msgmerge --previous``
semantics) and writes it only when it changes, under the catalog's lock.
:func:`sync_all` does that for every note and target language, skipping notes whose
French file and catalogs are unchanged according to the manifest (two ``stat`` calls); the
run itself (worker threads, checkpoints) is in :mod:`app.catalog.sync_run`, forked processes in
:mod:`app.catalog.sync_processes`.
"""
from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from app.catalog.folder_stamps import FolderStamps, slugs_digest
from app.catalog.manifest import COUNT_KEYS, Manifest, NoteSyncResult, SyncError, SyncReport  # noqa: F401  (re-exported)
from app.content import slugmap
from app.content.limits import NoteLimits
from app.content.note_errors import DEFAULT_LIMITS
from app.content.slugmap import Rename, SlugMap
from app.fsutil import cleanup_temp_files, is_temp_file, remove_stale_temp



def _load_catalog_code() -> None:
    """Import the note reader, the segmenter and the rename code: a sync with nothing to merge (the usual one) never needs them."""
    global catalog_msgids, detect_renames, move_catalogs, orphan_entries, check_note, segment_note
    if "segment_note" in globals():
        return
    from app.content.notes import check_note
    from app.catalog.renames import catalog_msgids, detect_renames, move_catalogs, orphan_entries
    from app.catalog.segment import segment_note


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


def scan_catalog_folders(translations_dir: str | os.PathLike, langs: Iterable[str], live_slugs: Iterable[str], *,
                         clean: bool, grace: float = 60.0, stamps: FolderStamps | None = None) -> tuple[list[Path], int]:
    """Orphaned catalogs (as :func:`find_orphans`) and, with ``clean``, how many leftover temporary files older than
    ``grace`` seconds were removed (as :func:`~app.fsutil.cleanup_temp_files`): one listing of each catalog folder,
    none for a folder ``stamps`` recorded and that has not changed since."""
    orphans, cleaned = [], 0
    digest = slugs_digest(live_slugs) if stamps is not None else ""
    live_slugs = set(live_slugs)
    for lang in langs:
        folder = Path(translations_dir) / lang / "notes"
        known = stamps.recorded_orphans(folder, lang, digest) if stamps is not None else None
        if known is not None:
            orphans += known
            continue
        found, temp_left, cutoff = [], False, time.time() - grace
        looked_at, mtime = time.time_ns(), None
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            mtime = os.stat(folder).st_mtime_ns
            with os.scandir(folder) as entries:
                for entry in entries:
                    name = entry.name
                    if name.startswith("."):
                        if is_temp_file(name):
                            removed = clean and remove_stale_temp(entry.path, cutoff)
                            cleaned += removed
                            temp_left = temp_left or not removed
                    elif name.endswith(".po") and name[:-3] not in live_slugs:
                        found.append(folder / name)
                    elif entry.is_dir(follow_symlinks=False):
                        temp_left = True  # a sub-folder is walked every time
                        cleaned += cleanup_temp_files(entry.path, grace) if clean else 0
        orphans += found
        if stamps is not None:
            stamps.record_catalogs(lang, mtime, looked_at, digest, found, temp_left)
    return sorted(orphans), cleaned


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
    from app.catalog.sync_processes import PROCESS_THRESHOLD, can_fork, sync_changed, sync_in_processes
    from app.catalog.sync_run import SyncRun, sync_files

    started = time.perf_counter()
    notes_folder, translations_dir, langs = Path(notes_folder), Path(translations_dir), list(langs)
    report = SyncReport(languages=tuple(langs), check=check)
    manifest = Manifest.load(state_dir, notes_folder, translations_dir)
    report.full = not manifest.trusted
    folders = FolderStamps.load(state_dir, notes_folder, translations_dir)
    files = folders.note_files(notes_folder)
    slugs, report.renames = resolve_slugs(notes_folder, translations_dir, langs, state_dir, files, check=check,
                                          limits=limits)
    for rename in report.renames:
        manifest.forget(rename.old_source)
        if check:
            report.out_of_date.append(f"{rename.old_source} → {rename.new_source}: renamed note, catalogs to move ({rename.old_slug} → {rename.new_slug})")
    run = SyncRun(notes_folder, translations_dir, langs, manifest, report, limits=limits)
    run.compendium = OrphanCompendium(translations_dir, set(slugs.values()))
    report.notes = len(files)
    pairs = [(f, slugs[f]) for f in files]
    new_notes = len(files) if not manifest.trusted else sum(f not in manifest.notes for f in files)
    try:
        if processes > 1 and new_notes >= PROCESS_THRESHOLD and can_fork():
            sync_in_processes(run, pairs, processes, progress)
        elif processes > 1 and manifest.trusted:
            sync_changed(run, pairs, processes, progress)
        else:
            sync_files(run, pairs, progress)
    finally:
        run.close()
    report.states["unchanged"] += report.skipped
    report.entries.update(dict(zip(COUNT_KEYS, run.skipped_entries)))
    for source in set(manifest.sources()) - set(files):
        manifest.forget(source)
    # orphans, and temporary files a killed sync or save left (not this sync's: it renamed every one it made)
    report.orphans, cleaned = scan_catalog_folders(translations_dir, langs, slugs.values(), clean=not check,
                                                   stamps=folders)
    report.cleaned += cleaned
    run.save()
    if not check:
        folders.save()
    report.elapsed = time.perf_counter() - started
    return report
