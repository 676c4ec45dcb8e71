"""The per-worker page cache and the HTTP caching of public pages."""
from __future__ import annotations

import os
import time
from email.utils import parsedate_to_datetime

import pytest

from app import create_app
from app.services.reading import page_cache
from app.services.reading.page_cache import CachedPage, PageCache
from tests.auth_support import log_in_as

COS = "chief-of-staff"
CEO = "ceo-noubliez-pas-votre-coo-ou-chief-of-staff"
PUBLIC_URLS = ["/fr/", "/en/", f"/fr/notes/{COS}", f"/en/notes/{COS}", "/fr/tags/", "/en/feed.xml", "/sitemap.xml",
               "/robots.txt"]


@pytest.fixture
def app_config(app_config):
    """Indexes that would stay stale for an hour: freshness must come from the page cache's own checks."""
    return dict(app_config, INDEX_MAX_AGE=3600.0, PAGE_CACHE_RESCAN=3600.0)


def cache_of(app) -> PageCache:
    return app.extensions["page_cache"]


def touch(path, text: str) -> None:
    """Rewrite ``path`` in place, with an mtime clearly after the previous one."""
    before = path.stat().st_mtime
    path.write_text(text, encoding="utf-8")
    os.utime(path, (before + 2, before + 2))


def french(app, name: str = "chief of staff.md"):
    return app.extensions["garden"].content_dir / "fr" / name


def test_lru_is_bounded_in_entries_and_bytes():
    cache = PageCache(max_entries=3, max_bytes=100)
    page = lambda size: CachedPage(b"x" * size, (), (), ())  # noqa: E731
    for key in "abc":
        cache.put(key, page(10))
    cache.get("a")  # most recently used now
    cache.put("d", page(10))
    assert cache.get("b") is None and cache.get("a") is not None and len(cache) == 3
    cache.put("e", page(24))
    cache.put("f", page(24))  # 10 + 10 + 24 + 24 = 68 bytes, but only 3 entries
    assert len(cache) == 3 and cache.size <= 100
    cache.put("big", page(26))  # more than a quarter of the budget: never stored
    assert cache.get("big") is None


def test_second_request_is_served_from_memory_byte_for_byte(app, client, monkeypatch):
    first = {url: client.get(url) for url in PUBLIC_URLS}
    import app.blueprints.reader as reader

    def no_render(*args, **kwargs):
        raise AssertionError("a stored page was rendered again")

    monkeypatch.setattr(reader, "render_template", no_render)
    monkeypatch.setattr(reader, "note_page", no_render)
    hits = cache_of(app).hits
    for url, response in first.items():
        again = client.get(url)
        assert again.status_code == 200, url
        assert again.data == response.data, url
        assert again.headers["ETag"] == response.headers["ETag"], url
        assert again.headers["Content-Type"] == response.headers["Content-Type"], url
        assert again.headers["Content-Security-Policy"], url
    assert cache_of(app).hits == hits + len(PUBLIC_URLS)


def test_public_headers_and_conditional_get(client):
    for url in PUBLIC_URLS:
        response = client.get(url)
        assert response.headers["Cache-Control"] == "public, max-age=0, s-maxage=60", url
        assert "Cookie" not in response.headers.get("Vary", ""), url
        assert "Set-Cookie" not in response.headers, url
        etag = response.headers["ETag"]
        assert etag.startswith('"') and not etag.startswith("W/"), url
        for _ in range(2):  # rendered, then from memory
            assert client.get(url, headers={"If-None-Match": etag}).status_code == 304, url
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200, url


def test_a_date_alone_never_proves_a_page_unchanged(client):
    response = client.get(f"/fr/notes/{COS}")
    later = response.headers["Last-Modified"]
    assert client.get(f"/fr/notes/{COS}", headers={"If-Modified-Since": later}).status_code == 200


def test_last_modified_is_the_note_date_or_the_approval(app, client):
    from app.services.reading.listings import parse_time

    french_page = client.get(f"/fr/notes/{COS}")
    mtime = int(french(app).stat().st_mtime)
    assert parsedate_to_datetime(french_page.headers["Last-Modified"]).timestamp() == mtime
    english = client.get(f"/en/notes/{COS}")
    approved = parse_time(app.extensions["garden"].published["en"].get(COS).approved_at)
    assert parsedate_to_datetime(english.headers["Last-Modified"]).timestamp() == int(approved.timestamp())


def test_same_content_gives_the_same_etag_in_every_worker(app_config, client):
    other_worker = create_app(dict(app_config)).test_client()
    for url in PUBLIC_URLS:
        assert client.get(url).headers["ETag"] == other_worker.get(url).headers["ETag"], url


def test_the_language_cookie_does_not_split_public_pages(client):
    plain = client.get(f"/fr/notes/{COS}")
    client.set_cookie("lang", "en")
    with_cookie = client.get(f"/fr/notes/{COS}")
    assert with_cookie.data == plain.data
    assert with_cookie.headers["Cache-Control"] == "public, max-age=0, s-maxage=60"
    assert "Cookie" not in with_cookie.headers.get("Vary", "")


def test_logged_in_readers_get_private_pages_never_stored(app, client):
    from tests.review_support import make_users

    ids = make_users(app)
    client.get(f"/fr/notes/{COS}")  # stored for visitors
    log_in_as(app, client, ids["translator"])
    hits, stored = cache_of(app).hits, len(cache_of(app))
    for url in (f"/fr/notes/{COS}", "/fr/tags/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "private" in response.headers["Cache-Control"] and "public" not in response.headers["Cache-Control"]
        assert "no-cache" in response.headers["Cache-Control"]
    assert cache_of(app).hits == hits and len(cache_of(app)) == stored


def test_a_changed_french_file_is_served_at_once_despite_the_index_throttle(app, client):
    assert "MARQUEUR" not in client.get(f"/fr/notes/{COS}").get_data(as_text=True)
    path = french(app)
    touch(path, path.read_text(encoding="utf-8") + "\nMARQUEUR de fraîcheur.\n")
    assert "MARQUEUR de fraîcheur" in client.get(f"/fr/notes/{COS}").get_data(as_text=True)
    # the English page shows the French changed since approval
    assert 'data-translation-state="outdated"' in client.get(f"/en/notes/{COS}").get_data(as_text=True)


def test_a_changed_published_file_is_served_at_once(app, client):
    assert "Freshly approved" not in client.get(f"/en/notes/{COS}").get_data(as_text=True)
    path = app.extensions["garden"].content_dir / "en" / f"{COS}.md"
    touch(path, path.read_text(encoding="utf-8") + "\nFreshly approved sentence.\n")
    assert "Freshly approved sentence" in client.get(f"/en/notes/{COS}").get_data(as_text=True)


def test_a_new_note_shows_at_once_on_listings(app, client):
    assert "Nouvelle note" not in client.get("/fr/").get_data(as_text=True)
    time.sleep(0.02)  # folder mtimes move in clock ticks
    french(app, "Nouvelle note.md").write_text("---\ntitle: Nouvelle note\n---\nTexte.\n", encoding="utf-8")
    assert "Nouvelle note" in client.get("/fr/").get_data(as_text=True)
    assert client.get("/fr/notes/nouvelle-note").status_code == 200


def test_unpublishing_removes_the_english_page_at_once(app, client):
    assert 'data-translation-state="published"' in client.get(f"/en/notes/{COS}").get_data(as_text=True)
    time.sleep(0.02)
    (app.extensions["garden"].content_dir / "en" / f"{COS}.md").unlink()
    assert 'data-translation-state="unavailable"' in client.get(f"/en/notes/{COS}").get_data(as_text=True)


def test_other_notes_in_place_edits_follow_within_the_rescan_interval(app, client):
    ceo = french(app, "Ceo, n'oubliez pas votre COO ou Chief of Staff.md")
    client.get(f"/fr/notes/{COS}")
    text = ceo.read_text(encoding="utf-8")
    touch(ceo, text.replace("title: ", "title: Titre changé ", 1))
    assert "Titre changé" not in client.get(f"/fr/notes/{COS}").get_data(as_text=True)  # backlink title: not yet
    cache_of(app).rescan = 0.05
    time.sleep(0.06)
    deadline = time.monotonic() + 10  # the stored page is served while a background thread rescans
    while "Titre changé" not in client.get(f"/fr/notes/{COS}").get_data(as_text=True):
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_search_404_and_head(app, client):
    stored = len(cache_of(app))
    client.get("/fr/search?q=chief")
    assert client.get("/fr/notes/nope").status_code == 404
    assert len(cache_of(app)) == stored
    client.get(f"/fr/notes/{COS}")
    head = client.head(f"/fr/notes/{COS}")
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"]


def test_cache_off_still_answers(app_config):
    application = create_app(dict(app_config, PAGE_CACHE_MB=0))
    client = application.test_client()
    for _ in range(2):
        response = client.get(f"/fr/notes/{COS}")
        assert response.status_code == 200 and response.headers["ETag"]
    assert len(application.extensions["page_cache"]) == 0


def test_note_last_modified_takes_the_latest_own_date():
    from datetime import datetime, timezone
    from types import SimpleNamespace

    old, new = datetime(2024, 1, 1, tzinfo=timezone.utc), datetime(2024, 2, 1, tzinfo=timezone.utc)
    assert page_cache.note_last_modified(SimpleNamespace(updated=old, approved=old, french_changed=new)) == new
    assert page_cache.note_last_modified(SimpleNamespace(updated=new, approved=None, french_changed=None)) == new


def test_hits_never_reach_flask_and_304s_keep_the_security_headers(app, client, monkeypatch):
    client.get(f"/fr/notes/{COS}")
    etag = client.get(f"/fr/notes/{COS}").headers["ETag"]
    monkeypatch.setattr(page_cache, "prepare", lambda: pytest.fail("a hit went through Flask"))
    app.before_request_funcs[None][0] = page_cache.prepare
    not_modified = client.get(f"/fr/notes/{COS}", headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.data == b""
    assert not_modified.headers["ETag"] == etag and not_modified.headers["Content-Security-Policy"]
    assert "Content-Type" not in not_modified.headers
    client.set_cookie("lang", "en")  # a reader who used the switcher still gets stored pages
    assert client.get(f"/fr/notes/{COS}").status_code == 200


def test_a_session_without_login_goes_through_flask_and_never_shares_a_cookie(app, client):
    client.get(f"/fr/notes/{COS}")
    with client.session_transaction() as session:
        session["csrf_token"] = "x"  # e.g. a visitor who opened the login form
    hits, stored = cache_of(app).hits, len(cache_of(app))
    response = client.get(f"/fr/notes/{COS}")
    assert response.status_code == 200 and cache_of(app).hits == hits
    if "Set-Cookie" in response.headers:  # Flask-Login marks such sessions not fresh: this answer is theirs only
        assert response.headers["Cache-Control"] == "private, no-cache"
    else:
        assert response.headers["Cache-Control"] == "public, max-age=0, s-maxage=60"
    assert len(cache_of(app)) == stored
