"""Glossary files as spreadsheets and CAT tools make them: Excel's CSV dialects, formula cells, TBX validity."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from app.services.translating import glossary as service
from app.workflow.glossary import Term, parse_csv, to_csv, to_tbx
from tests.test_glossary import api, site  # noqa: F401

TBX = "{urn:iso:std:iso:30042:ed-2}"
#: TBX-Basic's permitted values (LTAC TBX-Basic dialect, DCA schematron), per termNote type
TBX_BASIC_VALUES = {"administrativeStatus": {"admittedTerm-admn-sts", "deprecatedTerm-admn-sts",
                                             "supersededTerm-admn-sts", "preferredTerm-admn-sts"},
                    "partOfSpeech": {"adjective", "noun", "other", "verb", "adverb"},
                    "termType": {"fullForm", "acronym", "abbreviation", "shortForm", "variant", "phrase"}}
EXCEL_FR = ("\ufefffrench;english;note;do_not_translate\r\n"
            "chief of staff;;\"Garder tel quel; c’est un titre\";VRAI\r\n"
            "l'entreprise;company;;\r\n"
            "\"dirigeant\";\"executive \"\"officer\"\"\";;\r\n")


@pytest.mark.parametrize("text", [EXCEL_FR, EXCEL_FR.replace(";", "\t").replace("\t c’est", "; c’est"),
                                  EXCEL_FR.replace(";", ",").replace(", c’est", "; c’est")],
                         ids=["semicolons (French Excel)", "tabs", "commas"])
def test_excel_csv_dialects_import_alike(text):
    terms = parse_csv(text)
    assert [(t.french, t.english, t.do_not_translate) for t in terms] == [
        ("chief of staff", "", True), ("l'entreprise", "company", False), ("dirigeant", 'executive "officer"', False)]
    assert terms[0].note == "Garder tel quel; c’est un titre"


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\")", "+33 1 23", "-ish", "@SUM(A1)", "'quoted'"])
def test_formula_looking_cells_survive_an_export_and_import(cell):
    terms = [Term(cell, "x", cell), Term("entreprise", "company", cell)]
    text = to_csv(terms)
    assert "\n=" not in text and ",=" not in text  # a spreadsheet never runs it
    assert parse_csv(text) == terms


def tbx_tree(terms) -> ET.Element:
    return ET.fromstring(to_tbx(terms, "fr", "en").encode("utf-8"))


def test_tbx_export_keeps_to_tbx_basic():
    root = tbx_tree([Term("COO", "", "chief operating officer", True), Term("entreprise", "company")])
    assert (root.get("type"), root.get("style")) == ("TBX-Basic", "dca")
    for note in root.iter(TBX + "termNote"):
        assert note.get("type") in TBX_BASIC_VALUES and note.text in TBX_BASIC_VALUES[note.get("type")]
    for parent in root.iter():
        for child in parent:
            if child.tag == TBX + "termNote":
                assert parent.tag == TBX + "termSec"  # termNote only at the termSec level
    coo = root.find(f".//{TBX}conceptEntry")
    english = coo.find(f"{TBX}langSec[@{{http://www.w3.org/XML/1998/namespace}}lang='en']")
    assert english.find(f".//{TBX}term").text == "COO"  # not to be translated: the English is the French
    assert "not translate" in " ".join(n.text for n in english.iter(TBX + "note"))


@pytest.mark.parametrize("bad", ["\ufffe", "\uffff", "\x0b", "\x1f", "\ud800"])
def test_tbx_export_is_well_formed_whatever_a_term_holds(bad):
    tbx_tree([Term(f"terme{bad}", f"term{bad}", f"note{bad}")])


@pytest.mark.parametrize("bad", ["\ufffe", "\uffff"])
def test_terms_with_characters_xml_cannot_hold_are_refused(site, bad):  # noqa: F811
    client = site.test_client()
    response = client.post("/api/v1/glossary/en", json={"french": f"terme{bad}", "english": "term"},
                           headers=api(site, "editor"))
    assert response.status_code == 400
    assert client.get("/api/v1/glossary/en", headers=api(site, "editor")).get_json()["terms"] == []


def test_the_api_imports_a_french_excel_file(site):  # noqa: F811
    client = site.test_client()
    response = client.post("/api/v1/glossary/en/import", data=EXCEL_FR.encode("utf-8"), headers=api(site, "editor"),
                           content_type="text/csv")
    assert response.get_json() == {"added": 3, "updated": 0}
    again = client.post("/api/v1/glossary/en/import", headers=api(site, "editor"), content_type="text/csv",
                        data=client.get("/api/v1/glossary/en/export.csv", headers=api(site, "editor")).data)
    assert again.get_json() == {"added": 0, "updated": 3}
    with site.app_context():
        assert sorted(t.french for t in map(service._term, service.term_rows("en"))) == [
            "chief of staff", "dirigeant", "l'entreprise"]
