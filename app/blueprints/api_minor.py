"""API endpoints for minor changes of the French: confirm one (translators), list and confirm in bulk (editor)."""
from __future__ import annotations

from flask import g, jsonify
from flask_babel import gettext

from app.blueprints.api import bp, json_object, translator_endpoint
from app.blueprints.guards import ApiError, require_permission
from app.services.garden import get_garden
from app.services.reviewing.minor_changes import confirm_minor_changes, pending_minor_changes
from app.services.translating.minor_changes import confirm_minor_change


@bp.post("/notes/<slug>/<lang>/entries/<entry_id>/confirm")
@translator_endpoint
def confirm_minor(note, lang, entry_id):
    """Confirm a minor change of the French: 200 with the entry, 409 if it changed, 400 if nothing to confirm."""
    data = json_object()
    entry = confirm_minor_change(get_garden(), note, lang, entry_id, data.get("base_version"), g.api_user, gettext)
    return jsonify({"entry": entry})


@bp.get("/minor-changes")
@require_permission("review")
def minor_changes():
    """Every minor change of the French not confirmed yet, in every note and language."""
    return jsonify({"changes": [change.api() for change in pending_minor_changes(get_garden())]})


@bp.post("/minor-changes/confirm")
@require_permission("review")
def confirm_minor_bulk():
    """Confirm several minor changes: ``{"changes": [{"lang", "slug", "id", "version"}, ...]}``."""
    items = json_object().get("changes")
    if not isinstance(items, list) or not items or len(items) > 10000:
        raise ApiError(400, 'changes must be a non-empty list of {"lang", "slug", "id", "version"}')
    wanted = []
    for item in items:
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) and item.get(k) for k in
                                                 ("lang", "slug", "id", "version")):
            raise ApiError(400, 'each change needs the strings "lang", "slug", "id" and "version"')
        wanted.append((item["lang"], item["slug"], item["id"], item["version"]))
    return jsonify(confirm_minor_changes(get_garden(), g.api_user, wanted))
