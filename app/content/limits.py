"""How large and how deep a note may be; beyond, the note is broken (reported, never parsed further).

Two limits, set by ``PASSERELLE_MAX_NOTE_BYTES`` and ``PASSERELLE_MAX_NOTE_DEPTH``: the size of
the file, and how deep its blocks nest (block quotes and callouts, list items, footnotes) or its
front matter nests (sequences and mappings). The depth of a body is first bounded from the line
starts alone (cheap); only a note whose bound passes the limit is parsed to count exactly.

The parsers are built for :data:`DEPTH_CAP`, the deepest limit one may configure, so a note within
its limit is parsed and rendered whole (markdown-it drops silently what nests deeper than its
``maxNesting``). Texts that never went through the limits (published snapshots, texts kept in the
database) are still parsed with bounded recursion.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # markdown-it is imported when a note's depth must be counted (a no-op sync never does)
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock

DEFAULT_MAX_BYTES = 1024 * 1024  #: 1 MiB
DEFAULT_MAX_DEPTH = 32
DEPTH_CAP = 64  #: the deepest nesting one may configure
#: markdown-it nesting levels of the block parsers: a list item takes two (its list and itself)
BLOCK_NESTING = 2 * DEPTH_CAP + 2
#: markdown-it nesting levels of inline markup (markdown-it's CommonMark default): the cost of a
#: run of ``[`` grows with it, so it stays apart from :data:`BLOCK_NESTING`
INLINE_NESTING = 20
#: At most this many block tokens per character of the note (plus :data:`TOKEN_SLACK`): the notes of
#: the sklein garden make at most 0.22, a table of one-letter cells 1.5; a table whose rows
#: markdown-it pads to a wide header made millions (each token weighs about 360 bytes)
TOKENS_PER_CHAR = 2
TOKEN_SLACK = 10_000
#: Block containers that count towards the depth of a note.
CONTAINERS = {"blockquote_open": "blockquote_close", "list_item_open": "list_item_close",
              "footnote_reference_open": "footnote_reference_close"}
_CLOSERS = frozenset(CONTAINERS.values())


class LimitExceeded(ValueError):
    """A note (or a text rendered like one) goes past a limit; ``reason`` says which, ``line`` where."""

    def __init__(self, reason: str, line: int | None = None):
        super().__init__(reason if line is None else f"line {line}: {reason}")
        self.reason = reason
        self.line = line  #: 1-based line of the body, when known


@dataclass(frozen=True)
class NoteLimits:
    """The limits a note must keep to."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH

    def __post_init__(self) -> None:
        if not isinstance(self.max_bytes, int) or self.max_bytes < 1:
            raise ValueError(f"PASSERELLE_MAX_NOTE_BYTES must be a positive number of bytes, not {self.max_bytes!r}")
        if not isinstance(self.max_depth, int) or not 1 <= self.max_depth <= DEPTH_CAP:
            raise ValueError(f"PASSERELLE_MAX_NOTE_DEPTH must be between 1 and {DEPTH_CAP}, not {self.max_depth!r}")


def parse_limit(value, name: str, default: int) -> int:
    """A limit from the environment or the configuration, as a positive integer."""
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"PASSERELLE_{name} must be a whole number, not {value!r}") from None
    if number < 1:
        raise ValueError(f"PASSERELLE_{name} must be at least 1, not {value!r}")
    return number


def check_size(size: int, limits: NoteLimits) -> None:
    """Raise :class:`LimitExceeded` when a file of ``size`` bytes is over the limit."""
    if size > limits.max_bytes:
        raise LimitExceeded(f"the file is {size} bytes long, over the limit of {limits.max_bytes} bytes "
                            "(PASSERELLE_MAX_NOTE_BYTES)")


def too_deep(depth: int, what: str = "blocks") -> LimitExceeded:
    """The error for nesting deeper than ``depth``."""
    return LimitExceeded(f"{what} nested more than {depth} levels deep (PASSERELLE_MAX_NOTE_DEPTH)")


# -- depth of a Markdown body ------------------------------------------------------------------------
_DIGITS = frozenset("0123456789")


def _line_bound(line: str) -> int:
    """At least the number of containers the content of ``line`` is in: the markers at its start,
    plus one per two columns of indentation among them (a list item carried over needs two)."""
    markers = columns = 0
    i, end = 0, len(line)
    while i < end:
        ch = line[i]
        if ch == " ":
            columns += 1
        elif ch == "\t":
            columns += 4
        elif ch == ">":
            markers += 1
        elif ch in "-+*" and (i + 1 == end or line[i + 1] in " \t"):
            markers += 1
        elif ch in _DIGITS:
            j = i
            while j < end and j - i < 10 and line[j] in _DIGITS:
                j += 1
            if not (j < end and line[j] in ".)" and (j + 1 == end or line[j + 1] in " \t")):
                break
            markers, i = markers + 1, j
        elif ch == "[" and line.startswith("[^", i):
            close = line.find("]:", i + 2)
            if close < 0 or any(c in " \t" for c in line[i + 2:close]):
                break
            markers, i = markers + 1, close + 1
        else:
            break
        i += 1
    return markers + columns // 2


def depth_bound(body: str) -> int:
    """An upper bound of how deep the blocks of ``body`` nest, from the start of each line."""
    return max((_line_bound(line) for line in body.splitlines()), default=0)


def guard_tokens(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Block rule that never matches: stop a parse whose tokens outgrow the text (:data:`TOKENS_PER_CHAR`)."""
    if len(state.tokens) > TOKENS_PER_CHAR * len(state.src) + TOKEN_SLACK:
        raise LimitExceeded("the note makes too many blocks for its size (a table padded to a wide header?)",
                            start_line + 1)
    return False


def shareable(md: MarkdownIt) -> MarkdownIt:
    """``md`` with every rule chain compiled now, so that threads sharing it never see one half-built.

    markdown-it compiles a ruler's chains on first use, without a lock, into a dict it publishes
    before filling it: a thread rendering at that moment ran with no rules or some of them (a
    wrong page, or an IndexError), on the first pages a fresh gunicorn thread worker served.
    """
    for ruler in (md.core.ruler, md.block.ruler, md.inline.ruler, md.inline.ruler2):
        ruler.getRules("")
    return md


@functools.cache
def _depth_parser() -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"maxNesting": BLOCK_NESTING}).enable("table").use(footnote_plugin)
    md.block.ruler.before("table", "guard_tokens", guard_tokens)
    md.core.ruler.enableOnly(["normalize", "block"])
    return shareable(md)


def first_too_deep(body: str, max_depth: int) -> int | None:
    """The 1-based line of ``body`` where its blocks first nest deeper than ``max_depth`` (exact), or None."""
    depth = 0
    for token in _depth_parser().parse(body):
        if token.type in CONTAINERS:
            depth += 1
            if depth > max_depth:
                return token.map[0] + 1 if token.map else 1
        elif token.nesting < 0 and token.type in _CLOSERS:
            depth -= 1
    return None


def check_markdown_depth(body: str, max_depth: int, first_line: int = 1) -> None:
    """Raise :class:`LimitExceeded` (with the file line) when the blocks of ``body`` nest deeper than ``max_depth``."""
    if depth_bound(body) <= max_depth:
        return
    line = first_too_deep(body, max_depth)
    if line is not None:
        raise LimitExceeded(too_deep(max_depth).reason, line + first_line - 1)
