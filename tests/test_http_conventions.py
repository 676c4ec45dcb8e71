"""HTTP conventions: a 405 says which methods are allowed; the OpenAPI document states what the API refuses."""
from __future__ import annotations

import re

import pytest

from app.services.translating.entries import InvalidInput, clean_translation
from tests.test_api import bearer, make_accounts


@pytest.mark.parametrize(("method", "url", "allowed"), [
    ("post", "/fr/", {"GET", "HEAD", "OPTIONS"}),
    ("delete", "/fr/notes/chief-of-staff", {"GET", "HEAD", "OPTIONS"}),
    ("get", "/logout", {"POST", "OPTIONS"}),
    ("put", "/translate/", {"GET", "HEAD", "OPTIONS"}),
    ("post", "/api/v1/notes", {"GET", "HEAD", "OPTIONS"}),
    ("delete", "/api/v1/notes/chief-of-staff/en/entries/x", {"GET", "HEAD", "OPTIONS", "PUT"}),
])
def test_a_405_carries_an_allow_header(client, method, url, allowed):
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed
    if url.startswith("/api/"):
        assert response.is_json and response.json["status"] == 405
    else:
        assert response.mimetype == "text/html"


def test_an_options_request_lists_the_methods(client):
    response = client.options("/api/v1/notes/chief-of-staff/en/entries/x")
    assert response.status_code == 200 and "PUT" in response.headers["Allow"]


def _save_schema(client) -> dict:
    spec = client.get("/api/v1/openapi.json").json
    put = spec["paths"]["/notes/{slug}/{lang}/entries/{id}"]["put"]
    return put["requestBody"]["content"]["application/json"]["schema"]["properties"]["msgstr"]


def test_openapi_states_the_control_characters_and_the_length_the_api_refuses(app, client):
    schema = _save_schema(client)
    assert "control characters" in schema["description"]
    pattern = re.compile(schema["pattern"])  # ECMA-262's \\uXXXX escapes read the same in Python
    with app.app_context():
        assert schema["maxLength"] == app.config["MAX_TRANSLATION_LENGTH"]
        for code in [*range(0x80), 0x85, 0xA0, 0x2028, 0xFEFF]:
            text = f"a{chr(code)}b"
            try:
                clean_translation(text)
                accepted = True
            except InvalidInput:
                accepted = False
            assert bool(pattern.fullmatch(text)) == accepted, hex(code)


def test_the_api_refuses_what_the_document_says(app, client):
    tokens = make_accounts(app)
    entries = client.get("/api/v1/notes/chief-of-staff/en/entries", headers=bearer(tokens["translator"])).json["entries"]
    entry = entries[1]
    response = client.put(f"/api/v1/notes/chief-of-staff/en/entries/{entry['id']}", headers=bearer(tokens["translator"]),
                          json={"msgstr": "bell\x07", "base_version": entry["version"]})
    assert response.status_code == 400 and "control" in response.json["error"]
