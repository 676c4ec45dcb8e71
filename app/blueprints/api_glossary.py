"""API endpoints of the glossary: read (translators), add, change, remove, import (editor), export CSV/TBX."""
from __future__ import annotations

from flask import Response, current_app, g, jsonify, request

from app.blueprints.api import bp, json_object
from app.blueprints.guards import ApiError, require_permission, target_lang_or_404
from app.services.translating import glossary
from app.workflow.glossary import GlossaryFormatError


def _call(action, *args):
    try:
        return action(*args)
    except glossary.GlossaryError as exc:
        raise ApiError(exc.status, exc.message) from None


@bp.get("/glossary/<lang>")
@require_permission("translate")
def glossary_terms(lang):
    """Every term of the language."""
    lang = target_lang_or_404(lang, api=True)
    return jsonify({"lang": lang, "terms": [glossary.term_data(row) for row in glossary.term_rows(lang)]})


@bp.post("/glossary/<lang>")
@require_permission("review")
def glossary_add(lang):
    """Add a term: 201 with it, 409 when the French term (in any form) is there already."""
    lang = target_lang_or_404(lang, api=True)
    row = _call(glossary.save_term, lang, json_object(), g.api_user)
    return jsonify({"term": glossary.term_data(row)}), 201


@bp.put("/glossary/<lang>/<int:term_id>")
@require_permission("review")
def glossary_change(lang, term_id):
    """Change a term."""
    lang = target_lang_or_404(lang, api=True)
    row = _call(glossary.save_term, lang, json_object(), g.api_user, term_id)
    return jsonify({"term": glossary.term_data(row)})


@bp.delete("/glossary/<lang>/<int:term_id>")
@require_permission("review")
def glossary_delete(lang, term_id):
    """Remove a term."""
    lang = target_lang_or_404(lang, api=True)
    _call(glossary.delete_term, lang, term_id)
    return jsonify({"deleted": term_id})


@bp.post("/glossary/<lang>/import")
@require_permission("review")
def glossary_import(lang):
    """Add or update the terms of a CSV body (``french,english,note,do_not_translate``), all or nothing."""
    lang = target_lang_or_404(lang, api=True)
    try:
        text = request.get_data().decode("utf-8")
        return jsonify(_call(glossary.import_csv, lang, text, g.api_user))
    except UnicodeDecodeError:
        raise ApiError(400, "the CSV file must be UTF-8 text") from None
    except GlossaryFormatError as exc:
        raise ApiError(400, f"not imported: {exc}", line=exc.line) from None


@bp.get("/glossary/<lang>/export.csv")
@require_permission("translate")
def glossary_csv(lang):
    """The glossary as CSV."""
    lang = target_lang_or_404(lang, api=True)
    return Response(glossary.export_csv(lang), mimetype="text/csv")


@bp.get("/glossary/<lang>/export.tbx")
@require_permission("translate")
def glossary_tbx(lang):
    """The glossary as TBX-Basic."""
    lang = target_lang_or_404(lang, api=True)
    return Response(glossary.export_tbx(lang, current_app.config["LANGUAGES"][0]), mimetype="application/x-tbx+xml")
