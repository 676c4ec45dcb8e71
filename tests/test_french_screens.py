"""The French interface: no English left on any screen (decision histories included), French typography, one date format."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.auth_support import log_in_as
from tests.long_note import long_note
from tests.review_support import LANG, SLUG, clean_garden, fill, make_users, submit

ROOT = Path(__file__).resolve().parent.parent
FRENCH_PO = ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%|\{\w*\}")
#: English words of the interface that must never show in French: states, actions, labels.
ENGLISH_WORDS = ("Submitted", "Approved", "Unpublished", "published", "untranslated", "fuzzy", "in progress",
                 "changes requested", "Save", "History", "Reason", "Log out", "Needs work", "Translated",
                 "Next segment", "Column", "Review", "Decision", "withdrawn", "at ")
#: Attributes whose values people read (or hear).
READ_ATTRIBUTES = {"aria-label", "title", "alt", "placeholder"}
NARROW = "\u202f"


class _Visible(HTMLParser):
    """The interface text a French visitor reads: text and read attributes, outside content marked with its language."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, inside a foreign or hidden part)
        self.parts: list[str] = []

    def _skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # an element with its own lang holds content (a note's French, an English draft), not the interface
        foreign = (tag != "html" and "lang" in attrs) or tag in ("script", "style", "textarea") \
            or attrs.get("id") == "note-title" or {"note-body", "backlinks"} & set((attrs.get("class") or "").split())
        skipping = self._skipping() or foreign
        if not skipping:
            self.parts += [v for k, v in attrs.items() if v and (k in READ_ATTRIBUTES or k.startswith(("data-msg", "data-label", "data-state")))]
        if tag not in ("br", "img", "input", "meta", "link", "hr", "rect"):
            self.stack.append((tag, skipping))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not self._skipping():
            self.parts.append(data)


def visible(html: str) -> str:
    """The visible French text of a page, whitespace collapsed."""
    parser = _Visible()
    parser.feed(html)
    return re.sub(r"[ \t\r\n]+", " ", " ".join(parser.parts))


def interface_phrases() -> list[str]:
    """The English interface strings of three words or more, placeholders cut out (the longest piece of each)."""
    with FRENCH_PO.open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    phrases = []
    for message in catalog:
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        if not msgid:
            continue
        piece = max(PLACEHOLDER.split(msgid), key=len).strip(" .:,()")
        if len(piece.split()) >= 3:
            phrases.append(piece)
    return phrases


def french_client(app, username: str | None):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    if username:
        log_in_as(app, client, app.user_ids[username])
    return client


@pytest.fixture
def site(app):
    """A garden where a note was submitted, approved, then unpublished with a reason, and a long note."""
    garden = app.extensions["garden"]
    (garden.content_dir / garden.source_lang / "Guide long.md").write_text(long_note(120), encoding="utf-8")
    clean_garden(app)
    app.user_ids = make_users(app)
    fill(app, SLUG)
    submit(app, SLUG)
    editor = french_client(app, "editor")
    assert editor.post(f"/review/{LANG}/{SLUG}/approve").status_code == 303
    assert editor.post(f"/review/{LANG}/{SLUG}/unpublish", data={"reason": "Relecture à refaire", "confirm": "yes"}).status_code == 303
    return app


SCREENS = [("translator", "/translate/"), ("translator", f"/translate/{LANG}/guide-long"),
           ("translator", f"/translate/{LANG}/guide-long?show=needs-work&page=2"),
           ("translator", f"/translate/{LANG}/{SLUG}"), ("editor", "/review/"), ("editor", f"/review/{LANG}/{SLUG}"),
           (None, f"/fr/notes/{SLUG}"), (None, "/fr/notes/guide-long"), (None, "/login")]


@pytest.mark.parametrize("who, url", SCREENS)
def test_french_screens_have_no_english_left(site, who, url):
    response = french_client(site, who).get(url)
    assert response.status_code == 200
    text = visible(response.get_data(as_text=True))
    assert "Relecture à refaire" in text or "review" not in url or "/review/" == url
    leftovers = [p for p in interface_phrases() if p in text]
    leftovers += [w for w in ENGLISH_WORDS if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]
    assert not leftovers, f"English on {url}: {leftovers}"


@pytest.mark.parametrize("who, url", SCREENS)
def test_french_screens_put_a_narrow_no_break_space_before_high_punctuation(site, who, url):
    text = visible(french_client(site, who).get(url).get_data(as_text=True))
    text = re.sub(r"\w+://\S+|\d:\d|\[\[[^\]]*\]\]", "", text)  # addresses, times, wikilinks are not prose
    wrong = re.findall(r".{0,20}(?:[^\s\u202f\u00a0(«\"'/][:;?!]|[ \u00a0][:;?!])(?=\s|$).{0,10}", text)
    assert not wrong, f"typography on {url}: {wrong}"


def test_the_french_catalog_uses_narrow_no_break_spaces():
    with FRENCH_PO.open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        for string in (message.string if isinstance(message.string, tuple) else (message.string,)):
            # addresses, times, placeholders and header lines to copy as they are (Content-Type: …) are not prose
            prose = re.sub(r"\w+://\S+|\d:\d|%\(\w+\)s|Content-Type: [^)]*", "x", string or "")
            if re.search(r"(?:[^\s\u202f(«\"'/][:;?!]|[ \u00a0][:;?!])(?=[\s)]|$)", prose):
                wrong.append(string)
    assert not wrong, wrong


def test_the_reader_and_the_review_history_write_dates_alike(site):
    """The English reader says when the translation was withdrawn; the review history, in English, says the same day."""
    editor = french_client(site, "editor")
    editor.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    history = editor.get(f"/review/{LANG}/{SLUG}").get_data(as_text=True)
    withdrawn = french_client(site, None).get(f"/{LANG}/notes/{SLUG}").get_data(as_text=True)
    assert "not been translated" not in withdrawn
    day = re.search(r"was withdrawn on (\d{1,2} \w+ \d{4}|\w+ \d{1,2}, \d{4})", withdrawn).group(1)
    assert re.search(rf"Unpublished</strong> · editor · <time [^>]*>{day} at \d\d:\d\d</time>", history), history
    approved = re.search(r"Approved and published</strong> · editor · <time [^>]*>([^<]+) at ", history).group(1)
    assert approved == day
    french = visible(french_client(site, "editor").get(f"/review/{LANG}/{SLUG}").get_data(as_text=True))
    assert re.search(r"Dépubliée · editor · \d{1,2} \w+ \d{4} à \d\d:\d\d", french), french


def test_every_template_writes_dates_through_the_one_helper():
    """Dates on pages come from ``show_date`` (the chart's axis keeps its short day-month labels)."""
    templates = Path(__file__).resolve().parent.parent / "app" / "templates"
    stray = [f"{path.relative_to(templates)}: {line.strip()}" for path in templates.rglob("*.html")
             for line in path.read_text(encoding="utf-8").splitlines()
             if re.search(r"\bformat_(date|datetime|time)\(", line) and '"d MMM"' not in line]
    assert not stray, stray
