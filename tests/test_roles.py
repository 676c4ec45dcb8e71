"""Role checks everywhere: every route of ``app.url_map``, with each role and each method, gets the status
an explicit table expects.

The table :data:`EXPECTED` names every (endpoint, method) of the application; a route added
without an expectation (or an expectation left for a route that is gone) fails
:func:`test_every_route_has_an_expectation`. Each case runs on a fresh garden put in the state
its action needs (a complete translation for ``submit``, a submitted note for ``approve`` and
``request-changes``, a published one for ``unpublish``), so the authorised roles get the
success status, not a workflow refusal, and the others are refused before anything happens.
"""
from __future__ import annotations

import pytest

from app.catalog.po import entry_id, read_catalog
from app.services.publishing import approval
from app.services.translating import entries
from app.services.garden import get_garden
from tests import review_support
from tests.test_api import PASSWORD, SEED, bearer, fresh_garden, make_accounts

LANG = "en"
ROLES = ("anonymous", "translator", "editor")
TAG = "atome"  # a tag of the seed note

# Statuses per role: (anonymous, translator, editor)
PUBLIC = (200, 200, 200)
SCREEN = (302, 200, 200)  # anonymous visitors go to /login
EDITOR_SCREEN = (302, 403, 200)
API = (401, 200, 200)
EDITOR_API = (401, 403, 200)

#: (endpoint, method) -> (url template, state to prepare, statuses for anonymous, translator, editor).
#: URL templates take {slug}, {lang}, {entry}, {tag}; states: fresh, complete, submitted, published.
EXPECTED: dict[tuple[str, str], tuple[str, str, tuple[int, int, int]]] = {
    # the reader: public
    ("reader.root", "GET"): ("/", "fresh", (302, 302, 302)),
    ("reader.home", "GET"): ("/{reader_lang}/", "fresh", PUBLIC),
    ("reader.note", "GET"): ("/{reader_lang}/notes/{slug}", "fresh", PUBLIC),
    ("reader.tags", "GET"): ("/{reader_lang}/tags/", "fresh", PUBLIC),
    ("reader.tag", "GET"): ("/fr/tags/{tag}", "fresh", PUBLIC),
    ("reader.search", "GET"): ("/{reader_lang}/search?q=chief", "fresh", PUBLIC),
    ("reader.feed", "GET"): ("/{reader_lang}/feed.xml", "fresh", PUBLIC),
    ("reader.switch", "GET"): ("/{reader_lang}/switch", "fresh", (303, 303, 303)),
    ("reader.sitemap", "GET"): ("/sitemap.xml", "fresh", PUBLIC),
    ("reader.robots", "GET"): ("/robots.txt", "fresh", PUBLIC),
    ("static", "GET"): ("/static/style.css", "fresh", PUBLIC),
    ("files.favicon", "GET"): ("/favicon.ico", "fresh", PUBLIC),
    ("files.attachment", "GET"): ("/files/0123456789abcdef/absent.png", "fresh", (404, 404, 404)),
    # login and logout
    ("auth.login", "GET"): ("/login", "fresh", (200, 302, 302)),  # logged in: on to the dashboard
    ("auth.login", "POST"): ("/login", "fresh", PUBLIC),  # a wrong password: the form again, same for all
    ("auth.logout", "POST"): ("/logout", "fresh", (302, 302, 302)),
    ("auth.logout_everywhere", "POST"): ("/logout/everywhere", "fresh", (302, 302, 302)),  # anonymous: to /login
    # translator screens
    ("translate.dashboard", "GET"): ("/translate/", "fresh", SCREEN),
    ("translate.note", "GET"): ("/translate/{lang}/{slug}", "fresh", SCREEN),
    ("translate.save", "POST"): ("/translate/{lang}/{slug}/entries/{entry}", "fresh", (302, 303, 303)),
    ("translate.submit", "POST"): ("/translate/{lang}/{slug}/submit", "complete", (302, 303, 303)),
    # editor screens
    ("review.queue", "GET"): ("/review/", "fresh", EDITOR_SCREEN),
    ("review.note", "GET"): ("/review/{lang}/{slug}", "submitted", EDITOR_SCREEN),
    ("review.approve", "POST"): ("/review/{lang}/{slug}/approve", "submitted", (302, 403, 303)),
    ("review.request_changes", "POST"): ("/review/{lang}/{slug}/request-changes", "submitted", (302, 403, 303)),
    ("review.unpublish", "POST"): ("/review/{lang}/{slug}/unpublish", "published", (302, 403, 303)),
    # the API
    ("api.openapi", "GET"): ("/api/v1/openapi.json", "fresh", PUBLIC),
    ("api.notes", "GET"): ("/api/v1/notes", "fresh", API),
    ("api.entries", "GET"): ("/api/v1/notes/{slug}/{lang}/entries", "fresh", API),
    ("api.entry", "GET"): ("/api/v1/notes/{slug}/{lang}/entries/{entry}", "fresh", API),
    ("api.save", "PUT"): ("/api/v1/notes/{slug}/{lang}/entries/{entry}", "fresh", API),
    ("api.history", "GET"): ("/api/v1/notes/{slug}/{lang}/entries/{entry}/history", "fresh", API),
    ("api.suggestions", "GET"): ("/api/v1/notes/{slug}/{lang}/entries/{entry}/suggestions", "fresh", API),
    ("api.submit", "POST"): ("/api/v1/notes/{slug}/{lang}/submit", "complete", API),
    ("api.review_approve", "POST"): ("/api/v1/notes/{slug}/{lang}/approve", "submitted", EDITOR_API),
    ("api.review_request_changes", "POST"): ("/api/v1/notes/{slug}/{lang}/request-changes", "submitted", EDITOR_API),
    ("api.review_unpublish", "POST"): ("/api/v1/notes/{slug}/{lang}/unpublish", "published", EDITOR_API),
    ("api.review_publications", "GET"): ("/api/v1/notes/{slug}/{lang}/publications", "published", EDITOR_API),
    # issue 15: minor changes, offline work, glossary, comments (refusals of valid users are the body's fault)
    ("minor.confirm", "POST"): ("/translate/{lang}/{slug}/entries/{entry}/confirm", "fresh", (302, 303, 303)),
    ("minor.pending", "GET"): ("/review/minor-changes", "fresh", EDITOR_SCREEN),
    ("minor.confirm_many", "POST"): ("/review/minor-changes/confirm", "fresh", (302, 403, 303)),
    ("offline.download", "GET"): ("/translate/{lang}/{slug}/po", "fresh", SCREEN),
    ("offline.download_zip", "GET"): ("/translate/catalogs.zip", "fresh", SCREEN),
    ("offline.upload_form", "GET"): ("/translate/{lang}/{slug}/upload", "fresh", SCREEN),
    ("offline.upload", "POST"): ("/translate/{lang}/{slug}/upload", "fresh", (302, 400, 400)),
    ("glossary.index", "GET"): ("/glossary/{lang}", "fresh", SCREEN),
    ("glossary.save", "POST"): ("/glossary/{lang}/terms", "fresh", (302, 403, 303)),
    ("glossary.delete", "POST"): ("/glossary/{lang}/terms/1/delete", "fresh", (302, 403, 404)),
    ("glossary.import_csv", "POST"): ("/glossary/{lang}/import", "fresh", (302, 403, 400)),
    ("glossary.export_csv", "GET"): ("/glossary/{lang}/glossary.csv", "fresh", SCREEN),
    ("glossary.export_tbx", "GET"): ("/glossary/{lang}/glossary.tbx", "fresh", SCREEN),
    ("comments.add", "POST"): ("/translate/{lang}/{slug}/entries/{entry}/comments", "fresh", (302, 303, 303)),
    ("comments.resolve", "POST"): ("/translate/{lang}/{slug}/comments/1/resolve", "fresh", (302, 404, 404)),
    ("api.confirm_minor", "POST"): ("/api/v1/notes/{slug}/{lang}/entries/{entry}/confirm", "fresh", (401, 400, 400)),
    ("api.minor_changes", "GET"): ("/api/v1/minor-changes", "fresh", EDITOR_API),
    ("api.confirm_minor_bulk", "POST"): ("/api/v1/minor-changes/confirm", "fresh", (401, 403, 400)),
    ("api.download_po", "GET"): ("/api/v1/notes/{slug}/{lang}/po", "fresh", API),
    ("api.upload_po", "POST"): ("/api/v1/notes/{slug}/{lang}/po", "fresh", (401, 400, 400)),
    ("api.download_zip", "GET"): ("/api/v1/po.zip", "fresh", API),
    ("api.glossary_terms", "GET"): ("/api/v1/glossary/{lang}", "fresh", API),
    ("api.glossary_add", "POST"): ("/api/v1/glossary/{lang}", "fresh", (401, 403, 201)),
    ("api.glossary_change", "PUT"): ("/api/v1/glossary/{lang}/1", "fresh", (401, 403, 404)),
    ("api.glossary_delete", "DELETE"): ("/api/v1/glossary/{lang}/1", "fresh", (401, 403, 404)),
    ("api.glossary_import", "POST"): ("/api/v1/glossary/{lang}/import", "fresh", (401, 403, 200)),
    ("api.glossary_csv", "GET"): ("/api/v1/glossary/{lang}/export.csv", "fresh", API),
    ("api.glossary_tbx", "GET"): ("/api/v1/glossary/{lang}/export.tbx", "fresh", API),
    ("api.note_comments", "GET"): ("/api/v1/notes/{slug}/{lang}/comments", "fresh", API),
    ("api.entry_comments", "GET"): ("/api/v1/notes/{slug}/{lang}/entries/{entry}/comments", "fresh", API),
    ("api.post_comment", "POST"): ("/api/v1/notes/{slug}/{lang}/entries/{entry}/comments", "fresh", (401, 201, 201)),
    ("api.resolve_comment", "POST"): ("/api/v1/notes/{slug}/{lang}/comments/1/resolve", "fresh", (401, 404, 404)),
}

#: Request bodies of the issue-15 routes: (keyword of ``client.open``, value).
BODIES: dict[str, tuple[str, object]] = {
    "minor.confirm": ("data", {"confirm_version": "0-0"}),
    "minor.confirm_many": ("data", {"change": "en/x/y/z"}),
    "glossary.save": ("data", {"french": "entreprise", "english": "company"}),
    "comments.add": ("data", {"text": "Is this the right term?"}),
    "api.confirm_minor": ("json", {"base_version": "0-0"}),
    "api.confirm_minor_bulk": ("json", {}),
    "api.glossary_add": ("json", {"french": "entreprise", "english": "company"}),
    "api.glossary_change": ("json", {"french": "entreprise", "english": "company"}),
    "api.glossary_import": ("data", "french,english\nentreprise,company\n"),
    "api.post_comment": ("json", {"text": "Is this the right term?"}),
    "api.resolve_comment": ("json", {"resolved": True}),
}

#: Routes whose ``{reader_lang}`` is walked in every language (French source and English target).
READER_LANGS = ("fr", "en")


def cases():
    for (endpoint, method), (template, state, statuses) in sorted(EXPECTED.items()):
        langs = READER_LANGS if "{reader_lang}" in template else (None,)
        for reader_lang in langs:
            for role, status in zip(ROLES, statuses):
                label = f"{endpoint}-{method}-{reader_lang or ''}-{role}".replace("--", "-")
                yield pytest.param(endpoint, method, template, state, reader_lang, role, status, id=label)


def routes_of(app) -> set[tuple[str, str]]:
    """Every (endpoint, method) the application answers, HEAD and OPTIONS aside."""
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_route_has_an_expectation(app):
    routes = routes_of(app)
    missing = sorted(routes - EXPECTED.keys())
    assert not missing, f"routes without an expected status per role: add them to EXPECTED in {__file__}: {missing}"
    stale = sorted(EXPECTED.keys() - routes)
    assert not stale, f"expectations for routes that no longer exist: {stale}"


# --- preparing a garden in the state an action needs ----------------------------------------------

def prepare(app, state: str) -> dict[str, str]:
    """Fresh catalogs, accounts and tokens; the seed note moved to ``state``."""
    fresh_garden(app)
    tokens = make_accounts(app)
    if state in ("complete", "submitted", "published"):
        review_support.fill(app, SEED)
    if state in ("submitted", "published"):
        review_support.submit(app, SEED)
    if state == "published":
        with app.app_context():
            garden = get_garden(0)
            approval.approve_translation(garden, garden.notes.get(SEED), LANG, review_support.user("editor"))
    return tokens


def seed_entry(app) -> tuple[str, str]:
    """The id and current version of the seed note's first paragraph."""
    with app.app_context():
        garden = get_garden(0)
        note = garden.notes.get(SEED)
        po = read_catalog(garden.catalog_path(LANG, SEED))
        first = next(e for e in po if not e.obsolete and "type: paragraph" in (e.comment or ""))
        entry = entries.one_entry(garden, note, LANG, entry_id(first))
        return entry["id"], entry["version"]


def client_for(app, role: str):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if role != "anonymous":
        response = client.post("/login", data={"username": role, "password": PASSWORD})
        assert response.status_code == 302, f"could not log in as {role}"
    return client


@pytest.mark.parametrize(("endpoint", "method", "template", "state", "reader_lang", "role", "status"), list(cases()))
def test_route_answers_each_role_as_expected(app, endpoint, method, template, state, reader_lang, role, status):
    tokens = prepare(app, state)
    ident, version = seed_entry(app)
    url = template.format(slug=SEED, lang=LANG, entry=ident, tag=TAG, reader_lang=reader_lang)
    kwargs: dict = {}
    is_api = url.startswith("/api/")
    if is_api:
        if role != "anonymous":
            kwargs["headers"] = bearer(tokens[role])
        client = client_for(app, "anonymous")
        if endpoint in BODIES:
            kwargs[BODIES[endpoint][0]] = BODIES[endpoint][1]
        elif method == "PUT":
            kwargs["json"] = {"msgstr": "Why work with an external chief of staff?", "base_version": version}
        elif endpoint == "api.review_request_changes":
            kwargs["json"] = {"comment": "Please check the title."}
    else:
        client = client_for(app, role)
        if endpoint == "translate.save":
            kwargs["data"] = {"msgstr": "Why work with an external chief of staff?", "base_version": version}
        elif endpoint == "review.request_changes":
            kwargs["data"] = {"comment": "Please check the title."}
        elif endpoint == "review.unpublish":  # confirmed, with the reason the screen requires
            kwargs["data"] = {"reason": "A mistranslation in the title.", "confirm": "yes"}
        elif endpoint in BODIES:
            kwargs[BODIES[endpoint][0]] = BODIES[endpoint][1]
        elif endpoint == "auth.login" and method == "POST":
            kwargs["data"] = {"username": "nobody", "password": "wrong-password"}
    response = client.open(url, method=method, **kwargs)
    assert response.status_code == status, f"{method} {url} as {role}: {response.status_code} " \
                                           f"{response.get_data(as_text=True)[:300]}"
    if is_api and status >= 400:
        assert response.is_json and response.json["error"]
    if not is_api and status == 302 and role == "anonymous" and endpoint.split(".")[0] in ("translate", "review"):
        assert response.headers["Location"].startswith("/login?next=")
    if status == 403 and not is_api:
        assert "Forbidden" in response.get_data(as_text=True)
