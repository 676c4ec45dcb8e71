"""Keeping a process's garden current from what the operating system says changed, off the request path.

A :class:`GardenWatcher` per process (a gunicorn worker, the development server) receives the
content folder's file events from the kernel (inotify, through ``watchdog``) and refreshes the
indexes in its own thread a few milliseconds after a change. Requests then read the indexes
without checking any file: no whole-garden work is done per request. A safety scan every
``SAFETY_SCAN`` seconds (``PASSERELLE_SAFETY_SCAN``, default 300) catches what events cannot
report (a network file system, an overflowing event queue). The watcher belongs to the process
that started it: after a fork the child starts its own.
"""
from __future__ import annotations

import logging
import os
import threading
import time

log = logging.getLogger(__name__)

DEBOUNCE = 0.02  #: seconds to wait after an event, so that a burst of writes costs one refresh
WRITE_EVENTS = frozenset({"created", "deleted", "modified", "moved", "closed"})  #: not ``opened``: our own reads


class GardenWatcher:
    """Refreshes one garden when its files change (kernel events) and every ``safety_scan`` seconds."""

    def __init__(self, refresh, folder: str, safety_scan: float):
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        self.refresh, self.safety_scan = refresh, safety_scan
        self.pid = os.getpid()
        self.wake = threading.Event()
        self.refreshes = 0  #: refreshes done, for tests and logs
        wake = self.wake

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event) -> None:
                if event.event_type in WRITE_EVENTS:
                    wake.set()

        self.observer = Observer()
        self.observer.daemon = True
        self.observer.schedule(Handler(), folder, recursive=True)
        self.observer.start()
        self.thread = threading.Thread(target=self._run, name="garden-watcher", daemon=True)
        self.thread.start()

    def healthy(self) -> bool:
        """Whether this process's watcher still receives events and refreshes."""
        return self.pid == os.getpid() and self.observer.is_alive() and self.thread.is_alive()

    def _run(self) -> None:
        while True:
            if self.wake.wait(self.safety_scan):
                time.sleep(DEBOUNCE)
            self.wake.clear()
            try:
                self.refresh()
                self.refreshes += 1
            except Exception:  # noqa: BLE001  (the next event or safety scan tries again)
                log.exception("refreshing the garden after a file change failed")

    def stop(self) -> None:
        """Stop receiving events (the thread ends with the process)."""
        self.observer.stop()


def start_watcher(refresh, folder: str, safety_scan: float) -> GardenWatcher | None:
    """A running watcher of ``folder``, or None when the system cannot watch it (then requests poll as before)."""
    try:
        return GardenWatcher(refresh, folder, safety_scan)
    except Exception as exc:  # noqa: BLE001  (no inotify, a folder that does not exist yet, a watch limit)
        log.warning("cannot watch %s for changes (%s): the indexes are refreshed by polling", folder, exc)
        return None
