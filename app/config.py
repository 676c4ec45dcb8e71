"""Configuration read from ``PASSERELLE_*`` environment variables."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from app.content.limits import DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, NoteLimits, parse_limit

PREFIX = "PASSERELLE_"


def secret_key_from_instance(instance_path: str | os.PathLike) -> str:
    """Return the secret key stored in the instance folder, generating it once."""
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret_key"
    try:
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
    except FileNotFoundError:
        pass
    import secrets  # here: only the first start of an instance makes a key

    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def parse_languages(value: str) -> list[str]:
    """Split ``fr,en`` into a list of language codes, the source first."""
    languages = [code.strip() for code in value.split(",") if code.strip()]
    if len(languages) < 2:
        raise ValueError(f"{PREFIX}LANGUAGES needs a source and at least one target, got {value!r}")
    if len(set(languages)) != len(languages):
        raise ValueError(f"{PREFIX}LANGUAGES repeats a language: {value!r}")
    return languages


def load_config(instance_path: str, environ: os._Environ | dict | None = None) -> dict:
    """Build the Flask configuration from the environment and defaults."""
    env = os.environ if environ is None else environ
    cwd = Path.cwd()
    content = Path(env.get(PREFIX + "CONTENT_DIR", cwd / "content")).resolve()
    translations = Path(env.get(PREFIX + "TRANSLATIONS_DIR", cwd / "translations")).resolve()
    database = env.get(PREFIX + "DATABASE_URL") or "sqlite:///" + str(Path(instance_path) / "passerelle.sqlite3")
    config = {
        "CONTENT_DIR": str(content),
        "TRANSLATIONS_DIR": str(translations),
        "STATE_DIR": env.get(PREFIX + "STATE_DIR", str(Path(instance_path))),
        "LANGUAGES": parse_languages(env.get(PREFIX + "LANGUAGES", "fr,en")),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database),
        "SITE_NAME": env.get(PREFIX + "SITE_NAME", "Passerelle"),
        "SITE_URL": env.get(PREFIX + "SITE_URL", ""),
        "MAX_CONTENT_LENGTH": int(env.get(PREFIX + "MAX_CONTENT_LENGTH", 2 * 1024 * 1024)),
        "MAX_TRANSLATION_LENGTH": int(env.get(PREFIX + "MAX_TRANSLATION_LENGTH", 20000)),
        "SESSION_COOKIE_SECURE": env.get(PREFIX + "HTTPS", "") in {"1", "true", "yes"},
        #: The longest a login lasts, whatever the browser does (sessions are rows on the server).
        "PERMANENT_SESSION_LIFETIME": timedelta(days=float(env.get(PREFIX + "SESSION_DAYS", 31))),
        "DEMO": env.get(PREFIX + "DEMO", "") in {"1", "true", "yes"},
        "INDEX_MAX_AGE": float(env.get(PREFIX + "INDEX_MAX_AGE", 1.0)),
        "MAX_NOTE_BYTES": parse_limit(env.get(PREFIX + "MAX_NOTE_BYTES"), "MAX_NOTE_BYTES", DEFAULT_MAX_BYTES),
        "MAX_NOTE_DEPTH": parse_limit(env.get(PREFIX + "MAX_NOTE_DEPTH"), "MAX_NOTE_DEPTH", DEFAULT_MAX_DEPTH),
        "WATCH_FILES": env.get(PREFIX + "WATCH", "1") not in {"0", "false", "no"},
        "SAFETY_SCAN": float(env.get(PREFIX + "SAFETY_SCAN", 300.0)),
        "PO_LOCATIONS": _po_locations(env.get(PREFIX + "PO_LOCATIONS", "full")),
        "ATTACHMENTS_DIR": str(Path(env[PREFIX + "ATTACHMENTS_DIR"]).resolve()) if env.get(PREFIX + "ATTACHMENTS_DIR") else "",
        "STRICT_LINE_BREAKS": env.get(PREFIX + "STRICT_LINE_BREAKS", ""),  #: empty: follow the vault's .obsidian/app.json
        "MINOR_CHANGES": env.get(PREFIX + "MINOR_CHANGES", "keep").strip().lower() or "keep",
        #: Offline downloads kept for their upload: the newest N of each catalog, and all younger than D days.
        "DOWNLOADS_KEEP_LATEST": _count(env.get(PREFIX + "DOWNLOADS_KEEP_LATEST", "10"), "DOWNLOADS_KEEP_LATEST"),
        "DOWNLOADS_KEEP_DAYS": _count(env.get(PREFIX + "DOWNLOADS_KEEP_DAYS", "90"), "DOWNLOADS_KEEP_DAYS"),
    }
    NoteLimits(config["MAX_NOTE_BYTES"], config["MAX_NOTE_DEPTH"])  # refuse a depth the parsers cannot honour
    if env.get(PREFIX + "SECRET_KEY"):
        config["SECRET_KEY"] = env[PREFIX + "SECRET_KEY"]
    return config


def _count(value: str, name: str) -> int:
    """A whole number of at least 1 (how many, how many days), or a clear error naming the setting."""
    try:
        number = int(value.strip())
    except ValueError:
        number = 0
    if number < 1:
        raise ValueError(f"{PREFIX}{name} must be a whole number of at least 1, got {value!r}")
    return number


def _po_locations(value: str) -> str:
    """``full``, ``file`` or ``never``: the ``#:`` references of the note catalogs (gettext's --add-location)."""
    value = value.strip() or "full"
    if value not in ("full", "file", "never"):
        raise ValueError(f"{PREFIX}PO_LOCATIONS must be full, file or never, got {value!r}")
    return value


def normalise_database_url(url: str) -> str:
    """Send ``postgresql://`` URLs to psycopg 3, the driver we ship."""
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme):]
    return url
