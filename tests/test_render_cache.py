"""The per-worker render cache of note pages: reused by everyone, rebuilt whenever what it shows changed."""
from __future__ import annotations

import os
import time

import pytest

from app.services.publishing.journal import journal_path
from app.services.reading import note_pages
from app.services.reading.render_cache import RenderCache
from tests.auth_support import log_in_as

COS = "chief-of-staff"
CEO = "ceo-noubliez-pas-votre-coo-ou-chief-of-staff"
CEO_FILE = "Ceo, n'oubliez pas votre COO ou Chief of Staff.md"


@pytest.fixture
def app_config(app_config):
    """The page cache off: every request reaches Flask, as a translator's or a first visitor's does."""
    return dict(app_config, PAGE_CACHE_MB=0)


@pytest.fixture
def builds(monkeypatch) -> list[tuple[str, str]]:
    """The (language, slug) of every note page built from its files, in order."""
    built: list[tuple[str, str]] = []
    real = note_pages._build_page

    def counting(garden, lang, note):
        built.append((lang, note.slug))
        return real(garden, lang, note)

    monkeypatch.setattr(note_pages, "_build_page", counting)
    return built


def cache_of(app) -> RenderCache:
    return app.extensions["render_cache"]


def content(app):
    return app.extensions["garden"].content_dir


def rewrite(path, text: str) -> None:
    """Rewrite ``path`` in place, with an mtime clearly after the previous one."""
    before = path.stat().st_mtime
    path.write_text(text, encoding="utf-8")
    os.utime(path, (before + 2, before + 2))


def html(client, url: str, status: int = 200, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def test_lru_is_bounded_in_entries_and_bytes():
    cache = RenderCache(max_entries=3, max_bytes=4000)
    for key in "abc":
        cache.put(key, key, 10)
    assert cache.get("a") == "a"  # most recently used now
    cache.put("d", "d", 10)
    assert cache.get("b") is None and cache.get("a") == "a" and len(cache) == 3
    cache.put("big", "big", 1000)  # more than a quarter of the budget once its overhead is counted
    assert cache.get("big") is None
    cache.put("e", "e", 400)
    cache.put("f", "f", 400)
    assert cache.size <= 4000 and len(cache) <= 3
    assert not RenderCache(max_bytes=0).enabled


def test_a_page_is_built_once_and_shared_by_readers_and_translators(app, client, builds):
    from tests.review_support import make_users

    first = {url: html(client, url) for url in (f"/fr/notes/{COS}", f"/en/notes/{COS}", f"/en/notes/{CEO}")}
    assert len(builds) == 3
    translator = app.test_client()
    log_in_as(app, translator, make_users(app)["translator"])
    for url, page in first.items():
        assert html(client, url) == page
        response = translator.get(url)
        assert response.get_data(as_text=True) == page, url  # the reader's templates show nothing of the viewer
        assert "private" in response.headers["Cache-Control"]
    assert len(builds) == 3 and cache_of(app).hits >= 6


def test_the_html_is_the_same_for_every_viewer_without_the_cache(app):
    """What lets the cache share a page: logged in or not, the note page is the same document."""
    from tests.review_support import make_users

    app.extensions["render_cache"].max_bytes = 0
    anonymous, editor = app.test_client(), app.test_client()
    log_in_as(app, editor, make_users(app)["editor"])
    for url in (f"/fr/notes/{COS}", f"/en/notes/{COS}"):
        assert anonymous.get(url).data == editor.get(url).data, url
    assert len(app.extensions["render_cache"]) == 0


def test_an_edited_note_shows_at_once(app, client, builds):
    assert "MARQUEUR" not in html(client, f"/fr/notes/{COS}")
    path = content(app) / "fr" / "chief of staff.md"
    rewrite(path, path.read_text(encoding="utf-8") + "\nMARQUEUR de fraîcheur.\n")
    assert "MARQUEUR de fraîcheur" in html(client, f"/fr/notes/{COS}")
    assert 'data-translation-state="outdated"' in html(client, f"/en/notes/{COS}")


def test_another_notes_new_title_shows_in_backlinks_and_links(app, client):
    assert "Titre changé" not in html(client, f"/fr/notes/{COS}")
    ceo = content(app) / "fr" / CEO_FILE
    rewrite(ceo, ceo.read_text(encoding="utf-8").replace("title: ", "title: Titre changé ", 1))
    assert "Titre changé" in html(client, f"/fr/notes/{COS}")  # the backlink, on the very next request


def test_a_created_link_target_resolves_at_once(app, client):
    page = html(client, f"/fr/notes/{CEO}")
    assert 'href="/fr/notes/prendre-soin-du-collectif"' not in page
    time.sleep(0.02)  # folder mtimes move in clock ticks
    (content(app) / "fr" / "Prendre soin du collectif.md").write_text("Texte.\n", encoding="utf-8")
    assert 'href="/fr/notes/prendre-soin-du-collectif"' in html(client, f"/fr/notes/{CEO}")
    assert CEO in html(client, "/fr/notes/prendre-soin-du-collectif")  # and it has its backlink


def test_a_changed_or_removed_publication_shows_at_once(app, client):
    english = content(app) / "en" / f"{COS}.md"
    assert "Freshly approved" not in html(client, f"/en/notes/{COS}")
    rewrite(english, english.read_text(encoding="utf-8") + "\nFreshly approved sentence.\n")
    assert "Freshly approved sentence" in html(client, f"/en/notes/{COS}")
    assert f'href="/en/notes/{COS}"' in html(client, f"/en/notes/{CEO}")  # a link to a published translation
    english.unlink()
    assert 'data-translation-state="unavailable"' in html(client, f"/en/notes/{COS}")
    assert f'href="/fr/notes/{COS}"' in html(client, f"/en/notes/{CEO}")  # now to the French


def test_an_attachment_added_later_is_embedded_at_once(app, client):
    note = content(app) / "fr" / "Avec image.md"
    note.write_text("Voici ![[photo.png]] ici.\n", encoding="utf-8")
    assert "<img" not in html(client, "/fr/notes/avec-image")
    time.sleep(0.02)
    (content(app) / "fr" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    assert "<img" in html(client, "/fr/notes/avec-image")


def test_the_site_root_and_the_address_are_part_of_the_key(client):
    one = html(client, f"/fr/notes/{COS}", base_url="http://one.example")
    two = html(client, f"/fr/notes/{COS}", base_url="http://two.example")
    assert 'href="http://one.example/fr/notes/chief-of-staff"' in one
    assert 'href="http://two.example/fr/notes/chief-of-staff"' in two
    assert "x%3D1" in html(client, f"/fr/notes/{COS}?x=1")  # the switcher keeps the query


def test_a_page_being_published_is_built_but_not_kept(app, client, builds):
    marker = journal_path(content(app) / "en" / f"{COS}.md")
    marker.write_bytes(b"")
    for _ in range(2):
        html(client, f"/en/notes/{COS}")
    assert builds.count(("en", COS)) == 2
    marker.unlink()
    for _ in range(2):
        html(client, f"/en/notes/{COS}")
    assert builds.count(("en", COS)) == 3


def test_a_broken_note_is_never_kept_and_its_fix_heals_it(app, client, builds):
    path = content(app) / "fr" / "chief of staff.md"
    good, before = path.read_bytes(), html(client, f"/fr/notes/{COS}")
    html(client, f"/fr/notes/{CEO}")
    path.write_bytes(b"\xff\xfe not UTF-8")
    os.utime(path, (path.stat().st_mtime + 4,) * 2)
    for _ in range(2):
        assert client.get(f"/fr/notes/{COS}").status_code == 500
    assert builds.count(("fr", COS)) == 1
    assert html(client, f"/fr/notes/{CEO}")  # the other notes keep being served
    path.write_bytes(good)
    os.utime(path, (path.stat().st_mtime + 8,) * 2)
    assert html(client, f"/fr/notes/{COS}") == before
    assert builds.count(("fr", COS)) == 2


def test_off_builds_every_time(app, client, builds):
    app.extensions["render_cache"].max_bytes = 0
    assert html(client, f"/fr/notes/{COS}") == html(client, f"/fr/notes/{COS}")
    assert len(builds) == 2 and len(app.extensions["render_cache"]) == 0
