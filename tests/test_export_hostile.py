"""The static export is as safe as the live site: the same hostile notes, every exported file checked.

Relative links used to be built by cutting the site URL, so a tag named ``javascript:…`` became a
clickable script link in ``fr/tags/index.html``; and a static host sends no CSP header. Here notes
put hostile strings where they reach URLs and markup (tags, nested tags, aliases, titles, file
names, Markdown and wiki links, raw HTML), the site is exported, and every exported page is read
as a browser would: no script, no event handler, no URL whose scheme is not http(s) or mailto,
no relative link that leaves the export, and the site's CSP in a ``<meta>`` at the top of ``<head>``.
"""
from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import pytest

from tests.test_reader import PAYLOAD, Page

#: Names that a browser would read as a scheme, a foreign host or a way out, if a link began with them.
HOSTILE_NAMES = [
    "javascript:void(document.title='PWNED');/x", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(2)</script>",
    "vbscript:msgbox(3)", " javascript:alert(4)", "java\tscript:alert(5)", "//evil.example/x", "\\\\evil.example\\x",
    "../../../etc/passwd", "..", "x\" onmouseover=\"alert(6)", "?q=1#frag", "%2e%2e/%2e%2e", "mailto:x@evil.example",
    "https://evil.example", "a:b/c:d",
]
NOTES = {
    "Tags piégés.md": "---\ntitle: \"javascript:alert('title')\"\ntags: {tags}\naliases: {aliases}\n---\nDes tags piégés.\n",
    "javascript:alert(7).md": "---\ntags: [\"javascript:alert(8)\"]\n---\nUn fichier au nom piégé, lié depuis [[Liens piégés]].\n",
    "Liens piégés.md": (
        "Vers [un tag](/fr/tags/javascript:alert(9)) et [une note](/fr/notes/javascript:alert(10)), "
        "[un tag imbriqué](/fr/tags/javascript:void(0);/x), [un fichier](/files/0/javascript:alert(11).png), "
        "[[javascript:alert(7)]], [[javascript:alert(12)]], [[Tags piégés#javascript:alert(13)]], "
        "[[Tags piégés|javascript:alert(14)]] et #javascript:alert(15).\n"
    ),
    "Payload.md": PAYLOAD,
}
SAFE_SCHEMES = {"", "http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src", "action", "data", "xlink:href", "poster", "formaction", "cite", "background", "srcset"}
FORBIDDEN_TAGS = {"script", "iframe", "object", "embed", "style", "form", "math", "input", "frame", "base"}


def browser_scheme(value: str) -> str:
    """The scheme a browser finds in an attribute's URL (WHATWG: outer C0/space stripped, tabs and newlines removed)."""
    value = re.sub(r"[\t\n\r]", "", value.strip("".join(map(chr, range(0x21)))))
    found = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", value)
    return found.group(1).lower() if found else ""


def yaml_list(items: list[str]) -> str:
    escaped = [item.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t") for item in items]
    return "[" + ", ".join(f'"{item}"' for item in escaped) + "]"


@pytest.fixture
def app_config(app_config, paths):
    notes = paths["content"] / "fr"
    for name, text in NOTES.items():
        text = text.replace("{tags}", yaml_list(HOSTILE_NAMES)).replace("{aliases}", yaml_list(HOSTILE_NAMES[:6]))
        (notes / name).write_text(text, encoding="utf-8")
    return app_config


def check_page(root: Path, page: Path) -> list[str]:
    """Everything unsafe in one exported HTML page."""
    problems = []
    parsed = Page(page.read_text(encoding="utf-8"))
    where = page.relative_to(root).as_posix()
    tags = [tag for tag, _ in parsed.elements]
    first = tags.index("head") + 1
    first += parsed.elements[first] == ("meta", {"charset": "utf-8"})  # the charset comes first, as it must
    meta = parsed.elements[first][1]
    if meta.get("http-equiv", "").lower() != "content-security-policy" or "script-src 'self'" not in meta.get("content", ""):
        problems.append(f"{where}: no CSP <meta> first in <head>: {parsed.elements[first]}")
    elif "unsafe" in meta["content"]:
        problems.append(f"{where}: the CSP allows unsafe sources")
    return problems + check_markup(where, parsed.elements)


def check_markup(where: str, elements: list[tuple[str, dict]]) -> list[str]:
    """Forbidden elements, event handlers, styles and unsafe URLs among parsed ``elements``."""
    problems = []
    for tag, attrs in elements:
        if tag in FORBIDDEN_TAGS:
            problems.append(f"{where}: <{tag} {attrs}>")
        for name, value in attrs.items():
            if name.startswith("on") or name == "style":
                problems.append(f"{where}: <{tag}> has {name}={value!r}")
            if name not in URL_ATTRIBUTES or not value:
                continue
            for url in (value.split(",") if name == "srcset" else [value]):
                scheme = browser_scheme(url)
                if scheme not in SAFE_SCHEMES:
                    problems.append(f"{where}: <{tag} {name}={url!r}> has the scheme {scheme}:")
                elif not scheme and re.match(r"\s*[/\\][/\\]", url):
                    problems.append(f"{where}: <{tag} {name}={url!r}> leads to another host")
                elif not scheme and not url.startswith(("/", "#")):
                    target = posixpath.normpath(posixpath.join(posixpath.dirname(where), unquote(urlsplit(url).path)))
                    if target == ".." or target.startswith("../"):
                        problems.append(f"{where}: <{tag} {name}={url!r}> leaves the export")
    return problems


def test_exported_pages_of_hostile_notes_are_inert(runner, tmp_path):
    target = tmp_path / "site"
    result = runner.invoke(args=["export", str(target)])
    assert result.exit_code == 0, result.output
    pages = sorted(target.rglob("*.html"))
    assert len(pages) > 20
    problems = [problem for page in pages for problem in check_page(target, page)]
    assert not problems, "\n".join(problems[:20])
    for feed in target.rglob("*.xml"):  # feeds: the links, and the HTML a feed reader renders
        for element in ElementTree.parse(feed).iter():
            for name in ("href", "src"):
                assert browser_scheme(element.get(name, "")) in SAFE_SCHEMES, (feed, element.attrib)
            if element.get("type") == "html" and element.text:
                problems = check_markup(feed.name, Page(element.text).elements)
                assert not problems, problems


def test_a_tag_that_reads_as_a_scheme_stays_a_link_to_its_page(runner, tmp_path):
    """The reported case: ``fr/tags/index.html`` links to the tag's exported page, never to a script."""
    target = tmp_path / "site"
    assert runner.invoke(args=["export", str(target)]).exit_code == 0
    index = target / "fr" / "tags" / "index.html"
    hrefs = [attrs["href"] for tag, attrs in Page(index.read_text(encoding="utf-8")).elements if tag == "a" and "href" in attrs]
    pwned = [href for href in hrefs if "PWNED" in unquote(href)]
    assert pwned and all(href.startswith("./") and browser_scheme(href) == "" for href in pwned), pwned
    for href in pwned:
        assert (index.parent / unquote(href) / "index.html").is_file(), href
    links = Page((target / "fr" / "notes" / "liens-pieges" / "index.html").read_text(encoding="utf-8")).find("a")
    assert any(unquote(a.get("href", "")).startswith("../../tags/javascript:alert(9)") for a in links)


def test_the_export_policy_is_the_live_one(client):
    """What the server sends as a header, the export carries in a <meta>: the same directives, but frame-ancestors
    (a <meta> cannot carry it) and data: images (the callout icons, inlined for a copy opened from the disk)."""
    from app.services.publishing.export import HEAD_POLICY

    def directives(policy: str) -> dict[str, set[str]]:
        return {name: set(values) for name, *values in (part.split() for part in policy.split(";") if part.strip())}

    live = directives(client.get("/fr/tags/").headers["Content-Security-Policy"])
    exported = directives(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', HEAD_POLICY).group(1))
    assert live.pop("frame-ancestors") == {"'none'"}
    assert exported.pop("img-src") == live.pop("img-src") | {"data:"}
    assert exported == live and exported["script-src"] == {"'self'"}
