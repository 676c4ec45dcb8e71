"""API endpoints for offline work: download a note's catalog (or a zip of those needing work), upload it back."""
from __future__ import annotations

from flask import Response, g, jsonify, request
from flask_babel import gettext

from app.blueprints.api import bp, translator_endpoint
from app.blueprints.guards import ApiError, require_permission
from app.services.garden import get_garden
from app.services.translating.offline import catalogs_zip, download_catalog, po_filename, upload_catalog
from app.services.translating.progress import FILTERS, STATE_TESTS, garden_progress

PO_MIMETYPE = "text/x-gettext-translation"


def po_response(data: bytes, filename: str, mimetype: str = PO_MIMETYPE) -> Response:
    """A file download: the bytes, their type and ``Content-Disposition: attachment``."""
    response = Response(data, mimetype=mimetype)
    if mimetype.startswith("text/"):
        response.headers["Content-Type"] = f"{mimetype}; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def uploaded_bytes() -> bytes:
    """The PO file of an upload: a multipart ``file`` field, or the raw body."""
    if request.mimetype == "multipart/form-data":  # not for curl's --data-binary (form-urlencoded): the body is the file
        upload = request.files.get("file")
        if upload is None:
            raise ApiError(400, 'send the PO file as the request body or as the multipart field "file"')
        return upload.read()
    return request.get_data()


def dry_run_asked() -> bool:
    """``?dry_run=1`` (or ``true``, ``yes``): report what the upload would do and change nothing."""
    return request.args.get("dry_run", "").lower() in {"1", "true", "yes"}


@bp.get("/notes/<slug>/<lang>/po")
@translator_endpoint
def download_po(note, lang):
    """The note's catalog as a PO file whose header names this download (for the three-way merge on upload)."""
    data = download_catalog(get_garden(), note, lang, g.api_user)
    return po_response(data, po_filename(note, lang))


@bp.post("/notes/<slug>/<lang>/po")
@translator_endpoint
def upload_po(note, lang):
    """Merge a PO file translated offline: applied entries, conflicts, vanished msgids (``?dry_run=1``: nothing applied)."""
    data = uploaded_bytes()
    if not data:
        raise ApiError(400, "the upload is empty: send the PO file")
    return jsonify(upload_catalog(get_garden(), note, lang, data, g.api_user, dry_run=dry_run_asked(), gettext=gettext))


@bp.get("/po.zip")
@require_permission("translate")
def download_zip():
    """A zip of the catalogs of ``?lang=`` (default: every target language) matching ``?filter=`` (default ``needs-work``)."""
    garden = get_garden()
    wanted = request.args.get("filter", "needs-work")
    if wanted not in (*FILTERS, "all"):
        raise ApiError(400, f"filter must be one of {', '.join((*FILTERS, 'all'))}")
    langs = [request.args["lang"]] if request.args.get("lang") else garden.target_langs
    if any(lang not in garden.target_langs for lang in langs):
        raise ApiError(404, f"unknown target language {request.args.get('lang')!r}")
    return po_response(zip_for(garden, wanted, langs, g.api_user), "catalogs.zip", "application/zip")


def zip_for(garden, wanted: str, langs: list[str], user) -> bytes:
    """The zip of every catalog in ``langs`` whose note passes the dashboard filter ``wanted``."""
    rows = garden_progress(garden, None if wanted == "all" else wanted)
    tests = dict(STATE_TESTS, all=lambda p: True)
    items = [(row.note, lang) for row in rows for lang in langs
             if lang in row.languages and not row.languages[lang].problem and tests[wanted](row.languages[lang])]
    return catalogs_zip(garden, items, user)
