"""Offline work: a note's catalog downloaded for Poedit or any PO editor, and uploaded back.

A download records the catalog as it was (:class:`~app.models.CatalogDownload`) and writes the
snapshot's token in the file's header (``X-Passerelle-Download``, with ``X-Passerelle-Downloaded``
the time): the file says which version it was taken from. An upload is merged three ways
against that snapshot (:mod:`app.catalog.threeway`) and applied through the one save path
(:mod:`.batch`): locked, version-checked, each entry a history row in the uploader's name.
A file that does not parse, is too large, names another note or language, or does not say
which version it came from is refused whole: nothing changes.
"""
from __future__ import annotations

import copy
import io
import json
import secrets
import zipfile
from collections.abc import Callable
from datetime import timezone

from sqlalchemy import select

from app.catalog.po import CatalogError, entry_id, format_catalog, parse_catalog
from app.catalog.threeway import EntryState, plan_upload, uploaded_states
from app.content.notes import Note
from app.extensions import db
from app.models import CatalogDownload, User, utcnow
from app.services.garden import Garden
from app.services.translating.batch import EntryChange, save_entries
from app.services.translating.entries import (InvalidInput, TranslationError, as_utc, clean_translation, entry_checks,
                                              entry_version, live_entries, read_note_catalog, save_counts)

TOKEN_HEADER = "X-Passerelle-Download"  #: header field naming the snapshot a file was taken from
TIME_HEADER = "X-Passerelle-Downloaded"  #: header field with the download time (UTC, ISO 8601)


class InvalidUpload(TranslationError):
    """An uploaded file refused whole (400): ``reason`` says why (``malformed``, ``no_base``, ``mismatch``...)."""

    status = 400

    def __init__(self, message: str, reason: str, **params):
        super().__init__(message)
        self.reason, self.params = reason, params


def po_filename(note: Note, lang: str) -> str:
    """The file name a download gets: ``<slug>.<lang>.po``."""
    return f"{note.slug}.{lang}.po"


def download_catalog(garden: Garden, note: Note, lang: str, user: User) -> bytes:
    """The note's catalog in ``lang`` with the header fields naming this download; the snapshot is recorded."""
    po, _ = read_note_catalog(garden, note, lang)
    saves = save_counts(note.filename, lang)
    snapshot = {e.msgid: [entry_id(e), entry_version(e, saves.get(entry_id(e), 0)), e.msgstr, e.fuzzy]
                for e in live_entries(po) if e.msgctxt is None}
    token, now = secrets.token_hex(16), utcnow()
    db.session.add(CatalogDownload(token=token, source=note.filename, lang=lang, entries=json.dumps(snapshot),
                                   user_id=user.id, at=now))
    db.session.commit()
    po.metadata[TOKEN_HEADER] = token
    po.metadata[TIME_HEADER] = now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return format_catalog(po).encode("utf-8")


def catalogs_zip(garden: Garden, items: list[tuple[Note, str]], user: User) -> bytes:
    """A zip of the catalogs of ``(note, lang)`` items, each recorded as a download (``<lang>/<slug>.po``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for note, lang in items:
            try:
                data = download_catalog(garden, note, lang, user)
            except TranslationError:
                continue  # an unreadable catalog is reported on the dashboard, not zipped
            archive.writestr(f"{lang}/{note.slug}.po", data)
    return buffer.getvalue()


def _base_of(po, note: Note, lang: str) -> tuple[CatalogDownload, dict[str, EntryState]]:
    """The download an uploaded file says it came from, checked against the note and language."""
    token = (po.metadata.get(TOKEN_HEADER) or "").strip()
    if not token:
        raise InvalidUpload(f"the file does not say which version it was taken from (no {TOKEN_HEADER} header "
                            "field); download the catalog from Passerelle and translate that file", "no_base")
    row = db.session.scalar(select(CatalogDownload).where(CatalogDownload.token == token))
    if row is None:
        raise InvalidUpload(f"unknown {TOKEN_HEADER} {token[:40]!r}: this file was not downloaded from this site",
                            "unknown_base")
    source = (po.metadata.get("X-Source-File") or "").strip()
    language = (po.metadata.get("Language") or lang).strip().replace("_", "-").lower()
    if row.source != note.filename or row.lang != lang or (source and source != f"content/fr/{note.filename}") \
            or language.split("-")[0] != lang.lower().split("-")[0]:
        raise InvalidUpload(f"this file is the catalog of {row.source!r} in {row.lang!r}, not of {note.filename!r} "
                            f"in {lang!r}; nothing was changed", "mismatch", source=row.source, lang=row.lang)
    base = {msgid: EntryState(v[2], bool(v[3]), v[0], v[1]) for msgid, v in json.loads(row.entries).items()}
    return row, base


def upload_catalog(garden: Garden, note: Note, lang: str, data: bytes, user: User, *, dry_run: bool = False,
                   gettext: Callable[[str], str] = lambda s: s) -> dict:
    """Merge an uploaded catalog three ways and apply it (or, ``dry_run``, only say what would happen)."""
    data = data.replace(b"\r\n", b"\n")  # Windows editors and browsers' form posts send CRLF
    try:
        uploaded = parse_catalog(data, "uploaded file")
    except CatalogError as exc:
        raise InvalidUpload(f"the file is not a valid PO catalog ({exc}); nothing was changed", "malformed",
                            line=exc.line) from None
    download, base = _base_of(uploaded, note, lang)
    yours = uploaded_states(uploaded)
    for msgid, state in yours.items():
        try:
            clean_translation(state.msgstr)
        except InvalidInput as exc:
            raise InvalidUpload(f"the translation of {msgid[:60]!r} is refused: {exc.message}; nothing was changed",
                                "bad_entry", msgid=msgid) from None
    po, _ = read_note_catalog(garden, note, lang)
    saves = save_counts(note.filename, lang)
    entries = {e.msgid: e for e in live_entries(po) if e.msgctxt is None}
    theirs = {msgid: EntryState(e.msgstr, e.fuzzy, entry_id(e), entry_version(e, saves.get(entry_id(e), 0)))
              for msgid, e in entries.items()}
    plan = plan_upload(base, theirs, yours)
    report = {"dry_run": dry_run, "downloaded_at": as_utc(download.at).isoformat(),
              "applied": [], "conflicts": list(plan.conflicts), "vanished": plan.vanished, "drafts": plan.drafts,
              "unchanged": plan.unchanged, "same_on_both_sides": plan.same}
    if dry_run:
        for msgid, now, msgstr in plan.apply:
            preview = copy.copy(entries[msgid])
            preview.msgstr = msgstr
            report["applied"].append({"id": now.id, "msgid": msgid, "before": now.msgstr, "msgstr": msgstr,
                                      "checks": [r.as_dict(gettext) for r in entry_checks(preview, lang)]})
        return report
    changes = [EntryChange(now.id, msgstr, now.version) for _, now, msgstr in plan.apply]
    for outcome in save_entries(garden, note, lang, changes, user, action="upload", gettext=gettext):
        entry = outcome.entry or {}
        if outcome.status == "applied":
            report["applied"].append({"id": entry["id"], "msgid": entry["msgid"], "before": outcome.before,
                                      "msgstr": entry["msgstr"], "checks": entry["checks"]})
        elif outcome.status == "conflict":  # saved by someone between the plan and the lock
            msgid = entry["msgid"]
            report["conflicts"].append({"msgid": msgid, "id": entry["id"], "yours": outcome.change.msgstr,
                                        "theirs": entry["msgstr"], "theirs_fuzzy": entry["fuzzy"],
                                        "base": base.get(msgid, EntryState("")).msgstr})
        else:
            report["vanished"].append({"msgid": next((m for m, n, _ in plan.apply if n.id == outcome.change.ident), ""),
                                       "yours": outcome.change.msgstr})
    return report
