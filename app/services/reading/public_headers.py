"""The HTTP caching headers of public pages: ETag, Last-Modified, Cache-Control, and no ``Vary: Cookie``.

``public, max-age=0, s-maxage=60`` (shared caches keep a page a minute, browsers revalidate); a
strong ``ETag``, the hash of the bytes sent, the same from every worker; ``Last-Modified``, the
note's own date (a page also shows other notes: only ``If-None-Match`` gives a 304). A login gets
``private, no-cache``; a response setting a cookie is never public (nor stored by
:mod:`app.services.reading.page_cache`); public pages do not depend on cookies, so they get no
``Vary: Cookie``.
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from flask import Response, current_app, g, request, session
from flask.globals import request_ctx
from werkzeug.http import http_date

ENVIRON_KEY = "passerelle.page_cache"  #: where a storable response says what it was rendered from

#: ``Last-Modified`` of a date: the same few dates (one per note) are formatted on every request.
_http_date = lru_cache(maxsize=4096)(http_date)

_LOGIN_COOKIES = (("SESSION_COOKIE_NAME", "session"), ("REMEMBER_COOKIE_NAME", "remember_token"))


def may_be_logged_in(environ: dict, config) -> bool:
    """Whether a session or remember cookie may be present (a false alarm only sends the request to Flask)."""
    header = environ.get("HTTP_COOKIE")
    return bool(header) and any(config.get(key, default) + "=" in header for key, default in _LOGIN_COOKIES)


def is_logged_in() -> bool:
    """Tell whether the request carries a login, without touching the session of anonymous visitors."""
    config, req = current_app.config, request._get_current_object()
    if not may_be_logged_in(req.environ, config):
        return False
    return bool(req.cookies.get(config.get("REMEMBER_COOKIE_NAME", "remember_token"))) or (
        config.get("SESSION_COOKIE_NAME", "session") in req.cookies and session.get("_user_id") is not None)


def public_response(response: Response, max_age: int = 60, last_modified: datetime | None = None,
                    etag: str | None = None) -> Response:
    """Mark a public page cacheable (ETag, Last-Modified, ``s-maxage``), let it be stored, answer 304 when it can."""
    req, state = request._get_current_object(), g._get_current_object()
    headers = response.headers
    if last_modified is not None:
        headers["Last-Modified"] = _http_date(last_modified)
    if etag is None:  # else the hash of these bytes, computed when they were kept (render_cache.kept_html)
        response.add_etag(overwrite=True)
    else:
        response.set_etag(etag)
    own = request_ctx._get_current_object()._session  # not ``session``: reading it would add Vary: Cookie
    present = {name.lower() for name, _ in headers.items()}  # one pass: werkzeug raises inside for each name missing
    fresh = "cache-control" not in present  # then one header is written, not re-parsed per directive
    if is_logged_in() or "set-cookie" in present or (own is not None and own.modified):
        if fresh:
            headers.add("Cache-Control", "private, no-cache")
        else:
            response.cache_control.private = True
            response.cache_control.no_cache = True
    else:  # browsers revalidate (a 304 from memory): an editor sees an approval at once; CDNs keep max_age
        if fresh:
            headers.add("Cache-Control", f"public, max-age=0, s-maxage={int(max_age)}")
        else:
            response.cache_control.public = True
            response.cache_control.max_age = 0
            response.cache_control.s_maxage = max_age
        state.page_public = True
        stored = getattr(state, "page_cache_state", None)
        if stored is not None and response.status_code == 200 and req.method == "GET" and not response.is_streamed:
            req.environ[ENVIRON_KEY] = stored
    if "HTTP_IF_NONE_MATCH" in req.environ and req.if_none_match:  # a date alone never proves a page unchanged
        response.make_conditional(req)
    return response


def no_vary_cookie(response: Response) -> Response:
    """Keep Flask's ``Vary: Cookie`` off public pages of visitors without a session: they do not depend on cookies."""
    if g.get("page_public"):
        own = request_ctx._get_current_object()._session
        if own is not None and not own and not own.modified:
            own.accessed = False  # Flask-Login's hooks touch the empty session; that must not split shared caches
    return response


def note_last_modified(page) -> datetime:
    """The date of a note page: its French file's, or its approval (or the French change, when outdated)."""
    return max(moment for moment in (page.updated, page.approved, page.french_changed) if moment is not None)
