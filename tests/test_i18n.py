"""The interface's own catalogs: the French one is complete, valid, in step with the code, and used."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext

from app.workflow.checks import CHECKS, CheckResult

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
FRENCH_PO = TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po"
ENGLISH_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%|\{\w*\}")


def read_catalog(path: Path, locale: str | None = None):
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def key(message) -> str:
    """The msgid of a message (its singular for a plural one)."""
    return message.id if isinstance(message.id, str) else message.id[0]


def strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


@pytest.fixture(scope="module")
def french():
    return read_catalog(FRENCH_PO, "fr")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """A template freshly extracted from the code, like ``passerelle i18n extract`` (app/cli/i18n.py)."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "N_",
                                "--no-location", "--sort-output", "--project", "Passerelle", "-o", str(pot), str(ROOT)])
    return read_catalog(pot)


def test_french_catalog_has_no_untranslated_entry(french):
    untranslated = [key(m) for m in french if m.id and not all(s.strip() for s in strings(m))]
    assert not untranslated, f"untranslated in {FRENCH_PO.name}: {untranslated}"


def test_french_catalog_has_no_fuzzy_or_obsolete_entry(french):
    fuzzy = [key(m) for m in french if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy in {FRENCH_PO.name} (review, fix and drop the flag): {fuzzy}"
    assert not french.obsolete, f"obsolete entries left in {FRENCH_PO.name}: {list(french.obsolete)}"


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_french_translations_keep_the_placeholders(french):
    """Same %(name)s / {name} / %% as the msgid; a plural form may leave out the number (« Lire la note »)."""
    broken = []
    for message in french:
        if not message.id:
            continue
        allowed = set().union(*(placeholders(i) for i in ((message.id,) if isinstance(message.id, str) else message.id)))
        required = allowed - {"%(num)d"} if isinstance(message.id, tuple) else allowed
        broken += [key(message) for s in strings(message) if not required <= placeholders(s) <= allowed]
    assert not broken, f"placeholders differ from the msgid: {broken}"


@pytest.mark.parametrize("path", [FRENCH_PO, ENGLISH_PO], ids=["fr", "en"])
def test_catalog_passes_msgfmt_check(path, tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (GNU gettext) is not installed")
    result = subprocess.run([msgfmt, "-c", "--statistics", "-o", str(tmp_path / "messages.mo"), str(path)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    if path == FRENCH_PO:
        assert "fuzzy" not in result.stderr and "untranslated" not in result.stderr, result.stderr


def test_every_extracted_string_is_in_the_french_catalog(extracted, french):
    assert len([m for m in extracted if m.id]) > 200  # the extraction did find the interface's strings
    missing = [key(m) for m in extracted if m.id and french.get(m.id) is None]
    assert not missing, ("strings of the code missing from the French catalog; run `passerelle i18n update` "
                         f"and translate them: {missing}")


def test_the_check_messages_are_extracted(extracted):
    """Check descriptions are marked with N_ in app/workflow/checks.py, not gettext: still extracted."""
    for _check_id, _severity, description in CHECKS:
        assert extracted.get(description) is not None, description


def test_home_pages_speak_their_language(client):
    french = client.get("/fr/")
    assert french.status_code == 200
    html = french.get_data(as_text=True)
    assert '<html lang="fr"' in html
    assert "Aller au contenu" in html and "Skip to content" not in html
    assert "Étiquettes" in html and "Traducteurs et éditeurs" in html

    english = client.get("/en/")
    assert english.status_code == 200
    html = english.get_data(as_text=True)
    assert '<html lang="en"' in html
    assert "Skip to content" in html and "Aller au contenu" not in html
    assert "Translators and editors" in html


def test_login_and_error_pages_in_french(client):
    client.set_cookie("lang", "fr")
    login = client.get("/login").get_data(as_text=True)
    assert "Se connecter" in login and "Nom d’utilisateur" in login
    missing = client.get("/fr/notes/no-such-note-at-all")
    assert missing.status_code == 404
    assert "Page introuvable" in missing.get_data(as_text=True)


def test_check_messages_are_shown_in_french(app):
    result = CheckResult("punctuation", "warning", "The French ends with “{expected}”, the translation with “{actual}”.",
                         {"expected": "?", "actual": "."})
    with app.test_request_context(), force_locale("fr"):
        assert result.format(gettext) == "Le français se termine par «\u00a0?\u00a0», la traduction par «\u00a0.\u00a0»."
        assert gettext(CHECKS[0][2]).startswith("Les cibles des wikiliens")


def test_state_labels_follow_the_interface_language(app):
    from app.i18n import state_label

    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert state_label("changes_requested") != "changes requested"
        assert state_label("unknown-state") == "unknown-state"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert state_label("changes_requested") == "changes requested"
