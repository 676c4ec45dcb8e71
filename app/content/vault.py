"""The Obsidian vault's own settings (``.obsidian/app.json``) that change how notes are published."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

#: Largest ``app.json`` read; a bigger one is not Obsidian's and is ignored.
MAX_SETTINGS_BYTES = 1024 * 1024


@dataclass(frozen=True)
class VaultSettings:
    """What Passerelle follows of Obsidian's settings; Obsidian's defaults when the vault says nothing."""

    strict_line_breaks: bool = False  #: False: a single newline in a paragraph is a line break (Obsidian's default)
    attachment_folder: str = "/"  #: ``attachmentFolderPath``: ``/`` the vault root, ``./x`` relative to each note


def settings_file(folder: str | Path) -> Path | None:
    """The ``.obsidian/app.json`` of the vault holding ``folder``: in it, else in its parent (the content folder)."""
    folder = Path(folder)
    for candidate in (folder, folder.parent):
        path = candidate / ".obsidian" / "app.json"
        if path.is_file() and not path.is_symlink():
            return path
    return None


def read_vault_settings(folder: str | Path) -> VaultSettings:
    """Read the vault's settings; a missing, unreadable or malformed file gives Obsidian's defaults (logged)."""
    path = settings_file(folder)
    if path is None:
        return VaultSettings()
    try:
        if path.stat().st_size > MAX_SETTINGS_BYTES:
            raise ValueError("larger than 1 MiB")
        data = json.loads(path.read_bytes().decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        log.warning("ignoring %s: %s", path, exc)
        return VaultSettings()
    strict = data.get("strictLineBreaks")
    folder_path = data.get("attachmentFolderPath")
    return VaultSettings(
        strict_line_breaks=strict if isinstance(strict, bool) else False,
        attachment_folder=folder_path.strip() or "/" if isinstance(folder_path, str) else "/",
    )


def strict_line_breaks(settings: VaultSettings, override: str | bool | None) -> bool:
    """The line-break rule to follow: ``PASSERELLE_STRICT_LINE_BREAKS`` when set, else the vault's setting."""
    if isinstance(override, bool):
        return override
    if override is None or not str(override).strip():
        return settings.strict_line_breaks
    return str(override).strip().lower() in {"1", "true", "yes", "on"}
