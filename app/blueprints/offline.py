"""Translator screens for offline work: download a catalog or a zip, upload a PO file with a dry run first.

The upload form posts the file; "Check" shows what would happen and carries the file's text in
the page so "Apply" needs no second upload; "Apply" merges and lists what was applied, the
conflicts (both versions, nothing overwritten) and the entries whose French is gone.
"""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.api_offline import po_response, zip_for
from app.blueprints.guards import note_or_404, screen_permission, target_lang_or_404
from app.services.garden import get_garden
from app.services.translating import entries
from app.services.translating.offline import InvalidUpload, download_catalog, po_filename, upload_catalog
from app.services.translating.progress import FILTERS
from app.services.translating.upload_text import upload_text

bp = Blueprint("offline", __name__, url_prefix="/translate")


@bp.after_request
def private(response):
    """Translator pages are private: never cached."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<lang>/<slug>/po")
@screen_permission("translate")
def download(lang: str, slug: str):
    """The note's catalog as a PO file for Poedit (its header says which version it was taken from)."""
    lang, note = target_lang_or_404(lang), note_or_404(slug)
    try:
        data = download_catalog(get_garden(), note, lang, current_user._get_current_object())
    except entries.TranslationError as exc:
        return render_template("translate/unavailable.html", note=note, lang=lang, reason=exc.message), exc.status
    return po_response(data, po_filename(note, lang))


@bp.get("/catalogs.zip")
@screen_permission("translate")
def download_zip():
    """A zip of the catalogs the dashboard filter ``?show=`` lists (default: those needing work)."""
    garden = get_garden()
    show = request.args.get("show") or "all"
    if show not in (*FILTERS, "all"):
        abort(400)
    return po_response(zip_for(garden, show, garden.target_langs, current_user._get_current_object()),
                       "catalogs.zip", "application/zip")


@bp.get("/<lang>/<slug>/upload")
@screen_permission("translate")
def upload_form(lang: str, slug: str):
    """The upload form alone."""
    lang, note = target_lang_or_404(lang), note_or_404(slug)
    return render_template("translate/upload.html", note=note, lang=lang, report=None, error=None, po_text=None)


@bp.post("/<lang>/<slug>/upload")
@screen_permission("translate")
def upload(lang: str, slug: str):
    """Check (dry run) or apply an uploaded PO file; show the result."""
    lang, note = target_lang_or_404(lang), note_or_404(slug)
    dry_run = request.form.get("mode") != "apply"
    file = request.files.get("file")
    data = file.read() if file is not None and file.filename else request.form.get("po_text", "").encode("utf-8")
    context = {"note": note, "lang": lang, "report": None, "error": None, "po_text": None}
    if not data:
        context["error"] = _("Choose a PO file to upload.")
        return render_template("translate/upload.html", **context), 400
    try:
        report = upload_catalog(get_garden(), note, lang, data, current_user._get_current_object(), dry_run=dry_run,
                                gettext=_)
    except InvalidUpload as exc:
        context["error"] = _refusal(exc)
        return render_template("translate/upload.html", **context), 400
    except entries.TranslationError as exc:
        context["error"] = exc.message
        return render_template("translate/upload.html", **context), exc.status
    context.update(report=report, po_text=upload_text(data) if dry_run else None)  # as UTF-8 whatever it was sent in
    return render_template("translate/upload.html", **context)


def _refusal(exc: InvalidUpload) -> str:
    """Why a file was refused, in the interface language."""
    texts = {
        "malformed": _("This file is not a valid PO catalog (line %(line)s); nothing was changed.", line=exc.params.get("line") or "?"),
        "no_base": _("This file does not say which version it was taken from. Download the catalog from this page, translate that file and upload it; nothing was changed."),
        "unknown_base": _("This file was not downloaded from this site; nothing was changed."),
        "charset": _("This file declares the charset %(charset)s, which is unknown or cannot be used for a PO file. Save it as UTF-8; nothing was changed.",
                     charset=exc.params.get("charset") or "?"),
        "encoding": _("Line %(line)s of this file is not valid %(charset)s text. Declare the file's charset in its header (Content-Type: text/plain; charset=...) or save it as UTF-8; nothing was changed.",
                      line=exc.params.get("line") or "?", charset=exc.params.get("charset") or "UTF-8"),
        "line_ends": _("Line %(line)s of this file holds a carriage return (CR) on its own while its other lines end with LF. Save the file with one kind of line ends; nothing was changed.",
                       line=exc.params.get("line") or "?"),
        "pruned_base": _("This file was downloaded on %(date)s and the version it was taken from is no longer kept "
                         "(after %(days)s days only the newest downloads of a catalog are). Download the catalog "
                         "again, copy your translations into it and upload that file; nothing was changed.",
                         date=exc.params.get("at") or "?", days=exc.params.get("days") or "?"),
        "mismatch": _("This file is the catalog of another note or language; nothing was changed."),
        "language": _("This file is a translation into %(language)s, not into this language; nothing was changed.",
                      language=exc.params.get("language") or "?"),
        "plural": _("This file has plural forms (msgid_plural), which note catalogs never have: %(msgid)s; nothing was changed.",
                    msgid=(exc.params.get("msgid") or "")[:80]),
        "context": _("This file has a context (msgctxt), which note catalogs never have: %(msgid)s; nothing was changed.",
                     msgid=(exc.params.get("msgid") or "")[:80]),
        "bad_comment": _("A comment in this file is refused (empty, control characters or too long): %(msgid)s; nothing was changed.",
                         msgid=(exc.params.get("msgid") or "")[:80]),
        "bad_entry": _("A translation in this file is refused (control characters or too long): %(msgid)s; nothing was changed.",
                       msgid=(exc.params.get("msgid") or "")[:80]),
    }
    return texts.get(exc.reason, exc.message)
