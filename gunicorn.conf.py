"""Production server settings: ``gunicorn -c gunicorn.conf.py wsgi:app`` (see docs/deployment.md)."""
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
#: Each worker builds its app after fork, so indexes and database connections are not shared.
preload_app = False
accesslog = os.environ.get("PASSERELLE_ACCESS_LOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
