"""The JSON API under /api/v1: notes, entries, saves with conflict detection, history, memory, submit.

Credentials are checked first (401, then 403 for a role that may not), then the language and
the note (404), then the body (400). Every error is a JSON body ``{"error", "status", ...}``.
The editor's endpoints live in :mod:`app.blueprints.api_review` on this same blueprint.
"""
from __future__ import annotations

import functools
from pathlib import Path

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_babel import gettext

from app.blueprints.guards import ApiError, json_error, note_or_404, require_permission, target_lang_or_404
from app.services.translating import comments, memory
from app.services.translating import entries
from app.services.translating import progress
from app.services.garden import get_garden
from app.services.reviewing.workflow import WorkflowError
from app.services.translating.screen import note_progress
from app.services.translating.submission import submit_translation
from app.workflow.states import InvalidTransition

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    """Answer an :class:`ApiError` with its JSON body."""
    return json_error(error.status, error.message, **error.extra)


@bp.after_request
def no_store(response):
    """API answers are per user and change with every save: never cached."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def translator_endpoint(view):
    """Require the ``translate`` permission, resolve ``<lang>`` and ``<slug>``, map service errors to JSON."""

    @functools.wraps(view)
    @require_permission("translate")
    def wrapper(slug: str, lang: str, **kwargs):
        lang = target_lang_or_404(lang, api=True)
        note = note_or_404(slug, api=True)
        try:
            return view(note, lang, **kwargs)
        except entries.Conflict as exc:
            raise ApiError(409, exc.message, current=exc.current) from None
        except entries.TranslationError as exc:
            raise ApiError(exc.status, exc.message) from None
        except InvalidTransition as exc:
            raise ApiError(409, exc.message, state=exc.state.value, action=exc.action.value) from None
        except WorkflowError as exc:
            raise ApiError(409, exc.message, missing=exc.missing) from None

    return wrapper


def json_object() -> dict:
    """The request body as a JSON object, else 400."""
    data = request.get_json(silent=True, force=True)
    if not isinstance(data, dict):
        raise ApiError(400, 'the body must be a JSON object such as {"msgstr": "...", "base_version": "..."}')
    return data


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 description of this API."""
    path = Path(current_app.static_folder) / "openapi.json"
    return Response(path.read_bytes(), mimetype="application/json")


@bp.get("/notes")
@require_permission("translate")
def notes():
    """Every note with its progress, state and staleness per target language."""
    overview = progress.notes_overview(get_garden())
    for note in overview:  # open comments on its segments, per language
        for lang, data in note["languages"].items():
            data["open_comments"] = comments.open_counts(lang).get(note["source"], 0)
    return jsonify({"notes": overview})


@bp.get("/notes/<slug>/<lang>/entries", endpoint="entries")
@translator_endpoint
def list_entries(note, lang):
    """The note's entries in ``lang`` with their checks and versions, and the note's state."""
    found = entries.note_entries(get_garden(), note, lang, gettext)
    return jsonify({"state": entries.note_state(note, lang), "entries": found})


@bp.get("/notes/<slug>/<lang>/entries/<entry_id>")
@translator_endpoint
def entry(note, lang, entry_id):
    """One entry."""
    return jsonify({"entry": entries.one_entry(get_garden(), note, lang, entry_id, gettext)})


@bp.put("/notes/<slug>/<lang>/entries/<entry_id>")
@translator_endpoint
def save(note, lang, entry_id):
    """Save a translation based on ``base_version``: 200 with the entry, 409 with the current one."""
    data = json_object()
    if "msgstr" not in data or "base_version" not in data:
        raise ApiError(400, "msgstr and base_version are required")
    garden = get_garden()
    saved = entries.save_entry(garden, note, lang, entry_id, data["msgstr"], data["base_version"], g.api_user, gettext)
    return jsonify({"entry": saved, "note": note_progress(garden, note, lang)})


@bp.get("/notes/<slug>/<lang>/entries/<entry_id>/history")
@translator_endpoint
def history(note, lang, entry_id):
    """The saved changes of an entry, newest first."""
    return jsonify({"history": entries.entry_history_data(get_garden(), note, lang, entry_id)})


@bp.get("/notes/<slug>/<lang>/entries/<entry_id>/suggestions")
@translator_endpoint
def suggestions(note, lang, entry_id):
    """Translation-memory suggestions for an entry: exact first, then fuzzy with their score."""
    garden = get_garden()
    current = entries.one_entry(garden, note, lang, entry_id)
    found = memory.suggestions_for(garden, lang, current["msgid"], slug=note.slug, current=current["msgstr"])
    return jsonify({"suggestions": memory.suggestion_data(found)})


@bp.post("/notes/<slug>/<lang>/submit")
@translator_endpoint
def submit(note, lang):
    """Submit the note for review: 200 with the new state, 409 naming what is missing."""
    state = submit_translation(get_garden(), note, lang, g.api_user, gettext)
    return jsonify({"state": state.value})
