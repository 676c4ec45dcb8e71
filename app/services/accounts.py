"""Accounts: creating users, passwords, API tokens and login throttling."""
from __future__ import annotations

import functools
import re
import secrets
from datetime import timedelta

from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import ROLES, ApiToken, LoginFailure, User, utcnow

#: Shortest password accepted.
MIN_PASSWORD_LENGTH = 10
#: Failed logins allowed per account or address within :data:`THROTTLE_WINDOW` before a 429.
MAX_FAILURES = 5
THROTTLE_WINDOW = timedelta(minutes=15)


class AccountError(ValueError):
    """A request about an account that cannot be carried out, with a message for the user."""


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
    db.session.commit()
    return user


def disable_user(username: str) -> User:
    """Disable ``username``: no login, no token use."""
    user = require_user(username)
    user.active = False
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


def is_throttled(username: str, address: str) -> bool:
    """Tell whether logins for this account or from this address are paused after failures."""
    since = utcnow() - THROTTLE_WINDOW
    for key in (_throttle_key("user", username), _throttle_key("addr", address)):
        count = db.session.scalar(select(func.count()).select_from(LoginFailure).where(LoginFailure.key == key, LoginFailure.at >= since))
        if count >= MAX_FAILURES:
            return True
    return False


def authenticate(username: str, password: str, address: str) -> User | None:
    """Check a login; record failures for throttling; None for any failure, without saying why."""
    user = find_user(username)
    # the hash is checked before the active flag: a disabled account costs the same time as any other
    if user is not None and user.check_password(password) and user.active:
        db.session.execute(delete(LoginFailure).where(LoginFailure.key == _throttle_key("user", username)))
        db.session.commit()
        return user
    if user is None:
        _dummy_check(password)
    # failures older than the window no longer count: drop them so the table cannot grow without end
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - THROTTLE_WINDOW))
    db.session.add_all([LoginFailure(key=_throttle_key("user", username)), LoginFailure(key=_throttle_key("addr", address))])
    db.session.commit()
    return None


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
