"""Flask-WTF forms of the login page and the translator screens (every one carries ``csrf_token``)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class LogoutForm(FlaskForm):
    """Only the CSRF token: logging out is a POST."""


class SaveEntryForm(FlaskForm):
    """One segment's translation and the version it was based on."""

    msgstr = TextAreaField(_l("English"))
    base_version = HiddenField(validators=[DataRequired()])


class SubmitForm(FlaskForm):
    """Only the CSRF token: submitting a note for review."""
