"""The glossary: inflection-aware matching, the warning check, the editor's screen, CSV/TBX and the API."""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest

from app.services import accounts
from app.workflow.checks import check_glossary
from app.workflow.glossary import Glossary, GlossaryFormatError, Term, contains_term, parse_csv, stem, to_csv
from tests.auth_support import log_in_as
from tests.review_support import LANG, SLUG, clean_garden, make_users

TERMS = [Term("entreprise", "company"), Term("chief of staff", do_not_translate=True), Term("directeur", "director"),
         Term("COO", "COO", do_not_translate=True), Term("culture d'entreprise", "company culture")]


@pytest.mark.parametrize(("text", "found"), [
    ("L'entreprise grandit", ["entreprise"]),
    ("les entreprises", ["entreprises"]),
    ("d’Entreprise", ["Entreprise"]),
    ("la directrice et les directeurs", ["directrice", "directeurs"]),
    ("un Chief of Staff externe", ["Chief of Staff"]),
    ("la culture d'entreprise", ["culture d'entreprise"]),  # the longest term wins, no overlap
    ("votre COO ou chief of staff", ["COO", "chief of staff"]),
    ("entrepreneur", []),
    ("", []),
])
def test_matching_copes_with_french_inflection(text, found):
    assert [text[m.start:m.end] for m in Glossary(TERMS).find(text)] == found


def test_stems():
    assert stem("entreprises") == stem("entreprise") == stem("l'entreprise")
    assert stem("directrices") == stem("directeur")
    assert stem("gouvernement") != stem("gouverner")  # no derivational stemming


def test_english_check_allows_plurals_and_case():
    assert contains_term("Two Companies", "company") and contains_term("chiefs of staff", "chief of staff")
    assert not contains_term("the firm", "company")
    results = check_glossary("The firm and its COO", [("entreprise", "company"), ("COO", "COO")])
    assert [(r.id, r.severity, r.params["french"]) for r in results] == [("glossary", "warning", "entreprise")]
    assert check_glossary("", [("entreprise", "company")]) == []


def test_csv_round_trip_and_formula_cells():
    terms = [Term("entreprise", "company", "usual sense"), Term("=cmd", "x"), Term("COO", "", "", True)]
    text = to_csv(terms)
    assert "'=cmd" in text
    back = parse_csv(text)
    assert back[0] == Term("entreprise", "company", "usual sense") and back[2].do_not_translate


@pytest.mark.parametrize("text", ["", "a,b\n1,2\n", "french,english\n,company\n", 'french,english\n"x' + "y" * 10 + "\n",
                                  "french,english\n" + "x" * 300 + ",y\n"])
def test_bad_csv_is_refused(text):
    with pytest.raises(GlossaryFormatError):
        parse_csv(text)


@pytest.fixture
def site(app):
    clean_garden(app)
    app.user_ids = make_users(app)
    with app.app_context():
        app.tokens = {name: accounts.create_token(name) for name in ("translator", "editor")}
    return app


def api(app, name):
    return {"Authorization": f"Bearer {app.tokens[name]}"}


def login(app, name):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    log_in_as(app, client, app.user_ids[name])
    return client


def test_api_manages_terms_by_role(site):
    client = site.test_client()
    term = {"french": "chief of staff", "english": "", "do_not_translate": True, "note": "a role"}
    assert client.post(f"/api/v1/glossary/{LANG}", json=term, headers=api(site, "translator")).status_code == 403
    created = client.post(f"/api/v1/glossary/{LANG}", json=term, headers=api(site, "editor"))
    assert created.status_code == 201
    ident = created.get_json()["term"]["id"]
    clash = client.post(f"/api/v1/glossary/{LANG}", json={"french": "Chiefs of Staff", "english": "x"}, headers=api(site, "editor"))
    assert clash.status_code == 409
    for bad in ({}, {"french": ""}, {"french": "x" * 201, "english": "y"}, {"french": "entreprise"},
                {"french": "a", "english": 3}, {"french": "a\x00", "english": "b"}, {"french": "a", "english": "b",
                                                                                  "do_not_translate": "yes"}):
        assert client.post(f"/api/v1/glossary/{LANG}", json=bad, headers=api(site, "editor")).status_code == 400, bad
    changed = client.put(f"/api/v1/glossary/{LANG}/{ident}", json={**term, "note": "the role"}, headers=api(site, "editor"))
    assert changed.get_json()["term"]["note"] == "the role"
    assert client.put(f"/api/v1/glossary/{LANG}/999", json=term, headers=api(site, "editor")).status_code == 404
    listed = client.get(f"/api/v1/glossary/{LANG}", headers=api(site, "translator")).get_json()["terms"]
    assert [t["french"] for t in listed] == ["chief of staff"]
    assert client.get("/api/v1/glossary/xx", headers=api(site, "translator")).status_code == 404
    assert client.delete(f"/api/v1/glossary/{LANG}/{ident}", headers=api(site, "editor")).status_code == 200
    assert client.delete(f"/api/v1/glossary/{LANG}/{ident}", headers=api(site, "editor")).status_code == 404


def test_entries_carry_matches_and_the_warning(site):
    client = site.test_client()
    client.post(f"/api/v1/glossary/{LANG}", json={"french": "chief of staff", "do_not_translate": True},
                headers=api(site, "editor"))
    entries = client.get(f"/api/v1/notes/{SLUG}/{LANG}/entries", headers=api(site, "translator")).get_json()["entries"]
    entry = next(e for e in entries if e["msgid"].startswith("pourquoi travailler"))
    [match] = entry["glossary"]
    assert entry["msgid"][match["start"]:match["end"]] == "chief of staff" and match["english"] == "chief of staff"
    saved = client.put(f"/api/v1/notes/{SLUG}/{LANG}/entries/{entry['id']}", headers=api(site, "translator"),
                       json={"msgstr": "Why work with an outside head of staff?", "base_version": entry["version"]})
    checks = saved.get_json()["entry"]["checks"]
    assert [c["id"] for c in checks if c["severity"] == "warning"] == ["glossary"]
    screen = login(site, "translator").get(f"/translate/{LANG}/{SLUG}").get_data(as_text=True)
    assert '<mark class="glossary-term" title="Translate as: chief of staff">chief of staff</mark>' in screen
    assert "Glossary: “chief of staff” should be translated “chief of staff”." in screen


def test_the_screen_manages_imports_and_exports(site):
    editor, translator = login(site, "editor"), login(site, "translator")
    assert translator.get(f"/glossary/{LANG}").status_code == 200
    assert translator.post(f"/glossary/{LANG}/terms", data={"french": "x", "english": "y"}).status_code == 403
    assert editor.post(f"/glossary/{LANG}/terms", data={"french": "entreprise", "english": "company"}).status_code == 303
    refused = editor.post(f"/glossary/{LANG}/terms", data={"french": "entreprises", "english": "firm"})
    assert refused.status_code == 409 and "already in the glossary" in refused.get_data(as_text=True)
    csv_text = "french,english,note,do_not_translate\nentreprise,firm,,\nCOO,,chief operating officer,yes\n"
    done = editor.post(f"/glossary/{LANG}/import", data={"file": (io.BytesIO(csv_text.encode()), "g.csv")})
    assert done.status_code == 303
    page = editor.get(f"/glossary/{LANG}").get_data(as_text=True)
    assert "firm" in page and "COO" in page
    bad = editor.post(f"/glossary/{LANG}/import", data={"file": (io.BytesIO(b"french,english\n,x\n"), "g.csv")})
    assert bad.status_code == 400 and "Not imported" in bad.get_data(as_text=True)
    latin1 = editor.post(f"/glossary/{LANG}/import", data={"file": (io.BytesIO("french,english\né,x\n".encode("latin-1")), "g.csv")})
    assert latin1.status_code == 400
    exported = translator.get(f"/glossary/{LANG}/glossary.csv").get_data(as_text=True)
    assert parse_csv(exported)[0].french == "COO"
    tbx = ET.fromstring(translator.get(f"/glossary/{LANG}/glossary.tbx").data)
    assert len(tbx.findall(".//{urn:iso:std:iso:30042:ed-2}conceptEntry")) == 2
    client = site.test_client()
    imported = client.post(f"/api/v1/glossary/{LANG}/import", data="french,english\ndirecteur,director\n",
                           headers=api(site, "editor"))
    assert imported.get_json() == {"added": 1, "updated": 0}
    assert client.post(f"/api/v1/glossary/{LANG}/import", data="nope", headers=api(site, "editor")).status_code == 400
    assert "directeur" in client.get(f"/api/v1/glossary/{LANG}/export.csv", headers=api(site, "translator")).get_data(as_text=True)
