"""Passerelle: a French notes garden published in French and English."""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from app.config import load_config, secret_key_from_instance

if TYPE_CHECKING:
    from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application; ``test_config`` overrides the environment (tests pass temp folders)."""
    from app.request_costs import PasserelleFlask  # imported here: the command line's fast paths never need Flask

    test_config = dict(test_config or {})
    instance_path = test_config.pop("INSTANCE_PATH", None) or os.environ.get("PASSERELLE_INSTANCE_DIR")
    app = PasserelleFlask(__name__, instance_path=str(Path(instance_path or PROJECT_ROOT / "instance").resolve()))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(app.instance_path))
    app.config.update(test_config)
    if app.config.get("TESTING") and "WATCH_FILES" not in test_config:
        app.config["WATCH_FILES"] = False  # tests refresh explicitly (INDEX_MAX_AGE 0); a test opts in to watching
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key_from_instance(app.instance_path)
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config.setdefault("I18N_SOURCE_DIR", str(PROJECT_ROOT / "translations"))
    app.config.setdefault("I18N_COMPILED_DIR", str(Path(app.instance_path) / "i18n"))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = app.config["I18N_COMPILED_DIR"]
    app.config.setdefault("BABEL_DEFAULT_LOCALE", app.config["LANGUAGES"][0])
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    from app import web

    web.init_app(app)
    return app
