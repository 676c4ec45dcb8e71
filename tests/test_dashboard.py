"""The dashboard and the review queue of a larger garden: words, totals, search, filters, sorts, pages, the chart."""
from __future__ import annotations

import json
import re
import weakref
from datetime import datetime, timedelta, timezone
from html import unescape
from pathlib import Path

import pytest

from app.catalog.po import read_catalog, write_catalog
from app.catalog.words import count_words
from app.extensions import db
from app.models import EntryHistory
from app.render.chart import Series, line_chart, nice_ceiling
from app.services.garden import get_garden
from app.services.translating.dashboard import DashboardQuery, priority_group
from app.services.translating.history import count_at, outdated_intervals, translated_words_over
from app.services.translating.progress import LangProgress
from tests.auth_support import log_in_as
from tests.review_support import LANG, clean_garden, fill, make_users, submit

GENERATED = 120


def _note(k: int) -> str:
    tags = "\ntags: [alpha]" if k % 3 == 0 else ""
    words = " ".join(f"mot{j}" for j in range(k % 7 + 1))
    return f"---\ntitle: Note de test {k:03d}{tags}\n---\n\nPremier paragraphe {words}.\n\nSecond paragraphe numéro {k}.\n"


@pytest.fixture
def site(paths, request):
    """The seed garden plus 120 generated notes in two folders and one tagged #zèbre, synced, with accounts."""
    french = paths["content"] / "fr"
    for k in range(GENERATED):
        folder = french / ("dossier-a" if k % 2 == 0 else "dossier-b")
        folder.mkdir(exist_ok=True)
        (folder / f"note {k:03d}.md").write_text(_note(k), encoding="utf-8")
    (french / "Cible unique.md").write_text("---\ntags: [zèbre]\n---\n\nUn animal rayé.\n", encoding="utf-8")
    app = request.getfixturevalue("app")
    clean_garden(app)
    app.user_ids = make_users(app)
    return app


def client_as(app, name="translator"):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    log_in_as(app, client, app.user_ids[name])
    return client


def row_titles(html: str) -> list[str]:
    """The note titles of the rows of the dashboard's table, in order."""
    table = html.split('class="tr-dashboard"', 1)[1].split("</table>", 1)[0] if 'class="tr-dashboard"' in html else ""
    return [unescape(t) for t in re.findall(r'<th scope="row" class="tr-note">\s*<a [^>]*>([^<]*)</a>', table)]


# -- counting ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, words", [
    ("Un deux trois", 3), ("**Gras** et _penché_", 3), ("Note : voir ceci !", 3),
    ("Voir [[chief of staff|le bras droit]] ici", 5), ("Lire [la doc](https://example.org/a) vite", 4),
    ("<span class=\"x\">deux mots</span>", 2), ("mot\u00a0à\u202fmot", 3), ("— – …", 0), ("", 0), ("l’équipe, 2024", 2),
])
def test_words_are_counted_on_spaces_once_markup_is_stripped(text, words):
    assert count_words(text) == words


# -- the chart -----------------------------------------------------------------------------------

def test_the_chart_is_accessible_svg_with_one_point_per_value_and_escaped_labels():
    svg = str(line_chart("c1", "Mots <traduits>", "De 0 à 10 & plus", ["a", "<b>", "c"], [Series("s", (0, 5, 10))]))
    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">Mots &lt;traduits&gt;</title>' in svg and '<desc id="c1-desc">De 0 à 10 &amp; plus</desc>' in svg
    assert svg.count("<circle") == 3 and "&lt;b&gt;" in svg and "<b>" not in svg
    points = re.search(r'points="([^"]+)"', svg).group(1).split()
    ys = [float(p.split(",")[1]) for p in points]
    assert ys[0] > ys[1] > ys[2], "a larger value is drawn higher"
    with pytest.raises(ValueError):
        line_chart("c2", "t", "d", ["a", "b"], [Series("s", (1,))])


@pytest.mark.parametrize("value, ceiling", [(0, 1), (1, 1), (7, 10), (11, 20), (240, 250), (2600, 5000), (0.3, 0.5)])
def test_the_axis_ends_on_a_round_number(value, ceiling):
    assert nice_ceiling(value) == ceiling


@pytest.mark.parametrize("top, ticks", [(5, ["0", "2", "4", "6", "8"]), (0, ["0", "1", "2", "3", "4"]),
                                        (1000, ["0", "250", "500", "750", "1\u202f000"])])
def test_counts_get_whole_round_ticks(top, ticks):
    svg = str(line_chart("c", "t", "d", ["a", "b"], [Series("s", (0, top))]))
    assert re.findall(r'<text class="chart-tick"[^>]*>([^<]+)</text>', svg) == ticks


# -- history ---------------------------------------------------------------------------------------

def test_translated_words_in_the_past_are_todays_minus_what_saves_added_since():
    now = datetime(2026, 3, 1, tzinfo=timezone.utc)
    points = [now - timedelta(weeks=2), now - timedelta(weeks=1), now]
    saves = [(now - timedelta(days=10), "un deux trois", "", "one two three", False),   # +3 after the first point
             (now - timedelta(days=3), "quatre cinq", "old", "four five", True),        # fuzzy to translated: +2
             (now - timedelta(days=2), "six", "six", "", False),                        # emptied: -1
             (now - timedelta(days=1), "sept huit", "seven", "seven eight", False)]     # was translated already: 0
    assert translated_words_over(points, 100, saves) == [96, 99, 100]


def test_outdated_spans_come_from_publications_and_the_french_change():
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    day = timedelta(days=1)
    pubs = [("a.md", "s1", t0, None, False), ("a.md", "s2", t0 + 10 * day, None, True),  # replaced against new French
            ("b.md", "s1", t0, None, True),                                                # outdated now
            ("c.md", "s1", t0, t0 + 5 * day, False)]                                       # unpublished, never outdated
    changed = {"a.md": t0 + 12 * day, "b.md": t0 + 3 * day}
    spans = outdated_intervals(pubs, changed.get, lambda source, at: at + 4 * day if source == "a.md" else None)
    assert spans == [(t0 + 4 * day, t0 + 10 * day), (t0 + 12 * day, None), (t0 + 3 * day, None)]
    assert count_at([t0 + 2 * day, t0 + 5 * day, t0 + 11 * day, t0 + 13 * day], spans) == [0, 2, 1, 2]


# -- query strings -------------------------------------------------------------------------------

@pytest.mark.parametrize("args, expected", [
    ({}, ("", None, "priority", 1, ())),
    ({"q": "  chief\x00  of\tstaff ", "show": "fuzzy", "sort": "title", "page": "3"}, ("chief of staff", "fuzzy", "title", 3, ())),
    ({"show": "<script>", "sort": "'; drop", "page": "-1"}, ("", None, "priority", 1, ("show", "sort", "page"))),
    ({"page": "٣"}, ("", None, "priority", 1, ("page",))), ({"page": "9" * 40}, ("", None, "priority", 1, ("page",))),
    ({"show": "all", "q": "x" * 5000}, ("x" * 200, None, "priority", 1, ())),
])
def test_a_query_string_is_read_and_what_makes_no_sense_is_ignored(args, expected):
    q = DashboardQuery.from_args(args)
    assert (q.q, q.show, q.sort, q.page, q.ignored) == expected


def test_links_keep_the_search_the_filter_and_the_sort():
    q = DashboardQuery(q="note", show="fuzzy", sort="title", page=2)
    assert q.params(page=3) == {"q": "note", "show": "fuzzy", "sort": "title", "page": 3}
    assert DashboardQuery().params() == {"show": "all"}


def test_priority_puts_outdated_then_little_left_then_not_started_then_nothing_to_do():
    outdated = LangProgress(LANG, translated=5, state="outdated")
    started = LangProgress(LANG, translated=3, untranslated=1, state="in_progress")
    ready = LangProgress(LANG, translated=4, state="in_progress")
    fresh = LangProgress(LANG, untranslated=4)
    published = LangProgress(LANG, translated=4, state="published")
    assert [priority_group(p) for p in (outdated, started, ready, fresh, published)] == [0, 1, 1, 2, 3]


# -- the screens -----------------------------------------------------------------------------------

def test_totals_count_segments_and_words_of_the_whole_garden(site):
    with site.app_context():
        garden = get_garden(0)
        catalogs = [read_catalog(garden.catalog_path(LANG, n.slug)) for n in garden.notes.notes()]
        words = sum(count_words(e.msgid) for po in catalogs for e in po if not e.obsolete and e.msgid)
        segments = sum(1 for po in catalogs for e in po if not e.obsolete and e.msgid)
        slug = garden.notes.by_filename("dossier-a/note 000.md").slug
        note_words = sum(count_words(e.msgid) for e in read_catalog(garden.catalog_path(LANG, slug)) if not e.obsolete)
    fill(site, slug)
    html = client_as(site).get("/translate/").get_data(as_text=True)
    totals = html.split('id="totals-title"')[1].split("</section>")[0]
    cells = [int(c.replace("\u202f", "").replace(",", "")) for c in re.findall(r'<td class="dash-num">([^<]+)</td>', totals)]
    assert cells[:3] == [note_words, 0, words - note_words], "words translated, fuzzy, untranslated"
    assert sum(cells[3:6]) == segments
    assert f"{GENERATED + 3} notes" not in totals and "1 in progress" in totals


def test_pages_of_fifty_with_links_keeping_the_filters(site):
    client = client_as(site)
    first = client.get("/translate/?q=note+de+test&sort=title").get_data(as_text=True)
    assert row_titles(first) == [f"Note de test {k:03d}" for k in range(50)]
    assert "Notes 1 to 50 of 120" in first and "Page 1 of 3" in first
    assert 'href="/translate/?q=note+de+test&amp;show=all&amp;sort=title&amp;page=2" rel="next"' in first
    last = client.get("/translate/?q=note+de+test&sort=title&page=3").get_data(as_text=True)
    assert row_titles(last) == [f"Note de test {k:03d}" for k in range(100, 120)]
    beyond = client.get("/translate/?q=note+de+test&sort=title&page=99")
    assert beyond.status_code == 200 and row_titles(beyond.get_data(as_text=True)) == row_titles(last)
    assert "were ignored: page" in beyond.get_data(as_text=True)


def test_search_by_title_file_name_folder_and_tag_accents_folded(site):
    client = client_as(site)
    assert row_titles(client.get("/translate/?q=zebre").get_data(as_text=True)) == ["Cible unique"]
    assert row_titles(client.get("/translate/?q=%23alpha+test+00&sort=title").get_data(as_text=True)) == ["Note de test 000", "Note de test 003", "Note de test 006", "Note de test 009"]
    folder = client.get("/translate/?q=dossier-b/&sort=title").get_data(as_text=True)
    assert "of 60" in folder and all(int(t[-3:]) % 2 == 1 for t in row_titles(folder))
    assert row_titles(client.get("/translate/?q=note+017.md").get_data(as_text=True)) == ["Note de test 017"]
    assert "No note matches" in client.get("/translate/?q=zzzz").get_data(as_text=True)


def test_state_filters_sort_and_the_counts_on_each_choice(site):
    with site.app_context():
        garden = get_garden(0)
        slugs = {k: garden.notes.by_filename(f"dossier-{'ab'[k % 2]}/note {k:03d}.md").slug for k in (4, 5, 6)}
        path = garden.catalog_path(LANG, slugs[5])
        po = read_catalog(path)
        entry = next(e for e in po if e.msgid.startswith("Premier"))
        entry.msgstr, entry.flags = "First", ["fuzzy"]
        write_catalog(path, po)
    fill(site, slugs[4])
    fill(site, slugs[6])
    submit(site, slugs[6])
    client = client_as(site)
    fuzzy = client.get("/translate/?show=fuzzy").get_data(as_text=True)
    assert row_titles(fuzzy) == ["Note de test 005"] and '<option value="fuzzy" selected>Fuzzy (1)' in fuzzy
    assert row_titles(client.get("/translate/?show=ready").get_data(as_text=True)) == ["Note de test 004"]
    assert row_titles(client.get("/translate/?show=submitted").get_data(as_text=True)) == ["Note de test 006"]
    priority = row_titles(client.get("/translate/").get_data(as_text=True))
    assert priority[:2] == ["Note de test 004", "Note de test 005"], "little left to do comes first"
    remaining = row_titles(client.get("/translate/?sort=remaining&q=note+de+test").get_data(as_text=True))
    assert remaining[:3] == ["Note de test 000", "Note de test 007", "Note de test 014"], "fewest words left first"
    assert "Note de test 004" not in remaining, "nothing left: after the notes with work, not on the first page"


def test_the_dashboard_follows_a_state_change_that_touches_no_file(site):
    client = client_as(site)
    assert row_titles(client.get("/translate/?show=submitted").get_data(as_text=True)) == []
    with site.app_context():
        slug = get_garden(0).notes.by_filename("dossier-a/note 010.md").slug
    fill(site, slug)
    client.get("/translate/?show=submitted")  # the snapshot is cached here
    submit(site, slug)
    assert row_titles(client.get("/translate/?show=submitted").get_data(as_text=True)) == ["Note de test 010"]


@pytest.mark.parametrize("query", [
    "q=%00%3Cscript%3Ealert(1)%3C/script%3E", "show=%27%3Bdrop&sort=%E2%80%AE&page=1e9", "page=0&page=-5&show=fuzzy&show=x",
    "q=" + "%C3%A9" * 3000, "sort=&show=&page=", "q=%F0%9F%98%80+%23", "page=%FF%FE",
])
def test_hostile_query_strings_never_break_the_screens(site, query):
    for url, who in (("/translate/", "translator"), ("/review/", "editor")):
        response = client_as(site, who).get(f"{url}?{query}")
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "<script>alert" not in html


def test_the_chart_shows_translated_words_over_the_weeks_with_its_table(site):
    with site.app_context():
        now = datetime.now(timezone.utc)
        db.session.add(EntryHistory(source="dossier-a/note 000.md", lang=LANG, entry_id="x" * 40, msgid="un deux trois",
                                    before="", after="one two three", user_id=site.user_ids["translator"],
                                    at=now - timedelta(days=3)))
        db.session.commit()
    html = client_as(site).get("/translate/").get_data(as_text=True)
    history = html.split('id="history-title"')[1].split("</section>")[0]
    assert 'role="img"' in history and 'aria-labelledby="chart-words-en-title chart-words-en-desc"' in history
    figures = re.findall(r'<td class="dash-num">([^<]+)</td><td class="dash-num">[^<]+</td></tr>', history)
    assert len(figures) == 12 and figures[-2] == "0" and figures[-1] == "0"  # nothing translated now, 3 words a week ago would be < 0
    assert "From 0 to 0 words translated over 12 weeks." in history


def test_the_review_queue_has_the_same_totals_search_filters_and_pages(site):
    with site.app_context():
        slug = get_garden(0).notes.by_filename("dossier-b/note 011.md").slug
    fill(site, slug)
    submit(site, slug)
    editor = client_as(site, "editor")
    queue = editor.get("/review/").get_data(as_text=True)
    listed = queue.split('id="queue-title"')[1].split("</section>")[0]
    assert f'href="/review/{LANG}/{slug}"' in listed and listed.count("/review/en/") == 1
    assert 'id="totals-title"' in queue and '<option value="submitted" selected>Submitted (1)' in queue
    everything = editor.get("/review/?show=all&q=dossier&sort=title").get_data(as_text=True)
    assert "Notes 1 to 50 of 120" in everything and 'href="/review/?q=dossier&amp;show=all&amp;sort=title&amp;page=2"' in everything
    assert "No note matches" in editor.get("/review/?q=zebre").get_data(as_text=True)


def test_the_french_dashboard_speaks_french_with_its_typography(site):
    client = client_as(site)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    html = client.get("/translate/?show=bogus").get_data(as_text=True)
    assert "Totaux" in html and "Avancement des dernières semaines" in html and "Trier par" in html
    assert "ignorées\u202f: show" in html and "Notes\u202f:" in html


def test_saves_and_state_changes_recompute_only_their_note_and_the_totals_follow(site, monkeypatch):
    from app.services.translating import entries, snapshot
    from tests.review_support import user

    def save(k: int, prefix: str) -> None:
        with site.app_context():
            garden = get_garden(0)
            note = garden.notes.by_filename(f"dossier-a/note {k:03d}.md")
            entry = next(e for e in entries.note_entries(garden, note, LANG) if e["msgid"].startswith(prefix))
            entries.save_entry(garden, note, LANG, entry["id"], "Translated.", entry["version"], user("translator"))

    def words(html: str) -> int:
        return int(re.findall(r'<td class="dash-num">([^<]+)</td>', html)[0].replace("\u202f", "").replace(",", ""))

    client = client_as(site)
    before = client.get("/translate/?q=note+002").get_data(as_text=True)
    assert "0 translated, 0 fuzzy, 3 untranslated" in before
    monkeypatch.setattr(snapshot, "_build", lambda *a: pytest.fail("the whole snapshot was rebuilt for one note"))
    save(2, "Premier")  # untranslated -> in progress: a state change and a save
    first = client.get("/translate/?q=note+002").get_data(as_text=True)
    assert "1 translated, 0 fuzzy, 2 untranslated" in first and "tr-state-in_progress" in first
    save(2, "Second")
    again = client.get("/translate/?q=note+002").get_data(as_text=True)
    assert "2 translated, 0 fuzzy, 1 untranslated" in again
    assert words(again) == words(first) + count_words("Second paragraphe numéro 2.")
    assert words(first) == words(before) + count_words("Premier paragraphe mot0 mot1 mot2.")
    save(2, "Note de test")
    assert "Note de test 002" in row_titles(client.get("/translate/?show=ready").get_data(as_text=True))
    submit(site, get_slug(site, "dossier-a/note 002.md"))  # a state change alone, no file touched
    assert row_titles(client.get("/translate/?show=submitted").get_data(as_text=True)) == ["Note de test 002"]


def get_slug(app, source: str) -> str:
    with app.app_context():
        return get_garden(0).notes.by_filename(source).slug


def test_after_init_the_first_dashboard_reads_no_catalog(site, monkeypatch):
    from app.services.translating import summaries

    done = site.test_cli_runner().invoke(args=["init"])
    assert done.exit_code == 0, done.output
    saved = json.loads((Path(site.config["STATE_DIR"]) / "catalog-summaries.json").read_text(encoding="utf-8"))
    with site.app_context():
        notes = len(get_garden(0).notes.notes())
    assert len(saved["catalogs"]) == notes  # one target language
    monkeypatch.setattr(summaries, "_cache", {})  # a server process started after the init
    monkeypatch.setattr(summaries, "_loaded", set())
    monkeypatch.setattr(summaries, "_gardens_seen", weakref.WeakSet())
    monkeypatch.setattr(summaries, "read_note_catalog", lambda *a: pytest.fail("a catalog was parsed"))
    page = client_as(site).get("/translate/")
    assert page.status_code == 200 and "Note de test 000" in page.get_data(as_text=True)
