"""Editor screens: the review queue and the review of one note, with approve / request changes / unpublish.

Server-rendered, usable without JavaScript: each decision is a POST form with its CSRF token,
answered by a redirect to the note's review screen (post/redirect/get). A refused decision
renders the screen again with the reason (409, or 400 for a missing comment), keeping what the
editor typed.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, gettext as _
from flask_login import current_user

from app.i18n import state_label
from app.blueprints.guards import note_or_404, screen_permission, target_lang_or_404
from app.services.publishing import approval
from app.services.reviewing import segment_requests
from app.services.garden import get_garden
from app.services.reviewing.screens import note_review, review_queue
from app.services.translating.dashboard import DashboardQuery, dashboard_page
from app.services.reviewing.workflow import WorkflowError
from app.workflow.states import InvalidTransition

bp = Blueprint("review", __name__, url_prefix="/review")

#: How :func:`app.services.publishing.approval.adopt_published` ends the comment it records.
ADOPTED_SUFFIX = ", published before this database existed"


def _no_store(response):
    """Editor pages are private: never cached."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.after_request
def private(response):
    """Mark every review response as not cacheable."""
    return _no_store(response)


@bp.context_processor
def review_helpers() -> dict:
    """Template helpers of the editor screens."""
    return {"iso_utc": approval.iso_utc, "decision_comment": decision_comment, "format_number": format_decimal}


def decision_comment(event) -> str | None:
    """An event's comment in the interface language: an editor's words as written, the system's own notes translated."""
    comment = event.comment
    if comment and event.user is None and comment.startswith("adopted ") and comment.endswith(ADOPTED_SUFFIX):
        return _("Adopted %(file)s, published before this database existed.",
                 file=comment[len("adopted "):-len(ADOPTED_SUFFIX)])
    return comment


@bp.get("/")
@screen_permission("review")
def queue():
    """The review queue: totals, then the notes of ``?show=`` (submitted by default) searched, sorted and paged."""
    garden = get_garden()
    page = dashboard_page(garden, DashboardQuery.from_args(request.args, default_show="submitted"))
    return render_template("review/queue.html", page=page, queue=review_queue(garden), target_langs=garden.target_langs)


def _screen(note, lang: str, *, error: str | None = None, comment: str = "", reason: str = "", status: int = 200):
    review = note_review(get_garden(), note, lang)
    return render_template("review/note.html", review=review, note=note, lang=lang,
                           error=error, comment=comment, reason=reason,
                           max_comment=approval.MAX_COMMENT_LENGTH), status


@bp.get("/<lang>/<slug>")
@screen_permission("review")
def note(lang: str, slug: str):
    """One note: English draft beside the French, diffs, checks, decisions and history."""
    return _screen(note_or_404(slug), target_lang_or_404(lang))


def _refusal(exc: Exception) -> str:
    """The reason a decision was refused, in the interface language."""
    if isinstance(exc, segment_requests.SegmentsError):
        return _("A segment you pointed at no longer exists (the French changed): reload the page and choose again.")
    if isinstance(exc, InvalidTransition):
        return _("This decision is not possible now: the note is “%(state)s”.", state=_state_label(exc.state.value))
    if isinstance(exc, WorkflowError) and exc.missing and "published" in exc.missing:
        return _("This note is not published in this language.")
    if isinstance(exc, WorkflowError) and "catalog" in exc.missing:
        return _("The catalog of this note cannot be read: %(reason)s", reason=exc.missing["catalog"])
    if isinstance(exc, WorkflowError):
        missing = exc.missing
        return _("Not approved: %(untranslated)d untranslated, %(fuzzy)d fuzzy and %(errors)d segments failing a check.",
                 untranslated=missing.get("untranslated", 0), fuzzy=missing.get("fuzzy", 0), errors=missing.get("errors", 0))
    return _("A comment saying what to change is required (at most %(max)d characters).", max=approval.MAX_COMMENT_LENGTH)


def _state_label(state: str) -> str:
    return state_label(state)


def _decide(lang: str, slug: str, decision, done: str, field: str = "comment"):
    """Run one decision on the note; redirect on success, else show the screen with the reason."""
    lang, note_ = target_lang_or_404(lang), note_or_404(slug)
    text = request.form.get(field, "")
    kept = {"comment": text} if field == "comment" else {"reason": text}
    try:
        decision(note_, lang, text)
    except (InvalidTransition, WorkflowError) as exc:
        return _screen(note_, lang, error=_refusal(exc), status=409, **kept)
    except (approval.PublishingInputError, segment_requests.SegmentsError) as exc:
        error = _refusal(exc) if field == "comment" else \
            _("To unpublish, say why (at most %(max)d characters) and confirm.", max=approval.MAX_COMMENT_LENGTH)
        return _screen(note_, lang, error=error, status=400, **kept)
    flash(done, "success")
    return redirect(url_for("review.note", lang=lang, slug=note_.slug), 303)


@bp.post("/<lang>/<slug>/approve")
@screen_permission("review")
def approve(lang: str, slug: str):
    """Approve and publish the submitted English."""
    return _decide(lang, slug, lambda n, lg, _c: approval.approve_translation(get_garden(), n, lg, current_user._get_current_object()),
                   _("Approved: the English is published."))


@bp.post("/<lang>/<slug>/request-changes")
@screen_permission("review")
def request_changes(lang: str, slug: str):
    """Send the note back to the translators with a comment."""
    pointed = request.form.getlist("segments")
    return _decide(lang, slug, lambda n, lg, c: segment_requests.request_changes(get_garden(), n, lg, current_user._get_current_object(), c, pointed),
                   _("Changes requested: the translators see your comment."))


@bp.post("/<lang>/<slug>/unpublish")
@screen_permission("review")
def unpublish(lang: str, slug: str):
    """Take the published English offline once the editor confirmed and said why; the records keep the reason."""
    def decision(note_, lang_, reason):
        if request.form.get("confirm") != "yes":
            raise approval.PublishingInputError("unpublishing must be confirmed")
        return approval.unpublish(get_garden(), note_, lang_, current_user._get_current_object(), approval.clean_reason(reason))

    return _decide(lang, slug, decision, _("Unpublished: readers now get the notice and the link to the French."),
                   field="reason")
