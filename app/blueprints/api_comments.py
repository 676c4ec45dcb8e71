"""API endpoints of the segment comment threads."""
from __future__ import annotations

from flask import g, jsonify

from app.blueprints.api import bp, json_object, translator_endpoint
from app.blueprints.guards import ApiError
from app.services.garden import get_garden
from app.services.translating import comments


@bp.get("/notes/<slug>/<lang>/comments")
@translator_endpoint
def note_comments(note, lang):
    """Every comment on the note's segments, with the number still open."""
    rows = [row for thread in comments.note_threads(note, lang).values() for row in thread]
    return jsonify({"open": sum(not row.resolved for row in rows), "comments": [comments.comment_data(r) for r in rows]})


@bp.get("/notes/<slug>/<lang>/entries/<entry_id>/comments")
@translator_endpoint
def entry_comments(note, lang, entry_id):
    """The thread of one segment, oldest first."""
    rows = comments.note_threads(note, lang).get(entry_id, [])
    return jsonify({"comments": [comments.comment_data(r) for r in rows]})


@bp.post("/notes/<slug>/<lang>/entries/<entry_id>/comments")
@translator_endpoint
def post_comment(note, lang, entry_id):
    """Add a comment ``{"text": "..."}`` to a segment's thread: 201 with it."""
    row = comments.add_comment(get_garden(), note, lang, entry_id, json_object().get("text"), g.api_user)
    return jsonify({"comment": comments.comment_data(row)}), 201


@bp.post("/notes/<slug>/<lang>/comments/<int:comment_id>/resolve")
@translator_endpoint
def resolve_comment(note, lang, comment_id):
    """Resolve a comment (``{"resolved": false}`` opens it again)."""
    resolved = json_object().get("resolved", True)
    if not isinstance(resolved, bool):
        raise ApiError(400, "resolved must be true or false")
    return jsonify({"comment": comments.comment_data(comments.resolve_comment(note, lang, comment_id, g.api_user, resolved))})
