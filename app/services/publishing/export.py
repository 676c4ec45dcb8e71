"""The published site as static files, for any static host or CDN (``passerelle export DIR``).

Pages are rendered by the app itself (its test client), so they are byte for byte what the
server sends, then their site links are made relative: ``/fr/notes/x`` seen from
``fr/notes/y/index.html`` becomes ``../x/``, and the copy works under any base URL. Pretty
URLs are folders with an ``index.html``. The language switcher (a cookie-setting redirect
on the server) links straight to the page in the other language; search needs the server,
so its form is left out. A renamed note's old address (a 301 on the server) becomes a small page that
sends readers on with ``meta refresh`` and names the new one with ``rel=canonical``. Feeds and the
sitemap need absolute URLs: with a site URL
(``--site-url`` or ``PASSERELLE_SITE_URL``) they use it; without one the feeds hold
relative links and the sitemap is skipped.

The export is built in a temporary folder beside ``DIR`` and swapped in by rename, so a
reader of ``DIR`` sees the previous export or the new one, never half of one.
"""
from __future__ import annotations

import html
import json
import os
import posixpath
import re
import shutil
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from flask import Flask
from werkzeug.exceptions import HTTPException

from app.services.publishing.export_pages import (MARKER, ExportError, ExportReport, check_target, inline_svg_urls,
                                                  install, redirect_html, relative_link, site_path)
from app.web import CSP

__all__ = ["MARKER", "ExportError", "ExportReport", "check_target", "export_site", "seeds", "site_path"]

#: Host the pages are rendered under when no site URL is known; rewritten away.
PLACEHOLDER = "http://export.invalid"
#: Reader endpoints written as pages (folders with ``index.html``) when linked.
PAGE_ENDPOINTS = {"reader.home", "reader.note", "reader.tags", "reader.tag"}
#: Reader endpoints written as files under their own name.
FILE_ENDPOINTS = {"reader.feed", "reader.sitemap", "reader.robots"}
#: The vault's files (attachments, favicon): written byte for byte as served (SVG sanitized), when linked.
RAW_ENDPOINTS = {"files.attachment", "files.favicon"}
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)['"]?\s*\)""")
_ATTRIBUTE = re.compile(r'\b(href|src|action)="([^"]*)"')
#: Whitespace before a match is taken from the start of its run only (``(?<!\s)``): tried from every
#: blank of a note's long run of spaces, it cost the square of the run.
_SEARCH_FORM = re.compile(r'(?<!\s)\s*<form\b[^>]*\brole="search"[^>]*>.*?</form>', re.S)
#: A link, with the `` · `` separating it from the one before, if any.
_ANCHOR = re.compile(r'(?:(?<!\s)(\s*·\s*))?<a\b[^>]*?\bhref="(/[^"]*)"[^>]*>.*?</a>', re.S)


#: What a static host cannot send as headers, each exported page carries in its ``<head>``: the site's
#: CSP (``frame-ancestors`` only works as a header, so it is left out; images may also be ``data:``, which
#: is how the export inlines the callout icons so that a copy opened from the disk shows them) and its
#: referrer policy.
_EXPORT_CSP = "; ".join(part.replace("img-src 'self'", "img-src 'self' data:", 1)
                        for part in CSP.split("; ") if not part.startswith("frame-ancestors"))
HEAD_POLICY = (f'<meta http-equiv="Content-Security-Policy" content="{html.escape(_EXPORT_CSP, quote=False)}">'
               '<meta name="referrer" content="strict-origin-when-cross-origin">')
#: Where the policy goes: at the top of ``<head>``, after the ``<meta charset>`` that must come first.
_HEAD = re.compile(r"<head\b[^>]*>(\s*<meta charset=[^>]*>)?", re.I)


class _Exporter:
    """One export run: render, rewrite and write every page reachable from the seeds."""

    def __init__(self, app: Flask, out: Path, site_url: str | None, file_urls: bool = False):
        self.app, self.out = app, out
        self.file_urls = file_urls  #: links name ``index.html`` (browsable from the disk) rather than folders
        self.site_url = (site_url or "").rstrip("/")
        self.base = self.site_url or PLACEHOLDER
        self.client = app.test_client()
        self.adapter = app.url_map.bind("export.invalid")
        self.report = ExportReport(out)
        self.done: set[str] = set()
        self.static: set[str] = set()
        self.left_out: set[str] = set()
        self.outside: set[str] = set()

    def endpoint(self, path: str) -> tuple[str | None, dict]:
        try:
            endpoint, args = self.adapter.match(unquote(path), method="GET")
        except HTTPException:
            return None, {}
        return endpoint, args

    def location(self, path: str) -> str:
        """Where the page at site ``path`` lives in the export (``/``-separated, percent-encoded)."""
        endpoint, _ = self.endpoint(path)
        if endpoint in PAGE_ENDPOINTS:
            return path.rstrip("/") + "/index.html"
        return path

    def server_only(self, url: str) -> bool:
        """Whether a site URL leads to a page only the server has (login, translators' screens, search)."""
        path = urlsplit(html.unescape(url)).path
        endpoint, _ = self.endpoint(site_path(path))
        exportable = PAGE_ENDPOINTS | FILE_ENDPOINTS | RAW_ENDPOINTS | {"static", "reader.switch"}
        return not url.startswith("//") and endpoint is not None and endpoint not in exportable

    def drop_server_links(self, text: str) -> str:
        """Leave out links to pages a static copy cannot serve (their text goes too: it would mean nothing)."""
        def keep(match: re.Match) -> str:
            if self.server_only(match.group(2)):
                self.left_out.add(urlsplit(html.unescape(match.group(2))).path)
                return ""
            return match.group(0)

        return _ANCHOR.sub(keep, text)

    def link(self, url: str, page_path: str, queue: list[str]) -> str:
        """Rewrite one site URL relative to the page at ``page_path``; queue the pages it leads to."""
        raw = html.unescape(url)
        if raw.startswith(self.base + "/") and self.base == PLACEHOLDER:
            raw = raw[len(self.base):]
        if not raw.startswith("/") or raw.startswith("//"):
            return url
        parts = urlsplit(raw)
        path, fragment = site_path(parts.path), f"#{parts.fragment}" if parts.fragment else ""
        endpoint, args = self.endpoint(path)
        if endpoint == "reader.switch":  # the server remembers the choice; a static copy just goes there
            path = site_path(parse_qs(parts.query).get("next", [f"/{args.get('lang')}/"])[0].split("?")[0])
            endpoint, _ = self.endpoint(path)
        if endpoint is None:  # not a page of this site (a note may link to the author's old site): as sent
            self.outside.add(path)
            return url
        if endpoint == "static":
            self.static.add(path)
        elif endpoint in PAGE_ENDPOINTS or endpoint in RAW_ENDPOINTS or (
                endpoint in FILE_ENDPOINTS and (self.site_url or endpoint != "reader.sitemap")):
            queue.append(path)
        else:
            self.report.warnings.append(f"{page_path}: link to {path}, which a static copy cannot serve")
        relative = relative_link(self.location(path), posixpath.dirname(self.location(page_path)), self.file_urls)
        return html.escape(relative + fragment, quote=True)

    def write(self, path: str, data: bytes) -> None:
        segments = [unquote(part) for part in self.location(path).strip("/").split("/")]
        if any(part in ("", ".", "..") or "\0" in part or "/" in part for part in segments):
            self.report.warnings.append(f"{path}: not a safe file name, skipped")
            return
        destination = self.out.joinpath(*segments)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)
        self.report.files += 1

    def page(self, path: str, queue: list[str]) -> None:
        with self.app.app_context():  # a fresh ``g`` (locale, page state) per page, as in a server
            response = self.client.get(path, base_url=self.base)
        if response.status_code in (301, 308) and self.endpoint(path)[0] in PAGE_ENDPOINTS:
            self.redirect_page(path, response.headers.get("Location", ""), queue)
            return
        if response.status_code != 200:
            self.report.warnings.append(f"{path}: {response.status_code}, not exported")
            return
        data = response.get_data()
        if self.endpoint(path)[0] in RAW_ENDPOINTS:
            pass  # an image, a PDF…: its bytes as served
        elif response.mimetype == "text/html":
            text = self.drop_server_links(_SEARCH_FORM.sub("", data.decode("utf-8")))
            text = _ATTRIBUTE.sub(lambda m: f'{m.group(1)}="{self.link(m.group(2), path, queue)}"', text)
            text = _HEAD.sub(lambda m: m.group(0) + HEAD_POLICY, text, count=1)
            data = text.encode("utf-8")
            lang = path.strip("/").split("/", 1)[0]
            self.report.pages[lang] = self.report.pages.get(lang, 0) + 1
        elif not self.site_url and self.base in data.decode("utf-8", "replace"):
            here = posixpath.dirname(path)
            text = data.decode("utf-8")
            if path == "/robots.txt":  # a Sitemap line must be absolute, and there is no sitemap
                text = "".join(line for line in text.splitlines(True) if not line.startswith("Sitemap:"))
            text = re.sub(re.escape(PLACEHOLDER) + r'(/[^"<\s]*)', lambda m: self.feed_link(m.group(1), here), text)
            data = text.encode("utf-8")
        self.write(path, data)

    def redirect_page(self, path: str, location: str, queue: list[str]) -> None:
        """Where the server answers a permanent redirect (a renamed note's old slug), leave a page that sends
        readers on (``meta refresh``) and tells search engines where the page lives (``rel=canonical``)."""
        parts = urlsplit(location)
        site = urlsplit(self.base)
        if parts.netloc and parts.netloc != site.netloc:
            self.report.warnings.append(f"{path}: redirects outside the site, not exported")
            return
        target = parts.path or "/"
        if site.path.rstrip("/") and target.startswith(site.path.rstrip("/") + "/"):
            target = target[len(site.path.rstrip("/")):]
        endpoint, _ = self.endpoint(site_path(target))
        if endpoint not in PAGE_ENDPOINTS:
            self.report.warnings.append(f"{path}: redirects to {target}, which the export does not hold")
            return
        relative = html.unescape(self.link(html.escape(site_path(target), quote=True), path, queue))
        canonical = self.site_url + self.location(site_path(target)).removesuffix("index.html") if self.site_url \
            else relative
        lang = path.strip("/").split("/", 1)[0]
        page = _HEAD.sub(lambda m: m.group(0) + HEAD_POLICY, redirect_html(relative, canonical, lang), count=1)
        self.write(path, page.encode("utf-8"))
        self.report.redirects += 1

    def feed_link(self, path: str, here: str) -> str:
        return relative_link(self.location(path), here, self.file_urls)

    def run(self, seeds: list[str]) -> ExportReport:
        queue = list(reversed(seeds))
        while queue:
            path = queue.pop()
            if path not in self.done:
                self.done.add(path)
                self.page(path, queue)
        static_root = Path(self.app.static_folder).resolve()
        pending, copied = sorted(self.static), set()
        while pending:
            path = pending.pop()
            if path in copied:
                continue
            copied.add(path)
            source = (static_root / unquote(path.removeprefix(self.app.static_url_path + "/"))).resolve()
            if static_root in source.parents and source.is_file():
                data = source.read_bytes()
                if path.endswith(".css"):  # what the stylesheet loads: small SVGs inlined, the rest copied
                    text = inline_svg_urls(data.decode("utf-8", "replace"), source.parent, static_root)
                    data = text.encode("utf-8")
                    pending += [posixpath.normpath(posixpath.join(posixpath.dirname(path), url))
                                for url in _CSS_URL.findall(text)
                                if not url.startswith(("/", "data:", "#")) and "://" not in url]
                self.write(path, data)
        self.report.warnings = sorted(set(self.report.warnings))
        if self.left_out:
            self.report.notes.append("links to pages only the server has were left out: " + _some(self.left_out))
        if self.outside:
            self.report.notes.append("links to paths the site does not have were kept as sent: " + _some(self.outside))
        return self.report

    def mark(self) -> None:
        """Leave the marker that lets a later export replace this folder."""
        (self.out / MARKER).write_text(json.dumps({"generator": "passerelle export", "files": self.report.files,
                                                   "site_url": self.site_url or None}) + "\n", encoding="utf-8")


def _some(paths: set[str], most: int = 8) -> str:
    shown = sorted(paths)[:most]
    return ", ".join(shown) + (f" and {len(paths) - most} more" if len(paths) > most else "")


def seeds(app: Flask, with_sitemap: bool) -> list[str]:
    """The site paths every export starts from: homes, tag indexes, every note in every language, feeds."""
    from flask import url_for

    from app.services.garden import get_garden

    with app.test_request_context():
        garden = get_garden(max_age=0)
        paths = []
        for lang in garden.languages:
            paths += [url_for("reader.home", lang=lang), url_for("reader.tags", lang=lang)]
            paths += [url_for("reader.note", lang=lang, slug=note.slug) for note in garden.notes.notes()]
            paths += [url_for("reader.note", lang=lang, slug=old) for old in garden.notes.old_slugs()]
            paths.append(url_for("reader.feed", lang=lang))
        paths += [url_for("reader.sitemap")] if with_sitemap else []
        return [site_path(path) for path in paths + [url_for("reader.robots")]]


def export_site(app: Flask, target: str | os.PathLike, *, force: bool = False, site_url: str | None = None,
                file_urls: bool = False) -> ExportReport:
    """Write the published site into ``target`` as static files; see the module's docstring.

    ``file_urls``: links end in ``index.html``, so the copy can be browsed from the disk (``file://``) too.
    """
    started = time.monotonic()
    target = Path(target).resolve()
    mode = check_target(app, target, force)
    site_url = site_url if site_url is not None else app.config.get("SITE_URL") or ""
    parent = target.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{target.name}.export-", dir=parent))
    try:
        previous = app.config.get("SITE_URL")
        app.config["SITE_URL"] = site_url
        try:
            exporter = _Exporter(app, build, site_url, file_urls)
            report = exporter.run(seeds(app, bool(site_url)))
            if mode == "swap":
                exporter.mark()
        finally:
            app.config["SITE_URL"] = previous
        if not site_url:
            report.warnings.insert(0, "no site URL: the feeds hold relative links and no sitemap was written "
                                      "(pass --site-url https://… for both)")
        install(build, target, mode)
    finally:
        shutil.rmtree(build, ignore_errors=True)
    report.target, report.seconds = target, time.monotonic() - started
    return report
