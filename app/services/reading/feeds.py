"""Machine-read documents: an Atom feed per language, the sitemap with hreflang alternates, robots.txt."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from xml.etree import ElementTree as ET

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from app.services.garden import get_garden
from app.services.reading.listings import absolute_url, language_name, note_url, visible_entries
from app.services.reading.search import plain_text

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"
#: Most entries in a feed, newest first.
FEED_ENTRIES = 50
SUMMARY_CHARS = 400
#: What XML 1.0 forbids in a document (C0 controls but tab and newlines, lone surrogates, U+FFFE/U+FFFF): a note
#: may hold them, a feed reader rejects the whole feed over one.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _iso(moment: datetime) -> str:
    """RFC 3339 time in UTC, as Atom and sitemaps want it."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _summary(markdown: str) -> str:
    text = plain_text(markdown)
    if len(text) <= SUMMARY_CHARS:
        return text
    cut = text.rfind(" ", 0, SUMMARY_CHARS)
    return text[: cut if cut > 0 else SUMMARY_CHARS] + " …"


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot hold."""
    return _NOT_XML.sub("", value)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {key: xml_text(value) for key, value in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def atom_feed(lang: str) -> bytes:
    """The Atom feed of ``lang``: its readable notes, most recently changed first."""
    entries = visible_entries(lang)[:FEED_ENTRIES]
    site = current_app.config["SITE_NAME"]
    home = absolute_url(url_for("reader.home", lang=lang))
    feed = ET.Element("feed", {"xmlns": ATOM, "xml:lang": lang})
    with force_locale(lang):
        _sub(feed, "title", _("%(site)s: notes", site=site))
        _sub(feed, "subtitle", _("Notes of the garden, in %(language)s.", language=language_name(lang)))
    _sub(feed, "id", home)
    _sub(feed, "link", rel="alternate", type="text/html", href=home)
    _sub(feed, "link", rel="self", type="application/atom+xml", href=absolute_url(url_for("reader.feed", lang=lang)))
    newest = max((e.updated for e in entries), default=datetime(2000, 1, 1, tzinfo=timezone.utc))
    _sub(feed, "updated", _iso(newest))
    author = _sub(feed, "author")
    _sub(author, "name", site)
    _sub(feed, "generator", "Passerelle")
    for entry in entries:
        url = note_url(lang, entry.slug, external=True)
        item = _sub(feed, "entry")
        _sub(item, "title", entry.title)
        _sub(item, "id", url)
        _sub(item, "link", rel="alternate", type="text/html", href=url)
        _sub(item, "updated", _iso(entry.updated))
        for tag in entry.tags:
            _sub(item, "category", term=tag)
        _sub(item, "summary", _summary(entry.body), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def sitemap() -> bytes:
    """The sitemap: homes, every source note and every published translation, with ``xhtml:link`` alternates."""
    garden = get_garden()
    urlset = ET.Element("urlset", {"xmlns": SITEMAP, "xmlns:xhtml": XHTML})
    homes = {lang: absolute_url(url_for("reader.home", lang=lang)) for lang in garden.languages}
    for lang in garden.languages:
        _url(urlset, homes[lang], None, homes, garden.source_lang)
    per_lang = {lang: {e.slug: e for e in visible_entries(lang, garden)} for lang in garden.languages}
    for entry in per_lang[garden.source_lang].values():
        pages = {lang: note_url(lang, entry.slug, external=True)
                 for lang in garden.languages if entry.slug in per_lang[lang]}
        for lang, url in pages.items():
            _url(urlset, url, per_lang[lang][entry.slug].updated, pages, garden.source_lang)
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True)


def _url(urlset: ET.Element, loc: str, lastmod: datetime | None, alternates: dict[str, str], source: str) -> None:
    url = _sub(urlset, "url")
    _sub(url, "loc", loc)
    if lastmod is not None:
        _sub(url, "lastmod", _iso(lastmod))
    if len(alternates) > 1:
        for lang, href in alternates.items():
            _sub(url, "xhtml:link", rel="alternate", hreflang=lang, href=href)
        _sub(url, "xhtml:link", rel="alternate", hreflang="x-default", href=alternates[source])


def robots_txt() -> str:
    """robots.txt: everything public is crawlable except search and the workspaces; where the sitemap is."""
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: /{lang}/search" for lang in current_app.config["LANGUAGES"]]
    lines += [f"Disallow: /{lang}/switch" for lang in current_app.config["LANGUAGES"]]
    lines += ["Disallow: /translate/", "Disallow: /review/", "Disallow: /api/", "Disallow: /login", ""]
    lines.append(f"Sitemap: {absolute_url(url_for('reader.sitemap'))}")
    return "\n".join(lines) + "\n"
