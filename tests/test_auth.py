"""Login and logout: CSRF, no user enumeration, throttling, safe redirects, disabled accounts."""
from __future__ import annotations

import re

import pytest

from app.services import accounts
from tests.test_api import PASSWORD, make_accounts


@pytest.fixture
def app_config(app_config):
    """CSRF protection on, as in production."""
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def client(app):
    """A test client whose interface language is English."""
    english = app.test_client()
    english.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return english


@pytest.fixture
def users(app):
    """The translator and editor accounts."""
    return make_accounts(app)


def csrf_from(client, url: str = "/login") -> str:
    """The CSRF token of the form on ``url``."""
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def login(client, username: str, password: str, next_url: str | None = None):
    """Post the login form with a valid CSRF token."""
    data = {"username": username, "password": password, "csrf_token": csrf_from(client)}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data)


def test_login_page_has_the_form_fields(client):
    response = client.get("/login")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for name in ("csrf_token", "username", "password"):
        assert f'name="{name}"' in html
    assert 'autocomplete="current-password"' in html
    assert "style=" not in html and "<script>" not in html


def test_login_without_csrf_token_is_400(client, users):
    response = client.post("/login", data={"username": "translator", "password": PASSWORD})
    assert response.status_code == 400


def test_login_then_dashboard_then_logout(client, users):
    response = login(client, "translator", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"].endswith("/translate/")
    dashboard = client.get("/translate/")
    assert dashboard.status_code == 200 and "translator" in dashboard.get_data(as_text=True)
    token = csrf_from(client, "/translate/")
    assert client.post("/logout").status_code == 400
    client.get("/logout")  # a GET never logs out
    assert client.get("/translate/").status_code == 200
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/translate/").status_code == 302


@pytest.mark.parametrize(("target", "expected"), [
    ("/translate/en/chief-of-staff", "/translate/en/chief-of-staff"),
    ("/translate/?show=ready", "/translate/?show=ready"),
    ("https://evil.example/", "/translate/"),
    ("//evil.example/", "/translate/"),
    ("/\\evil.example/", "/translate/"),
    ("javascript:alert(1)", "/translate/"),
])
def test_next_redirects_only_to_local_paths(client, users, target, expected):
    response = login(client, "translator", PASSWORD, next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_next_from_the_query_string_is_kept_in_the_form(client):
    html = client.get("/login?next=/translate/en/chief-of-staff").get_data(as_text=True)
    assert 'value="/translate/en/chief-of-staff"' in html


def test_wrong_password_and_unknown_user_look_the_same(client, users):
    wrong = login(client, "translator", "not-the-password")
    unknown = login(client, "nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 200
    message = "Wrong username or password."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_disabled_accounts_cannot_log_in(app, client, users):
    with app.app_context():
        accounts.disable_user("translator")
    response = login(client, "translator", PASSWORD)
    assert response.status_code == 200 and "Wrong username or password." in response.get_data(as_text=True)


def test_login_is_throttled_after_repeated_failures(client, users):
    for _ in range(accounts.MAX_FAILURES):
        assert login(client, "translator", "wrong-password").status_code == 200
    throttled = login(client, "translator", PASSWORD)
    assert throttled.status_code == 429
    assert throttled.headers.get("Retry-After")
    assert "Too many failed attempts" in throttled.get_data(as_text=True)
    assert client.get("/translate/").status_code == 302


def test_throttling_also_counts_per_address(client, users):
    for number in range(accounts.MAX_FAILURES):
        login(client, f"guess-{number}", "wrong-password")
    assert login(client, "editor", PASSWORD).status_code == 429


def test_empty_fields_are_a_clear_400(client, users):
    response = client.post("/login", data={"username": "", "password": "", "csrf_token": csrf_from(client)})
    assert response.status_code == 400
    assert "Enter your username." in response.get_data(as_text=True)


def test_a_logged_in_visit_to_login_goes_on(client, users):
    login(client, "translator", PASSWORD)
    response = client.get("/login?next=/translate/?show=outdated")
    assert response.status_code == 302 and response.headers["Location"] == "/translate/?show=outdated"
