"""What every request pays before and after its view: built once, not per request, with the same behaviour.

The page cache is off here (``PAGE_CACHE_MB=0``): every request reaches Flask, as a translator's,
the editor's and every first visitor's does.
"""
from __future__ import annotations

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
