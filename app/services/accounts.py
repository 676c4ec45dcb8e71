"""Accounts: creating users, passwords, API tokens, sessions and login throttling.

A session is a row of :class:`~app.models.UserSession` whose random key rides in the signed session
cookie: logging out deletes the row, so a copy of the cookie stops working too; logging out
everywhere, a new password and disabling the account delete every row of the user.

Throttling counts each attempt in the database *before* the password is checked (a reservation
that becomes the failure, or is dropped when the password is right), so parallel attempts, in any
number of workers and threads, see each other: the limit holds exactly.
"""
from __future__ import annotations

import functools
import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select, text
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import ROLES, ApiToken, LoginFailure, User, UserSession, utcnow

#: Shortest password accepted.
MIN_PASSWORD_LENGTH = 10
#: Failed logins allowed per account or address within :data:`THROTTLE_WINDOW` before a 429.
MAX_FAILURES = 5
THROTTLE_WINDOW = timedelta(minutes=15)


class AccountError(ValueError):
    """A request about an account that cannot be carried out, with a message for the user."""


class Throttled(Exception):
    """Too many failed logins for this account or from this address: try again after the window (429)."""

    retry_after = int(THROTTLE_WINDOW.total_seconds())


def check_password_strength(password: str) -> None:
    """Refuse passwords shorter than :data:`MIN_PASSWORD_LENGTH`."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def find_user(username: str) -> User | None:
    """The user called ``username``, or None (no account name holds control characters)."""
    if _CONTROL.search(username):
        return None
    return db.session.scalar(select(User).where(User.username == username))


def _throttle_key(kind: str, value: str) -> str:
    """The key failures are counted under; control characters (NUL breaks PostgreSQL) are replaced."""
    return f"{kind}:{_CONTROL.sub('?', value)}"[:200]


def create_user(username: str, role: str, password: str) -> User:
    """Create an active account with a hashed password."""
    username = username.strip()
    if not username or len(username) > 80 or _CONTROL.search(username):
        raise AccountError("a username needs 1 to 80 characters, none of them control characters")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if find_user(username):
        raise AccountError(f"user {username!r} already exists")
    check_password_strength(password)
    user = User(username=username, role=role, active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def require_user(username: str) -> User:
    """The user called ``username``, or :class:`AccountError`."""
    user = find_user(username)
    if user is None:
        raise AccountError(f"no user {username!r}")
    return user


def set_password(username: str, password: str) -> User:
    """Replace the password of ``username``."""
    user = require_user(username)
    check_password_strength(password)
    user.set_password(password)
    _delete_sessions(user)  # whoever had the old password is logged out
    db.session.commit()
    return user


def disable_user(username: str) -> User:
    """Disable ``username``: no login, no token use."""
    user = require_user(username)
    user.active = False
    _delete_sessions(user)
    db.session.commit()
    return user


def create_token(username: str) -> str:
    """Create an API token for ``username``; return it (only its hash is stored)."""
    user = require_user(username)
    token = "psl_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=ApiToken.hash(token)))
    db.session.commit()
    return token


def revoke_tokens(username: str) -> int:
    """Revoke every token of ``username``; return how many were active."""
    user = require_user(username)
    count = 0
    for token in user.tokens:
        if not token.revoked:
            token.revoked = True
            count += 1
    db.session.commit()
    return count


def user_for_token(token: str) -> User | None:
    """The active user owning the unrevoked ``token``, or None."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token), ApiToken.revoked.is_(False)))
    if row is None or not row.user.active:
        return None
    return row.user


def _failures(key: str, since) -> int:
    return db.session.scalar(select(func.count()).select_from(LoginFailure).where(LoginFailure.key == key, LoginFailure.at >= since))


def is_throttled(username: str, address: str) -> bool:
    """Tell whether logins for this account or from this address are paused after failures."""
    since = utcnow() - THROTTLE_WINDOW
    return any(_failures(key, since) >= MAX_FAILURES
               for key in (_throttle_key("user", username), _throttle_key("addr", address)))


def _reserve_attempt(keys: tuple[str, ...]) -> list[int] | None:
    """Count this attempt as a failure of every key, unless one is at the limit: the marks' ids, or None.

    The insert and the count are one transaction that no other reservation overlaps (SQLite holds its
    write lock from the first write to the commit; PostgreSQL locks the table against other writers
    for those few milliseconds, never during the password check), so the n-th attempt sees exactly
    n - 1 before it: the first :data:`MAX_FAILURES` go on, the others are refused and leave no trace.
    """
    now = utcnow()
    since = now - THROTTLE_WINDOW
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("LOCK TABLE login_failures IN EXCLUSIVE MODE"))
    # failures older than the window no longer count: drop them so the table cannot grow without end
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < since))
    marks = [LoginFailure(key=key, at=now) for key in keys]
    db.session.add_all(marks)
    db.session.flush()
    if any(_failures(key, since) > MAX_FAILURES for key in keys):
        db.session.rollback()
        return None
    ids = [mark.id for mark in marks]
    db.session.commit()
    return ids


def authenticate(username: str, password: str, address: str) -> User | None:
    """Check a login: the user, or None for any failure without saying why; :class:`Throttled` past the limit.

    The attempt is counted as a failure of the account and of the address before the password is
    checked (:func:`_reserve_attempt`), so at most :data:`MAX_FAILURES` passwords are checked per
    window, however many attempts run at once. A right password drops the account's failures and
    this attempt's mark on the address.
    """
    keys = (_throttle_key("user", username), _throttle_key("addr", address))
    marks = _reserve_attempt(keys)
    if marks is None:
        raise Throttled(f"too many failed logins for {username!r} or from {address}")
    user = find_user(username)
    # the hash is checked before the active flag: a disabled account costs the same time as any other
    if user is not None and user.check_password(password) and user.active:
        db.session.execute(delete(LoginFailure).where((LoginFailure.key == keys[0]) | (LoginFailure.id == marks[1])))
        db.session.commit()
        return user
    if user is None:
        _dummy_check(password)
    return None  # the marks stay: they are the failure


def session_lifetime():
    """How long a login lasts at most: Flask's ``PERMANENT_SESSION_LIFETIME`` (31 days unless configured)."""
    return current_app.permanent_session_lifetime


def open_session(user: User) -> str:
    """Start a session for ``user``; return the random key for the session cookie (only its hash is stored)."""
    db.session.execute(delete(UserSession).where(UserSession.created_at < utcnow() - session_lifetime()))
    key = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, key_hash=ApiToken.hash(key)))
    db.session.commit()
    return key


def session_user(user_id: str, key: object) -> User | None:
    """The active user ``user_id`` if ``key`` is one of their sessions and not expired, else None."""
    if not isinstance(key, str) or not key or not user_id.isdigit():
        return None
    query = (select(User).join(UserSession, UserSession.user_id == User.id)
             .where(User.id == int(user_id), User.active.is_(True), UserSession.key_hash == ApiToken.hash(key),
                    UserSession.created_at >= utcnow() - session_lifetime()))
    return db.session.scalar(query)


def close_session(key: object) -> None:
    """End the session whose cookie carries ``key`` (logging out): its copies stop working too."""
    if isinstance(key, str) and key:
        db.session.execute(delete(UserSession).where(UserSession.key_hash == ApiToken.hash(key)))
        db.session.commit()


def _delete_sessions(user: User) -> int:
    return db.session.execute(delete(UserSession).where(UserSession.user_id == user.id)).rowcount


def end_sessions(username: str) -> int:
    """Log ``username`` out everywhere: end every session of the account; return how many there were."""
    user = require_user(username)
    count = _delete_sessions(user)
    db.session.commit()
    return count


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(8), method="scrypt")


def _dummy_check(password: str) -> None:
    """Spend the time of a real check so timing does not tell whether a username exists."""
    check_password_hash(_dummy_hash(), password)


def ensure_demo_accounts() -> dict[str, str]:
    """Create the ``translator`` and ``editor`` demo accounts if missing; return the new passwords."""
    created = {}
    for name in ("translator", "editor"):
        if find_user(name) is None:
            password = secrets.token_urlsafe(12)
            create_user(name, name, password)
            created[name] = password
    return created
