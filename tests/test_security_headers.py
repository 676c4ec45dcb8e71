"""Browser-facing defences and accounts: CSRF on every form, security headers, cookies, login
throttling without user enumeration, password length, hashed and revocable API tokens.

The app here runs with ``WTF_CSRF_ENABLED=True`` as in production (the shared fixture turns it
off for convenience).
"""
from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select, text

from app import create_app
from app.extensions import db
from app.models import ApiToken, LoginFailure, utcnow
from app.services import accounts
from tests import review_support
from tests.test_api import PASSWORD, SEED, bearer, fresh_garden, make_accounts

LANG = "en"


@pytest.fixture
def app_config(app_config):
    """CSRF protection on, as in production."""
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


@pytest.fixture
def tokens(app):
    fresh_garden(app)
    return make_accounts(app)


def client_of(app, address: str = "192.0.2.1", language: str = "en"):
    client = app.test_client()
    client.environ_base.update(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE=language)
    return client


def csrf_token(client, url: str = "/login") -> str:
    html = client.get(url).get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert found, f"no csrf_token on {url}"
    return found.group(1)


def login(client, username: str, password: str = PASSWORD):
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_token(client)})


def logged_in(app, username: str):
    client = client_of(app)
    assert login(client, username).status_code == 302
    return client


# --- CSRF: every form ------------------------------------------------------------------------------

def form_routes(app) -> list[tuple[str, str]]:
    """Every non-API route that accepts a POST (a form): (endpoint, rule)."""
    return sorted((rule.endpoint, rule.rule) for rule in app.url_map.iter_rules()
                  if rule.methods & {"POST", "PUT", "PATCH", "DELETE"} and not rule.rule.startswith("/api/"))


FORMS = {
    "auth.login": "/login",
    "auth.logout": "/logout",
    "auth.logout_everywhere": "/logout/everywhere",
    "translate.save": "/translate/en/chief-of-staff/entries/{entry}",
    "translate.submit": "/translate/en/chief-of-staff/submit",
    "review.approve": "/review/en/chief-of-staff/approve",
    "review.request_changes": "/review/en/chief-of-staff/request-changes",
    "review.unpublish": "/review/en/chief-of-staff/unpublish",
    "minor.confirm": "/translate/en/chief-of-staff/entries/{entry}/confirm",
    "minor.confirm_many": "/review/minor-changes/confirm",
    "offline.upload": "/translate/en/chief-of-staff/upload",
    "glossary.save": "/glossary/en/terms",
    "glossary.delete": "/glossary/en/terms/1/delete",
    "glossary.import_csv": "/glossary/en/import",
    "comments.add": "/translate/en/chief-of-staff/entries/{entry}/comments",
    "comments.resolve": "/translate/en/chief-of-staff/comments/1/resolve",
}


def test_every_form_route_is_in_the_csrf_list(app):
    assert {endpoint for endpoint, _rule in form_routes(app)} == set(FORMS), "a new form: add it to FORMS"


def first_entry(client, token: str) -> dict:
    return client.get(f"/api/v1/notes/{SEED}/{LANG}/entries", headers=bearer(token)).json["entries"][1]


@pytest.mark.parametrize("endpoint", sorted(FORMS))
@pytest.mark.parametrize("token", ["missing", "wrong"])
def test_a_form_posted_without_its_csrf_token_is_400_and_changes_nothing(app, tokens, endpoint, token):
    review_support.fill(app, SEED)
    review_support.submit(app, SEED)
    client = logged_in(app, "editor")
    entry = first_entry(client, tokens["editor"])
    url = FORMS[endpoint].format(entry=entry["id"])
    data = {"username": "editor", "password": PASSWORD, "msgstr": "Changed", "base_version": entry["version"],
            "comment": "Please change it."}
    if token == "wrong":
        data["csrf_token"] = "IjAxMjM0NTY3ODkwMTIzNDU2Nzg5In0.bad.signature"
    catalog = app.extensions["garden"].catalog_path(LANG, SEED)
    before = catalog.read_bytes()
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert catalog.read_bytes() == before
    assert first_entry(client, tokens["editor"])["version"] == entry["version"]
    assert client.get("/review/").status_code == 200, "still logged in: the logout did not happen"
    with app.app_context():
        assert review_support.user("editor") is not None
        from app.services.reviewing.workflow import stored_state

        assert stored_state(review_support.source_of(app), LANG).value == "submitted"


def test_the_same_forms_with_their_token_are_accepted(app, tokens):
    review_support.fill(app, SEED)
    client = logged_in(app, "editor")
    entry = first_entry(client, tokens["editor"])
    page = f"/translate/{LANG}/{SEED}"
    saved = client.post(FORMS["translate.save"].format(entry=entry["id"]),
                        data={"msgstr": review_support.fake_english(entry["msgid"]), "base_version": entry["version"],
                              "csrf_token": csrf_token(client, page)})
    assert saved.status_code == 303
    submitted = client.post(FORMS["translate.submit"], data={"csrf_token": csrf_token(client, page)})
    assert submitted.status_code == 303
    review = f"/review/{LANG}/{SEED}"
    sent_back = client.post(FORMS["review.request_changes"], data={"comment": "More.", "csrf_token": csrf_token(client, review)})
    assert sent_back.status_code == 303
    assert client.post(FORMS["translate.submit"], data={"csrf_token": csrf_token(client, page)}).status_code == 303
    approved = client.post(FORMS["review.approve"], data={"csrf_token": csrf_token(client, review)})
    assert approved.status_code == 303
    unpublished = client.post(FORMS["review.unpublish"], data={"csrf_token": csrf_token(client, review),
                                                                  "reason": "Withdrawn for a check", "confirm": "yes"})
    assert unpublished.status_code == 303
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/translate/")}).status_code == 302
    assert client.get("/translate/").status_code == 302


@pytest.mark.parametrize(("method", "path"), [("put", "entries/{entry}"), ("post", "submit"), ("post", "approve"),
                                              ("post", "request-changes"), ("post", "unpublish")])
def test_api_writes_with_a_session_need_the_csrf_header(app, tokens, method, path):
    client = logged_in(app, "editor")
    entry = first_entry(client, tokens["editor"])
    url = f"/api/v1/notes/{SEED}/{LANG}/" + path.format(entry=entry["id"])
    body = {"msgstr": "x", "base_version": entry["version"], "comment": "x"}
    before = app.extensions["garden"].catalog_path(LANG, SEED).read_bytes()
    for headers in ({}, {"X-CSRFToken": "forged"}):
        response = getattr(client, method)(url, json=body, headers=headers)
        assert response.status_code == 400 and "X-CSRFToken" in response.json["error"]
    assert app.extensions["garden"].catalog_path(LANG, SEED).read_bytes() == before
    good = csrf_token(client, "/translate/")
    assert getattr(client, method)(url, json=body, headers={"X-CSRFToken": good}).status_code != 400


def test_csrf_refusal_page_is_in_the_interface_language(app, tokens):
    for language, title in (("en", "Bad request"), ("fr", "Requête incorrecte")):
        response = client_of(app, language=language).post("/login", data={"username": "editor", "password": PASSWORD})
        assert response.status_code == 400 and title in response.get_data(as_text=True)


# --- headers ---------------------------------------------------------------------------------------

def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no CSP on {response.request.path}"
    found = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            found[words[0].lower()] = [word.lower() for word in words[1:]]
    return found


def sample_responses(app, tokens):
    anonymous, editor = client_of(app), logged_in(app, "editor")
    yield anonymous.get("/fr/")
    yield anonymous.get(f"/fr/notes/{SEED}")
    yield anonymous.get(f"/en/notes/{SEED}")
    yield anonymous.get("/login")
    yield anonymous.get("/no-such-page")
    yield anonymous.get("/fr/feed.xml")
    yield anonymous.get("/static/style.css")
    yield anonymous.get("/api/v1/notes")
    yield anonymous.get("/api/v1/notes", headers=bearer(tokens["translator"]))
    yield editor.get("/translate/")
    yield editor.get(f"/translate/{LANG}/{SEED}")
    yield editor.get("/review/")
    yield editor.get(f"/review/{LANG}/{SEED}")
    yield client_of(app).post("/login", data={})  # 400


def test_every_response_carries_the_security_headers(app, tokens):
    for response in sample_responses(app, tokens):
        where = f"{response.request.method} {response.request.path} ({response.status_code})"
        csp = csp_directives(response)
        script = csp.get("script-src", csp.get("default-src"))
        assert script is not None, where
        for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
            assert unsafe not in script, f"{where}: script-src allows {unsafe}"
        assert csp.get("object-src") == ["'none'"], where
        assert csp.get("frame-ancestors") == ["'none'"], where
        assert "base-uri" in csp and "form-action" in csp, where
        assert response.headers.get("X-Content-Type-Options") == "nosniff", where
        assert response.headers.get("X-Frame-Options") == "DENY", where
        assert response.headers.get("Referrer-Policy") in ("no-referrer", "same-origin", "strict-origin",
                                                           "strict-origin-when-cross-origin"), where


def test_html_pages_have_no_inline_script(app, tokens):
    for response in sample_responses(app, tokens):
        if response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", html, flags=re.I):
            assert "src=" in tag, f"inline script on {response.request.path}: {tag}"
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html, flags=re.I), f"event handler attribute on {response.request.path}"
        assert "javascript:" not in html.lower()


def test_private_pages_are_not_cached(app, tokens):
    editor = logged_in(app, "editor")
    for url in ("/translate/", f"/translate/{LANG}/{SEED}", "/review/", f"/review/{LANG}/{SEED}"):
        assert "no-store" in editor.get(url).headers.get("Cache-Control", ""), url
    assert "no-store" in client_of(app).get("/api/v1/notes", headers=bearer(tokens["editor"])).headers["Cache-Control"]


# --- cookies ---------------------------------------------------------------------------------------

def set_cookies(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def test_session_cookie_is_httponly_and_samesite_lax_not_secure_by_default(app, tokens):
    client = client_of(app)
    client.get("/login")
    response = client.post("/login", data={"username": "editor", "password": PASSWORD, "csrf_token": csrf_token(client)})
    cookie = set_cookies(response)["session"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    lang = set_cookies(client.get("/en/switch"))["lang"]
    assert "HttpOnly" in lang and "SameSite=Lax" in lang


@pytest.mark.parametrize("how", ["PASSERELLE_HTTPS", "SESSION_COOKIE_SECURE"])
def test_cookies_are_secure_when_https_is_configured(app_config, monkeypatch, how):
    config = dict(app_config)
    if how == "PASSERELLE_HTTPS":
        monkeypatch.setenv("PASSERELLE_HTTPS", "1")
    else:
        config["SESSION_COOKIE_SECURE"] = True
    secure = create_app(config)
    client = secure.test_client()
    session = set_cookies(client.get("/login", base_url="https://localhost"))["session"]
    assert "Secure" in session and "HttpOnly" in session and "SameSite=Lax" in session
    lang = set_cookies(client.get("/en/switch", base_url="https://localhost"))["lang"]
    assert "Secure" in lang


# --- login throttling and user enumeration ---------------------------------------------------------

def test_throttled_per_account_whatever_the_address(app, tokens):
    for number in range(accounts.MAX_FAILURES):
        assert login(client_of(app, f"198.51.100.{number}"), "translator", "wrong-password").status_code == 200
    throttled = login(client_of(app, "203.0.113.9"), "translator")  # the right password, from a new address
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0
    assert "Too many" in throttled.get_data(as_text=True)
    assert login(client_of(app, "203.0.113.9"), "editor").status_code == 302  # other accounts are not locked


def test_throttled_per_address_whatever_the_account(app, tokens):
    attacker = "198.51.100.77"
    for number in range(accounts.MAX_FAILURES):
        assert login(client_of(app, attacker), f"guess-{number}", "wrong-password").status_code == 200
    throttled = login(client_of(app, attacker), "editor")
    assert throttled.status_code == 429 and throttled.headers.get("Retry-After")
    assert login(client_of(app, "198.51.100.78"), "editor").status_code == 302  # other addresses are not locked


def test_throttle_page_is_in_the_interface_language(app, tokens):
    for number in range(accounts.MAX_FAILURES):
        login(client_of(app), "translator", f"wrong-{number}")
    response = login(client_of(app, language="fr"), "translator")
    assert response.status_code == 429
    assert "Too many" not in response.get_data(as_text=True)


def test_failures_older_than_the_window_do_not_count(app, tokens):
    with app.app_context():
        old = utcnow() - accounts.THROTTLE_WINDOW - timedelta(minutes=1)
        db.session.add_all([LoginFailure(key="user:translator", at=old) for _ in range(accounts.MAX_FAILURES * 2)])
        db.session.commit()
    assert login(client_of(app), "translator").status_code == 302


def normalised(response) -> str:
    """The page without what legitimately differs: the CSRF token and the username typed."""
    html = response.get_data(as_text=True)
    html = re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1", html)
    return re.sub(r'(name="username"[^>]*value=")[^"]*', r"\1", html)


def test_unknown_user_and_wrong_password_look_the_same(app, tokens):
    with app.app_context():
        accounts.create_user("disabled-user", "translator", PASSWORD)
        accounts.disable_user("disabled-user")
    answers = [login(client_of(app, f"192.0.2.{n}"), name, "wrong-password")
               for n, name in enumerate(("translator", "nobody-at-all", "disabled-user"))]
    answers.append(login(client_of(app, "192.0.2.50"), "disabled-user", PASSWORD))
    assert {a.status_code for a in answers} == {200}
    assert len({normalised(a) for a in answers}) == 1
    assert len({tuple(sorted(k for k in a.headers.keys() if k != "Set-Cookie")) for a in answers}) == 1


def test_every_failed_login_costs_a_password_hash(app, tokens, monkeypatch):
    """Timing does not tell whether the account exists or is disabled: each failure checks a hash."""
    with app.app_context():
        accounts.create_user("disabled-user", "translator", PASSWORD)
        accounts.disable_user("disabled-user")
    calls = []
    real = accounts.check_password_hash

    def counting(hashed, password):
        calls.append(hashed)
        return real(hashed, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting)
    monkeypatch.setattr("app.models.accounts.check_password_hash", counting)
    with app.app_context():
        for name in ("translator", "nobody-at-all", "disabled-user"):
            calls.clear()
            assert accounts.authenticate(name, "wrong-password", "192.0.2.1") is None
            assert len(calls) == 1, name


def test_old_login_failures_are_purged(app, tokens):
    with app.app_context():
        old = utcnow() - accounts.THROTTLE_WINDOW * 2
        db.session.add_all([LoginFailure(key=f"addr:10.0.0.{n}", at=old) for n in range(50)])
        db.session.commit()
        accounts.authenticate("nobody", "wrong-password", "192.0.2.1")
        assert db.session.scalar(select(db.func.count()).select_from(LoginFailure).where(LoginFailure.at < utcnow()
                                                                                         - accounts.THROTTLE_WINDOW)) == 0


# --- passwords and tokens --------------------------------------------------------------------------

def create(runner, name: str, password: str):
    return runner.invoke(args=["users", "create", name, "--role", "translator", "--password-stdin"], input=password + "\n")


def test_cli_refuses_passwords_shorter_than_the_minimum(app, runner):
    short = "x" * (accounts.MIN_PASSWORD_LENGTH - 1)
    result = create(runner, "alice", short)
    assert result.exit_code != 0 and f"at least {accounts.MIN_PASSWORD_LENGTH}" in result.output
    with app.app_context():
        assert accounts.find_user("alice") is None
    assert create(runner, "alice", "x" * accounts.MIN_PASSWORD_LENGTH).exit_code == 0
    refused = runner.invoke(args=["users", "set-password", "alice", "--password-stdin"], input=short + "\n")
    assert refused.exit_code != 0 and f"at least {accounts.MIN_PASSWORD_LENGTH}" in refused.output
    assert accounts.MIN_PASSWORD_LENGTH >= 10


def test_api_tokens_are_stored_hashed_and_revocable(app, runner, tokens):
    assert create(runner, "alice", "a-long-password").exit_code == 0
    result = runner.invoke(args=["users", "token", "alice"])
    token = result.output.strip().splitlines()[-1]
    assert len(token) >= 32
    client = client_of(app)
    assert client.get("/api/v1/notes", headers=bearer(token)).status_code == 200
    with app.app_context():
        rows = db.session.scalars(select(ApiToken)).all()
        assert hashlib.sha256(token.encode()).hexdigest() in {row.token_hash for row in rows}
        tables = inspect(db.engine).get_table_names()
        for table in tables:  # the token appears nowhere in the database, in any table
            for row in db.session.execute(text(f'SELECT * FROM "{table}"')):
                assert all(token not in str(value) for value in row), table
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    if database.startswith("sqlite:///"):
        assert token.encode() not in open(database.removeprefix("sqlite:///"), "rb").read()
    revoked = runner.invoke(args=["users", "revoke-tokens", "alice"])
    assert revoked.exit_code == 0 and "revoked 1" in revoked.output
    response = client.get("/api/v1/notes", headers=bearer(token))
    assert response.status_code == 401 and response.is_json and response.json["error"]
    fresh = runner.invoke(args=["users", "token", "alice"]).output.strip().splitlines()[-1]
    assert client.get("/api/v1/notes", headers=bearer(fresh)).status_code == 200
    assert runner.invoke(args=["users", "disable", "alice"]).exit_code == 0
    assert client.get("/api/v1/notes", headers=bearer(fresh)).status_code == 401


def login_via(app, forwarded_for: str, username: str, password: str = PASSWORD):
    """A login attempt from the proxy's address carrying ``X-Forwarded-For``."""
    client = client_of(app, "127.0.0.1")
    client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return login(client, username, password)


def test_forged_forwarded_for_does_not_dodge_the_address_throttle(app, tokens):
    for number in range(accounts.MAX_FAILURES):  # no proxy configured: X-Forwarded-For is ignored
        assert login_via(app, f"10.0.0.{number}", f"guess-{number}", "wrong-password").status_code == 200
    assert login_via(app, "10.0.0.99", "editor").status_code == 429


@pytest.mark.parametrize("how", ["config", "environment"])
def test_behind_a_proxy_each_client_is_throttled_on_its_own(app, app_config, monkeypatch, how):
    config = dict(app_config)  # the same folders and database as ``app``, which created the tables
    if how == "config":
        config["PROXY_HOPS"] = 1
    else:
        monkeypatch.setenv("PASSERELLE_PROXY_HOPS", "1")
    proxied = create_app(config)
    make_accounts(proxied)
    for number in range(accounts.MAX_FAILURES):
        assert login_via(proxied, "203.0.113.5", f"guess-{number}", "wrong-password").status_code == 200
    assert login_via(proxied, "203.0.113.5", "editor").status_code == 429
    assert login_via(proxied, "203.0.113.6", "editor").status_code == 302  # another client behind the same proxy
