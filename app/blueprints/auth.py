"""Login and logout for translators and editors."""
from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.forms import LoginForm, LogoutForm
from app.services import accounts
from app.services.reading.switcher import safe_next
from app.web import SESSION_KEY

bp = Blueprint("auth", __name__)


def _next_url(value: str | None) -> str:
    """Where to go after login: a local path only, else the translator dashboard."""
    return safe_next(value, url_for("translate.dashboard"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; log in with a username and password (throttled, no user enumeration)."""
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_next_url(form.next.data))
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400 if form.is_submitted() else 200
    username, address = form.username.data.strip(), request.remote_addr or "unknown"
    try:
        user = accounts.authenticate(username, form.password.data, address)
    except accounts.Throttled as exc:
        error = _("Too many failed attempts. Please wait 15 minutes before trying again.")
        return render_template("auth/login.html", form=form, error=error), 429, {"Retry-After": str(exc.retry_after)}
    if user is None:
        error = _("Wrong username or password.")
        return render_template("auth/login.html", form=form, error=error), 200
    accounts.close_session(session.get(SESSION_KEY))  # a new login replaces the session this browser had
    session[SESSION_KEY] = accounts.open_session(user)
    login_user(user)
    return redirect(_next_url(form.next.data))


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out (a POST with the CSRF token): this session ends on the server, so a copy of its cookie ends too."""
    LogoutForm()  # the token itself is checked by CSRFProtect before the view runs
    accounts.close_session(session.pop(SESSION_KEY, None))
    logout_user()
    return redirect(url_for("reader.root"))


@bp.route("/logout/everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    """End every session of the logged-in account, on every browser and device, this one included."""
    LogoutForm()
    accounts.end_sessions(current_user.username)
    session.pop(SESSION_KEY, None)
    logout_user()
    return redirect(url_for("reader.root"))
