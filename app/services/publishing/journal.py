"""A journal that makes a published file and its database record agree after a crash.

Approving or unpublishing changes ``content/<lang>/<slug>.md`` and then commits the
record. Before touching the file, a journal marker ``.<slug>.md.journal`` is written beside
it; it is removed once the commit is done or rolled back. A marker still present means a
process died in between: :func:`recover_publication` (run under the file's lock by the next
approval, unpublishing or ``passerelle sync``) makes the file match what the database
committed: the live publication's text, or no file when none is live.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.fsutil import atomic_write
from app.models import Publication


def journal_path(path: Path) -> Path:
    """The marker beside a published file."""
    return path.with_name(f".{path.name}.journal")


@contextmanager
def journaled(path: Path):
    """Mark ``path`` as being changed for the duration of the block (call under its lock)."""
    atomic_write(journal_path(path), b"")
    try:
        yield
    except Exception:  # handled by the caller, which put the file back: nothing left to settle
        journal_path(path).unlink(missing_ok=True)
        raise
    journal_path(path).unlink(missing_ok=True)


def recover_publication(path: Path, lang: str) -> bool:
    """Settle an interrupted change of ``path`` from the database (call under its lock); tell if one was found."""
    journal = journal_path(path)
    if not journal.exists():
        return False
    db.session.rollback()  # what other processes committed
    live = db.session.scalar(select(Publication).where(
        Publication.lang == lang, Publication.slug == path.stem, Publication.unpublished_at.is_(None))
        .order_by(Publication.approved_at.desc(), Publication.id.desc()).limit(1))
    if live is not None:
        data = live.text.encode("utf-8")
        if not path.exists() or path.read_bytes() != data:
            atomic_write(path, data)
    elif path.exists():
        os.unlink(path)
    journal.unlink(missing_ok=True)
    return True


def recover_publications(content_dir: Path, langs: list[str]) -> int:
    """Settle every interrupted approval or unpublishing under ``content/<lang>/``; return how many."""
    from app.fsutil import file_lock

    count = 0
    for lang in langs:
        for journal in sorted((content_dir / lang).glob(".*.md.journal")):
            path = journal.with_name(journal.name[1:-len(".journal")])
            with file_lock(path):
                count += recover_publication(path, lang)
    return count
