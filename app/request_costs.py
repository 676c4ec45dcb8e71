"""What every request pays around its view: the session cookie, the CSRF check, the locale, the hooks' checks.

Flask builds a new signer (itsdangerous serializer, key list) for the session cookie on every
request, even when the visitor sent no cookie, and asks ``inspect`` whether each hook and the view
is a coroutine function on every request; Flask-WTF looks up the view's exemptions before
noticing a GET needs no token; Flask-Babel parses the locale identifier into a new ``Locale``
on every request. The results are the same each time, so they are built once here.
"""
from __future__ import annotations

import threading
from functools import lru_cache

from babel import Locale
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect


class PasserelleFlask(Flask):
    """Flask, remembering which hooks and views are plain functions instead of asking ``inspect`` per call."""

    _SYNC_LIMIT = 4096  #: functions remembered (hooks and views are a fixed set; a stray caller cannot grow it)

    def ensure_sync(self, func):
        """Flask's ``ensure_sync``, its answer kept per function."""
        known = self.__dict__.setdefault("_sync_functions", {})
        try:
            return known[func]
        except (KeyError, TypeError):  # TypeError: an unhashable callable
            sync = super().ensure_sync(func)
        if len(known) < self._SYNC_LIMIT:
            try:
                known[func] = sync
            except TypeError:
                pass
        return sync


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed session cookie, its signer built once per set of secret keys, none built without a cookie."""

    def __init__(self) -> None:
        self._signer: tuple | None = None  #: (the keys it signs with, the serializer)
        self._lock = threading.Lock()

    def get_signing_serializer(self, app):
        """The serializer of Flask's, kept while ``SECRET_KEY`` and ``SECRET_KEY_FALLBACKS`` stay the same."""
        if not app.secret_key:
            return None
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        kept = self._signer
        if kept is None or kept[0] != keys:
            with self._lock:
                kept = (keys, super().get_signing_serializer(app))
                self._signer = kept
        return kept[1]

    def open_session(self, app, request):
        """An empty session when the request has no session cookie (nothing to parse or verify), else Flask's."""
        if app.secret_key and self.get_cookie_name(app) not in request.environ.get("HTTP_COOKIE", ""):
            return self.session_class()  # the name appears nowhere in the Cookie header: no cookie of that name
        return super().open_session(app, request)


class SafeMethodsCSRFProtect(CSRFProtect):
    """Flask-WTF's CSRF protection, returning at once for methods it never checks (GET, HEAD, OPTIONS)."""

    def protect(self, apply_exemptions: bool = False):
        """Check the token of a state-changing request (Flask-WTF's rules); nothing to do for the others."""
        from flask import current_app, request

        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return None
        return super().protect(apply_exemptions=apply_exemptions)


@lru_cache(maxsize=64)
def parsed_locale(identifier: str) -> Locale:
    """The ``Locale`` of ``identifier`` (``fr``, ``en``), parsed once per process; its data loads once too."""
    return Locale.parse(identifier)
