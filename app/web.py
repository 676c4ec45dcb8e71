"""Wiring of the web layer: extensions, blueprints, locale, security headers and error pages."""
from __future__ import annotations

import logging
import os
import re

from flask import Flask, jsonify, make_response, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import format_date, format_datetime, get_locale, gettext
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from app.catalog import minor as minor_changes
from app.extensions import babel, csrf, db, login_manager
from app.i18n import action_label, compile_interface_catalogs, select_locale, show_date, state_label
from app.request_costs import CookieSessionInterface, parsed_locale
from app.schema_migrations import init_migrations
from app.services.garden import init_garden
from app.services.reading.note_pages import BrokenNote

log = logging.getLogger(__name__)

#: Where the signed session cookie keeps the key of its server-side session (:class:`app.models.UserSession`).
SESSION_KEY = "_session_key"

#: Content-Security-Policy of every response: no inline script, no framing, no foreign scripts.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_lone_surrogate(value) -> bool:
    """Tell whether a decoded JSON value holds a lone UTF-16 surrogate (which no UTF-8 file or database takes)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON, accepting only interoperable documents (RFC 7493).

    A document nested too deeply, or holding a lone surrogate (``"\\ud800"``), is malformed
    input: ``get_json(silent=True)`` gives None and the API answers 400, instead of a crash (500)
    deep in the parser or when the text reaches a UTF-8 file or the database.
    """

    def loads(self, s, **kwargs):
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("the JSON document is nested too deeply") from None
        if _has_lone_surrogate(value):
            raise ValueError("the JSON document holds a lone surrogate, which is not Unicode text")
        return value


def init_app(app: Flask) -> None:
    """Bind extensions, blueprints, the garden and the request hooks to ``app``."""
    from app import models  # noqa: F401  (register the tables with SQLAlchemy)

    app.json = SafeJSONProvider(app)
    app.session_interface = CookieSessionInterface()
    _trust_proxies(app)
    db.init_app(app)
    init_migrations(app, db, directory=str(app.root_path + "/migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.user_loader(load_user)
    compile_interface_catalogs(app.config["I18N_SOURCE_DIR"], app.config["I18N_COMPILED_DIR"])
    babel.init_app(app, locale_selector=lambda: parsed_locale(select_locale(app.config["LANGUAGES"])))
    init_garden(app)
    minor_changes.configure(app.config.get("MINOR_CHANGES", "keep"))

    from app.blueprints import api, api_review, auth, files, reader, review, translate  # noqa: F401
    from app.blueprints import api_comments, api_glossary, api_minor, api_offline, comments, glossary, minor, offline  # noqa: F401

    for module in (reader, auth, translate, review, api, files, minor, offline, glossary, comments):
        app.register_blueprint(module.bp)
    csrf.exempt(api.bp)  # the API checks its own credentials and CSRF header

    from app.cli import register_commands

    register_commands(app)

    app.jinja_env.globals.update(get_locale=get_locale, format_date=format_date, format_datetime=format_datetime,
                                 plain_gettext=gettext, show_date=show_date, action_label=action_label,
                                 state_name=state_label)
    app.after_request(add_security_headers)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(BrokenNote, handle_broken_note)


def _trust_proxies(app: Flask) -> None:
    """Behind ``PROXY_HOPS`` reverse proxies (``PASSERELLE_PROXY_HOPS``), take the client's address and scheme
    from their ``X-Forwarded-For`` / ``X-Forwarded-Proto``, so that login throttling counts per client rather
    than locking everyone out at the proxy's address. Without it (the default) those headers are ignored: a
    client cannot forge an address to dodge the throttle.
    """
    hops = int(app.config.get("PROXY_HOPS") or os.environ.get("PASSERELLE_PROXY_HOPS") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def load_user(user_id: str):
    """Flask-Login's loader: the active user with this id, if the cookie's session key is still one of theirs."""
    from flask import session

    from app.services.accounts import session_user

    return session_user(user_id, session.get(SESSION_KEY))


#: The security headers of every response, unless a view set its own.
SECURITY_HEADERS = (("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
                    ("Referrer-Policy", "strict-origin-when-cross-origin"))


def add_security_headers(response):
    """Set CSP, nosniff, framing and referrer headers on every response (one pass over its headers, not four)."""
    present = {name.lower() for name, _ in response.headers.items()}
    for name, value in SECURITY_HEADERS:
        if name.lower() not in present:
            response.headers.add(name, value)
    return response


def wants_json() -> bool:
    """Tell whether the error should be answered in JSON (the API) rather than HTML."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


#: Error page texts, marked for extraction, translated when rendered.
ERROR_TEXTS = {
    400: (_l("Bad request"), _l("The request could not be understood. Please check what you sent and try again.")),
    401: (_l("Login required"), _l("You need to log in to see this page.")),
    403: (_l("Forbidden"), _l("Your account is not allowed to do this.")),
    404: (_l("Page not found"), _l("There is no page at this address.")),
    405: (_l("Method not allowed"), _l("This address does not accept this kind of request.")),
    409: (_l("Conflict"), _l("Someone changed this in the meantime; nothing was overwritten.")),
    413: (_l("Request too large"), _l("What you sent is larger than this site accepts.")),
    429: (_l("Too many attempts"), _l("Too many attempts; please wait a moment and try again.")),
    500: (_l("Server error"), _l("Something went wrong on our side. The rest of the site still works.")),
}


def handle_http_error(error: HTTPException):
    """Answer an HTTP error with a JSON body for the API or a page in the interface language."""
    code = error.code or 500
    title, message = ERROR_TEXTS.get(code, (error.name, error.description or ""))
    detail = getattr(error, "passerelle_detail", None)
    if wants_json():
        body = {"error": detail or str(message), "status": code}
        return jsonify(body), code, _retry_after(error)
    page = render_template("error.html", code=code, title=title, message=message, detail=detail)
    return page, code, _retry_after(error)


def handle_broken_note(broken: BrokenNote):
    """A note that cannot be read or rendered, wherever it is shown: its broken-note page (JSON for the API)."""
    error = broken.error
    if wants_json():
        body = {"error": f"the note cannot be read ({error}); the author has to fix the file, it was left untouched",
                "status": 500, "file": error.filename, "line": error.line}
        return jsonify(body), 500
    response = make_response(render_template("reader/broken.html", error=error, slug=None), 500)
    response.cache_control.no_store = True
    return response


def _retry_after(error: HTTPException) -> dict:
    """The headers an error must keep: ``Retry-After`` (429, 503) and ``Allow`` (405, RFC 9110 15.5.6)."""
    retry = getattr(error, "retry_after", None)
    headers = {"Retry-After": str(retry)} if retry else {}
    allowed = getattr(error, "valid_methods", None)
    if allowed:
        headers["Allow"] = ", ".join(allowed)
    return headers

