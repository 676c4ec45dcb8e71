"""Editor endpoints of the JSON API: approve, request changes, unpublish, publication history.

Routes attach to the API blueprint (``/api/v1``). Every one needs the ``review`` permission
(401 without credentials, 403 for translators), then a known target language and note (404).
Workflow refusals are 409 with a JSON body naming what is missing; bad input is 400.
"""
from __future__ import annotations

import functools

from flask import g, jsonify, request

from app.blueprints.api import bp
from app.blueprints.guards import ApiError, note_or_404, require_permission, target_lang_or_404
from app.services.publishing import approval
from app.services.reviewing import segment_requests
from app.services.garden import get_garden
from app.services.reviewing.workflow import WorkflowError, current_state
from app.workflow.states import InvalidTransition


def editor_endpoint(view):
    """Check the editor's role, resolve ``<slug>``/``<lang>``, and turn workflow refusals into JSON errors."""

    @functools.wraps(view)
    @require_permission("review")
    def wrapper(slug: str, lang: str):
        lang = target_lang_or_404(lang, api=True)
        note = note_or_404(slug, api=True)
        try:
            return view(note, lang)
        except InvalidTransition as exc:
            raise ApiError(409, exc.message, state=exc.state.value, action=exc.action.value) from None
        except WorkflowError as exc:
            raise ApiError(409, exc.message, missing=exc.missing) from None
        except approval.PublishingInputError as exc:
            raise ApiError(400, str(exc)) from None

    return wrapper


def json_body(required: bool) -> dict:
    """The request's JSON object (``{}`` when none is sent and none is required), else 400."""
    if not request.get_data(cache=True) and not required:
        return {}
    data = request.get_json(silent=True, force=True)
    if not isinstance(data, dict):
        raise ApiError(400, "the body must be a JSON object" + (' such as {"comment": "..."}' if required else ""))
    return data


def state_of(note, lang: str) -> str:
    """The state to report after a decision, ``outdated`` derived."""
    return current_state(note.filename, lang, note.sha256, note=note).value


@bp.post("/notes/<slug>/<lang>/approve", endpoint="review_approve")
@editor_endpoint
def approve(note, lang):
    """Publish the submitted English of the note as ``content/<lang>/<slug>.md``."""
    json_body(required=False)
    publication = approval.approve_translation(get_garden(), note, lang, g.api_user)
    return jsonify({"state": "published", "publication": approval.publication_data(publication),
                    "path": f"{lang}/{publication.slug}.md"})


@bp.post("/notes/<slug>/<lang>/request-changes", endpoint="review_request_changes")
@editor_endpoint
def request_changes(note, lang):
    """Send the submitted note back to the translators with a comment."""
    body = json_body(required=True)
    comment = body.get("comment")
    try:
        state = segment_requests.request_changes(get_garden(), note, lang, g.api_user, comment, body.get("segments"))
    except segment_requests.SegmentsError as exc:
        raise ApiError(400, str(exc)) from None
    return jsonify({"state": state, "comment": approval.clean_comment(comment), "segments": body.get("segments") or []})


@bp.post("/notes/<slug>/<lang>/unpublish", endpoint="review_unpublish")
@editor_endpoint
def unpublish(note, lang):
    """Remove the published English file; the records stay, with the ``reason`` when one is given."""
    body = json_body(required=False)
    reason = body.get("reason") if isinstance(body, dict) else None
    if reason is not None:
        try:
            reason = approval.clean_reason(reason)
        except approval.PublishingInputError as exc:
            raise ApiError(400, str(exc)) from None
    approval.unpublish(get_garden(), note, lang, g.api_user, reason)
    return jsonify({"state": state_of(note, lang), "published": False})


@bp.get("/notes/<slug>/<lang>/publications", endpoint="review_publications")
@editor_endpoint
def publications(note, lang):
    """The history of submissions, approvals, requests and unpublishing, and the publications."""
    history = approval.publication_history(note.filename, lang)
    return jsonify({"slug": note.slug, "lang": lang, "source": note.filename, "state": state_of(note, lang), **history})
