"""Screens for minor changes of the French: the translator's one-click confirm, the editor's bulk confirm.

POST forms with their CSRF token answered by a redirect (post/redirect/get); a confirmation that
comes too late (the entry changed meanwhile) is refused with the reason, nothing confirmed.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.blueprints.guards import note_or_404, screen_permission, target_lang_or_404
from app.services.garden import get_garden
from app.services.reviewing.minor_changes import confirm_minor_changes, parse_key, pending_minor_changes
from app.services.translating import entries
from app.services.translating.minor_changes import confirm_minor_change, minor_diff
from app.services.translating.progress import catalog_summary

bp = Blueprint("minor", __name__)


@bp.app_template_global()
def minor_change_diff(entry: dict):
    """The word diff of a pending minor change of ``entry`` (API form), for the note screen."""
    return minor_diff(entry)


@bp.app_template_global()
def minor_changes_waiting() -> int:
    """How many minor changes of the French wait for the editor's confirmation (cached catalog summaries)."""
    return len(pending_minor_changes(get_garden()))


@bp.app_template_global()
def minor_changes_in(note, lang: str) -> int:
    """Minor changes of the French waiting for confirmation in one note's catalog (cached summary)."""
    try:
        return catalog_summary(get_garden(), note, lang).get("minor", 0)
    except entries.TranslationError:
        return 0


@bp.after_request
def private(response):
    """Translator and editor pages are private: never cached."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/translate/<lang>/<slug>/entries/<entry_id>/confirm")
@screen_permission("translate")
def confirm(lang: str, slug: str, entry_id: str):
    """Confirm that the English still fits after a minor change of the French."""
    lang, note = target_lang_or_404(lang), note_or_404(slug)
    try:
        confirm_minor_change(get_garden(), note, lang, entry_id, request.form.get("confirm_version", ""),
                             current_user._get_current_object())
    except entries.NotFound:
        abort(404)
    except entries.Conflict:
        flash(_("Not confirmed: this segment changed since the page was loaded. Look at it again."), "error")
        return redirect(url_for("translate.note", lang=lang, slug=note.slug, _anchor=f"seg-{entry_id}"), 303)
    except entries.TranslationError as exc:
        flash(_("Not confirmed: %(reason)s", reason=exc.message), "error")
        return redirect(url_for("translate.note", lang=lang, slug=note.slug, _anchor=f"seg-{entry_id}"), 303)
    flash(_("Confirmed: the translation fits the corrected French."), "success")
    return redirect(url_for("translate.note", lang=lang, slug=note.slug, _anchor=f"seg-{entry_id}"), 303)


@bp.get("/review/minor-changes")
@screen_permission("review")
def pending():
    """Every minor change of the French waiting for confirmation, with its word diff."""
    return render_template("review/minor_changes.html", changes=pending_minor_changes(get_garden()))


@bp.post("/review/minor-changes/confirm")
@screen_permission("review")
def confirm_many():
    """Confirm the checked minor changes (each names the version the editor saw)."""
    wanted = [parse_key(key) for key in request.form.getlist("change")]
    if not wanted or None in wanted:
        flash(_("Nothing was confirmed: tick at least one change."), "error")
        return redirect(url_for("minor.pending"), 303)
    result = confirm_minor_changes(get_garden(), current_user._get_current_object(), wanted)
    if result["confirmed"]:
        flash(ngettext("%(num)d minor change confirmed.", "%(num)d minor changes confirmed.", len(result["confirmed"])),
              "success")
    if result["refused"]:
        flash(ngettext("%(num)d change was not confirmed: it changed since you saw it.",
                       "%(num)d changes were not confirmed: they changed since you saw them.", len(result["refused"])),
              "error")
    return redirect(url_for("minor.pending"), 303)
