"""``passerelle users``: create, list, set-password, disable, token, revoke-tokens."""
from __future__ import annotations

from app.extensions import db
from app.models import ApiToken, User

PASSWORD = "a-long-password-1"


def create(runner, name: str = "alice", role: str = "translator", password: str = PASSWORD):
    """Run ``users create`` with the password on standard input."""
    return runner.invoke(args=["users", "create", name, "--role", role, "--password-stdin"], input=password + "\n")


def api_status(client, token: str) -> int:
    """The status of an API call with ``token``."""
    return client.get("/api/v1/notes", headers={"Authorization": f"Bearer {token}"}).status_code


def test_create_hashes_the_password_and_lists(app, runner):
    result = create(runner)
    assert result.exit_code == 0, result.output
    assert "created translator alice" in result.output
    with app.app_context():
        user = db.session.query(User).filter_by(username="alice").one()
        assert user.password_hash.startswith("scrypt:") and PASSWORD not in user.password_hash
        assert user.check_password(PASSWORD) and user.role == "translator" and user.active
    listed = runner.invoke(args=["users", "list"])
    assert listed.exit_code == 0 and "alice\ttranslator\tactive" in listed.output


def test_create_prompts_for_the_password_twice(app, runner):
    result = runner.invoke(args=["users", "create", "bob", "--role", "editor"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.query(User).filter_by(username="bob").one().role == "editor"


def test_create_refuses_bad_input(runner):
    assert create(runner).exit_code == 0
    duplicate = create(runner)
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output
    short = create(runner, "carol", password="short")
    assert short.exit_code != 0 and "at least" in short.output
    role = runner.invoke(args=["users", "create", "dave", "--role", "admin", "--password-stdin"], input=PASSWORD + "\n")
    assert role.exit_code != 0


def test_set_password(app, runner):
    create(runner)
    result = runner.invoke(args=["users", "set-password", "alice", "--password-stdin"], input="another-long-password\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.query(User).filter_by(username="alice").one()
        assert user.check_password("another-long-password") and not user.check_password(PASSWORD)
    missing = runner.invoke(args=["users", "set-password", "nobody", "--password-stdin"], input=PASSWORD + "\n")
    assert missing.exit_code != 0 and "no user" in missing.output


def test_token_is_printed_last_stored_hashed_and_revocable(app, runner, client):
    create(runner)
    result = runner.invoke(args=["users", "token", "alice"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("psl_")
    with app.app_context():
        stored = db.session.query(ApiToken).one()
        assert stored.token_hash == ApiToken.hash(token) and token not in stored.token_hash
    assert api_status(client, token) == 200
    revoked = runner.invoke(args=["users", "revoke-tokens", "alice"])
    assert revoked.exit_code == 0 and "revoked 1 token" in revoked.output
    assert api_status(client, token) == 401


def test_disable_blocks_tokens_and_shows_in_list(runner, client):
    create(runner)
    token = runner.invoke(args=["users", "token", "alice"]).output.strip().splitlines()[-1]
    result = runner.invoke(args=["users", "disable", "alice"])
    assert result.exit_code == 0 and "disabled alice" in result.output
    assert api_status(client, token) == 401
    assert "alice\ttranslator\tdisabled" in runner.invoke(args=["users", "list"]).output


def test_commands_on_unknown_users_fail_clearly(runner):
    for args in (["users", "disable", "nobody"], ["users", "token", "nobody"], ["users", "revoke-tokens", "nobody"]):
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and "no user 'nobody'" in result.output
