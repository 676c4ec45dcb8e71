"""Around the static export's pages: where it may be written and how it is put in place, its report, relative
links between its files, redirect pages at old addresses, a stylesheet's icons made inline."""
from __future__ import annotations

import html
import os
import posixpath
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

from flask import Flask

#: Largest SVG a stylesheet gets inline in an export (the callout icons are a few hundred bytes).
INLINE_SVG_BYTES = 8 * 1024
#: A file in every export, so that a later export knows it may replace the folder.
MARKER = ".passerelle-export"
_PATH_SAFE = "/!$&'()*+,;=:@~"
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)['"]?\s*\)""")


def redirect_html(url: str, canonical: str, lang: str) -> str:
    """A page that sends its reader to ``url`` at once (no script: a static host's CSP may forbid it)."""
    url, canonical, lang = (html.escape(value, quote=True) for value in (url, canonical, lang))
    return (f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n<title>{canonical}</title>\n'
            f'<link rel="canonical" href="{canonical}">\n<meta name="robots" content="noindex">\n'
            f'<meta http-equiv="refresh" content="0; url={url}">\n</head>\n'
            f'<body>\n<p><a href="{url}">{canonical}</a></p>\n</body>\n</html>\n')


def inline_svg_urls(css: str, folder: Path, root: Path) -> str:
    """``css`` with its relative ``url(x.svg)`` (under :data:`INLINE_SVG_BYTES`) as ``data:`` URIs.

    The callout icons are CSS masks, which browsers fetch in CORS mode: from an export opened as files
    (``file://``) a separate icon file is refused, a ``data:`` URI is not. Served over HTTP both work.
    """
    def inline(match: re.Match) -> str:
        url = match.group(1)
        if url.startswith(("/", "data:", "#")) or "://" in url or not url.lower().endswith(".svg"):
            return match.group(0)
        path = (folder / unquote(url)).resolve()
        if root not in path.parents or not path.is_file() or path.stat().st_size > INLINE_SVG_BYTES:
            return match.group(0)
        svg = path.read_text("utf-8")
        return 'url("data:image/svg+xml,' + quote(svg, safe=" =:/;,'") + '")'

    return _CSS_URL.sub(inline, css)


class ExportError(Exception):
    """The export cannot be written where asked."""


def check_target(app: Flask, target: Path, force: bool) -> str:
    """Tell how to write into ``target``: ``swap`` (fresh, empty or previous export) or ``merge`` (--force)."""
    resolved = target.resolve()
    for key in ("CONTENT_DIR", "TRANSLATIONS_DIR"):
        data = Path(app.config[key]).resolve()
        if resolved == data or data in resolved.parents or resolved in data.parents:
            raise ExportError(f"{target} overlaps {key} ({data}); choose a folder outside the garden")
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target} exists and is not a folder")
    if not target.exists() or not any(target.iterdir()) or (target / MARKER).is_file():
        return "swap"
    if force:
        return "merge"
    raise ExportError(f"{target} is not empty and holds no previous export; use --force to write into it anyway")


def install(build: Path, target: Path, mode: str) -> None:
    """Put the finished export in place: swap the folder, or move each file in (``merge``)."""
    if mode == "merge":
        for source in sorted(p for p in build.rglob("*") if p.is_file()):
            destination = target / source.relative_to(build)
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, destination)
        return
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}-{time.monotonic_ns()}")
        os.rename(target, old)
    os.rename(build, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def relative_link(there: str, here: str, file_urls: bool = False) -> str:
    """The link from folder ``here`` to the export file ``there`` (a folder's ``index.html`` as ``folder/``
    unless ``file_urls``).

    A first segment holding a colon would read as a scheme (a tag named ``javascript:…`` became a
    script link): such a link starts with ``./``, as RFC 3986 (4.2) prescribes, so that no
    note-controlled name can ever become a scheme.
    """
    if there.endswith("/index.html") and not file_urls:
        relative = posixpath.relpath(posixpath.dirname(there), here) + "/"
    else:
        relative = posixpath.relpath(there, here)
    if ":" in relative.split("/", 1)[0]:
        relative = "./" + relative
    return relative


def site_path(path: str) -> str:
    """One spelling per site path: percent-encoded as ``url_for`` writes it."""
    return quote(unquote(path), safe=_PATH_SAFE)


@dataclass
class ExportReport:
    """What an export wrote."""

    target: Path
    pages: dict[str, int] = field(default_factory=dict)  #: per language
    files: int = 0
    redirects: int = 0  #: pages left at old addresses (renamed notes), counted in ``files``
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        """One line for the command line."""
        per_lang = ", ".join(f"{lang}: {n}" for lang, n in sorted(self.pages.items()))
        moved = f", {self.redirects} redirects from old addresses" if self.redirects else ""
        return f"exported {self.files} files ({per_lang} pages{moved}) into {self.target} in {self.seconds:.1f} s"
