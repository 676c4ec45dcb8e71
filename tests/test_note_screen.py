"""Issue 13's note screen: filters with counts, pages of sections, context, fuzzy reasons, saves, submissions."""
from __future__ import annotations

import re
from html import unescape

import polib
import pytest

from app.catalog.context import segment_contexts
from app.catalog.fuzzy_reasons import FRENCH_CHANGED, SIMILAR_PASSAGE, fuzzy_reasons
from app.catalog.po import read_catalog, write_catalog
from app.catalog.note_catalog import sync_note
from app.services.garden import get_garden
from app.services.translating.screen_pages import PAGE_SIZE, paginate, screen_pages
from tests.long_note import long_note
from tests.review_support import LANG, SLUG, change_french, clean_garden, fill, make_users, submit
from tests.test_review_screens import client_as

LONG_FILE = "Guide long.md"
LONG = "guide-long"


# -- plain Python -----------------------------------------------------------------------------------
def test_a_table_cell_knows_its_column_and_row_and_a_list_item_its_parent():
    text = ("# Outils\n\n| Outil | Usage |\n| --- | --- |\n| marteau | clouer |\n\n"
            "- Parent\n  - Enfant\n    - Petit-enfant\n- Voisin\n\nFin.\n")
    found = segment_contexts(text)
    assert (found["clouer"].column_header, found["clouer"].row_header) == ("Usage", "marteau")
    assert (found["marteau"].column_header, found["marteau"].row_header) == ("Outil", None)
    assert found["Usage"].column_header is None  # a header cell is its own context
    assert found["Enfant"].parent_item == "Parent" and found["Petit-enfant"].parent_item == "Enfant"
    assert found["Voisin"].parent_item is None and found["Parent"].parent_item is None
    assert found["clouer"].line == 5 and found["clouer"].section == 1 and found["Fin."].section == 1


def _translated(path, text: str, translations: dict[str, str]):
    sync_note(text, "n.md", path, "en")
    po = read_catalog(path)
    for entry in po:
        entry.msgstr = translations.get(entry.msgid, "")
    write_catalog(path, po)


def test_fuzzy_reasons_tell_a_changed_french_from_a_new_passage_suggested_from_another(tmp_path):
    path = tmp_path / "n.po"
    old = "Le chat dort sur le canapé du salon.\n\nUne autre phrase sans rapport aucun.\n"
    _translated(path, old, {"Le chat dort sur le canapé du salon.": "The cat sleeps on the sofa.",
                            "Une autre phrase sans rapport aucun.": "Another sentence."})
    # the first paragraph is edited, and a new one close to the second is added while the second stays
    new = ("Le chat dort sur le grand canapé du salon.\n\nUne autre phrase sans rapport aucun.\n\n"
           "Une autre phrase sans rapport, aucun doute.\n")
    sync_note(new, "n.md", path, "en")
    po = read_catalog(path)
    by_msgid = {e.msgid: e for e in po if not e.obsolete}
    reasons = {e.msgid: r for e in po for ident, r in fuzzy_reasons(po).items() if ident == _id(e)}
    assert by_msgid["Le chat dort sur le grand canapé du salon."].fuzzy
    assert reasons["Le chat dort sur le grand canapé du salon."] == (FRENCH_CHANGED, None)
    assert reasons["Une autre phrase sans rapport, aucun doute."] == (SIMILAR_PASSAGE,
                                                                     _id(by_msgid["Une autre phrase sans rapport aucun."]))
    assert "Une autre phrase sans rapport aucun." not in reasons  # translated, not fuzzy


def _id(entry: polib.POEntry) -> str:
    from app.catalog.po import entry_id

    return entry_id(entry)


class _Seg:
    def __init__(self, ident, section, status="untranslated"):
        self.id, self.section, self.status = ident, section, status
        self.needs_work, self.errors, self.warnings = status != "translated", 0, 0


def test_pages_hold_whole_sections_and_cut_only_a_section_longer_than_a_page():
    segments = [_Seg(f"a{i}", 1) for i in range(30)] + [_Seg(f"b{i}", 2) for i in range(30)] + \
               [_Seg(f"c{i}", 3) for i in range(120)]
    pages = paginate(segments, 50)
    assert [len(p) for p in pages] == [30, 30, 50, 50, 20]
    assert {s.section for s in pages[0]} == {1} and {s.section for s in pages[1]} == {2}
    segments[5].status, segments[5].needs_work = "translated", False
    shown = screen_pages(segments, [(0, None), (1, "A"), (2, "B"), (3, "C")], "needs-work")
    assert shown.counts["all"] == 180 and shown.counts["needs-work"] == 179 and shown.counts["untranslated"] == 179
    assert [s.total for s in shown.sections] == [30, 30, 120] and shown.sections[0].translated == 1
    assert shown.next_target(segments, "a4") == "a6"  # a5 is done
    assert shown.next_target(segments, "c119") == "a0"  # wraps


# -- the screens ---------------------------------------------------------------------------------
@pytest.fixture
def site(app):
    """A clean garden with a 500-segment note, accounts."""
    garden = app.extensions["garden"]
    (garden.content_dir / garden.source_lang / LONG_FILE).write_text(long_note(500), encoding="utf-8")
    clean_garden(app)
    app.user_ids = make_users(app)
    return app


def _segments(html: str) -> list[str]:
    return re.findall(r'<article class="segment segment-\w+" id="seg-(\w+)"', html)


def test_a_long_note_opens_in_pages_with_filters_counts_and_sections(site):
    client = client_as(site, "translator")
    html = client.get(f"/translate/{LANG}/{LONG}").get_data(as_text=True)
    total = len(_segments(html))
    assert 0 < total <= PAGE_SIZE
    assert 'aria-label="Pages of segments"' in html and 'rel="next"' in html
    assert re.search(r'data-filter="needs-work">Needs work <span class="tr-filter-count">\((\d+)\)', html)
    assert "Sections and their progress" in html and "0 of 21 translated" in html
    assert "Show the preview of the whole note" in html and 'class="tr-preview-body' not in html
    second = client.get(f"/translate/{LANG}/{LONG}?page=2").get_data(as_text=True)
    assert set(_segments(second)).isdisjoint(_segments(html))
    assert 'class="tr-preview-body' in client.get(f"/translate/{LANG}/{LONG}?preview=1").get_data(as_text=True)


def test_a_table_cell_shows_its_context_and_opens_the_french_at_its_place(site):
    client = client_as(site, "translator")
    html = client.get(f"/translate/{LANG}/{LONG}").get_data(as_text=True)
    cell = next(chunk for chunk in html.split('<article class="segment')[1:] if "sert à la tâche 1.2" in chunk)
    cell = unescape(cell.split("</article>")[0])
    assert "Column:" in cell and ">Usage<" in cell and "Row:" in cell and ">outil 1.2<" in cell
    href = re.search(r'<a href="(/fr/notes/guide-long#([\w-]+))"', cell)
    french = client.get(href.group(1).split("#")[0]).get_data(as_text=True)
    assert f'id="{href.group(2)}"' in french and "sert à la tâche 1.2" in french.split(f'id="{href.group(2)}"')[1][:300]
    nested = next(chunk for chunk in html.split('<article class="segment')[1:] if "Détail imbriqué 1<" in chunk)
    assert "In the list item:" in nested and "Premier point de la partie 1" in nested


def test_every_segment_opens_the_french_on_an_element_of_that_page_headings_by_their_own_id(site):
    client = client_as(site, "translator")
    html = unescape(client.get(f"/translate/{LANG}/{LONG}").get_data(as_text=True))
    targets = re.findall(r'<a href="/fr/notes/guide-long#([\w-]+)"', html)
    french = client.get("/fr/notes/guide-long").get_data(as_text=True)
    ids = set(re.findall(r'\bid="([^"]+)"', french))
    assert len(targets) >= len(_segments(html)) - 1 and set(targets) <= ids
    heading = next(chunk for chunk in html.split('<article class="segment')[1:]
                   if re.search(r'<div class="segment-text" lang="fr">Partie 1</div>', chunk))
    assert '#user-content-partie-1"' in heading  # a heading lands on its own id, as [[note#Partie 1]] does


def test_filters_and_the_next_link_follow_each_other_without_javascript(site):
    fill(site, LONG, keep=lambda entry: "partie 3" in entry.msgid or "Partie 3" in entry.msgid)
    client = client_as(site, "translator")
    html = client.get(f"/translate/{LANG}/{LONG}?show=untranslated").get_data(as_text=True)
    shown = _segments(html)
    assert shown and all("segment-untranslated" in html.split(f'id="seg-{s}"')[0].rsplit("<article", 1)[1] for s in shown)
    assert 'aria-current="true" data-filter="untranslated"' in html
    assert re.search(r'data-filter="untranslated">Untranslated <span class="tr-filter-count">\((\d+)\)', html).group(1) == str(len(shown))
    next_link = unescape(re.search(r'<a href="([^"]+)" data-role="next-link"', html).group(1))
    assert next_link == f"#seg-{shown[0]}"
    first = html.split(f'id="seg-{shown[0]}"')[1]
    form = re.search(r'action="([^"]+)"', first).group(1)
    data = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1),
            "base_version": re.search(r'name="base_version" value="([^"]+)"', first).group(1),
            "msgstr": "Part 3", "show": "untranslated"}
    response = client.post(form, data=data)
    assert response.status_code == 303
    assert "show=untranslated" in response.headers["Location"] and response.headers["Location"].endswith(f"#seg-{shown[1]}")
    assert client.get(f"/translate/{LANG}/{LONG}?show=fuzzy").get_data(as_text=True).count('<article class="segment') == 0


def test_a_save_through_the_api_returns_where_the_note_stands(site):
    kept: list[str] = []

    def keep(entry) -> bool:  # leave the first two segments untranslated
        if len(kept) < 2:
            kept.append(entry.msgid)
            return True
        return entry.msgid in kept

    fill(site, SLUG, keep=keep)
    client = client_as(site, "translator")
    html = client.get(f"/translate/{LANG}/{SLUG}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    missing = [s for s in _segments(html) if "segment-untranslated" in html.split(f'id="seg-{s}"')[0].rsplit("<article", 1)[1]]
    assert missing
    for ident in missing:
        chunk = html.split(f'id="seg-{ident}"')[1]
        version = re.search(r'name="base_version" value="([^"]+)"', chunk).group(1)
        response = client.put(f"/api/v1/notes/{SLUG}/{LANG}/entries/{ident}", json={"msgstr": "EN done", "base_version": version},
                              headers={"X-CSRFToken": token})
        assert response.status_code == 200
    note = response.get_json()["note"]
    assert note["ready"] is True and note["untranslated"] == 0 and note["state"] == "in_progress"
    assert 'data-role="ready"' in html and 'data-state-in-progress="in progress"' in html


def test_submitting_what_is_already_published_is_refused(site):
    fill(site, SLUG)
    submit(site, SLUG)
    assert client_as(site, "editor").post(f"/review/{LANG}/{SLUG}/approve").status_code == 303
    client = client_as(site, "translator")
    html = client.get(f"/translate/{LANG}/{SLUG}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post(f"/translate/{LANG}/{SLUG}/submit", data={"csrf_token": token})
    assert response.status_code == 409 and "nothing changed since the published English" in response.get_data(as_text=True)
    api = client.post(f"/api/v1/notes/{SLUG}/{LANG}/submit", headers={"X-CSRFToken": token})
    assert api.status_code == 409 and api.get_json()["missing"] == {"unchanged": True}
    with site.app_context():
        path = get_garden(0).catalog_path(LANG, SLUG)
        po = read_catalog(path)
        entry = next(e for e in po if not e.obsolete and e.msgstr.startswith("EN "))
        entry.msgstr = "EN better " + entry.msgstr[3:]
        write_catalog(path, po)
    assert client.post(f"/translate/{LANG}/{SLUG}/submit", data={"csrf_token": token}).status_code == 303


def test_the_api_and_the_screens_say_why_a_segment_is_fuzzy(site):
    """An edited paragraph: "the French changed"; a new one close to a paragraph that stays: "suggested from a similar passage"."""
    fill(site, LONG)
    old = "Le paragraphe 2 de la partie 1 explique une idée de plus, avec soin."
    change_french(site, LONG, old, old.replace("une idée", "une autre idée") + "\n\n"
                  + "Le paragraphe 3 de la partie 1 explique une idée de plus, avec grand soin.")
    client = client_as(site, "translator")
    with site.app_context():
        from app.services import accounts
        token = accounts.create_token("translator")
    found = client.get(f"/api/v1/notes/{LONG}/{LANG}/entries", headers={"Authorization": f"Bearer {token}"}).get_json()["entries"]
    by_msgid = {e["msgid"]: e for e in found}
    changed = by_msgid[old.replace("une idée", "une autre idée")]
    suggested = by_msgid["Le paragraphe 3 de la partie 1 explique une idée de plus, avec grand soin."]
    assert (changed["fuzzy_reason"], changed["fuzzy_source"]) == ("french_changed", None)
    assert suggested["fuzzy_reason"] == "similar_passage"
    assert suggested["fuzzy_source"] == by_msgid["Le paragraphe 3 de la partie 1 explique une idée de plus, avec soin."]["id"]
    assert by_msgid["Le paragraphe 1 de la partie 1 explique une idée de plus, avec soin."]["fuzzy_reason"] is None
    html = unescape(client.get(f"/translate/{LANG}/{LONG}?show=fuzzy").get_data(as_text=True))
    assert html.count("New — suggested from a similar passage") >= 2 and "The French changed since it was translated:" in html
    assert f"#seg-{suggested['fuzzy_source']}" in html
    submit_note_anyway = client_as(site, "editor").get(f"/review/{LANG}/{LONG}").get_data(as_text=True)
    assert "New — suggested from a similar passage" in unescape(submit_note_anyway)


def test_the_review_api_keeps_the_reason_for_unpublishing(site):
    fill(site, SLUG)
    submit(site, SLUG)
    assert client_as(site, "editor").post(f"/review/{LANG}/{SLUG}/approve").status_code == 303
    with site.app_context():
        from app.services import accounts
        token = accounts.create_token("editor")
    api = site.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert api.post(f"/api/v1/notes/{SLUG}/{LANG}/unpublish", json={"reason": "  "}, headers=headers).status_code == 400
    assert api.post(f"/api/v1/notes/{SLUG}/{LANG}/unpublish", json={"reason": "Hors sujet"}, headers=headers).status_code == 200
    events = api.get(f"/api/v1/notes/{SLUG}/{LANG}/publications", headers=headers).get_json()["events"]
    assert (events[0]["action"], events[0]["comment"]) == ("unpublished", "Hors sujet")


def test_a_passage_suggested_from_another_does_not_take_that_passages_history(site):
    """The history of a new passage pre-filled from a similar one is its own (empty), not the other's saves."""
    fill(site, LONG)
    source = "Le paragraphe 3 de la partie 1 explique une idée de plus, avec soin."
    client = client_as(site, "translator")
    html = client.get(f"/translate/{LANG}/{LONG}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    article = next(a for a in html.split("<article")[1:] if f">{source}<" in a)
    ident = re.search(r'id="seg-(\w+)"', article).group(1)
    version = re.search(r'name="base_version" value="([^"]+)"', article).group(1)
    saved = client.put(f"/api/v1/notes/{LONG}/{LANG}/entries/{ident}", json={"msgstr": "Paragraph 3, saved once", "base_version": version},
                       headers={"X-CSRFToken": token})
    assert saved.status_code == 200
    change_french(site, LONG, source, source + "\n\n" + source.replace("avec soin", "avec grand soin"))
    html = unescape(client.get(f"/translate/{LANG}/{LONG}").get_data(as_text=True))
    articles = {re.search(r'id="seg-(\w+)"', a).group(1): a.split("</article>")[0] for a in html.split("<article")[1:]}
    new = next(a for a in articles.values() if "avec grand soin.<" in a)
    assert "New — suggested from a similar passage" in new
    assert "Paragraph 3, saved once" in articles[ident]  # the passage that was saved keeps its history
    assert "History (" not in new or "History (0)" in new


def test_a_submitted_note_offers_no_second_submission(site):
    """Once submitted, the screen says it waits for the editor instead of "you can submit" and a button."""
    fill(site, SLUG)
    submit(site, SLUG)
    html = client_as(site, "translator").get(f"/translate/{LANG}/{SLUG}").get_data(as_text=True)
    assert re.search(r'<form [^>]*data-role="submit-form" hidden>', html)
    assert re.search(r'<p class="tr-ready" data-role="ready" hidden>', html)
    assert re.search(r'<p class="tr-submitted" data-role="submitted">Submitted for review', html)
