"""WSGI entry point: ``gunicorn wsgi:app``.

Under the project's gunicorn.conf.py the app is loaded once in the master, before the workers are
forked (``preload_app``): the garden is indexed here, from the saved snapshot when there is one, and
a note page is answered once per language (:mod:`app.services.reading.preload`), so every worker
starts with the indexes, templates and locale data in memory, shared with the others until written.
"""
import os

from app import create_app

app = create_app()

if os.environ.get("PASSERELLE_PRELOAD") == "1":
    from app.services.reading.preload import preload_server

    preload_server(app)
