"""YAML front matter: locating it in the raw text and parsing it safely.

Safely means: ``yaml.safe_load``'s types only, no anchors nor aliases (300 bytes of nested
aliases expand into hundreds of megabytes; Obsidian never writes them), and nesting bounded
(PyYAML recurses once per level and its scanner rescans every open ``[`` for each token).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import yaml
from yaml.composer import ComposerError
from yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent
from yaml.scanner import ScannerError

from app.content.limits import DEPTH_CAP, too_deep

BOM = "\ufeff"
_OPEN = re.compile(r"---[ \t]*\r?\n")
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
    """Split ``text`` into front matter and body without parsing anything; a leading byte order mark is skipped."""
    start = len(BOM) if text.startswith(BOM) else 0
    opening = _OPEN.match(text, start)
    if opening:
        closing = _CLOSE.search(text, opening.end())
        if closing:
            head = text[: closing.end()]
            return Split(text[opening.end() : closing.start()], head, text[closing.end() :], head.count("\n") + 1)
    return Split(None, text[:start], text[start:], 1)


class GuardedLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` refusing anchors and aliases, and nesting deeper than ``max_depth``."""

    max_depth = DEPTH_CAP

    def __init__(self, stream):
        super().__init__(stream)
        self.depth = 0

    def fetch_flow_collection_start(self, TokenClass):  # noqa: N803  (PyYAML's name)
        if self.flow_level >= self.max_depth:  # before the scanner's cost grows with the depth
            raise ScannerError(None, None, _TOO_DEEP.format(self.max_depth), self.get_mark())
        super().fetch_flow_collection_start(TokenClass)

    def compose_node(self, parent, index):
        event = self.peek_event()
        _refuse_anchors(event)
        if not isinstance(event, CollectionStartEvent):
            return super().compose_node(parent, index)
        if self.depth >= self.max_depth:
            raise ComposerError(None, None, _TOO_DEEP.format(self.max_depth), event.start_mark)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


_NO_ANCHORS = "anchors and aliases (& and *) are not allowed in front matter"
_TOO_DEEP = too_deep(0, "the front matter is").reason.replace(" 0 ", " {} ")
_C_LOADER = getattr(yaml, "CSafeLoader", None)  # libyaml, when PyYAML was built with it


def _refuse_anchors(event) -> None:
    if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
        raise ComposerError(None, None, _NO_ANCHORS, event.start_mark)


def _check_events(yaml_text: str, max_depth: int) -> None:
    """Go through libyaml's events once: no anchor, no alias, no collection deeper than ``max_depth``."""
    depth = 0
    for event in yaml.parse(yaml_text, Loader=_C_LOADER):
        _refuse_anchors(event)
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > max_depth:  # stop before libyaml's cost grows with the depth
                raise ComposerError(None, None, _TOO_DEEP.format(max_depth), event.start_mark)
        elif isinstance(event, CollectionEndEvent):
            depth -= 1


def _guarded(yaml_text: str, max_depth: int) -> GuardedLoader:
    loader = GuardedLoader(yaml_text)
    loader.max_depth = max_depth
    return loader


def load_yaml(yaml_text: str, max_depth: int = DEPTH_CAP):
    """``yaml.safe_load`` without anchors, aliases or nesting deeper than ``max_depth``."""
    loader = _guarded(yaml_text, max_depth)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def compose_yaml(yaml_text: str, max_depth: int = DEPTH_CAP) -> yaml.Node | None:
    """``yaml.compose`` (nodes with their marks) with the same refusals as :func:`load_yaml`; libyaml when present."""
    if _C_LOADER is not None:
        _check_events(yaml_text, max_depth)
        return yaml.compose(yaml_text, Loader=_C_LOADER)
    loader = _guarded(yaml_text, max_depth)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def parse_front_matter(yaml_text: str | None, max_depth: int = DEPTH_CAP) -> dict:
    """Parse front matter YAML into a dict; raise :class:`FrontMatterError` with the line on failure."""
    if yaml_text is None or not yaml_text.strip():
        return {}
    try:
        data = load_yaml(yaml_text, max_depth)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        # +1 for 0-based marks, +1 for the opening fence line
        raise FrontMatterError(f"invalid YAML front matter: {problem}", mark.line + 2 if mark else None) from None
    except ValueError as exc:  # a value PyYAML cannot build, such as an integer of 5,000 digits
        raise FrontMatterError(f"invalid YAML front matter: {exc}", None) from None
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
