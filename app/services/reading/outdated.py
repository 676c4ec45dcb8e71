"""Whether a published translation is outdated: its French changed in substance since approval.

A published note is outdated when the current French differs from the French it was approved
against, except when every difference is a minor change of a segment (see
:mod:`app.catalog.minor`): a typo fix in the French leaves the English right, so readers get no
banner and the dashboards no "outdated" for it. The French approved against comes from the
publication records (:class:`~app.models.Publication`); when it is not recorded, any difference
counts. With ``PASSERELLE_MINOR_CHANGES=fuzzy`` any difference counts, as before.

A note without ``title:`` is titled by its file name, a segment of its own: renaming it changes
the English title the translation must carry while the French text keeps its hash. The
publication record keeps the name approved (``source_name``), and a new name outdates the
English as a changed segment would (a minor fix of the name, such as its case, does not).

Readers, translators and the editor all ask here, so they always agree. Verdicts on the texts are
cached per process by (approved SHA-256, current SHA-256): both texts are fixed by their hashes;
the approved name is read from the record each time (one indexed query, for untitled notes only).
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict

from flask import current_app
from sqlalchemy import select

from app.catalog.minor import is_minor, only_minor_changes
from app.content.notes import Note
from app.extensions import db
from app.models import Publication
from app.workflow.states import State, display_state, is_outdated

log = logging.getLogger(__name__)

_CACHE_SIZE = 4096
_verdicts: OrderedDict[tuple[str, str], bool] = OrderedDict()
_lock = threading.Lock()


def approved_french(source_sha256: str) -> str | None:
    """The French text whose SHA-256 is ``source_sha256``, from any publication record (None if unknown)."""
    query = (select(Publication.source_text)
             .where(Publication.source_sha256 == source_sha256, Publication.source_text != "").limit(1))
    return db.session.scalar(query)


def approved_name(published_sha256: str, note: Note, lang: str | None = None) -> str:
    """The name ``note`` had when approved against ``published_sha256`` (in ``lang``), "" when not recorded."""
    query = select(Publication.source_name).where(Publication.source == note.filename,
                                                  Publication.source_sha256 == published_sha256)
    if lang is not None:
        query = query.where(Publication.lang == lang)
    return db.session.scalar(query.order_by(Publication.approved_at.desc(), Publication.id.desc()).limit(1)) or ""


def _renamed_title(published_sha256: str, note: Note, lang: str | None) -> tuple[str, str] | None:
    """(approved name, current name) when ``note`` is titled by its name and that name changed since approval."""
    if note.meta.get("title") not in (None, ""):
        return None  # titled in its front matter: the name is not translated
    try:
        before = approved_name(published_sha256, note, lang)
    except Exception:  # noqa: BLE001 - a verdict is a convenience; the text decides alone
        log.exception("cannot read the name %s was approved under", note.filename)
        return None
    return (before, note.name) if before and before != note.name else None


def french_outdated(published_sha256: str | None, note: Note, *, lang: str | None = None) -> bool:
    """Tell whether the French of ``note`` changed in substance since it was approved (no record: not outdated).

    The French is its text and, for a note without ``title:``, its name (its title); ``lang`` picks the
    publication record that says which name was approved (any language's when None).
    """
    if not published_sha256:
        return False
    strict = current_app.config.get("MINOR_CHANGES", "keep") == "fuzzy"
    renamed = _renamed_title(published_sha256, note, lang)
    if renamed is not None and (strict or not is_minor(*renamed)):
        return True
    if not is_outdated(published_sha256, note.sha256):
        return False
    if strict:
        return True
    key = (published_sha256, note.sha256)
    with _lock:
        if key in _verdicts:
            _verdicts.move_to_end(key)
            return _verdicts[key]
    try:
        approved = approved_french(published_sha256)
        verdict = approved is None or not only_minor_changes(approved, note.text)
    except Exception:  # a verdict is a convenience: when in doubt, the page says the French changed  # noqa: BLE001
        log.exception("cannot compare %s with the French it was approved against", note.filename)
        return True
    with _lock:
        _verdicts[key] = verdict
        while len(_verdicts) > _CACHE_SIZE:
            _verdicts.popitem(last=False)
    return verdict


def compared_sha(published_sha256: str | None, note: Note, *, lang: str | None = None) -> str:
    """The SHA-256 to hold against the approved one: the approved one itself when only minor changes differ,
    something else when the French is outdated (even with the same bytes: an untitled note renamed)."""
    if not published_sha256:
        return note.sha256
    if not french_outdated(published_sha256, note, lang=lang):
        return published_sha256
    return note.sha256 if note.sha256 != published_sha256 else "renamed:" + note.sha256


def shown_state(stored: State | str, published_sha256: str | None, note: Note, *, lang: str | None = None) -> State:
    """:func:`~app.workflow.states.display_state` with minor changes of the French not counting as outdated."""
    return display_state(stored, published_sha256=published_sha256,
                         current_sha256=compared_sha(published_sha256, note, lang=lang))
