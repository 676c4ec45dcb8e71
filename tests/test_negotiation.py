"""Language negotiation: ``/`` picks the remembered choice, then Accept-Language, then French."""
from __future__ import annotations

import pytest


def location(response) -> str:
    """The redirect target of ``response`` as a path."""
    return response.headers["Location"].replace("http://localhost", "")


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "/fr/"),
        ("en", "/en/"),
        ("en-US,en;q=0.9", "/en/"),
        ("en-GB", "/en/"),
        ("fr-CA", "/fr/"),
        ("de-DE,de;q=0.9", "/fr/"),  # unsupported: the source language
        ("de, en;q=0.5", "/en/"),
        ("fr;q=0.4, en;q=0.8", "/en/"),
        ("*", "/fr/"),
    ],
)
def test_root_follows_accept_language(client, accept, expected):
    headers = {"Accept-Language": accept} if accept else {}
    response = client.get("/", headers=headers)
    assert response.status_code == 302
    assert location(response) == expected


def test_cookie_beats_accept_language(client):
    client.set_cookie("lang", "en")
    assert location(client.get("/", headers={"Accept-Language": "fr-FR"})) == "/en/"
    client.set_cookie("lang", "fr")
    assert location(client.get("/", headers={"Accept-Language": "en-US"})) == "/fr/"


def test_unknown_cookie_is_ignored(client):
    client.set_cookie("lang", "xx")
    assert location(client.get("/", headers={"Accept-Language": "en"})) == "/en/"
    client.set_cookie("lang", "../../etc")
    assert location(client.get("/")) == "/fr/"


def test_root_varies_on_language_and_cookie(client):
    response = client.get("/", headers={"Accept-Language": "en"})
    vary = {v.strip().lower() for v in response.headers["Vary"].split(",")}
    assert {"accept-language", "cookie"} <= vary
    assert "public" not in response.headers.get("Cache-Control", "")


def test_switch_remembers_the_choice(client):
    response = client.get("/en/switch?next=/en/notes/chief-of-staff")
    assert response.status_code in (302, 303)
    assert location(response) == "/en/notes/chief-of-staff"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=en;") and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "no-store" in response.headers["Cache-Control"]
    assert location(client.get("/", headers={"Accept-Language": "fr"})) == "/en/"
    client.get("/fr/switch")
    assert location(client.get("/", headers={"Accept-Language": "en"})) == "/fr/"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "/\r\nSet-Cookie:x=y",
        "/fr/\x00",
        "evil",
        "",
    ],
)
def test_switch_refuses_foreign_targets(client, target):
    response = client.get("/en/switch", query_string={"next": target})
    assert location(response) == "/en/"
    assert "Set-Cookie:x" not in str(response.headers)


def test_switch_to_unknown_language_is_404(client):
    assert client.get("/de/switch?next=/fr/").status_code == 404


def test_page_language_comes_from_the_url_not_the_cookie(client):
    client.set_cookie("lang", "fr")
    html = client.get("/en/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="en"' in html
    assert "Skip to content" in html
    client.set_cookie("lang", "en")
    html = client.get("/fr/").get_data(as_text=True)
    assert '<html lang="fr"' in html
    assert "Aller au contenu" in html


def test_error_page_of_unknown_language_follows_the_visitor(client):
    response = client.get("/de/", headers={"Accept-Language": "en-US"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert '<html lang="en"' in html and "Page not found" in html
    response = client.get("/de/notes/x", headers={"Accept-Language": "fr"})
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)
