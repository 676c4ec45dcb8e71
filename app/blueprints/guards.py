"""Who may call what: credentials for the API and the screens, and JSON errors."""
from __future__ import annotations

import functools

from flask import abort, current_app, g, jsonify, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf

from app.content.notes import Note, NoteReadError
from app.services import accounts
from app.services.garden import get_garden

#: Header the screens' own scripts send the CSRF token in, with the session cookie.
CSRF_HEADER = "X-CSRFToken"


class ApiError(Exception):
    """An API failure answered as ``{"error": message, ...}`` with ``status``."""

    def __init__(self, status: int, message: str, **extra):
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


def json_error(status: int, message: str, **extra):
    """A JSON error response: ``{"error": message, "status": status, **extra}``."""
    return jsonify({"error": message, "status": status, **extra}), status


def api_user():
    """The user behind the request: a Bearer token, or the session plus a valid CSRF header."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "malformed Authorization header; use: Bearer <token>")
        user = accounts.user_for_token(token.strip())
        if user is None:
            raise ApiError(401, "invalid or revoked token")
        return user
    if current_user.is_authenticated:
        if request.method not in ("GET", "HEAD", "OPTIONS") and current_app.config.get("WTF_CSRF_ENABLED", True):
            try:
                validate_csrf(request.headers.get(CSRF_HEADER, ""))
            except (CSRFError, Exception) as exc:  # ValidationError from wtforms
                raise ApiError(400, f"missing or invalid {CSRF_HEADER} header: {exc}") from None
        return current_user._get_current_object()
    raise ApiError(401, "authentication required: send Authorization: Bearer <token>")


def require_permission(permission: str):
    """Decorate an API view: 401 without credentials, 403 when the role lacks ``permission``."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = api_user()
            if not user.can(permission):
                raise ApiError(403, f"your role ({user.role}) may not do this")
            g.api_user = user
            return view(*args, **kwargs)

        return wrapper

    return decorator


def screen_permission(permission: str):
    """Decorate a screen: anonymous visitors go to the login page, a wrong role gets 403."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not current_user.can(permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def target_lang_or_404(lang: str, *, api: bool = False) -> str:
    """``lang`` if it is a configured target language, else 404."""
    if lang not in current_app.config["LANGUAGES"][1:]:
        if api:
            raise ApiError(404, f"unknown target language {lang!r}")
        abort(404)
    return lang


def note_or_404(slug: str, *, api: bool = False) -> Note:
    """The French note with ``slug`` (looked up in the index, never used as a path), else 404.

    A note whose file cannot be read (invalid UTF-8, broken YAML) is reported with its file and
    line (500, as on the reader's page) rather than passed off as missing.
    """
    garden = get_garden()
    note = garden.notes.get(slug)
    if note is None:
        broken = garden.notes.error_for(slug)
        if broken is not None:
            broken_note(broken, api=api)
        if api:
            raise ApiError(404, f"unknown note {slug!r}")
        abort(404)
    return note


def broken_note(error: NoteReadError, *, api: bool = False):
    """Stop the request: the note's French file cannot be read (it is left untouched)."""
    if api:
        raise ApiError(500, f"the note cannot be read ({error}); the author has to fix the file, it was left untouched",
                       file=error.filename, line=error.line)
    response = make_response(render_template("reader/broken.html", error=error, slug=None), 500)
    response.cache_control.no_store = True
    abort(response)
