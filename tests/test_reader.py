"""The reader site through the Flask client: every route, 404s, links, search, feeds, broken notes."""
from __future__ import annotations

import re
import shutil
import time
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from babel.dates import format_date

from tests.seeds import SEED_PUBLISHED

CEO = "ceo-noubliez-pas-votre-coo-ou-chief-of-staff"
COS = "chief-of-staff"
CEO_TITLE = "Ceo, n'oubliez pas votre COS ou Chief of Staff"
COS_TITLE = "chief of staff externe"
CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "sklein-notes"
ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


class Page(HTMLParser):
    """The parts of a page the tests look at: tags with attributes, head links, text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text_parts: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def find(self, tag: str, **attrs) -> list[dict]:
        """Attributes of every ``tag`` element whose attributes include ``attrs``."""
        return [a for t, a in self.elements if t == tag and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())]

    @property
    def lang(self) -> str:
        return self.find("html")[0]["lang"]

    @property
    def alternates(self) -> dict[str, str]:
        return {a["hreflang"]: a["href"] for a in self.find("link", rel="alternate") if "hreflang" in a}

    @property
    def canonical(self) -> str | None:
        links = self.find("link", rel="canonical")
        return links[0]["href"] if links else None

    def switcher(self) -> dict[str, str]:
        """Language → href of the language switcher's links."""
        html_links = [a for a in self.find("a") if "/switch?next=" in a.get("href", "")]
        return {a["lang"]: a["href"] for a in html_links}


@pytest.fixture
def french_only(paths):
    """The garden before any publication: no English snapshot in the temporary content folder."""
    for path in (paths["content"] / "en").glob("*.md"):
        path.unlink()
    return paths


def get_page(client, url: str, status: int = 200, **kwargs) -> Page:
    """GET ``url``, check its status, parse it."""
    response = client.get(url, **kwargs)
    assert response.status_code == status, (url, response.status_code, response.get_data(as_text=True)[:2000])
    return Page(response.get_data(as_text=True))


def write_note(paths, name: str, text: str | bytes) -> Path:
    """Write a French note into the test's temporary content folder."""
    path = paths["content"] / "fr" / name
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


# -- homes ------------------------------------------------------------------------------------------
def test_home_lists_notes_with_tags_and_dates(client, paths):
    page = get_page(client, "/fr/")
    assert page.lang == "fr"
    links = {a["href"] for a in page.find("a", class_="note-link")}
    assert links == {f"/fr/notes/{CEO}", f"/fr/notes/{COS}"}
    assert CEO_TITLE in page.text and COS_TITLE in page.text
    assert {"/fr/tags/tips", "/fr/tags/atome"} <= {a["href"] for a in page.find("a", class_="tag")}
    mtime = (paths["content"] / "fr" / "chief of staff.md").stat().st_mtime
    expected = format_date(datetime.fromtimestamp(mtime, timezone.utc), "long", locale="fr")
    assert expected in page.text
    assert page.find("time")
    assert len(page.find("h1")) == 1


def test_english_home_before_publication_points_to_french(client, french_only):
    page = get_page(client, "/en/")
    assert page.lang == "en"
    assert "No note has been translated into English yet." in page.text
    assert not page.find("a", class_="note-link")
    assert any(a.get("href") == "/fr/" and a.get("hreflang") == "fr" for a in page.find("a"))


def test_dates_are_formatted_per_locale(client, paths):
    path = paths["content"] / "fr" / "chief of staff.md"
    moment = datetime(2024, 2, 5, 12, tzinfo=timezone.utc).timestamp()
    import os

    os.utime(path, (moment, moment))
    assert "5 février 2024" in get_page(client, "/fr/").text
    assert "5 février 2024" in get_page(client, f"/fr/notes/{COS}").text


# -- note pages -------------------------------------------------------------------------------------
def test_french_note_page(client):
    response = client.get(f"/fr/notes/{CEO}")
    html = response.get_data(as_text=True)
    page = Page(html)
    assert page.lang == "fr"
    assert page.find("article", **{"data-translation-state": "source"})
    assert len(page.find("h1")) == 1
    assert page.find("a", href=f"/fr/notes/{COS}", class_="wikilink")
    unresolved = page.find("span", class_="wikilink unresolved")
    assert unresolved and unresolved[0]["title"] == "Cette note n’existe pas encore"
    assert re.search(r'<span class="wikilink unresolved"[^>]*>Prendre soin du collectif</span>', html)
    assert not page.find("a", href="/fr/notes/prendre-soin-du-collectif")
    assert page.find("a", href="/fr/tags/tips")


def test_backlinks_and_heading_order(client):
    page = get_page(client, f"/fr/notes/{COS}")
    assert page.find("a", href=f"/fr/notes/{CEO}")
    assert "Pages qui pointent ici" in page.text
    levels = [int(tag[1]) for tag, _ in page.elements if re.fullmatch(r"h[1-6]", tag)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels


def test_aliases_and_resolution_by_alias(client, paths):
    write_note(paths, "Économie.md", "---\ntitle: Économie circulaire\naliases: [Éco, circular]\ntags: [Économie]\n---\n"
               "Voir [[chief of staff]] et [[CIRCULAR|moi-même]].\n")
    write_note(paths, "Lien.md", "Un lien vers [[éco]].\n")
    page = get_page(client, "/fr/notes/economie")
    assert "Aussi appelée" in page.text and "Éco" in page.text
    assert page.find("a", href="/fr/notes/economie", class_="wikilink")
    assert get_page(client, "/fr/notes/lien").find("a", href="/fr/notes/economie")


def test_english_page_before_publication_is_a_notice(client, french_only):
    html = client.get(f"/en/notes/{CEO}").get_data(as_text=True)
    page = Page(html)
    assert page.lang == "en"
    assert page.find("article", **{"data-translation-state": "unavailable"})
    assert "This note has not been translated into English yet." in page.text
    assert page.find("h1", lang="fr")
    assert page.find("a", href=f"/fr/notes/{CEO}", hreflang="fr")
    assert "COO" not in page.text.replace(CEO_TITLE, "")  # no French body on the English page
    assert page.find("meta", name="robots", content="noindex")


def test_hreflang_canonical_and_html_lang(client, french_only):
    page = get_page(client, f"/fr/notes/{COS}")
    assert page.canonical == f"http://localhost/fr/notes/{COS}"
    assert page.alternates == {"fr": f"http://localhost/fr/notes/{COS}", "x-default": f"http://localhost/fr/notes/{COS}"}
    page = get_page(client, f"/en/notes/{COS}")
    assert page.canonical == f"http://localhost/en/notes/{COS}"
    assert set(page.alternates) == {"fr", "x-default"}  # the page exists in French only
    home = get_page(client, "/en/")
    assert home.lang == "en" and home.canonical == "http://localhost/en/"
    assert home.alternates == {"fr": "http://localhost/fr/", "en": "http://localhost/en/", "x-default": "http://localhost/fr/"}
    tags = get_page(client, "/fr/tags/")
    assert set(tags.alternates) == {"fr", "en", "x-default"}


def test_site_url_makes_absolute_links(app, client):
    app.config["SITE_URL"] = "https://garden.example/"
    page = get_page(client, f"/fr/notes/{COS}")
    assert page.canonical == f"https://garden.example/fr/notes/{COS}"
    assert "Sitemap: https://garden.example/sitemap.xml" in client.get("/robots.txt").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/{lang}/", "/{lang}/notes/" + CEO, "/{lang}/tags/", "/{lang}/tags/tips",
                                  "/{lang}/search?q=chief"])
def test_switcher_leads_to_the_same_page(client, path):
    for lang, other in (("fr", "en"), ("en", "fr")):
        page = get_page(client, path.format(lang=lang))
        switcher = page.switcher()
        assert set(switcher) == {"fr", "en"}
        target = path.format(lang=other)
        response = client.get(switcher[other])
        assert response.status_code in (302, 303)
        assert response.headers["Location"].replace("http://localhost", "") == target
        assert client.get(target).status_code == 200
        assert page.find("nav", **{"aria-label": "Langue" if lang == "fr" else "Language"})


def test_layout_landmarks_and_skip_link(client):
    page = get_page(client, "/fr/")
    assert page.find("a", class_="skip-link", href="#main")
    assert page.find("main", id="main") and page.find("header", class_="site-header") and page.find("footer")
    assert page.find("link", rel="stylesheet", href="/static/style.css")
    assert page.find("meta", name="viewport")
    assert not page.find("script") and not [a for _, a in page.elements if "style" in a]
    css = client.get("/static/style.css")
    assert css.status_code == 200 and b"focus-visible" in css.data and b"@media" in css.data
    assert b"@import" not in css.data and b"http" not in css.data


SEEDS_EN = SEED_PUBLISHED


def test_repository_english_is_published(client):
    for path in SEEDS_EN.glob("*.md"):
        page = get_page(client, f"/en/notes/{path.stem}")
        assert page.find("article")[0]["data-translation-state"] in {"published", "outdated"}
        assert set(page.alternates) == {"fr", "en", "x-default"}
        assert page.find("h1")[0].get("lang") is None
    home = get_page(client, "/en/")
    assert {a["href"] for a in home.find("a", class_="note-link")} == {f"/en/notes/{p.stem}" for p in SEEDS_EN.glob("*.md")}


# -- 404s and traversal -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "/de/", "/xx/notes/" + CEO, "/EN/", "/fr/notes/nope", "/en/notes/nope", "/fr/tags/nope", "/en/tags/nope",
        "/de/tags/", "/de/search?q=x", "/de/feed.xml", "/fr/notes/", "/fr/notes/chief of staff",
        "/fr/notes/..%2f..%2fetc%2fpasswd", "/fr/notes/%2e%2e", "/fr/notes/%2e%2e%2fchief-of-staff",
        "/fr/notes/..%5c..%5cwindows", "/fr/notes/chief-of-staff%00", "/fr/notes/%00", "/fr/notes/chief-of-staff.md",
        "/fr/notes/../../etc/passwd", "/fr/tags/..%2f..%2f", "/fr/tags/%2e%2e", "/fr/tags/..\\..\\x",
        "/fr/notes/CHIEF-OF-STAFF", "/en/notes/..%2fchief-of-staff",
    ],
)
def test_unknown_and_traversal_urls_are_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "text/html" in response.headers["Content-Type"]
    assert "root:" not in response.get_data(as_text=True)


def test_404_page_is_in_the_interface_language(client):
    fr = get_page(client, "/fr/notes/nope", status=404)
    assert fr.lang == "fr" and "Page introuvable" in fr.text
    en = get_page(client, "/en/notes/nope", status=404)
    assert en.lang == "en" and "Page not found" in en.text


# -- tags -------------------------------------------------------------------------------------------
def test_tag_pages(client, french_only):
    index = get_page(client, "/fr/tags/")
    assert {"/fr/tags/tips", "/fr/tags/atome"} <= {a["href"] for a in index.find("a", class_="tag")}
    page = get_page(client, "/fr/tags/tips")
    assert [a["href"] for a in page.find("a", class_="note-link")] == [f"/fr/notes/{CEO}"]
    assert page.alternates == {"fr": "http://localhost/fr/tags/tips", "x-default": "http://localhost/fr/tags/tips"}
    assert get_page(client, "/fr/tags/TIPS").find("a", class_="note-link")


def test_english_tag_page_without_translation(client, french_only):
    page = get_page(client, "/en/tags/tips")
    assert page.lang == "en"
    assert "No note with this tag has been translated into English yet." in page.text
    assert page.find("a", href="/fr/tags/tips")
    assert page.find("meta", name="robots", content="noindex")


def test_nested_and_accented_tags(client, paths):
    write_note(paths, "Nested.md", "---\ntags: [projet/été, Économie]\n---\nTexte #inline-tag ici.\n")
    assert get_page(client, "/fr/tags/projet/%C3%A9t%C3%A9").find("a", href="/fr/notes/nested")
    assert get_page(client, "/fr/tags/inline-tag").find("a", href="/fr/notes/nested")
    note = get_page(client, "/fr/notes/nested")
    assert note.find("a", href="/fr/tags/inline-tag")


# -- search -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("query", ["economie", "ÉCONOMIE", "Économie", "ecONomie de COUTS", "  économie  "])
def test_search_ignores_accents_and_case(client, query):
    page = get_page(client, "/fr/search", query_string={"q": query})
    assert [a["href"] for a in page.find("a", class_="note-link")] == [f"/fr/notes/{COS}"]
    assert page.find("mark")
    assert page.find("meta", name="robots", content="noindex")


def test_search_titles_first_and_every_word(client):
    page = get_page(client, "/fr/search?q=chief")
    assert [a["href"] for a in page.find("a", class_="note-link")] == [f"/fr/notes/{COS}", f"/fr/notes/{CEO}"]
    page = get_page(client, "/fr/search?q=chief+introuvablemot")
    assert not page.find("a", class_="note-link")
    assert "0 note trouvée" in page.text


def test_search_edge_cases(client):
    assert not get_page(client, "/fr/search").find("a", class_="note-link")
    assert not get_page(client, "/fr/search?q=").find("a", class_="note-link")
    html = client.get("/fr/search", query_string={"q": "<script>alert(1)</script>"}).get_data(as_text=True)
    assert "<script>alert" not in html
    assert client.get("/fr/search", query_string={"q": "é" * 5000}).status_code == 200


def test_english_search_lists_only_published(client, french_only):
    page = get_page(client, "/en/search?q=chief")
    assert not page.find("a", class_="note-link")
    assert "0 notes found" in page.text


# -- feeds, sitemap, robots --------------------------------------------------------------------------
def test_atom_feed_per_language(client, french_only):
    response = client.get("/fr/feed.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    for child in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{child}") is not None
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "http://localhost/fr/feed.xml"
    entries = feed.findall(f"{ATOM}entry")
    assert {e.find(f"{ATOM}title").text for e in entries} == {CEO_TITLE, COS_TITLE}
    for entry in entries:
        for child in ("id", "title", "updated", "link", "summary"):
            assert entry.find(f"{ATOM}{child}") is not None
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry.find(f"{ATOM}updated").text)
    english = ET.fromstring(client.get("/en/feed.xml").data)
    assert english.findall(f"{ATOM}entry") == []
    assert english.find(f"{ATOM}id") is not None


def test_sitemap_lists_every_note_and_alternates(client, french_only):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    urlset = ET.fromstring(response.data)
    locs = {u.find(f"{SM}loc").text: u for u in urlset.findall(f"{SM}url")}
    assert {f"http://localhost/fr/notes/{CEO}", f"http://localhost/fr/notes/{COS}",
            "http://localhost/fr/", "http://localhost/en/"} <= set(locs)
    assert f"http://localhost/en/notes/{CEO}" not in locs  # not published
    home = {l.get("hreflang"): l.get("href") for l in locs["http://localhost/en/"].findall(f"{XHTML}link")}
    assert home == {"fr": "http://localhost/fr/", "en": "http://localhost/en/", "x-default": "http://localhost/fr/"}


def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert "User-agent: *" in text and "Sitemap: http://localhost/sitemap.xml" in text
    assert "Disallow: /review/" in text


def test_public_pages_are_cacheable(client):
    for url in ("/fr/", f"/fr/notes/{CEO}", "/en/tags/", "/fr/feed.xml", "/sitemap.xml", "/robots.txt"):
        response = client.get(url)
        assert response.headers["Cache-Control"] == "public, max-age=0, s-maxage=60", url
        assert response.headers.get("ETag")
        again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304
    assert "Content-Security-Policy" in client.get("/fr/").headers


def test_index_notices_new_and_removed_notes(client, paths):
    path = write_note(paths, "Nouvelle note.md", "Bonjour.\n")
    assert client.get("/fr/notes/nouvelle-note").status_code == 200
    path.unlink()
    assert client.get("/fr/notes/nouvelle-note").status_code == 404


# -- broken notes and hostile content -----------------------------------------------------------------
def test_broken_notes_are_reported_and_the_site_keeps_working(client, paths):
    write_note(paths, "Cassée.md", b"---\ntitle: ok\n---\nbonjour \xff\xfe tout le monde\n")
    write_note(paths, "Yaml cassé.md", "---\ntitle: [pas fermé\ntags: :\n---\nTexte.\n")
    for slug, reason in (("cassee", "UTF-8"), ("yaml-casse", "YAML")):
        response = client.get(f"/fr/notes/{slug}")
        assert response.status_code == 500
        page = Page(response.get_data(as_text=True))
        assert "Cette note ne peut pas être affichée" in page.text
        assert reason in page.text and (".md" in page.text)
        assert "no-store" in response.headers["Cache-Control"]
        assert client.get(f"/en/notes/{slug}").status_code == 500
    home = get_page(client, "/fr/")
    assert {a["href"] for a in home.find("a", class_="note-link")} == {f"/fr/notes/{CEO}", f"/fr/notes/{COS}"}
    for url in ("/fr/tags/", "/fr/search?q=texte", "/fr/feed.xml", "/sitemap.xml", f"/fr/notes/{CEO}"):
        assert client.get(url).status_code == 200, url


PAYLOAD = """---
title: "<script>alert('title')</script>"
tags: ["<img src=x onerror=alert(1)>", "x\\" onmouseover=\\"alert(2)"]
aliases: ["<svg onload=alert(3)>"]
---
<script>alert(4)</script>

<img src=x onerror="alert(5)"> <a href="javascript:alert(6)">click</a>

<svg><script>alert(7)</script></svg> <iframe src="https://evil.example"></iframe>

<style>body{display:none}</style> <object data="x.swf"></object> <embed src="x.swf">

[link](javascript:alert(8)) [data](data:text/html;base64,PHNjcmlwdD5hbGVydCg5KTwvc2NyaXB0Pg==)
![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMTApPg==)
[[<script>alert(11)</script>]] [[chief of staff|<img src=x onerror=alert(12)>]]
![[<img src=x onerror=alert(13)>]]

<div onclick="alert(14)" style="position:fixed">x</div> <form action="https://evil.example"><input></form>

<a href="  JaVaScRiPt:alert(15)">j</a> <a href="vbscript:msgbox(16)">v</a>
#<script>alert(17)</script> <math><mi xlink:href="javascript:alert(18)">m</mi></math>

> [!note] <img src=x onerror=alert(19)>
"""


def test_html_payloads_inject_nothing(client, paths):
    write_note(paths, "Payload.md", PAYLOAD)
    write_note(paths, "Embeds payload.md", "![[Payload]]\n\n[[Payload]]\n")
    for url in ("/fr/notes/payload", "/fr/notes/embeds-payload", "/fr/", "/fr/tags/", "/fr/search?q=alert",
                "/en/notes/payload"):
        response = client.get(url)
        assert response.status_code == 200, url
        page = Page(response.get_data(as_text=True))
        for tag, attrs in page.elements:
            assert tag not in {"script", "iframe", "svg", "object", "embed", "style", "form", "math", "input"} or (
                tag in {"form", "input"} and attrs.get("role") == "search" or attrs.get("name") == "q"
                or attrs.get("id", "").endswith("search-q") or attrs.get("type") == "search"), (url, tag, attrs)
            for name, value in attrs.items():
                assert not name.startswith("on"), (url, tag, name)
                assert name != "style", (url, tag)
                if name in {"href", "src", "action", "data", "xlink:href"} and value:
                    assert not re.match(r"\s*(javascript|vbscript|data):", value, re.I), (url, tag, name, value)
                    assert "evil.example" not in value or tag == "a", (url, tag, value)
    feed = client.get("/fr/feed.xml").get_data(as_text=True)
    assert "<script" not in feed and "<img" not in feed


# -- the real corpus ----------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus absent: {CORPUS}")
def test_every_corpus_note_is_served(app, client, paths):
    target = paths["content"] / "fr"
    for source in CORPUS.rglob("*.md"):
        destination = target / source.relative_to(CORPUS)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
    with app.app_context():
        from app.services.garden import get_garden

        garden = get_garden(max_age=0)
        slugs = [n.slug for n in garden.notes.notes()]
        broken = [garden.notes.slug_for(e.filename) for e in garden.notes.errors()]
    assert len(slugs) + len(broken) >= len(list(CORPUS.rglob("*.md")))
    started = time.monotonic()
    for slug in slugs:
        response = client.get(f"/fr/notes/{slug}")
        assert response.status_code == 200, (slug, response.get_data(as_text=True)[:1000])
        assert b'data-translation-state="source"' in response.data
    for slug in broken:
        response = client.get(f"/fr/notes/{slug}")
        assert response.status_code == 500 and "Cette note ne peut pas être affichée" in response.get_data(as_text=True)
    for url in ("/fr/", "/en/", "/fr/tags/", "/fr/search?q=note", "/fr/feed.xml", "/sitemap.xml"):
        assert client.get(url).status_code == 200, url
    assert client.get(f"/en/notes/{slugs[0]}").status_code == 200
    assert time.monotonic() - started < 120
