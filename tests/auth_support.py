"""Logging a test client in without the login form (the form itself is tested in test_auth)."""
from __future__ import annotations

from app.extensions import db
from app.models import User
from app.services import accounts
from app.web import SESSION_KEY


def log_in_as(app, client, user: int | str) -> None:
    """Give ``client`` a session of ``user`` (an id or a username), as the login form would."""
    with app.app_context():
        account = db.session.get(User, user) if isinstance(user, int) else accounts.find_user(user)
        key, ident = accounts.open_session(account), account.id
    with client.session_transaction() as session:
        session["_user_id"] = str(ident)
        session["_fresh"] = True
        session[SESSION_KEY] = key
