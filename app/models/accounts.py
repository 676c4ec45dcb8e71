"""Accounts: users, their API tokens, their server-side sessions and failed logins (throttling)."""
from __future__ import annotations

import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.common import ROLES, utcnow

class User(UserMixin, db.Model):
    """A translator or editor account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Login name, unique, case-sensitive.
    username: Mapped[str] = mapped_column(String(80), unique=True)
    #: werkzeug scrypt hash of the password; never the password itself.
    password_hash: Mapped[str] = mapped_column(String(255))
    #: ``translator`` or ``editor``; editors may also translate.
    role: Mapped[str] = mapped_column(String(20))
    #: Disabled accounts cannot log in nor use their tokens.
    active: Mapped[bool] = mapped_column(default=True)
    #: When the account was created.
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    tokens: Mapped[list["ApiToken"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    def set_password(self, password: str) -> None:
        """Store the scrypt hash of ``password``."""
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        """Tell whether ``password`` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        """Disabled users are not active for Flask-Login."""
        return bool(self.active)

    def can(self, permission: str) -> bool:
        """Tell whether the user's role grants ``permission`` (``translate`` or ``review``)."""
        if permission == "translate":
            return self.role in ROLES
        if permission == "review":
            return self.role == "editor"
        return False


class ApiToken(db.Model):
    """A bearer token for the JSON API, stored as its SHA-256."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Owner of the token.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: Hex SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: When the token was created.
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Revoked tokens stay for the audit trail but no longer authenticate.
    revoked: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(back_populates="tokens")

    @staticmethod
    def hash(token: str) -> str:
        """Return the stored form of ``token``."""
        return hashlib.sha256(token.encode("utf-8")).hexdigest()


class UserSession(db.Model):
    """One logged-in browser session; deleting its row ends it, wherever its cookie was copied."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Whose session it is; every row of a user goes on logout everywhere, password change, disabling.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: Hex SHA-256 of the random key the signed session cookie carries; the key itself is never stored.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: When the user logged in; sessions older than ``PERMANENT_SESSION_LIFETIME`` are refused.
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LoginFailure(db.Model):
    """One failed login, kept for throttling by account and by address."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``user:<name>`` or ``addr:<ip>``.
    key: Mapped[str] = mapped_column(String(200))
    #: When the attempt failed.
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
