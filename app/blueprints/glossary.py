"""The glossary screen (editors manage, translators read), CSV/TBX exchange, and the note screen's term marks."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from app.blueprints.guards import screen_permission, target_lang_or_404
from app.services.translating import glossary
from app.workflow.glossary import GlossaryFormatError

bp = Blueprint("glossary", __name__, url_prefix="/glossary")


@bp.app_template_filter("glossary_marks")
def glossary_marks(text: str, matches: list[dict] | None) -> Markup:
    """``text`` escaped, each glossary term in it wrapped in ``<mark>`` with its required translation as title."""
    if not matches:
        return Markup(escape(text))
    parts, last = [], 0
    for match in matches:
        parts.append(escape(text[last:match["start"]]))
        title = _("Translate as: %(term)s", term=match["english"])
        parts.append(Markup('<mark class="glossary-term" title="{}">{}</mark>').format(title, text[match["start"]:match["end"]]))
        last = match["end"]
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


@bp.after_request
def private(response):
    """Glossary pages follow every change: never cached."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _page(lang: str, status: int = 200, error: str | None = None, form: dict | None = None):
    return render_template("glossary/index.html", lang=lang, terms=glossary.term_rows(lang), error=error,
                           form=form or {}, can_edit=current_user.can("review")), status


@bp.get("/<lang>")
@screen_permission("translate")
def index(lang: str):
    """Every term of the language; editors get the forms."""
    return _page(target_lang_or_404(lang))


def _form_data() -> dict:
    return {"french": request.form.get("french", ""), "english": request.form.get("english", ""),
            "note": request.form.get("note", ""), "do_not_translate": request.form.get("do_not_translate") == "1"}


@bp.post("/<lang>/terms")
@bp.post("/<lang>/terms/<int:term_id>")
@screen_permission("review")
def save(lang: str, term_id: int | None = None):
    """Add a term, or change one."""
    lang = target_lang_or_404(lang)
    data = _form_data()
    try:
        glossary.save_term(lang, data, current_user._get_current_object(), term_id)
    except glossary.GlossaryError as exc:
        if exc.status == 404:
            abort(404)
        return _page(lang, exc.status, _("Not saved: %(reason)s", reason=exc.message), data)
    flash(_("Glossary saved."), "success")
    return redirect(url_for("glossary.index", lang=lang), 303)


@bp.post("/<lang>/terms/<int:term_id>/delete")
@screen_permission("review")
def delete(lang: str, term_id: int):
    """Remove a term."""
    lang = target_lang_or_404(lang)
    try:
        glossary.delete_term(lang, term_id)
    except glossary.GlossaryError:
        abort(404)
    flash(_("Term removed."), "success")
    return redirect(url_for("glossary.index", lang=lang), 303)


@bp.post("/<lang>/import")
@screen_permission("review")
def import_csv(lang: str):
    """Add or update the terms of a CSV file (all or nothing)."""
    lang = target_lang_or_404(lang)
    file = request.files.get("file")
    try:
        text = file.read().decode("utf-8") if file is not None and file.filename else ""
        if not text.strip():
            raise GlossaryFormatError(_("choose a CSV file"))
        result = glossary.import_csv(lang, text, current_user._get_current_object())
    except UnicodeDecodeError:
        return _page(lang, 400, _("Not imported: the file is not UTF-8 text."))
    except (GlossaryFormatError, glossary.GlossaryError) as exc:
        return _page(lang, 400, _("Not imported: %(reason)s", reason=str(exc)))
    flash(_("Imported: %(added)d terms added, %(updated)d updated.", **result), "success")
    return redirect(url_for("glossary.index", lang=lang), 303)


@bp.get("/<lang>/glossary.csv")
@screen_permission("translate")
def export_csv(lang: str):
    """The glossary as CSV."""
    lang = target_lang_or_404(lang)
    return _download(glossary.export_csv(lang), "text/csv", f"glossary-{lang}.csv")


@bp.get("/<lang>/glossary.tbx")
@screen_permission("translate")
def export_tbx(lang: str):
    """The glossary as TBX-Basic."""
    lang = target_lang_or_404(lang)
    return _download(glossary.export_tbx(lang, current_app.config["LANGUAGES"][0]), "application/x-tbx+xml",
                     f"glossary-{lang}.tbx")


def _download(text: str, mimetype: str, filename: str) -> Response:
    response = Response(text.encode("utf-8"), mimetype=mimetype)
    response.headers["Content-Type"] = f"{mimetype}; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
