"""HTML sanitization with nh3 and an explicit allow-list: what rendered Markdown may contain."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCK_ANCHOR = {"id", "class", "title"}  # block ids and "changed since approval" markers

#: tag -> attributes it may keep; every other tag and attribute is dropped
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title", "class", "hreflang", "lang", "id"},
    "img": {"src", "alt", "title", "width", "height", "loading", "class"},
    **{h: set(_BLOCK_ANCHOR) for h in _HEADINGS},
    "p": set(_BLOCK_ANCHOR),
    "li": set(_BLOCK_ANCHOR),
    "ul": set(_BLOCK_ANCHOR),
    "ol": {"start", *_BLOCK_ANCHOR},
    "blockquote": set(_BLOCK_ANCHOR),
    "aside": {"role", *_BLOCK_ANCHOR},
    "table": set(_BLOCK_ANCHOR),
    "thead": set(),
    "tbody": set(),
    "tr": set(_BLOCK_ANCHOR),
    "th": {"align"},
    "td": {"align"},
    "pre": {"class"},
    "code": {"class"},
    "span": {"class", "title", "lang", "aria-hidden"},
    "div": {"class", "lang"},
    "audio": {"class", "controls", "preload", "src"},  # attachments: ``![[sound.mp3]]``
    "video": {"class", "controls", "preload", "src", "width", "height"},
    "details": {"open", "class"},
    "summary": {"class"},
    "section": {"class", "id"},
    "sup": {"class", "id"},
    "sub": set(),
    "hr": {"class"},
    "br": set(),
    "em": set(),
    "strong": set(),
    "del": set(),
    "s": set(),
    "b": set(),
    "i": set(),
    "kbd": set(),
    "mark": set(),
    "dl": set(),
    "dt": set(),
    "dd": set(),
}
ALLOWED_TAGS: frozenset[str] = frozenset(ALLOWED_ATTRIBUTES)
#: tags removed together with everything inside them
REMOVED_WITH_CONTENT: frozenset[str] = frozenset({
    "script", "style", "svg", "math", "iframe", "frame", "frameset", "object", "embed", "applet", "template",
    "noscript", "noembed", "noframes", "textarea", "select", "title", "xmp",
})
URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})
EXTERNAL_LINK_REL = "noopener noreferrer"

#: the classes the renderer emits (plus callout and code-language families below)
ALLOWED_CLASSES: frozenset[str] = frozenset({
    "wikilink", "unresolved", "embed", "missing", "embed-note", "embed-image", "embed-title", "tag",
    "callout", "callout-title", "changed-since-approval", "change-marker", "visually-hidden",
    "footnote-ref", "footnotes-sep", "footnotes", "footnotes-list", "footnote-item", "footnote-backref",
    "embed-audio", "embed-video", "embed-file", "embed-pdf", "embed-file-link", "embed-file-icon", "embed-block",
    "embed-loop",
})
_CLASS_FAMILIES = re.compile(r"callout-[a-z0-9-]{1,40}|language-[\w.+#-]{1,40}")
_VALUE_PATTERNS: dict[str, re.Pattern[str]] = {
    "id": re.compile(r"[\w:.-]{1,200}"),
    "width": re.compile(r"\d{1,5}"),
    "height": re.compile(r"\d{1,5}"),
    "start": re.compile(r"\d{1,9}"),
    "lang": re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*"),
    "hreflang": re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*"),
    "loading": re.compile(r"lazy|eager"),
    "role": re.compile(r"note"),
    "align": re.compile(r"left|center|right"),
    "open": re.compile(r"|open"),
    "controls": re.compile(r"|controls"),
    "preload": re.compile(r"none|metadata"),
    "aria-hidden": re.compile(r"true"),
}


#: What every id in a note's HTML starts with, so that no heading, footnote or block id can take the
#: id of an element of the page around it (``main``, ``note-title``, ``seg-…``), as the forges do.
ID_PREFIX = "user-content-"


def prefix_id(value: str) -> str:
    """``value`` as an id of note content (unchanged when it already carries :data:`ID_PREFIX`)."""
    return value if value.startswith(ID_PREFIX) else ID_PREFIX + value


def _prefix_fragment(url: str) -> str:
    """A link to an anchor of note content: ``#x`` and ``/fr/notes/n#x`` point at the prefixed id; others as they are."""
    path, hash_, fragment = url.partition("#")
    if not hash_ or not fragment or urlsplit(path).scheme or path.startswith("//"):
        return url
    return f"{path}#{prefix_id(fragment)}"


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Keep an allowed attribute only when its value has the expected shape; keep known classes only."""
    if attribute == "id" and _VALUE_PATTERNS["id"].fullmatch(value.strip()):
        return prefix_id(value.strip())
    if attribute == "href":
        return _prefix_fragment(value)
    if attribute == "class":
        classes = [c for c in value.split() if c in ALLOWED_CLASSES or _CLASS_FAMILIES.fullmatch(c)]
        return " ".join(dict.fromkeys(classes)) or None
    pattern = _VALUE_PATTERNS.get(attribute)
    if pattern is not None and not pattern.fullmatch(value.strip()):
        return None
    return value


def is_external_url(url: str | None) -> bool:
    """Tell whether ``url`` leaves the site (``http(s)://…`` or ``//…``)."""
    if not url:
        return False
    url = url.strip()
    return url.startswith("//") or urlsplit(url).scheme.lower() in ("http", "https")


class _ExternalLinkFinder(HTMLParser):
    """Finds where each ``<a>`` start tag pointing off-site begins in (already sanitized) HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.positions: list[tuple[int, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a" and is_external_url(dict(attrs).get("href")):
            self.positions.append(self.getpos())


def _add_rel_to_external_links(html: str) -> str:
    """Insert ``rel="noopener noreferrer"`` right after ``<a`` of every off-site link."""
    finder = _ExternalLinkFinder()
    finder.feed(html)
    finder.close()
    if not finder.positions:
        return html
    line_starts = [0] + [m.end() for m in re.finditer("\n", html)]
    offsets = sorted(line_starts[line - 1] + column for line, column in finder.positions)
    pieces, last = [], 0  # one join: inserting into the string link by link cost its length each time
    for offset in offsets:
        if html.startswith("<a", offset):
            pieces += [html[last:offset + 2], f' rel="{EXTERNAL_LINK_REL}"']
            last = offset + 2
    pieces.append(html[last:])
    return "".join(pieces)


def sanitize_html(html: str) -> str:
    """Clean ``html`` against the allow-list: no scripts, handlers, styles or unsafe URLs survive."""
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(REMOVED_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_filter_attribute,
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )
    # html5ever writes U+00A0 as &nbsp;: keep the character itself, as the author typed it
    cleaned = cleaned.replace("&nbsp;", "\u00a0")
    return _add_rel_to_external_links(cleaned)
