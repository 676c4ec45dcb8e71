"""What a server's master loads before it forks its workers, so that a worker's first page costs what any page costs.

Under gunicorn's ``preload_app`` (``wsgi.py``) the master indexes the garden from its saved snapshot,
compiles the readers' templates and answers one note page per language itself. That first answer
loads what every page needs on first use — Babel's locale data (about half a second), Jinja's
compiled templates, SQLAlchemy's compiled statements, the Markdown renderer's rules — once, in
memory the workers then share, instead of in every worker on its first request.
"""
from __future__ import annotations

import logging

from flask import Flask

log = logging.getLogger(__name__)


def preload_server(app: Flask) -> list[str]:
    """Index the garden, compile the readers' templates and answer a note page per language; return the paths answered."""
    from app.services.garden import warm_garden
    from app.services.reading.page_cache import adopt_garden

    garden = warm_garden(app)
    if app.config.get("WATCH_FILES", False):
        import watchdog.events  # noqa: F401  (each worker starts its own watcher; the modules are loaded once, here)
        import watchdog.observers  # noqa: F401
    adopt_garden(app)  # the workers' page caches start from the index they inherit, without a rescan
    for name in app.jinja_env.list_templates(filter_func=lambda name: name.startswith("reader/") or "/" not in name):
        app.jinja_env.get_template(name)
    notes = garden.notes.notes()
    if not notes:
        return []
    paths = [f"/{garden.source_lang}/notes/{notes[0].slug}"]
    for lang, index in garden.published.items():  # a published translation where there is one
        published = index.notes()
        paths.append(f"/{lang}/notes/{published[0].slug if published else notes[0].slug}")
    return warm_up_pages(app, paths)


def warm_up_pages(app: Flask, paths: list[str]) -> list[str]:
    """GET each path as an anonymous reader, in this process, without starting its file watcher; return those answered 200."""
    watch = app.config.get("WATCH_FILES", False)
    app.config["WATCH_FILES"] = False  # the master must not start a watcher thread: the workers start their own
    answered = []
    try:
        client = app.test_client()
        for path in paths:
            try:
                response = client.get(path)
            except Exception:  # noqa: BLE001  (a warm-up is only a head start; the workers answer the real requests)
                log.exception("warm-up request %s failed", path)
                continue
            if response.status_code == 200:
                answered.append(path)
            else:
                log.warning("warm-up request %s answered %s", path, response.status_code)
    finally:
        app.config["WATCH_FILES"] = watch
        if "sqlalchemy" in app.extensions:
            from app.extensions import db

            with app.app_context():
                db.engine.dispose()  # the master keeps no connection open: the workers inherit no socket
    return answered
