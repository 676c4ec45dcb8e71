"""Production server settings: ``gunicorn -c gunicorn.conf.py wsgi:app`` (see docs/deployment.md)."""
import gc
import multiprocessing
import os

#: Address to listen on; put a reverse proxy in front for TLS.
bind = os.environ.get("PASSERELLE_BIND", "127.0.0.1:8000")
#: Worker processes; each keeps its own note index and page cache, kept fresh from the files.
workers = int(os.environ.get("PASSERELLE_WORKERS", multiprocessing.cpu_count() * 2))
#: A few threads per worker absorb slow clients without more memory.
worker_class = "gthread"
threads = int(os.environ.get("PASSERELLE_THREADS", 4))
timeout = 30
graceful_timeout = 20
keepalive = 5
#: The app and the index of notes are loaded once, before the workers are forked (``PASSERELLE_PRELOAD=0``
#: makes each worker load its own): a worker serves at once, and the indexes' memory is shared until written.
#: Database connections and the file watcher are each worker's own (see post_fork).
preload_app = os.environ.get("PASSERELLE_PRELOAD", "1") == "1"
if preload_app:
    os.environ["PASSERELLE_PRELOAD"] = "1"
accesslog = os.environ.get("PASSERELLE_ACCESS_LOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
#: No control socket: gunicorn 27 opens one at ~/.gunicorn/gunicorn.ctl, a path every server of the same
#: user shares (two sites, or the test suite's servers, would take it from each other).
control_socket_disable = True


def pre_fork(server, worker):
    """Move what the master loaded out of the garbage collector's reach: children do not copy those pages."""
    gc.freeze()


def post_fork(server, worker):
    """A worker never uses the master's database connections (each pool starts empty)."""
    app = server.app.wsgi() if preload_app else None
    if "sqlalchemy" in getattr(app, "extensions", {}):  # a Passerelle app (not another app served with this file)
        from app.extensions import db

        with app.app_context():
            db.engine.dispose(close=False)
