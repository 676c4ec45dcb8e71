"""When a note was created and last changed: front matter, else git history, else the file's time.

A fresh checkout gives every file today's modification time, so file times say little. The
author's own ``created``/``updated`` (or ``date``, ``modified``, ``last_modified_at``) in the front
matter come first; then, when the notes folder is inside a git work tree, the first and last
commit that touched each file (renames followed). The history is read in one ``git log`` pass for
the whole folder, kept in a cache file, and updated incrementally (``git log OLD..HEAD``) when
HEAD moves forward; a rewritten history is read again in full.
"""
from __future__ import annotations

import json
import logging
import os
import subprocess
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

log = logging.getLogger(__name__)

CREATED_KEYS = ("created", "date", "created_at", "creation_date")
UPDATED_KEYS = ("updated", "modified", "last_modified_at", "lastmod", "updated_at", "last_modified")
GIT_TIMEOUT = 60  #: seconds one git command may take
CACHE_VERSION = 1


def as_datetime(value) -> datetime | None:
    """A front-matter value (YAML date, datetime or ISO 8601 text) as an aware UTC datetime, or None."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def front_matter_dates(meta: dict) -> tuple[datetime | None, datetime | None]:
    """(created, updated) from the front matter's date keys, each None when the author gave none."""
    created = next((d for key in CREATED_KEYS if (d := as_datetime(meta.get(key))) is not None), None)
    updated = next((d for key in UPDATED_KEYS if (d := as_datetime(meta.get(key))) is not None), None)
    return created, updated


@dataclass(frozen=True)
class Dates:
    """A note's dates and where they come from."""

    created: datetime
    updated: datetime
    source: str  #: ``front matter``, ``git`` or ``file``


def _git(folder: Path, *args: str) -> str:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    result = subprocess.run(["git", "-C", str(folder), "-c", "core.quotepath=off", *args], capture_output=True,
                            env=env, timeout=GIT_TIMEOUT, check=True)
    return result.stdout.decode("utf-8", "surrogateescape")


def parse_git_log(output: str, files: dict[str, list[int]] | None = None) -> dict[str, list[int]]:
    """Fold ``git log --format=%x1e%H %at --name-status -M -z`` output (newest first) into path -> [first, last].

    ``files`` holds what an earlier pass found (older history): new commits only move ``last``
    forward, and a file renamed since keeps its ``first`` under its new name.
    """
    older = files or {}
    found: dict[str, list[int]] = {}
    aliases: dict[str, str] = {}  # name in an older commit -> name now
    for record in output.split("\x1e")[1:]:
        header, _, rest = record.partition("\0")
        try:
            moment = int(header.split()[1])
        except (IndexError, ValueError):
            continue
        fields = rest.lstrip("\n").split("\0")
        index = 0
        while index < len(fields) and fields[index]:
            status = fields[index]
            if status[:1] in ("R", "C") and index + 2 < len(fields):
                old, new, index = fields[index + 1], fields[index + 2], index + 3
            else:
                old, new, index = None, fields[index + 1] if index + 1 < len(fields) else "", index + 2
            if not new:
                continue
            current = aliases.get(new, new)
            span = found.setdefault(current, [moment, moment])
            span[0] = min(span[0], moment)
            span[1] = max(span[1], moment)
            if old and status[:1] == "R":
                aliases[old] = current
    for name, now in aliases.items():  # renamed since the earlier pass: created under its old name
        if name in older:
            found[now][0] = min(found[now][0], older[name][0])
    for current, span in found.items():
        if current in older:
            span[0] = min(span[0], older[current][0])
    return {**older, **found}


class GitDates:
    """First and last commit times of the files under ``folder``, cached in ``cache_file``."""

    def __init__(self, folder: str | os.PathLike, cache_file: str | os.PathLike | None = None, max_age: float = 10.0):
        self.folder = Path(folder)
        self.cache_file = Path(cache_file) if cache_file else None
        self.max_age = max_age
        self._lock = threading.Lock()
        self._head: str | None = None
        self._files: dict[str, list[int]] = {}
        self._checked = float("-inf")
        self.enabled = True
        self._loaded = False
        self._read_once = False  #: a first pass is done: threads need not wait for it

    @property
    def head(self) -> str | None:
        """The commit the dates were read at (None: no history read yet, or no git)."""
        return self._head

    def get(self, filename: str) -> tuple[datetime, datetime] | None:
        """(first, last) commit times of ``filename`` (relative to the folder), or None when git does not know it."""
        self.refresh()
        span = self._files.get(filename)
        if not span:
            return None
        return datetime.fromtimestamp(span[0], timezone.utc), datetime.fromtimestamp(span[1], timezone.utc)

    def refresh(self, force: bool = False) -> None:
        """Follow HEAD (at most every ``max_age`` seconds): nothing, an incremental pass, or a full one.

        Threads arriving during a pass keep the dates of the previous one, except during the first:
        before it there are none (no dates at all, a page the page cache then kept), so they wait for it.
        """
        if not self.enabled or (not force and self._read_once and time.monotonic() - self._checked < self.max_age):
            return
        with self._lock:
            if not self.enabled or (not force and self._read_once and time.monotonic() - self._checked < self.max_age):
                return  # another thread read it while this one waited
            self._checked = time.monotonic()
            try:
                self._follow_head()
            finally:
                self._read_once = True

    def _follow_head(self) -> None:
        """One pass (under the lock): the cache file the first time, then HEAD's history if HEAD moved."""
        if not self._loaded:
            self._load_cache()
        try:
            head = _git(self.folder, "rev-parse", "--verify", "-q", "HEAD").strip()
        except (OSError, subprocess.SubprocessError):
            self.enabled = bool(self._files)  # not a work tree (or no commit yet): file times
            return
        if head == self._head:
            return
        try:
            self._update(head)
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("cannot read the git history of %s: %s", self.folder, exc)
            return
        self._head = head
        self._save_cache()

    def _update(self, head: str) -> None:
        log_args = ["log", "--format=%x1e%H %at", "--name-status", "-M", "-z", "--relative"]
        incremental = False
        if self._head:
            try:
                _git(self.folder, "merge-base", "--is-ancestor", self._head, head)
                incremental = True
            except subprocess.CalledProcessError:
                incremental = False
        if incremental:
            self._files = parse_git_log(_git(self.folder, *log_args, f"{self._head}..{head}", "--", "."), self._files)
        else:
            self._files = parse_git_log(_git(self.folder, *log_args, head, "--", "."))

    def _load_cache(self) -> None:
        self._loaded = True
        if self.cache_file is None:
            return
        try:
            data = json.loads(self.cache_file.read_text("utf-8"))
            if data.get("version") == CACHE_VERSION and data.get("folder") == str(self.folder.resolve()):
                self._head, self._files = data["head"], {k: list(v) for k, v in data["files"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self._head, self._files = None, {}

    def _save_cache(self) -> None:
        if self.cache_file is None:
            return
        from app.fsutil import atomic_write

        data = {"version": CACHE_VERSION, "folder": str(self.folder.resolve()), "head": self._head, "files": self._files}
        try:
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.cache_file, json.dumps(data, ensure_ascii=False, sort_keys=True))
        except OSError as exc:
            log.warning("cannot write %s: %s", self.cache_file, exc)


def note_dates(front_matter: tuple[datetime | None, datetime | None], git: tuple[datetime, datetime] | None,
               mtime: float) -> Dates:
    """The dates of a note, each from the best source that has it: front matter, then git, then the file's time.

    A note with only ``created`` was last changed at git's last commit (as Quartz and Hugo take it), else when it
    was created; one with only ``updated`` was created at git's first commit or that update, whichever is
    earlier. The file's time (today on a fresh checkout) counts only when nothing else is known.
    """
    created, updated = front_matter
    if not (created or updated):
        if git is not None:
            return Dates(git[0], git[1], "git")
        file_time = datetime.fromtimestamp(mtime, timezone.utc)
        return Dates(file_time, file_time, "file")
    first, last = git or (None, None)
    created = created or min(d for d in (first, updated) if d is not None)
    updated = updated or max(d for d in (last, created) if d is not None)
    return Dates(created, max(updated, created), "front matter")
