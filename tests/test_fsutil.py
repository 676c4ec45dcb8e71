"""Atomic writes, cross-process locks and temp-file cleanup (app/fsutil.py)."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import filelock
import pytest

from app import fsutil
from app.fsutil import atomic_write, cleanup_temp_files, file_lock, lock_path

ROOT = Path(__file__).resolve().parent.parent


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_atomic_write_bytes_and_text(tmp_path):
    target = tmp_path / "note.po"
    atomic_write(target, b"one\n")
    assert target.read_bytes() == b"one\n"
    atomic_write(str(target), "deux \u00e9t\u00e9\n")
    assert target.read_text(encoding="utf-8") == "deux \u00e9t\u00e9\n"
    assert _temps(tmp_path) == []


def test_atomic_write_default_and_kept_permissions(tmp_path):
    fresh = tmp_path / "fresh.po"
    atomic_write(fresh, "x")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
    private = tmp_path / "private.po"
    private.write_text("old")
    private.chmod(0o600)
    atomic_write(private, "new")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.read_text() == "new"


def test_atomic_write_through_symlink_updates_target(tmp_path):
    real = tmp_path / "real.po"
    real.write_text("old")
    link = tmp_path / "link.po"
    link.symlink_to(real)
    atomic_write(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


class _HalfWriter:
    """A file object that writes half of the data, then fails (disk full, crash...)."""

    def __init__(self, handle):
        self.handle = handle

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.handle.close()

    def write(self, data):
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        raise OSError(28, "No space left on device")


@pytest.mark.parametrize("failure", ["write", "fsync", "replace"])
def test_atomic_write_failure_keeps_old_file_and_no_temp(tmp_path, monkeypatch, failure):
    target = tmp_path / "note.po"
    target.write_bytes(b"old content\n")
    if failure == "write":
        real_fdopen = os.fdopen
        monkeypatch.setattr(fsutil.os, "fdopen", lambda fd, mode: _HalfWriter(real_fdopen(fd, mode)))
    elif failure == "fsync":
        monkeypatch.setattr(fsutil.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(5, "I/O error")))
    else:
        monkeypatch.setattr(fsutil.os, "replace", lambda a, b: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises((OSError, KeyboardInterrupt)):
        atomic_write(target, b"new content that is much longer than before\n" * 100)
    monkeypatch.undo()
    assert target.read_bytes() == b"old content\n"
    assert _temps(tmp_path) == []


def test_killed_writer_never_leaves_a_torn_file(tmp_path):
    """SIGKILL a process in the middle of rewriting a 2 MB file over and over."""
    target = tmp_path / "big.po"
    size = 2_000_000
    target.write_bytes(b"a" * size)
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from app.fsutil import atomic_write
        i = 0
        while True:
            atomic_write({str(target)!r}, (b"b" if i % 2 else b"a") * {size})
            i += 1
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        time.sleep(0.8)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    data = target.read_bytes()
    assert len(data) == size and data in (b"a" * size, b"b" * size)
    # The killed process may have left its temporary file: cleanup removes it.
    leftovers = _temps(tmp_path)
    assert cleanup_temp_files(tmp_path, grace=0) == len(leftovers)
    assert _temps(tmp_path) == []


def test_lock_path_is_a_hidden_sibling(tmp_path):
    assert lock_path(tmp_path / "note.po") == str(tmp_path / ".note.po.lock")


def test_file_lock_is_reentrant_in_a_thread(tmp_path):
    target = tmp_path / "note.po"
    with file_lock(target, timeout=1):
        with file_lock(target, timeout=1):
            atomic_write(target, "x")
    with file_lock(target, timeout=1):  # released properly: can take it again
        pass


def test_file_lock_excludes_other_threads(tmp_path):
    target = tmp_path / "note.po"
    outcome = {}

    def contender():
        try:
            with file_lock(target, timeout=0.2):
                outcome["got"] = True
        except filelock.Timeout:
            outcome["got"] = False

    with file_lock(target):
        thread = threading.Thread(target=contender)
        thread.start()
        thread.join()
    assert outcome == {"got": False}
    thread = threading.Thread(target=contender)
    thread.start()
    thread.join()
    assert outcome == {"got": True}


def test_file_lock_excludes_other_processes(tmp_path):
    target = tmp_path / "note.po"
    ready = tmp_path / "ready"
    script = textwrap.dedent(
        f"""
        import sys, time, pathlib
        sys.path.insert(0, {str(ROOT)!r})
        from app.fsutil import file_lock
        with file_lock({str(target)!r}):
            pathlib.Path({str(ready)!r}).write_text("1")
            time.sleep(1.5)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.time() + 10
        while not ready.exists() and time.time() < deadline:
            time.sleep(0.02)
        assert ready.exists()
        with pytest.raises(filelock.Timeout):
            with file_lock(target, timeout=0.2):
                pass
    finally:
        proc.wait(timeout=10)
    with file_lock(target, timeout=1):
        pass


def test_cleanup_temp_files(tmp_path):
    nested = tmp_path / "en" / "notes"
    nested.mkdir(parents=True)
    old_files = [tmp_path / ".a.po.x1.tmp", nested / ".b.po.x2.tmp"]
    keep = [
        tmp_path / ".fresh.po.x3.tmp",  # too recent: may be a write in progress
        tmp_path / "visible.tmp",  # not one of ours (no leading dot)
        tmp_path / ".note.po.lock",
        nested / "note.po",
    ]
    for path in old_files + keep:
        path.write_text("x")
    past = time.time() - 600
    for path in old_files + keep[1:]:
        os.utime(path, (past, past))
    assert cleanup_temp_files(tmp_path) == 2
    assert not any(p.exists() for p in old_files)
    assert all(p.exists() for p in keep)
    assert cleanup_temp_files(tmp_path / "missing") == 0


def test_file_lock_and_the_filelock_library_exclude_each_other(tmp_path):
    """Both take flock on the same sibling file: a process running older code is still excluded."""
    target = tmp_path / "note.po"
    with filelock.FileLock(lock_path(target)):
        with pytest.raises(filelock.Timeout):
            with file_lock(target, timeout=0.2):
                pass
    with file_lock(target):
        with pytest.raises(filelock.Timeout):
            filelock.FileLock(lock_path(target)).acquire(timeout=0.2)


def test_a_forked_child_does_not_reenter_its_parents_lock(tmp_path):
    target = tmp_path / "note.po"
    with file_lock(target):
        pid = os.fork()
        if pid == 0:  # the child: the lock is its parent's, so it must wait for it like anyone else
            try:
                with file_lock(target, timeout=0.2):
                    os._exit(1)
            except filelock.Timeout:
                os._exit(0)
            os._exit(2)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    with file_lock(target, timeout=1):  # and the parent released it
        pass
