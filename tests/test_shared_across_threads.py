"""What a worker's threads share gives each of them a lone thread's answer, from the first page a worker serves.

Parsers. 
markdown-it compiles a ruler's chains lazily, without a lock, into a dict it publishes before
filling it. Gunicorn's thread workers render their first pages concurrently: a thread that
caught a chain half-built rendered with some rules missing (a wrong page the caches then kept)
or failed with an IndexError (the note's broken page, a 500). Each parser the app shares is
checked two ways: it never compiles a chain once built (deterministic), and threads started
together on a freshly built parser all get the answer of a lone thread (the real race).

Stemmers. The search's analyzer of a language is shared too; a Snowball stemmer keeps the word
it stems in itself, so concurrent searches got each other's stems or an IndexError, and the
analyzer's cache then kept a wrong term for good.
"""
from __future__ import annotations

import threading

import pytest
from markdown_it import MarkdownIt
from markdown_it.ruler import Ruler

from app.catalog import blocks
from app.catalog.regions import Source
from app.content import limits, sections
from app.content.fulltext import Analyzer
from app.render import markdown
from app.render.markdown import RenderOptions, render_note_body
from tests.seeds import SEED_NOTES
from tests.threads_support import together

TEXT = (SEED_NOTES / "chief of staff.md").read_text(encoding="utf-8")
BODY = TEXT.split("---", 2)[2]


def _render() -> str:
    return render_note_body(TEXT, RenderOptions(resolve_link=lambda link: None))


def _blocks() -> str:
    tokens, _ = blocks.parse_blocks(Source.parse(TEXT))
    return "|".join(f"{t.type}:{t.map}" for t in tokens)


def _depth() -> str:
    return repr(limits.first_too_deep("> " * 3 + "deep\n" + BODY, 2))


def _sections() -> str:
    return "|".join(f"{t.type}:{t.map}" for t in sections._blocks(BODY)[1])


def _fresh_render():
    markdown._parser.cache_clear()


def _fresh_blocks():
    blocks._MARKDOWN = blocks._parser()


USES = {
    "render": (_render, _fresh_render),
    "catalog blocks": (_blocks, _fresh_blocks),
    "depth": (_depth, limits._depth_parser.cache_clear),
    "sections": (_sections, sections._parser.cache_clear),
}


@pytest.fixture(autouse=True)
def _rebuilt_after():
    yield
    for _use, fresh in USES.values():
        fresh()


@pytest.mark.parametrize("use", sorted(USES))
def test_no_rule_chain_is_compiled_while_parsing(use, monkeypatch):
    run, fresh = USES[use]
    fresh()
    expected = run()
    parsing = threading.local()
    original_parse, original_compile = MarkdownIt.parse, Ruler.__compile__

    def parse(self, *args, **kwargs):
        parsing.on = True
        try:
            return original_parse(self, *args, **kwargs)
        finally:
            parsing.on = False

    def compile_chains(self):
        assert not getattr(parsing, "on", False), "a rule chain was compiled by a parse, where other threads share it"
        original_compile(self)

    monkeypatch.setattr(MarkdownIt, "parse", parse)
    monkeypatch.setattr(Ruler, "__compile__", compile_chains)
    fresh()
    assert run() == expected


@pytest.mark.parametrize("use", sorted(USES))
def test_threads_on_a_fresh_parser_agree(use):
    together(*USES[use], trials=150)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_concurrent_searches_stem_alike(lang):
    words = TEXT.split() + ["stratégiques", "traductions", "running", "nationalities", "publiées"]
    shared = {}

    def fresh():
        shared["analyzer"] = Analyzer(lang)

    together(lambda: shared["analyzer"].terms(" ".join(words)), fresh, trials=10, threads=4)
