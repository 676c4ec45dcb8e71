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
import zipfile
from collections.abc import Callable
from datetime import datetime, timezone

import polib

from app.catalog import minor
from app.catalog.po import CatalogError, entry_id, format_catalog, parse_catalog
from app.catalog.threeway import EntryState, plan_upload, uploaded_states
from app.content.notes import Note
from app.extensions import db
from app.models import CatalogDownload, User, utcnow
from app.services.garden import Garden
from app.services.translating.batch import EntryChange, save_entries
from app.services.translating.comments import add_comment, clean_comment, note_threads
from app.services.translating.downloads import Snapshot, find_download, keep_rules, record_downloads
from app.services.translating.entries import (InvalidInput, TranslationError, clean_translation, live_entries,
                                              read_note_catalog)
from app.services.translating.entry_views import as_utc, entry_checks, entry_version, save_counts
from app.services.translating.upload_text import UploadTextError, upload_text

TOKEN_HEADER = "X-Passerelle-Download"  #: header field naming the snapshot a file was taken from
TIME_HEADER = "X-Passerelle-Downloaded"  #: header field with the download time (UTC, ISO 8601)
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class InvalidUpload(TranslationError):
    """An uploaded file refused whole (400): ``reason`` says why (``malformed``, ``no_base``, ``mismatch``...)."""

    status = 400

    def __init__(self, message: str, reason: str, **params):
        super().__init__(message)
        self.reason, self.params = reason, params


def po_filename(note: Note, lang: str) -> str:
    """The file name a download gets: ``<slug>.<lang>.po``."""
    return f"{note.slug}.{lang}.po"


def _snapshot(garden: Garden, note: Note, lang: str, at: datetime) -> tuple[bytes, Snapshot]:
    """The file a download gets and its snapshot (to record with :func:`record_downloads`)."""
    po, _ = read_note_catalog(garden, note, lang)
    saves = save_counts(note.filename, lang)
    snapshot = Snapshot(note.filename, lang, {e.msgid: [entry_id(e), entry_version(e, saves.get(entry_id(e), 0)),
                                                        e.msgstr, e.fuzzy]
                                              for e in live_entries(po) if e.msgctxt is None})
    po.metadata[TOKEN_HEADER] = snapshot.token
    po.metadata[TIME_HEADER] = at.astimezone(timezone.utc).strftime(TIME_FORMAT)
    return format_catalog(po).encode("utf-8"), snapshot


def download_catalog(garden: Garden, note: Note, lang: str, user: User) -> bytes:
    """The note's catalog in ``lang`` with the header fields naming this download; the snapshot is recorded."""
    now = utcnow()
    data, snapshot = _snapshot(garden, note, lang, now)
    record_downloads([snapshot], user.id, now)
    return data


def catalogs_zip(garden: Garden, items: list[tuple[Note, str]], user: User) -> bytes:
    """A zip of the catalogs of ``(note, lang)`` items, each recorded as a download (``<lang>/<slug>.po``).

    The snapshots are recorded together once every file is read: a commit (and a flush) per
    file made a 549-note zip take 16 s, and reading a catalog may settle an interrupted save
    with a rollback, which would drop snapshots already added.
    """
    buffer, snapshots, now = io.BytesIO(), [], utcnow()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for note, lang in items:
            try:
                data, snapshot = _snapshot(garden, note, lang, now)
            except TranslationError:
                continue  # an unreadable catalog is reported on the dashboard, not zipped
            archive.writestr(f"{lang}/{note.slug}.po", data)
            snapshots.append(snapshot)
    record_downloads(snapshots, user.id, now)
    return buffer.getvalue()


def _downloaded_at(po) -> datetime | None:
    """The download time the file's header states, if it is one we wrote."""
    try:
        return datetime.strptime((po.metadata.get(TIME_HEADER) or "").strip(), TIME_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def _base_of(po, note: Note, lang: str) -> tuple[CatalogDownload, dict[str, EntryState]]:
    """The download an uploaded file says it came from, checked against the note and language."""
    token = (po.metadata.get(TOKEN_HEADER) or "").strip()
    if not token:
        raise InvalidUpload(f"the file does not say which version it was taken from (no {TOKEN_HEADER} header "
                            "field); download the catalog from Passerelle and translate that file", "no_base")
    found = find_download(token)
    if found is None:
        at, (keep, age) = _downloaded_at(po), keep_rules()
        if at is not None and at < utcnow() - age:  # younger downloads are never pruned: an older one was
            raise InvalidUpload(f"this file was downloaded on {at:%Y-%m-%d} and the version it was taken from is no "
                                f"longer kept (after {age.days} days only the {keep} newest downloads of a catalog "
                                "are): download the catalog again, copy your translations into it and upload that "
                                "file; nothing was changed", "pruned_base", at=f"{at:%Y-%m-%d}", days=age.days)
        raise InvalidUpload(f"unknown {TOKEN_HEADER} {token[:40]!r}: this file was not downloaded from this site",
                            "unknown_base")
    row, base = found
    language = (po.metadata.get("Language") or lang).strip()
    if language.replace("_", "-").lower().split("-")[0] != lang.lower().split("-")[0]:
        raise InvalidUpload(f"this file is a translation into {language!r}, not into {lang!r} (its Language header "
                            "field says so); nothing was changed", "language", language=language)
    # the download says which note (its source follows renames); the file's X-Source-File may name the old path
    if row.source != note.filename or row.lang != lang:
        raise InvalidUpload(f"this file is the catalog of {row.source!r} in {row.lang!r}, not of {note.filename!r} "
                            f"in {lang!r}; nothing was changed", "mismatch", source=row.source, lang=row.lang)
    return row, base


def _refuse_what_notes_never_hold(uploaded) -> None:
    """Plural forms and contexts (msgctxt): a note's catalog has neither, so such a file is not one of ours."""
    for entry in uploaded:
        if entry.obsolete or not entry.msgid:
            continue
        if entry.msgid_plural:
            raise InvalidUpload(f"the entry {entry.msgid[:60]!r} has plural forms (msgid_plural), which note catalogs "
                                "never have; nothing was changed", "plural", msgid=entry.msgid)
        if entry.msgctxt is not None:
            raise InvalidUpload(f"the entry {entry.msgid[:60]!r} has a context (msgctxt {entry.msgctxt[:40]!r}), which "
                                "note catalogs never have; nothing was changed", "context", msgid=entry.msgid)


def _new_comments(uploaded, current: dict[str, polib.POEntry]) -> dict[str, str]:
    """Translator comments written in the file (Poedit's "comment") that the catalog's entry does not hold, by msgid."""
    found = {}
    for entry in uploaded:
        now = current.get(entry.msgid)
        if entry.obsolete or now is None or not entry.tcomment:
            continue
        known = set((now.tcomment or "").split("\n")) | {minor.MINOR_MARK}
        lines = [line for line in entry.tcomment.split("\n") if line.strip() and line not in known]
        if lines:
            text = "\n".join(lines)
            try:
                found[entry.msgid] = clean_comment(text)
            except InvalidInput as exc:
                raise InvalidUpload(f"the comment on {entry.msgid[:60]!r} is refused: {exc.message}; nothing was "
                                    "changed", "bad_comment", msgid=entry.msgid) from None
    return found


def _vanished_comments(uploaded, po, current: dict[str, polib.POEntry], report: dict) -> None:
    """Report the comments written in the file on entries whose msgid is gone, with the vanished entries."""
    obsolete = {e.msgid: e for e in po if e.obsolete}
    listed = {item["msgid"]: item for item in report["vanished"]}
    for entry in uploaded:
        if entry.obsolete or not entry.msgid or entry.msgid in current or not entry.tcomment:
            continue
        known = set((obsolete[entry.msgid].tcomment or "").split("\n")) if entry.msgid in obsolete else set()
        lines = [line for line in entry.tcomment.split("\n") if line.strip() and line not in known | {minor.MINOR_MARK}]
        if not lines:
            continue
        if entry.msgid not in listed:  # the translation was not touched: only the comment would be lost
            listed[entry.msgid] = {"msgid": entry.msgid, "yours": entry.msgstr}
            report["vanished"].append(listed[entry.msgid])
            report["unchanged"] -= 1
        listed[entry.msgid]["comment"] = "\n".join(lines)


def upload_catalog(garden: Garden, note: Note, lang: str, data: bytes, user: User, *, dry_run: bool = False,
                   gettext: Callable[[str], str] = lambda s: s) -> dict:
    """Merge an uploaded catalog three ways and apply it (or, ``dry_run``, only say what would happen).

    Besides the translations: an entry whose French changed only slightly since the download (a
    pending minor change) takes the text made for its old French and stays to be confirmed; deleting
    the minor-change comment in the file confirms it; translator comments written in the file join
    the segment's thread.
    """
    try:
        uploaded = parse_catalog(upload_text(data), "uploaded file")
    except UploadTextError as exc:
        raise InvalidUpload(f"{exc.message}; nothing was changed", exc.reason, **exc.params) from None
    except CatalogError as exc:
        raise InvalidUpload(f"the file is not a valid PO catalog ({exc}); nothing was changed", "malformed",
                            line=exc.line) from None
    download, base = _base_of(uploaded, note, lang)
    _refuse_what_notes_never_hold(uploaded)
    yours = uploaded_states(uploaded)
    for msgid, state in yours.items():
        try:
            clean_translation(state.msgstr)
        except InvalidInput as exc:
            raise InvalidUpload(f"the translation of {msgid[:60]!r} is refused: {exc.message}; nothing was changed",
                                "bad_entry", msgid=msgid) from None
    po, _ = read_note_catalog(garden, note, lang)
    saves = save_counts(note.filename, lang)
    current = {e.msgid: e for e in live_entries(po) if e.msgctxt is None}
    versions = {msgid: entry_version(e, saves.get(entry_id(e), 0)) for msgid, e in current.items()}
    theirs = {msgid: EntryState(e.msgstr, e.fuzzy, entry_id(e), versions[msgid]) for msgid, e in current.items()}
    for e in list(current.values()):  # French corrected slightly since the download: the file has its old French
        old = e.previous_msgid
        if minor.pending(e) and old in yours and old not in current and old in base:
            untouched = e.msgstr == base[old].msgstr  # kept by the sync, nobody saved since (a save clears the mark)
            version = base[old].version if untouched else versions[e.msgid]
            theirs[old] = EntryState(e.msgstr, e.fuzzy, entry_id(e), version)
            current.setdefault(old, e)
    plan = plan_upload(base, theirs, yours)
    unmarked = {e.msgid for e in uploaded if not e.obsolete and e.msgid and not minor.has_mark(e)}
    confirms = [msgid for msgid, mine in yours.items()
                if msgid in unmarked and current.get(msgid) is not None and current[msgid].msgid == msgid
                and minor.pending(current[msgid]) and msgid in base and theirs[msgid].version == base[msgid].version
                and (mine.msgstr, mine.fuzzy) == (base[msgid].msgstr, base[msgid].fuzzy)]
    comments = _new_comments(uploaded, current)
    report = {"dry_run": dry_run, "downloaded_at": as_utc(download.at).isoformat(),
              "applied": [], "conflicts": list(plan.conflicts), "vanished": plan.vanished, "drafts": plan.drafts,
              "confirmed": [], "comments": [], "unchanged": plan.unchanged - len(confirms),
              "same_on_both_sides": plan.same}
    _vanished_comments(uploaded, po, current, report)
    if dry_run:
        for msgid, now, msgstr in plan.apply:
            preview = copy.copy(current[msgid])
            preview.msgstr = msgstr
            report["applied"].append({"id": now.id, "msgid": preview.msgid, "uploaded_msgid": msgid,
                                      "before": now.msgstr, "msgstr": msgstr,
                                      "checks": [r.as_dict(gettext) for r in entry_checks(preview, lang)]})
        report["confirmed"] = [{"id": theirs[m].id, "msgid": m} for m in confirms]
        report["comments"] = _comments_report(note, lang, current, comments)
        return report
    changes = [EntryChange(now.id, msgstr, versions[current[msgid].msgid], keep_minor=current[msgid].msgid != msgid)
               for msgid, now, msgstr in plan.apply]
    uploaded_msgid = {now.id: msgid for msgid, now, _ in plan.apply}
    for outcome in save_entries(garden, note, lang, changes, user, action="upload", gettext=gettext):
        entry = outcome.entry or {}
        if outcome.status == "applied":
            report["applied"].append({"id": entry["id"], "msgid": entry["msgid"],
                                      "uploaded_msgid": uploaded_msgid[entry["id"]], "before": outcome.before,
                                      "msgstr": entry["msgstr"], "checks": entry["checks"]})
        elif outcome.status == "conflict":  # saved by someone between the plan and the lock
            msgid = uploaded_msgid[outcome.change.ident]
            report["conflicts"].append({"msgid": msgid, "id": entry["id"], "yours": outcome.change.msgstr,
                                        "theirs": entry["msgstr"], "theirs_fuzzy": entry["fuzzy"],
                                        "base": base.get(msgid, EntryState("")).msgstr})
        else:
            report["vanished"].append({"msgid": uploaded_msgid[outcome.change.ident], "yours": outcome.change.msgstr})
    if confirms:
        changes = [EntryChange(theirs[m].id, current[m].msgstr, theirs[m].version, confirm=True) for m in confirms]
        for outcome in save_entries(garden, note, lang, changes, user, action="confirm", edit=False, gettext=gettext):
            if outcome.status == "applied":
                report["confirmed"].append({"id": outcome.change.ident, "msgid": outcome.entry["msgid"]})
    report["comments"] = _comments_report(note, lang, current, comments)
    for item in report["comments"]:
        add_comment(garden, note, lang, item["id"], item["text"], user, commit=False)
    if report["comments"]:
        db.session.commit()
    return report


def _comments_report(note: Note, lang: str, current: dict[str, polib.POEntry], comments: dict[str, str]) -> list[dict]:
    """The comments of the file to add: those the segment's thread does not already hold (a file uploaded twice)."""
    threads = note_threads(note, lang)
    items = []
    for msgid, text in comments.items():
        ident = entry_id(current[msgid])
        if all(row.text != text for row in threads.get(ident, [])):
            items.append({"id": ident, "msgid": current[msgid].msgid, "text": text})
    return items
