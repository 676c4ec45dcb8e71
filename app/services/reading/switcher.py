"""Moving between languages and pages: the language switcher and the local ``next`` targets redirects may follow."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, request, url_for

from app.services.reading.listings import language_name


def safe_next(target: str | None, fallback: str) -> str:
    """``target`` if it is a local path on this site (no scheme, host or ``//``), else ``fallback``."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return fallback
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


def switch_target(path: str, query: str, lang: str) -> str:
    """The path of the current page in ``lang`` if it is a reader page (``/<language>/…``), else ``""``."""
    languages = current_app.config["LANGUAGES"]
    head, _, rest = path.lstrip("/").partition("/")
    if head in languages:
        target = f"/{lang}/{rest}"
        return target + (f"?{query}" if query else "")
    return ""


@dataclass(frozen=True)
class SwitcherLink:
    """One entry of the language switcher."""

    lang: str
    name: str  #: the language's name in itself (``français``, ``English``)
    href: str  #: through ``/<lang>/switch``, which remembers the choice
    current: bool


def language_switcher(page_lang: str) -> list[SwitcherLink]:
    """Links to the current page in every language; outside the reader, to the same page (its interface language)."""
    links = []
    for code in current_app.config["LANGUAGES"]:
        same_page = switch_target(request.path, request.query_string.decode("utf-8", "replace"), code)
        if not same_page:
            same_page = request.full_path.rstrip("?") if request.url_rule else url_for("reader.home", lang=code)
        links.append(SwitcherLink(code, language_name(code), url_for("reader.switch", lang=code, next=same_page),
                                  code == page_lang))
    return links
