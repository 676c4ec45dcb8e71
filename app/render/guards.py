"""What keeps one rendering bounded: inline nesting apart from block nesting, and the weight of the output.

markdown-it-py's cost on a run of ``[`` grows with its nesting limit, so inline markup keeps
markdown-it's own limit while blocks may nest deeper (:mod:`app.content.limits`); a rendering
whose tokens and texts outweigh its Markdown by far (a reference link with a long URL used
everywhere) is refused before the HTML is built; another note's title in a tooltip is cut.
"""
from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.utils import OptionsDict

from app.content.limits import INLINE_NESTING, LimitExceeded

#: What a rendering may weigh, per character of its Markdown (plus a fixed slack): tokens, and
#: characters of their texts and attributes. Real notes stay far below; a reference link defined
#: once with a long URL and used everywhere would multiply the page without bound.
OUTPUT_TOKENS_PER_CHAR, OUTPUT_CHARS_PER_CHAR, OUTPUT_SLACK = 8, 64, 1_000_000
#: Longest title of another note put in a link's tooltip (a title is as long as its author wants).
TOOLTIP_CHARS = 300


class InlineView:
    """The parser as inline rules see it: the same one, with :data:`INLINE_NESTING` as its nesting limit.

    Blocks may nest :data:`~app.content.limits.BLOCK_NESTING` deep, but markdown-it's cost on a run of ``[`` grows with
    the nesting limit, so inline markup keeps markdown-it's own.
    """

    def __init__(self, md: MarkdownIt):
        self._md = md
        self.options = OptionsDict({**md.options, "maxNesting": INLINE_NESTING})

    def __getattr__(self, name: str):
        return getattr(self._md, name)


def parse_inline(view: InlineView, state: StateCore) -> None:
    """markdown-it's ``inline`` core rule, run through ``view``."""
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            view.inline.parse(token.content, view, state.env, token.children)


def check_output_budget(state: StateCore) -> None:
    """Refuse a rendering that would weigh more than :data:`OUTPUT_CHARS_PER_CHAR` times its Markdown."""
    size = len(state.src)
    tokens = chars = 0
    for token in state.tokens:
        for item in (token, *(token.children or ())):
            tokens += 1
            chars += 12 + len(item.content) + sum(len(str(value)) for value in item.attrs.values())  # 12: its tags
            target = item.meta.get("target") if item.meta else None
            if target is not None:
                chars += len(getattr(target, "src", None) or getattr(target, "href", "")) + TOOLTIP_CHARS
    if tokens > OUTPUT_TOKENS_PER_CHAR * size + OUTPUT_SLACK or chars > OUTPUT_CHARS_PER_CHAR * size + OUTPUT_SLACK:
        raise LimitExceeded(f"the note would render to more than {OUTPUT_CHARS_PER_CHAR} times its size "
                            "(a link or table repeated without end?)")


def tooltip(title: str) -> str:
    """Another note's title as a tooltip: at most :data:`TOOLTIP_CHARS` characters."""
    return title if len(title) <= TOOLTIP_CHARS else title[:TOOLTIP_CHARS - 1] + "…"
