"""Interface language: compiling the Flask-Babel catalogs and choosing the locale."""
from __future__ import annotations

import os
from pathlib import Path

from babel import negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import g, request
from flask_babel import lazy_gettext as _l

from app.fsutil import atomic_write

#: Cookie remembering the reader's language choice.
LANG_COOKIE = "lang"


#: Workflow states as the interface names them (the same msgids as the screens' labels).
STATE_LABELS = {
    "untranslated": _l("untranslated"),
    "in_progress": _l("in progress"),
    "submitted": _l("submitted for review"),
    "changes_requested": _l("changes requested"),
    "published": _l("published"),
    "outdated": _l("outdated"),
}


def state_label(state: str) -> str:
    """The name of workflow ``state`` in the interface language."""
    label = STATE_LABELS.get(state)
    return str(label) if label is not None else state


#: Decisions of the review history as the interface names them.
ACTION_LABELS = {
    "submitted": _l("Submitted for review"),
    "approved": _l("Approved and published"),
    "changes_requested": _l("Changes requested"),
    "unpublished": _l("Unpublished"),
}


def action_label(action: str) -> str:
    """The name of a review decision in the interface language."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def show_date(moment, time: bool = False) -> str:
    """A date as every screen shows it: ``12 March 2025`` (long form of the locale), with ``time`` ``… at 14:03``.

    The one helper for dates on pages, so that the reader's "approved on" and the review history agree.
    """
    from flask_babel import format_date, format_time, gettext

    if moment is None:
        return ""
    day = format_date(moment, "long")
    return gettext("%(date)s at %(time)s", date=day, time=format_time(moment, "HH:mm")) if time else day


def compile_interface_catalogs(source_dir: str | os.PathLike, compiled_dir: str | os.PathLike, force: bool = False) -> list[str]:
    """Compile ``<lang>/LC_MESSAGES/messages.po`` into ``compiled_dir`` when newer; return the languages compiled."""
    import io

    compiled = []
    for po_path in sorted(Path(source_dir).glob("*/LC_MESSAGES/messages.po")):
        lang = po_path.parent.parent.name
        mo_path = Path(compiled_dir) / lang / "LC_MESSAGES" / "messages.mo"
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(mo_path, buffer.getvalue())
        compiled.append(lang)
    return compiled


def select_locale(languages: list[str]) -> str:
    """The interface language: the page's ``<lang>``, else the cookie, else Accept-Language, else the source."""
    page_lang = getattr(g, "page_lang", None)
    if page_lang in languages:
        return page_lang
    if request.view_args and request.view_args.get("lang") in languages and request.blueprint == "reader":
        return request.view_args["lang"]
    return preferred_language(languages)


def preferred_language(languages: list[str]) -> str:
    """The visitor's language from the remembered cookie, then Accept-Language, then the source language."""
    remembered = request.cookies.get(LANG_COOKIE)
    if remembered in languages:
        return remembered
    preferred = [value.replace("_", "-") for value, _quality in request.accept_languages]
    return negotiate_locale(preferred, languages, sep="-") or languages[0]
