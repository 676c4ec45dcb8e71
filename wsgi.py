"""WSGI entry point: ``gunicorn wsgi:app``.

Under the project's gunicorn.conf.py the app is loaded once in the master, before the workers are
forked (``preload_app``): the garden is indexed here, from the saved snapshot when there is one, so
every worker starts with the indexes in memory, shared with the others until it writes to them.
"""
import os

from app import create_app

app = create_app()

if os.environ.get("PASSERELLE_PRELOAD") == "1":
    from app.services.garden import warm_garden
    from app.services.reading.page_cache import adopt_garden

    warm_garden(app)
    adopt_garden(app)  # the workers' page caches start from the index they inherit, without a rescan
    for name in app.jinja_env.list_templates(filter_func=lambda name: name.startswith("reader/") or "/" not in name):
        app.jinja_env.get_template(name)  # the readers' templates compiled once here rather than in every worker
