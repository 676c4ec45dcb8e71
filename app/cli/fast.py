"""``passerelle sync`` without the web app: configuration, the incremental sync and its report, nothing else.

The Flask command (:func:`app.cli.catalog.sync_command`) builds the whole app first (Flask,
extensions, blueprints, migrations): about a second before any work. Most syncs have nothing to
record in the database, so this path reads the configuration from the environment as the app
factory does, looks (read-only, with the lightest client) for the two things only the app can
settle — translation saves a crash interrupted (``entry_history.pending``) and approvals a crash
interrupted (``.<slug>.md.journal`` beside a published file) — and hands over to the Flask
command when it finds one, or when it cannot tell. Otherwise it runs the same sync and prints the
same report.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from app.config import load_config


def _instance_path() -> str:
    from app import PROJECT_ROOT

    return str(Path(os.environ.get("PASSERELLE_INSTANCE_DIR") or PROJECT_ROOT / "instance").resolve())


def _has_pending_saves(url: str) -> bool | None:
    """Whether the database holds an interrupted save; None when this path cannot tell (ask the app)."""
    if url.startswith("sqlite:///"):
        import sqlite3

        path = url[len("sqlite:///"):].split("?", 1)[0]
        if path in ("", ":memory:") or not os.path.exists(path):
            return False  # never initialised: no save was ever made
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        except sqlite3.Error:
            return None
        try:
            return conn.execute("SELECT 1 FROM entry_history WHERE pending = 1 LIMIT 1").fetchone() is not None
        except sqlite3.OperationalError as exc:  # a database without the table never recorded a save
            return False if "no such table" in str(exc) else None
        except sqlite3.Error:
            return None
        finally:
            conn.close()
    if url.startswith("postgresql+psycopg://"):
        try:
            import psycopg

            with psycopg.connect("postgresql://" + url[len("postgresql+psycopg://"):], connect_timeout=10) as conn:
                row = conn.execute("SELECT 1 FROM entry_history WHERE pending LIMIT 1").fetchone()
            return row is not None
        except Exception:  # noqa: BLE001  (no table yet, another driver option…: the app knows better)
            return None
    return None


def _has_journals(content_dir: Path, langs: list[str]) -> bool:
    for lang in langs:
        try:
            with os.scandir(content_dir / lang) as entries:
                if any(e.name.startswith(".") and e.name.endswith(".md.journal") for e in entries):
                    return True
        except (FileNotFoundError, NotADirectoryError):
            continue
    return False


def sync_without_app(args: list[str]) -> int | None:
    """Run ``passerelle sync [--check]`` without Flask; return its exit code, or None to run the Flask command."""
    if any(arg not in ("--check",) for arg in args):
        return None  # --help, a typo…: the Flask command answers as it always did
    check = "--check" in args
    try:
        config = load_config(_instance_path())
    except ValueError:
        return None  # a bad setting: the app says so
    content, langs = Path(config["CONTENT_DIR"]), config["LANGUAGES"]
    if _has_journals(content, langs[1:]):
        return None
    if not check and _has_pending_saves(config["SQLALCHEMY_DATABASE_URI"]) is not False:
        return None
    from app.catalog.sync import sync_all
    from app.content.limits import NoteLimits
    from app.fsutil import cleanup_temp_files

    bar = None
    if sys.stdout.isatty():
        from app.cli.progress import ProgressBar

        bar = ProgressBar("checking catalogs" if check else "syncing catalogs")
    try:
        report = sync_all(content / langs[0], config["TRANSLATIONS_DIR"], langs[1:], config["STATE_DIR"], check=check,
                          progress=bar, processes=os.cpu_count() or 1,
                          limits=NoteLimits(config["MAX_NOTE_BYTES"], config["MAX_NOTE_DEPTH"]))
    finally:
        if bar is not None:
            bar.close()
    if not check and (report.renames or _pending_renames(config["STATE_DIR"])):
        _settle_renames_with_app()  # snapshots and database rows follow renamed notes: the app's work
    if not check:  # a publisher killed mid-way leaves a temporary file beside the snapshots
        for lang in langs[1:]:
            if (content / lang).is_dir():
                report.cleaned += cleanup_temp_files(content / lang)
    echo_report(report)
    return 1 if report.errors or (check and report.out_of_date) else 0


def _pending_renames(state_dir: str) -> bool:
    from app.content.slugmap import SlugMap

    return bool(SlugMap.load(state_dir).pending)


def _settle_renames_with_app() -> None:
    """Finish renames as the Flask command does (its garden, its database)."""
    from app import create_app
    from app.services.translating.renames import settle_renames

    app = create_app()
    with app.app_context():
        settle_renames(app.extensions["garden"])


def echo_report(report) -> None:
    """Print what a sync did, as ``passerelle sync`` always has."""
    for line in report.out_of_date:
        _say(f"out of date: {line}")
    for orphan in report.orphans:
        _say(f"orphaned (French file gone, catalog kept): {orphan}")
    for error in report.errors:
        _say(f"error: {error}", err=True)
    _say(report.summary())


def _say(message: str, err: bool = False) -> None:
    """One line on standard output (or error), as ``click.echo`` prints it; click itself is not imported for this."""
    print(message, file=sys.stderr if err else sys.stdout, flush=True)
