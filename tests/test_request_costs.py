"""What every request pays before and after its view: built once, not per request, with the same behaviour.

The page cache is off here (``PAGE_CACHE_MB=0``): every request reaches Flask, as a translator's,
the editor's and every first visitor's does.
"""
from __future__ import annotations

import hashlib

import pytest
from flask.sessions import SecureCookieSessionInterface
from flask_babel import get_locale
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event

from app.extensions import db
from tests.auth_support import log_in_as

COS = "chief-of-staff"


@pytest.fixture
def app_config(app_config):
    """The page cache off and CSRF on, as in production."""
    return dict(app_config, PAGE_CACHE_MB=0, WTF_CSRF_ENABLED=True)


@pytest.fixture
def signers(monkeypatch) -> list[int]:
    """One entry per serializer Flask's cookie session builds."""
    built: list[int] = []
    real = SecureCookieSessionInterface.get_signing_serializer

    def counting(self, app):
        built.append(1)
        return real(self, app)

    monkeypatch.setattr(SecureCookieSessionInterface, "get_signing_serializer", counting)
    return built


def test_an_anonymous_reader_gets_no_session_signer(app, client, signers):
    for _ in range(5):
        response = client.get(f"/fr/notes/{COS}")
        assert response.status_code == 200 and "Set-Cookie" not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")
    assert signers == []


def test_the_session_signer_is_built_once_per_key_and_follows_a_new_key(app, signers):
    from tests.review_support import make_users

    translator = app.test_client()
    log_in_as(app, translator, make_users(app)["translator"])
    before = len(signers)  # the login wrote the cookie with one
    assert before <= 1
    for _ in range(5):
        response = translator.get(f"/fr/notes/{COS}")
        assert response.status_code == 200 and "private" in response.headers["Cache-Control"]
    assert len(signers) == before  # Flask's own interface builds one per request
    assert translator.get("/translate/").status_code == 200  # still logged in: the cookie verifies

    app.config["SECRET_KEY"] = app.secret_key = "another-secret-key"  # a new key: the old cookie no longer verifies
    assert translator.get("/translate/").status_code in (302, 401)
    assert len(signers) == before + 1


def test_an_old_key_in_the_fallbacks_still_verifies(app):
    from tests.review_support import make_users

    translator = app.test_client()
    log_in_as(app, translator, make_users(app)["translator"])
    app.config["SECRET_KEY_FALLBACKS"] = [app.secret_key]
    app.config["SECRET_KEY"] = app.secret_key = "rotated-secret-key"
    assert translator.get("/translate/").status_code == 200


def test_a_get_skips_the_csrf_exemption_lookup_and_a_post_is_still_checked(app, client, monkeypatch):
    looked_up: list[str] = []
    real = CSRFProtect._is_exempt

    def counting(self):
        from flask import request

        looked_up.append(request.method)
        return real(self)

    monkeypatch.setattr(CSRFProtect, "_is_exempt", counting)
    for _ in range(3):
        assert client.get(f"/fr/notes/{COS}").status_code == 200
        assert client.head(f"/en/notes/{COS}").status_code == 200
    assert looked_up == []
    refused = client.post("/login", data={"username": "someone", "password": "x"})  # no token
    assert refused.status_code == 400 and looked_up == ["POST"]


def test_the_interface_locale_is_parsed_once_per_language(app, client):
    seen = {}

    @app.after_request
    def remember(response):
        seen.setdefault(str(get_locale()), set()).add(id(get_locale()))
        return response

    for _ in range(3):
        for url in (f"/fr/notes/{COS}", f"/en/notes/{COS}", "/fr/", "/en/tags/"):
            assert client.get(url).status_code == 200
    assert set(seen) == {"fr", "en"}
    assert all(len(ids) == 1 for ids in seen.values()), seen  # one Locale object per language, shared


def test_a_kept_note_page_is_not_hashed_again_and_its_etag_is_the_hash_of_its_bytes(app, client, monkeypatch):
    import werkzeug.wrappers.response as werkzeug_response

    hashed: list[int] = []
    real = werkzeug_response.generate_etag

    def counting(data):
        hashed.append(len(data))
        return real(data)

    monkeypatch.setattr(werkzeug_response, "generate_etag", counting)
    for url in (f"/fr/notes/{COS}", f"/en/notes/{COS}"):
        first = client.get(url)
        for _ in range(3):
            again = client.get(url)
            assert again.data == first.data
            assert again.headers["ETag"] == first.headers["ETag"] == f'"{hashlib.sha1(again.data).hexdigest()}"'
            assert client.get(url, headers={"If-None-Match": again.headers["ETag"]}).status_code == 304
    assert hashed == []  # the response did not hash its body: the ETag came with the kept HTML


def test_a_note_page_with_the_render_cache_off_still_gets_its_etag(app, client):
    app.extensions["render_cache"].max_bytes = 0
    response = client.get(f"/fr/notes/{COS}")
    assert response.headers["ETag"] == f'"{hashlib.sha1(response.data).hexdigest()}"'


def test_a_kept_note_page_runs_no_query(app, client):
    from tests.review_support import make_users

    translator = app.test_client()
    log_in_as(app, translator, make_users(app)["translator"])
    urls = (f"/fr/notes/{COS}", f"/en/notes/{COS}")
    for url in urls:
        client.get(url), translator.get(url)
    queries: list[str] = []

    def record(conn, cursor, statement, *args):
        queries.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        for url in urls:
            assert client.get(url).status_code == 200 and translator.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert queries == []


def test_hooks_and_views_are_checked_for_coroutines_once(app, client, monkeypatch):
    import flask.app

    checked: list[object] = []
    real = flask.app.iscoroutinefunction

    def counting(func):
        checked.append(func)
        return real(func)

    monkeypatch.setattr(flask.app, "iscoroutinefunction", counting)
    for url in (f"/fr/notes/{COS}", f"/en/notes/{COS}"):
        assert client.get(url).status_code == 200
    first = len(checked)
    assert first > 0
    for _ in range(3):
        for url in (f"/fr/notes/{COS}", f"/en/notes/{COS}"):
            assert client.get(url).status_code == 200
    assert len(checked) == first  # Flask asks again for every hook of every request


def test_cookies_are_not_parsed_for_a_reader_without_a_session_cookie(app, client):
    parsed: list[bool] = []

    @app.after_request
    def remember(response):
        from flask import request

        parsed.append("cookies" in request.__dict__)  # werkzeug caches the parsed cookies there
        return response

    for url in (f"/fr/notes/{COS}", f"/en/notes/{COS}"):
        client.get(url)  # built and kept (building renders templates, whose context loads the user)
    parsed.clear()
    assert client.get(f"/fr/notes/{COS}").status_code == 200
    client.set_cookie("theme", "dark")
    assert client.get(f"/en/notes/{COS}").status_code == 200
    assert parsed == [False, False]
    client.set_cookie("session", "forged")
    response = client.get(f"/en/notes/{COS}")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert parsed[-1] is True  # a cookie of that name: Flask's own path, which rejects the bad signature


def test_a_kept_note_page_raises_nothing_inside_werkzeug(app, client, monkeypatch):
    """Header lookups of missing names (``in``, ``get``) raise and catch a BadRequestKeyError each: ~2 µs apiece."""
    from werkzeug.exceptions import BadRequestKeyError
    from werkzeug.test import EnvironBuilder

    urls = (f"/fr/notes/{COS}", f"/en/notes/{COS}")
    first = {url: client.get(url) for url in urls}
    environs = {url: EnvironBuilder(path=url).get_environ() for url in urls}  # the test client's own lookups raise
    raised: list[str] = []
    real = BadRequestKeyError.__init__

    def counting(self, *args, **kwargs):
        raised.append(repr(args))
        real(self, *args, **kwargs)

    monkeypatch.setattr(BadRequestKeyError, "__init__", counting)
    for url in urls * 3:
        sent: dict = {}
        body = b"".join(app(dict(environs[url]), lambda status, headers, exc_info=None: sent.update(headers)))
        assert body == first[url].data
        assert sent["Last-Modified"] == first[url].headers["Last-Modified"]
        assert sent["Cache-Control"] == "public, max-age=0, s-maxage=60"
    assert raised == []
