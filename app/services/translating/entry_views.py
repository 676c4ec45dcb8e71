"""An entry as the translator's screens and the API show it: its places, checks, versions and history.

Pure presentation of what :mod:`app.services.translating.entries` reads and saves: no catalog is
read or written here.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import polib
from sqlalchemy import func, select

from app.catalog import minor
from app.catalog.po import entry_digest, entry_id
from app.extensions import db
from app.models import EntryHistory
from app.workflow.checks import CheckResult, check_entry

if TYPE_CHECKING:
    from app.content.notes import Note

IDENTICAL_FLAG = "intended-identical"  #: the flag a translator sets when the English is rightly the French


def entry_types(entry: polib.POEntry) -> list[str]:
    """Every kind of place the entry fills, from its ``#. type: a, b`` comment (``[]`` when absent)."""
    for line in (entry.comment or "").splitlines():
        if line.startswith("type:"):
            return [t.strip() for t in line[5:].split(",") if t.strip()]
    return []


def entry_type(entry: polib.POEntry) -> str:
    """What the entry is first (its first place), from its ``#. type: …`` comment (``""`` when absent)."""
    types = entry_types(entry)
    return types[0] if types else ""


def entry_version(entry: polib.POEntry, saves: int) -> str:
    """The version of an entry given how many saves its history holds: the one definition."""
    return f"{saves}-{entry_digest(entry)}"


def save_counts(source: str, lang: str) -> dict[str, int]:
    """Number of history rows per entry id of a note in ``lang``, in one query."""
    query = (select(EntryHistory.entry_id, func.count())
             .where(EntryHistory.source == source, EntryHistory.lang == lang, EntryHistory.pending.is_(False))
             .group_by(EntryHistory.entry_id))
    return {row[0]: row[1] for row in db.session.execute(query)}


def entry_checks(entry: polib.POEntry, lang: str | None = None) -> list[CheckResult]:
    """The check results of an entry's msgstr against its msgid (with the glossary of ``lang`` when given)."""
    results = check_entry(entry.msgid, entry.msgstr, intended_identical=IDENTICAL_FLAG in entry.flags,
                          places=entry_types(entry))
    if lang is not None:
        from app.services.translating.glossary import glossary_checks

        results += glossary_checks(entry.msgid, entry.msgstr, lang)
    return results


def entry_data(entry: polib.POEntry, saves: int, gettext: Callable[[str], str] = lambda s: s,
               lang: str | None = None, reason: tuple[str, str | None] | None = None) -> dict:
    """The API form of an entry, check messages translated with ``gettext`` (glossary terms of ``lang`` when given).

    ``reason`` is the entry's ``(fuzzy_reason, fuzzy_source)`` from :func:`app.catalog.fuzzy_reasons.fuzzy_reasons`.
    """
    data = {
        "id": entry_id(entry),
        "msgid": entry.msgid,
        "msgstr": entry.msgstr,
        "fuzzy": entry.fuzzy,
        "previous_msgid": entry.previous_msgid if entry.fuzzy or minor.pending(entry) else None,
        "minor_change": minor.pending(entry),
        "fuzzy_reason": reason[0] if reason and entry.fuzzy else None,
        "fuzzy_source": reason[1] if reason and entry.fuzzy else None,
        "type": entry_type(entry),
        "types": entry_types(entry),
        "checks": [result.as_dict(gettext) for result in entry_checks(entry, lang)],
        "version": entry_version(entry, saves),
    }
    if lang is not None:
        from app.services.translating.glossary import glossary_matches

        data["glossary"] = [match.api() for match in glossary_matches(entry.msgid, lang)]
    return data


def entry_history(note: Note, lang: str, ident: str) -> list[EntryHistory]:
    """The saved changes of one entry, newest first."""
    query = select(EntryHistory).where(EntryHistory.source == note.filename, EntryHistory.lang == lang,
                                       EntryHistory.entry_id == ident, EntryHistory.pending.is_(False))
    return list(db.session.scalars(query.order_by(EntryHistory.at.desc(), EntryHistory.id.desc())))


def as_utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime (SQLite gives back naive UTC values)."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def history_data(rows: list[EntryHistory]) -> list[dict]:
    """The API form of history rows."""
    return [{"user": row.user.username if row.user else None, "at": as_utc(row.at).isoformat(), "action": row.action,
             "before": row.before, "after": row.after, "was_fuzzy": row.was_fuzzy} for row in rows]
