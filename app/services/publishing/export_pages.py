"""Around the static export's pages: where it may be written and how it is put in place, redirect pages at old
addresses, a stylesheet's icons made inline."""
from __future__ import annotations

import html
import os
import re
import shutil
import time
from pathlib import Path
from urllib.parse import quote, unquote

from flask import Flask

#: Largest SVG a stylesheet gets inline in an export (the callout icons are a few hundred bytes).
INLINE_SVG_BYTES = 8 * 1024
#: A file in every export, so that a later export knows it may replace the folder.
MARKER = ".passerelle-export"
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
