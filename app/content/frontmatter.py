"""YAML front matter: locating it in the raw text and parsing it safely."""
from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

_OPEN = re.compile(r"\A---[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.MULTILINE)


class FrontMatterError(ValueError):
    """The front matter is not valid YAML or not a mapping."""

    def __init__(self, reason: str, line: int | None = None):
        super().__init__(reason if line is None else f"line {line}: {reason}")
        self.reason = reason
        self.line = line


@dataclass(frozen=True)
class Split:
    """A note split into its front matter block and its body."""

    yaml_text: str | None  #: the YAML between the fences, or None without front matter
    head: str  #: everything up to and including the closing fence
    body: str  #: the Markdown after the front matter
    body_line: int  #: 1-based line number where the body starts


def split_front_matter(text: str) -> Split:
    """Split ``text`` into front matter and body without parsing anything."""
    opening = _OPEN.match(text)
    if opening:
        closing = _CLOSE.search(text, opening.end())
        if closing:
            head = text[: closing.end()]
            return Split(text[opening.end() : closing.start()], head, text[closing.end() :], head.count("\n") + 1)
    return Split(None, "", text, 1)


def parse_front_matter(yaml_text: str | None) -> dict:
    """Parse front matter YAML into a dict; raise :class:`FrontMatterError` with the line on failure."""
    if yaml_text is None or not yaml_text.strip():
        return {}
    try:
        data = yaml.safe_load(yaml_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        # +1 for 0-based marks, +1 for the opening fence line
        raise FrontMatterError(f"invalid YAML front matter: {problem}", mark.line + 2 if mark else None) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError("front matter is not a mapping of keys to values", 2)
    return data


def as_string_list(value, split_spaces: bool = False) -> list[str]:
    """Normalise a front-matter ``tags``/``aliases`` value into a list of strings."""
    if value is None:
        return []
    if isinstance(value, str):
        parts = re.split(r"[,\s]+" if split_spaces else r",", value)
        return [p.strip().lstrip("#") for p in parts if p.strip()]
    if isinstance(value, (list, tuple)):
        return [str(v).strip().lstrip("#") for v in value if v is not None and str(v).strip()]
    return [str(value)]
