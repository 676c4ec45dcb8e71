"""Translator screens: the dashboard and the note screen (usable without JavaScript).

Saving a segment and submitting a note are POST forms with their CSRF token, answered by a
redirect (post/redirect/get); a refused save shows the screen again with the reason and the
translator's text kept (409 for a conflict, with both versions; 400 for bad input).
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from app.blueprints.guards import note_or_404, screen_permission, target_lang_or_404
from app.forms import SaveEntryForm, SubmitForm
from app.i18n import state_label
from app.render.chart import Series, line_chart
from app.services.translating import entries
from app.services.garden import get_garden
from app.services.translating.screen import next_needing_work, note_screen, refused_save
from app.services.translating.dashboard import DashboardQuery, dashboard_screen
from app.services.translating.screen_pages import FILTERS as SEGMENT_FILTERS
from app.services.translating.submission import NothingChanged, submit_translation
from app.services.reviewing.workflow import WorkflowError
from app.web import handle_http_error
from app.workflow.states import InvalidTransition

bp = Blueprint("translate", __name__, url_prefix="/translate")


@bp.after_request
def private(response):
    """Translator pages are private and change with every save: never cached."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def dashboard_helpers() -> dict:
    """Template helpers of the dashboard: numbers in the interface's locale and the server-drawn chart."""
    return {"format_number": format_decimal, "line_chart": line_chart, "Series": Series}


@bp.errorhandler(CSRFError)
def stale_form(error: CSRFError):
    """A segment posted with a missing or stale CSRF token: show the screen again, the text kept."""
    args = request.view_args or {}
    if request.endpoint != "translate.save" or not current_user.is_authenticated or not current_user.can("translate"):
        return handle_http_error(error)
    lang, note_ = target_lang_or_404(args["lang"]), note_or_404(args["slug"])
    message = _("This form had expired, so nothing was saved. Your text is still here: save it again.")
    return _screen(note_, lang, 400, refused={"ident": args["entry_id"], "text": request.form.get("msgstr", ""), "error": message},
                   show=request.form.get("show", "all"))


@bp.get("/")
@screen_permission("translate")
def dashboard():
    """Totals, progress over time and one page of notes: ``?q=`` searches, ``?show=`` filters, ``?sort=``, ``?page=``."""
    garden = get_garden()
    page, history = dashboard_screen(garden, DashboardQuery.from_args(request.args))
    return render_template("translate/dashboard.html", page=page, history=history, rows=page.rows,
                           show=page.query.show, target_langs=garden.target_langs)


def _page_number(value) -> int:
    """A page number from the query string (1 when absent or not a number)."""
    try:
        return max(1, min(int(value), 100_000))
    except (TypeError, ValueError):
        return 1


def _screen(note, lang: str, status: int = 200, *, submit_error: str | None = None, refused: dict | None = None,
            show: str = "all", page: int = 1, preview: bool | None = None, focus: str | None = None):
    try:
        screen = note_screen(get_garden(), note, lang, show if show in SEGMENT_FILTERS else "all", page,
                             focus=refused["ident"] if refused else focus, preview=preview)
    except entries.TranslationError as exc:
        return render_template("translate/unavailable.html", note=note, lang=lang, reason=exc.message), exc.status
    if refused:
        refused_save(screen, **refused)
    return render_template("translate/note.html", screen=screen, note=note, lang=lang, filters=SEGMENT_FILTERS,
                           submit_error=submit_error), status


@bp.get("/<lang>/<slug>")
@screen_permission("translate")
def note(lang: str, slug: str):
    """French and English side by side, segment by segment, with diffs, checks, memory and history.

    ``?show=`` filters the segments (all, needs-work, untranslated, fuzzy, errors, warnings), ``?page=``
    picks the page of a long note (``?segment=<id>``: the page holding that segment), ``?preview=1``
    renders the preview of a long note.
    """
    return _screen(note_or_404(slug), target_lang_or_404(lang), show=request.args.get("show", "all"),
                   page=_page_number(request.args.get("page")), preview=True if request.args.get("preview") else None,
                   focus=request.args.get("segment"))


@bp.post("/<lang>/<slug>/entries/<entry_id>")
@screen_permission("translate")
def save(lang: str, slug: str, entry_id: str):
    """Save one segment from its form; on success go to the next segment that needs work."""
    lang, note_ = target_lang_or_404(lang), note_or_404(slug)
    form = SaveEntryForm()
    text = form.msgstr.data or ""
    show = request.form.get("show", "all")
    show = show if show in SEGMENT_FILTERS else "all"
    if not form.validate_on_submit():
        return _screen(note_, lang, 400, refused={"ident": entry_id, "text": text, "error": _("Not saved: the form was incomplete; please try again.")}, show=show)
    garden = get_garden()
    try:
        entries.save_entry(garden, note_, lang, entry_id, text, form.base_version.data, current_user)
    except entries.Conflict as exc:
        return _screen(note_, lang, 409, refused={"ident": entry_id, "text": text, "conflict": exc.current}, show=show)
    except entries.NotFound:
        abort(404)
    except entries.InvalidInput as exc:
        return _screen(note_, lang, 400, refused={"ident": entry_id, "text": text, "error": _refusal(exc)}, show=show)
    except entries.TranslationError as exc:
        return _screen(note_, lang, exc.status, refused={"ident": entry_id, "text": text, "error": exc.message}, show=show)
    flash(_("Saved."), "success")
    following, page = next_needing_work(garden, note_, lang, entry_id, show)
    anchor = f"seg-{following}" if following else "submit"
    params = {"show": show} if show != "all" else {}
    if following and page > 1:
        params["page"] = page
    return redirect(url_for("translate.note", lang=lang, slug=note_.slug, _anchor=anchor, **params), 303)


def _refusal(exc: entries.InvalidInput) -> str:
    """Why a save was refused, in the interface language."""
    if exc.reason == "too_long":
        return _("Not saved: the translation is too long (%(length)d characters, at most %(limit)d).", **exc.params)
    if exc.reason == "control":
        return _("Not saved: the translation contains invisible control characters; remove them and save again.")
    return _("Not saved: the form was incomplete; please try again.")


@bp.post("/<lang>/<slug>/submit")
@screen_permission("translate")
def submit(lang: str, slug: str):
    """Submit the note for review; when something is missing, say what."""
    lang, note_ = target_lang_or_404(lang), note_or_404(slug)
    if not SubmitForm().validate_on_submit():
        abort(400)
    try:
        submit_translation(get_garden(), note_, lang, current_user)
    except InvalidTransition as exc:
        return _screen(note_, lang, 409, submit_error=_("This note cannot be submitted now (it is %(state)s).",
                                                         state=state_label(exc.state.value)))
    except NothingChanged:
        return _screen(note_, lang, 409, submit_error=_("Not submitted: nothing changed since the published English, "
                                                         "so there is nothing for the editor to review."))
    except WorkflowError as exc:
        gaps = exc.missing
        message = _("Not submitted: %(untranslated)d untranslated, %(fuzzy)d fuzzy and %(errors)d segments failing a check.",
                    untranslated=gaps.get("untranslated", 0), fuzzy=gaps.get("fuzzy", 0), errors=len(gaps.get("errors", [])))
        return _screen(note_, lang, 409, submit_error=message)
    except entries.TranslationError as exc:
        return _screen(note_, lang, exc.status, submit_error=exc.message)
    flash(_("Submitted for review. The editor will approve it or ask for changes."), "success")
    return redirect(url_for("translate.note", lang=lang, slug=note_.slug), 303)
