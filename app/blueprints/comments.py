"""Comment threads on segments from the note and review screens: post, resolve, reopen (POST forms, then redirect)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.guards import note_or_404, screen_permission, target_lang_or_404
from app.services.garden import get_garden
from app.services.translating import comments, entries

bp = Blueprint("comments", __name__, url_prefix="/translate")


@bp.app_template_global()
def segment_comments(note, lang: str, entry: dict):
    """The comment thread of one segment (API form of its entry), oldest first."""
    return comments.segment_thread(note, lang, entry)


@bp.app_template_global()
def open_comment_count(source: str, lang: str) -> int:
    """Open comments on the segments of one note in ``lang`` (for the dashboard)."""
    return comments.open_counts(lang).get(source, 0)


def _back(lang: str, slug: str, anchor: str):
    endpoint = "review.note" if request.form.get("back") == "review" and current_user.can("review") else "translate.note"
    return redirect(url_for(endpoint, lang=lang, slug=slug, _anchor=anchor), 303)


@bp.post("/<lang>/<slug>/entries/<entry_id>/comments")
@screen_permission("translate")
def add(lang: str, slug: str, entry_id: str):
    """Add a comment to a segment's thread."""
    lang, note = target_lang_or_404(lang), note_or_404(slug)
    try:
        comments.add_comment(get_garden(), note, lang, entry_id, request.form.get("text", ""),
                             current_user._get_current_object())
    except entries.NotFound:
        abort(404)
    except entries.InvalidInput as exc:
        flash(_("Comment not added: %(reason)s", reason=_comment_refusal(exc)), "error")
    else:
        flash(_("Comment added."), "success")
    return _back(lang, note.slug, f"seg-{entry_id}")


@bp.post("/<lang>/<slug>/comments/<int:comment_id>/resolve")
@screen_permission("translate")
def resolve(lang: str, slug: str, comment_id: int):
    """Mark a comment resolved, or open it again (``resolved=0``)."""
    lang, note = target_lang_or_404(lang), note_or_404(slug)
    try:
        row = comments.resolve_comment(note, lang, comment_id, current_user._get_current_object(),
                                       request.form.get("resolved", "1") != "0")
    except entries.NotFound:
        abort(404)
    return _back(lang, note.slug, f"seg-{row.entry_id}")


def _comment_refusal(exc: entries.InvalidInput) -> str:
    if exc.reason == "too_long":
        return _("it is too long (%(length)d characters, at most %(limit)d).", **exc.params)
    if exc.reason == "control":
        return _("it contains invisible control characters.")
    return _("it is empty.")
