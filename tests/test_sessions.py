"""Sessions end for real, and login throttling holds exactly under parallel attempts.

- Logging out ends the session on the server: a copy of the cookie (stolen, or left in another
  tab's jar) stops working. A new password, disabling the account and "log out everywhere" (the
  button, and ``passerelle users logout-everywhere``) end every session of the account.
- Failed logins are counted in the database before the password is checked, so 16 parallel wrong
  passwords get exactly 5 checks and 11 × 429, in threads of one process and across gunicorn
  workers, on SQLite and (with ``PASSERELLE_TEST_DATABASE_URL``) PostgreSQL.
"""
from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import UserSession, utcnow
from app.services import accounts
from tests.live_site import PASSWORD as SITE_PASSWORD
from tests.live_site import Browser, Server, make_site
from tests.test_api import PASSWORD, make_accounts

PARALLEL = 16


@pytest.fixture
def users(app):
    make_accounts(app)
    return app


def logged_in(app, name: str = "translator", address: str = "192.0.2.10"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    response = client.post("/login", data={"username": name, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def copy_of(app, client):
    """Another browser holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def can_work(client) -> bool:
    status = client.get("/translate/").status_code
    assert status in (200, 302)
    return status == 200


def test_logging_out_ends_the_session_even_for_a_copied_cookie(users):
    app = users
    client = logged_in(app)
    thief = copy_of(app, client)
    assert can_work(thief)
    assert client.post("/logout").status_code == 302
    assert not can_work(client) and not can_work(thief)
    assert thief.get("/translate/").headers["Location"].startswith("/login")


def test_logging_out_ends_only_that_session(users):
    app = users
    laptop, phone = logged_in(app), logged_in(app)
    laptop.post("/logout")
    assert not can_work(laptop) and can_work(phone)


def test_log_out_everywhere_ends_every_session_of_the_account_only(users):
    app = users
    laptop, phone, editor = logged_in(app), logged_in(app), logged_in(app, "editor")
    stolen = copy_of(app, phone)
    page = laptop.get("/translate/").get_data(as_text=True)
    assert 'action="/logout/everywhere"' in page
    assert laptop.post("/logout/everywhere").status_code == 302
    assert not any(can_work(c) for c in (laptop, phone, stolen))
    assert can_work(editor)


def test_log_out_everywhere_from_the_command_line(users, runner):
    app = users
    laptop, phone = logged_in(app), logged_in(app)
    result = runner.invoke(args=["users", "logout-everywhere", "translator"])
    assert result.exit_code == 0 and "ended 2 session(s) of translator" in result.output
    assert not can_work(laptop) and not can_work(phone)
    assert runner.invoke(args=["users", "logout-everywhere", "nobody"]).exit_code != 0


def test_a_new_password_ends_every_session(users, runner):
    app = users
    laptop, stolen = logged_in(app), copy_of(app, logged_in(app))
    result = runner.invoke(args=["users", "set-password", "translator", "--password-stdin"], input="another-long-password\n")
    assert result.exit_code == 0, result.output
    assert not can_work(laptop) and not can_work(stolen)
    client = app.test_client()
    assert client.post("/login", data={"username": "translator", "password": "another-long-password"}).status_code == 302


def test_disabling_an_account_ends_every_session(users, runner):
    app = users
    laptop = logged_in(app)
    assert runner.invoke(args=["users", "disable", "translator"]).exit_code == 0
    assert not can_work(laptop)
    with app.app_context():
        user = accounts.find_user("translator")
        assert db.session.scalar(select(db.func.count()).select_from(UserSession).where(UserSession.user_id == user.id)) == 0
        user.active = True  # enabled again (by hand): the old sessions stay ended
        db.session.commit()
    assert not can_work(laptop)


def test_the_database_holds_only_hashes_of_session_keys(users):
    app = users
    client = logged_in(app)
    with client.session_transaction() as session:
        from app.web import SESSION_KEY

        key = session[SESSION_KEY]
    with app.app_context():
        hashes = db.session.scalars(select(UserSession.key_hash)).all()
    assert len(key) >= 40 and key not in hashes and hashes == [accounts.ApiToken.hash(key)]


def test_a_session_older_than_its_lifetime_is_over(users):
    app = users
    client = logged_in(app)
    with app.app_context():
        too_old = utcnow() - app.permanent_session_lifetime - timedelta(minutes=1)
        db.session.execute(update(UserSession).values(created_at=too_old))
        db.session.commit()
    assert not can_work(client)
    logged_in(app)  # the next login purges what expired
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(UserSession)) == 1


def test_a_cookie_with_a_user_id_and_no_session_key_is_anonymous(users):
    app = users
    client = app.test_client()
    with app.app_context():
        ident = accounts.find_user("editor").id
    with client.session_transaction() as session:
        session["_user_id"] = str(ident)  # what a forged or pre-upgrade cookie holds
        session["_fresh"] = True
    assert not can_work(client)


# --- throttling under parallel attempts ------------------------------------------------------------

def parallel_attempts(attempt, count: int = PARALLEL) -> Counter:
    """Run ``attempt()`` ``count`` times at once (a barrier releases them together); count the statuses."""
    barrier = threading.Barrier(count)

    def one(_):
        barrier.wait(timeout=30)
        return attempt()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return Counter(pool.map(one, range(count)))


def test_parallel_wrong_passwords_get_exactly_the_limit_of_checks(users, monkeypatch):
    app = users
    checks = []
    real = accounts.User.check_password

    def counting(self, password):
        checks.append(password)
        return real(self, password)

    monkeypatch.setattr(accounts.User, "check_password", counting)

    def attempt() -> int:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "198.51.100.20"
        return client.post("/login", data={"username": "translator", "password": "wrong-password"}).status_code

    statuses = parallel_attempts(attempt)
    assert statuses == Counter({200: accounts.MAX_FAILURES, 429: PARALLEL - accounts.MAX_FAILURES})
    assert len(checks) == accounts.MAX_FAILURES
    client = app.test_client()
    assert client.post("/login", data={"username": "translator", "password": PASSWORD}).status_code == 429


def test_a_right_password_after_failures_resets_the_account_count(users):
    app = users

    def attempt(password: str, address: str) -> int:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        return client.post("/login", data={"username": "translator", "password": password}).status_code

    assert [attempt("wrong", "192.0.2.1") for _ in range(accounts.MAX_FAILURES - 1)] == [200] * (accounts.MAX_FAILURES - 1)
    assert attempt(PASSWORD, "192.0.2.2") == 302  # the account's failures are forgotten
    assert [attempt("wrong", f"192.0.2.{10 + n}") for n in range(accounts.MAX_FAILURES)] == [200] * accounts.MAX_FAILURES
    assert attempt(PASSWORD, "192.0.2.30") == 429


@pytest.mark.slow
def test_on_gunicorn_the_limit_holds_and_a_copied_cookie_stops_working(tmp_path):
    """4 workers × 4 threads: 16 parallel wrong passwords get exactly 5 checks; a logout ends the cookie's copies."""
    site = make_site(tmp_path, {"alice": "translator", "bob": "translator"})
    server = Server(site)
    try:
        server.start()
        owner = Browser(server.base)
        assert owner.log_in("bob", SITE_PASSWORD) == 302
        thief = Browser(server.base)
        thief.opener.addheaders = [("Cookie", f"session={owner.cookie()}")]
        assert all(thief.get("/translate/")[0] == 200 for _ in range(8))  # whichever worker answers
        assert owner.post("/logout")[0] == 302
        assert all(thief.get("/translate/")[0] == 302 for _ in range(8))

        browsers = [Browser(server.base) for _ in range(PARALLEL)]
        for browser in browsers:
            browser.get("/login")  # each with its own CSRF token
        statuses = parallel_attempts(lambda: browsers.pop().post("/login", {"username": "alice", "password": "wrong-password"})[0])
        assert statuses == Counter({200: accounts.MAX_FAILURES, 429: PARALLEL - accounts.MAX_FAILURES}), server.log_text()
        assert Browser(server.base).log_in("alice", SITE_PASSWORD) == 429  # even the right password, until the window passes
    finally:
        server.stop()


def test_the_session_lifetime_is_a_setting():
    from app.config import load_config

    assert load_config("/tmp", {"PASSERELLE_SESSION_DAYS": "2"})["PERMANENT_SESSION_LIFETIME"] == timedelta(days=2)
    assert load_config("/tmp", {})["PERMANENT_SESSION_LIFETIME"] == timedelta(days=31)
