"""Sanitization: nothing executable survives, from Markdown, wikilinks or raw HTML; the allow-list holds."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from app.content.wikilinks import WikiLink
from app.render import EmbedTarget, LinkTarget, RenderOptions, render_markdown, sanitize_html
from app.render.sanitize import ALLOWED_ATTRIBUTES, URL_SCHEMES

_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")  # browsers drop these anywhere in a URL


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def assert_inert(html: str) -> None:
    """Every tag and attribute is on the allow-list, and no URL can run code."""
    assert not re.search(r"<\s*/?\s*(script|svg|math|iframe|object|embed|form|style)", html, re.I), html
    collector = _Collector()
    collector.feed(html)
    collector.close()
    for tag, attrs in collector.tags:
        assert tag in ALLOWED_ATTRIBUTES, (tag, html)
        allowed = ALLOWED_ATTRIBUTES[tag] | ({"rel"} if tag == "a" else set())
        for name, value in attrs.items():
            assert name in allowed and not name.startswith("on"), (tag, name, html)
            if name in ("href", "src"):
                url = _TAB_OR_NEWLINE.sub("", value or "").strip("".join(map(chr, range(0x21)))).lower()
                scheme = re.match(r"([a-z][a-z0-9+.-]*):", url)
                assert scheme is None or scheme.group(1) in URL_SCHEMES, (url, html)
            if name == "rel":
                assert value == "noopener noreferrer"


def echo_link(link: WikiLink) -> LinkTarget:
    """A careless resolver that trusts the wikilink target as a URL."""
    return LinkTarget(href=link.target, title=link.target, lang=link.target)


def echo_embed(link: WikiLink) -> EmbedTarget:
    kind = "image" if "img" in link.target else "note"
    return EmbedTarget(kind=kind, src=link.target, title=link.target, html=f"<p>{link.target}</p>{link.target}")


def render_hostile(markdown: str) -> str:
    options = RenderOptions(resolve_link=echo_link, resolve_embed=echo_embed, tag_href=lambda tag: f"/t/{tag}")
    return render_markdown(markdown, options)


PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "x <scr<script>ipt>alert(1)</script>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&#x3A;alert(1))",
    "[x]: javascript:alert(1)\n\n[x]",
    "<javascript:alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "[[javascript:alert(1)]]",
    "[[JaVaScRiPt:alert(1)|click me]]",
    "[[&#106;avascript:alert(1)]]",
    "![[javascript:alert(1)]]",
    "![[img javascript:alert(1)]]",
    "![[<script>alert(1)</script>]]",
    "<img src=x onerror=alert(1)>",
    '<p onclick="alert(1)">x</p>',
    "<body onload=alert(1)>",
    '<a href="https://ok.example" onmouseover="alert(1)">x</a>',
    "<details open ontoggle=alert(1)><summary>s</summary></details>",
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><script>alert(1)</script></mtext></math>",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<style>body{display:none}</style>",
    '<a href="https://ok.example" target="_blank">x</a>',
    '<a href="https://ok.example" target="_blank" rel="opener">x</a>',
    '<form action="https://evil.example"><input name=x><button formaction="javascript:alert(1)">go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/"><link rel=stylesheet href="https://evil.example/x.css">',
    "<!-- <script>alert(1)</script> -->",
    '<img src="x" srcset="javascript:alert(1) 1x">',
    '<a href="//evil.example/x" title=\'"><script>alert(1)</script>\'>x</a>',
    '[x](https://ok.example "\\" onmouseover=\\"alert(1)")',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<xmp><img src=x onerror=alert(1)></xmp>",
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    '<img src="x" width="100" height="1 onerror=alert(1)">',
    "> [!note] <img src=x onerror=alert(1)>\n> body <script>alert(1)</script>",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "#tag<script>alert(1)</script>",
    "Footnote[^1]\n\n[^1]: <a href=javascript:alert(1)>x</a>",
    '<a href="https://ok.example" class="wikilink" id="x y" lang="fr onload=x">x</a>',
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_in_markdown_is_inert(payload):
    assert_inert(render_hostile(payload))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_as_raw_html_is_inert(payload):
    assert_inert(sanitize_html(payload))


def test_embedded_note_html_is_sanitized_too():
    def embed(link):
        return EmbedTarget("note", "/n", "N", html='<p onclick="x()">ok</p><script>alert(1)</script>')

    html = render_markdown("![[n]]", RenderOptions(resolve_link=echo_link, resolve_embed=embed))
    assert_inert(html)
    assert "<p>ok</p>" in html


def test_interface_texts_are_escaped():
    options = RenderOptions(resolve_link=lambda link: None, unresolved_title='"><script>alert(1)</script>',
                            missing_embed_text="<img src=x onerror=alert(1)> {name}")
    html = render_markdown("[[a]] ![[b<script>]]", options)
    assert_inert(html)
    assert "&lt;img src=x onerror=alert(1)&gt; b&lt;script&gt;" in html


def test_safe_markup_survives():
    html = sanitize_html(
        '<details open="" class="x"><summary class="callout-title">T</summary></details>'
        '<ol start="3"><li id="fn1" class="footnote-item">a</li></ol>'
        '<table><tr><td align="right">1</td><td align="justify">2</td></tr></table>'
        '<span class="wikilink unresolved evil" title="t" lang="fr">x</span>'
        '<img src="/a.png" alt="a" width="30" height="x" loading="lazy"><aside role="note" class="callout callout-tip">'
        '<p class="evil">p</p></aside><code class="language-python">c</code><a href="mailto:a@b.org">m</a>'
    )
    assert '<details open=""><summary class="callout-title">T</summary></details>' in html
    assert '<ol start="3"><li id="user-content-fn1" class="footnote-item">a</li></ol>' in html
    assert '<td align="right">1</td><td>2</td>' in html
    assert '<span class="wikilink unresolved" title="t" lang="fr">x</span>' in html
    assert '<img src="/a.png" alt="a" width="30" loading="lazy">' in html
    assert '<aside role="note" class="callout callout-tip"><p>p</p></aside>' in html
    assert '<code class="language-python">c</code>' in html
    assert '<a href="mailto:a@b.org">m</a>' in html


@pytest.mark.parametrize("attribute", ['role="button"', 'lang="x y"', 'id="a b"', 'class="evil"'])
def test_attribute_values_are_checked(attribute):
    assert sanitize_html(f"<aside {attribute}>x</aside>") == "<aside>x</aside>"


@pytest.mark.parametrize("href, external", [
    ("https://example.org", True), ("HTTP://example.org", True), ("//example.org/x", True),
    ("/fr/notes/x", False), ("#fn1", False), ("mailto:a@b.org", False), ("notes/x", False),
])
def test_rel_only_on_external_links(href, external):
    html = sanitize_html(f'<a href="{href}" rel="nofollow">x</a>')
    assert ('rel="noopener noreferrer"' in html) is external
    assert "nofollow" not in html


def test_rel_is_not_fooled_by_markup_in_attributes():
    html = sanitize_html('<a title="<a href=&quot;https://x&quot;>" href="/local">x</a><a href="https://y">y</a>')
    assert html.count('rel="noopener noreferrer"') == 1
    assert html.endswith('<a rel="noopener noreferrer" href="https://y">y</a>')
    assert_inert(html)


def test_non_breaking_spaces_are_kept_as_characters():
    assert sanitize_html("<p>a\u00a0b &amp;nbsp;</p>") == "<p>a\u00a0b &amp;nbsp;</p>"
