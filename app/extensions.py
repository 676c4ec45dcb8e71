"""Flask extensions, created once and bound to the app in the factory (Flask-Migrate: app/schema_migrations.py)."""
from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase

from app.request_costs import SafeMethodsCSRFProtect


class Base(DeclarativeBase):
    """Declarative base shared by every model."""


db = SQLAlchemy(model_class=Base)
babel = Babel()
login_manager = LoginManager()
csrf = SafeMethodsCSRFProtect()
