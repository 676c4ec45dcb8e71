"""``passerelle export DIR``: the published site as static files, with links that work from any base URL."""
from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree as ET

import pytest

from app.services.publishing.export import MARKER, PLACEHOLDER

COS = "chief-of-staff"
CEO = "ceo-noubliez-pas-votre-coo-ou-chief-of-staff"
LINK = re.compile(r'\b(?:href|src|action)="([^"]*)"')


@pytest.fixture
def app_config(app_config, paths):
    """The seed notes (COS published in English) plus a French note with no translation and a tag with an accent."""
    (paths["content"] / "fr" / "Note seule.md").write_text(
        "---\ntitle: Note seule\ntags: [été, outils/notes]\n---\nVoir [[chief of staff]] et [mon ancien site](/ancien/page).\n", encoding="utf-8")
    return app_config


def export(runner, target: Path, *extra: str):
    return runner.invoke(args=["export", str(target), *extra])


def html_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


def resolve(root: Path, page: Path, href: str) -> Path | None:
    """The file a relative link of ``page`` leads to (a folder means its index.html), or None if external."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    target = posixpath.normpath(posixpath.join(page.parent.relative_to(root).as_posix(), unquote(parts.path)))
    path = root / target
    return path / "index.html" if href.split("#")[0].endswith("/") or path.is_dir() else path


def test_export_writes_every_page_of_every_language(runner, tmp_path):
    target = tmp_path / "site"
    result = export(runner, target)
    assert result.exit_code == 0, result.output
    for lang in ("fr", "en"):
        for page in ("index.html", "tags/index.html", f"notes/{COS}/index.html", f"notes/{CEO}/index.html",
                     "notes/note-seule/index.html", "feed.xml"):
            assert (target / lang / page).is_file(), f"{lang}/{page}"
    assert (target / "fr" / "tags" / "été" / "index.html").is_file()
    assert (target / "fr" / "tags" / "outils" / "notes" / "index.html").is_file()
    assert (target / "robots.txt").is_file() and (target / "static" / "style.css").is_file()
    assert not (target / "sitemap.xml").exists()  # no site URL: a sitemap needs absolute URLs
    assert "no site URL" in result.output
    assert json.loads((target / MARKER).read_text())["generator"] == "passerelle export"


def test_english_pages_are_published_notes_or_the_notice(runner, tmp_path):
    target = tmp_path / "site"
    export(runner, target)
    published = (target / "en" / "notes" / COS / "index.html").read_text(encoding="utf-8")
    assert 'data-translation-state="published"' in published and '<html lang="en"' in published
    notice = (target / "en" / "notes" / "note-seule" / "index.html").read_text(encoding="utf-8")
    assert 'data-translation-state="unavailable"' in notice and 'href="../../../fr/notes/note-seule/"' in notice
    home = (target / "en" / "index.html").read_text(encoding="utf-8")
    assert "note-seule" not in home  # the English home lists published notes only


def test_every_link_is_relative_and_leads_to_a_file(runner, tmp_path):
    target = tmp_path / "site"
    export(runner, target)
    pages = html_files(target)
    assert len(pages) >= 14
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert PLACEHOLDER not in text and "/switch" not in text, page
        assert 'role="search"' not in text, page  # search needs the server
        for href in LINK.findall(text):
            if href == "/ancien/page":  # a note's link to a path this site does not have: kept as sent
                continue
            assert not href.startswith("/"), (page, href)
            if href.startswith("#"):
                continue
            file = resolve(target, page, href.replace("&amp;", "&"))
            assert file is None or file.is_file(), (page, href)


def test_links_outside_the_site_are_kept_as_sent(runner, tmp_path):
    target = tmp_path / "site"
    result = export(runner, target)
    page = (target / "fr" / "notes" / "note-seule" / "index.html").read_text(encoding="utf-8")
    assert '<a href="/ancien/page">mon ancien site</a>' in page
    assert "kept as sent: /ancien/page" in result.output


def test_pages_are_what_the_server_sends_but_for_links(client, runner, tmp_path):
    target = tmp_path / "site"
    export(runner, target)
    main = lambda html: LINK.sub("", html[html.index("<main"):html.index("</main>")])  # noqa: E731
    for lang in ("fr", "en"):
        served = client.get(f"/{lang}/notes/{COS}").get_data(as_text=True)
        exported = (target / lang / "notes" / COS / "index.html").read_text(encoding="utf-8")
        assert main(served) == main(exported)
        assert served[:served.index("<body")].count("<link") == exported[:exported.index("<body")].count("<link")


def test_links_to_server_only_pages_are_left_out(client, runner, tmp_path):
    target = tmp_path / "site"
    result = export(runner, target)
    served = client.get("/fr/").get_data(as_text=True)
    exported = (target / "fr" / "index.html").read_text(encoding="utf-8")
    assert not any("translate" in href or "login" in href for href in LINK.findall(exported))
    if 'href="/translate' in served:  # the footer's link for translators
        assert "left out: /translate" in result.output


def test_the_language_switcher_leads_to_the_other_language_directly(runner, tmp_path):
    target = tmp_path / "site"
    export(runner, target)
    page = (target / "fr" / "notes" / COS / "index.html").read_text(encoding="utf-8")
    switcher = page[page.index('class="lang-switcher"'):]
    assert 'href="../../../en/notes/chief-of-staff/"' in switcher


def test_site_url_gives_absolute_feeds_and_a_sitemap(runner, tmp_path):
    target = tmp_path / "site"
    result = export(runner, target, "--site-url", "https://notes.example.org/")
    assert result.exit_code == 0, result.output
    sitemap = ET.parse(target / "sitemap.xml").getroot()
    locs = [el.text for el in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert f"https://notes.example.org/en/notes/{COS}" in locs
    assert all(loc.startswith("https://notes.example.org/") for loc in locs)
    feed = (target / "fr" / "feed.xml").read_text(encoding="utf-8")
    assert f"https://notes.example.org/fr/notes/{COS}" in feed
    assert "Sitemap: https://notes.example.org/sitemap.xml" in (target / "robots.txt").read_text()
    page = (target / "fr" / "notes" / COS / "index.html").read_text(encoding="utf-8")
    assert f'rel="canonical" href="https://notes.example.org/fr/notes/{COS}"' in page


def test_feeds_without_site_url_hold_relative_links(runner, tmp_path):
    target = tmp_path / "site"
    export(runner, target)
    feed = (target / "fr" / "feed.xml").read_text(encoding="utf-8")
    assert PLACEHOLDER not in feed and f'href="notes/{COS}/"' in feed
    assert "Sitemap:" not in (target / "robots.txt").read_text()


def test_a_previous_export_is_replaced_whole(runner, tmp_path, app):
    target = tmp_path / "site"
    export(runner, target)
    (target / "fr" / "stale.html").write_text("old", encoding="utf-8")
    (app.extensions["garden"].content_dir / "fr" / "Note seule.md").unlink()
    result = export(runner, target)
    assert result.exit_code == 0, result.output
    assert not (target / "fr" / "stale.html").exists()
    assert not (target / "fr" / "notes" / "note-seule").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]  # no temporary folder left


def test_a_foreign_folder_is_refused_unless_forced(runner, tmp_path):
    target = tmp_path / "mine"
    target.mkdir()
    (target / "keep.txt").write_text("mine", encoding="utf-8")
    refused = export(runner, target)
    assert refused.exit_code != 0 and "--force" in refused.output
    assert sorted(p.name for p in target.iterdir()) == ["keep.txt"]
    forced = export(runner, target, "--force")
    assert forced.exit_code == 0, forced.output
    assert (target / "keep.txt").read_text() == "mine" and (target / "fr" / "index.html").is_file()
    assert not (target / MARKER).exists()  # never mistaken later for a folder we may replace whole


def test_the_garden_itself_is_never_a_target(runner, app):
    content = Path(app.config["CONTENT_DIR"])
    for target in (content, content / "fr", content.parent):
        result = export(runner, target, "--force")
        assert result.exit_code != 0 and "overlaps" in result.output, target
    assert not (content / "fr" / "index.html").exists()


def test_an_empty_folder_is_fine(runner, tmp_path):
    target = tmp_path / "empty"
    target.mkdir()
    assert export(runner, target).exit_code == 0
    assert (target / "en" / "index.html").is_file()
