"""``passerelle sync / status / render`` end to end, and the running app syncing changed notes."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from app.catalog.po import read_catalog, write_catalog
from tests.test_sync import msgfmt_failures

CHIEF = "chief of staff.md"
CEO = "Ceo, n'oubliez pas votre COO ou Chief of Staff.md"
OLD_PARAGRAPH = "pourquoi travailler avec un chief of staff externe?"
NEW_PARAGRAPH = "pourquoi travailler avec un chief of staff vraiment externe ?"  # a word added: substantive


@pytest.fixture
def three_languages(app_config):
    """PASSERELLE_LANGUAGES=fr,en,de."""
    app_config["LANGUAGES"] = ["fr", "en", "de"]
    return app_config


@pytest.fixture
def no_catalogs(paths):
    """Start without the project's shipped note catalogs (the fixture copies them)."""
    for folder in paths["translations"].glob("*/notes"):
        shutil.rmtree(folder)


def catalog(paths, lang: str, slug: str) -> Path:
    return paths["translations"] / lang / "notes" / f"{slug}.po"


def snapshot(paths) -> dict[Path, tuple[bytes, int]]:
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(paths["translations"].rglob("*.po"))}


def translate(path: Path, *, fuzzy: set[str] = frozenset(), only: set[str] | None = None) -> dict[str, str]:
    """Translate entries of a catalog (all, or ``only``), marking ``fuzzy`` ones fuzzy."""
    po = read_catalog(path)
    for entry in po:
        if only is None or entry.msgid in only or entry.msgid in fuzzy:
            entry.msgstr = f"EN<{entry.msgid}>"
            if entry.msgid in fuzzy:
                entry.flags.append("fuzzy")
    write_catalog(path, po)
    return {e.msgid: e.msgstr for e in po}


def test_sync_creates_catalogs_for_every_target_language(three_languages, paths, runner):
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 0, result.output
    assert "0 errors" in result.stdout and "sync: 2 notes × 2 languages (en, de)" in result.stdout
    files = sorted(paths["translations"].rglob("*.po"))
    assert {(p.parent.parent.name, p.stem) for p in files} == {
        (lang, slug) for lang in ("en", "de") for slug in ("chief-of-staff", "ceo-noubliez-pas-votre-coo-ou-chief-of-staff")
    }
    assert msgfmt_failures(files) == []
    assert read_catalog(catalog(paths, "de", "chief-of-staff")).metadata["Language"] == "de"


def test_shipped_catalogs_are_in_step_with_the_french(paths, runner):
    if not list(paths["translations"].rglob("notes/*.po")):
        pytest.skip("the project ships no note catalogs yet")
    before = snapshot(paths)
    result = runner.invoke(args=["sync", "--check"])
    assert result.exit_code == 0, result.output
    assert msgfmt_failures(list(before)) == []
    assert runner.invoke(args=["sync"]).exit_code == 0 and snapshot(paths) == before


def test_second_sync_rewrites_nothing(paths, runner):
    assert runner.invoke(args=["sync"]).exit_code == 0
    before = snapshot(paths)
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 0 and "0 updated, 0 created" in result.stdout
    assert snapshot(paths) == before


def test_init_syncs_catalogs(paths, runner):
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert "sync: 2 notes" in result.stdout
    assert catalog(paths, "en", "chief-of-staff").is_file()


def test_corrupt_catalog_fails_the_sync_but_not_the_others(three_languages, paths, runner):
    runner.invoke(args=["sync"])
    broken_path = catalog(paths, "en", "chief-of-staff")
    broken = broken_path.read_bytes() + b'\nmsgid "dangling\n'
    broken_path.write_bytes(broken)
    other = catalog(paths, "de", "chief-of-staff")
    other.unlink()
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 1
    assert f"error: {broken_path}:" in result.stderr
    line = result.stderr.split(f"{broken_path}:")[1].split(":")[0]
    assert line.isdigit() and int(line) > 1
    assert broken_path.read_bytes() == broken
    assert other.is_file() and "1 created" in result.stdout and "1 errors" in result.stdout


def test_check_exit_codes_and_writes_nothing(no_catalogs, paths, runner):
    result = runner.invoke(args=["sync", "--check"])
    assert result.exit_code == 1 and "out of date:" in result.stdout
    assert not list(paths["translations"].rglob("*.po"))
    assert runner.invoke(args=["sync"]).exit_code == 0
    assert runner.invoke(args=["sync", "--check"]).exit_code == 0
    note = paths["content"] / "fr" / CHIEF
    note.write_text(note.read_text(encoding="utf-8").replace(OLD_PARAGRAPH, NEW_PARAGRAPH), encoding="utf-8")
    before = snapshot(paths)
    result = runner.invoke(args=["sync", "--check"])
    assert result.exit_code == 1 and "chief-of-staff.po: out of date" in result.stdout
    assert snapshot(paths) == before


def test_status_json_and_table(no_catalogs, paths, runner):
    runner.invoke(args=["sync"])
    translate(catalog(paths, "en", "chief-of-staff"), only={"chief of staff externe"})
    result = runner.invoke(args=["status", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    by_slug = {row["slug"]: row for row in rows}
    row = by_slug["chief-of-staff"]
    assert row["source"] == CHIEF and row["title"] == "chief of staff externe"
    counts = row["languages"]["en"]
    assert set(counts) >= {"translated", "fuzzy", "untranslated", "obsolete"}
    assert counts["translated"] == 1 and counts["untranslated"] > 5
    assert by_slug["ceo-noubliez-pas-votre-coo-ou-chief-of-staff"]["source"] == CEO
    table = runner.invoke(args=["status"])
    assert table.exit_code == 0 and "chief-of-staff" in table.stdout and "transl." in table.stdout


def test_status_reports_a_corrupt_catalog(paths, runner):
    runner.invoke(args=["sync"])
    catalog(paths, "en", "chief-of-staff").write_bytes(b'msgid "x"\nmsgstr "unterminated\n')
    result = runner.invoke(args=["status", "--json"])
    assert result.exit_code == 1
    row = next(r for r in json.loads(result.stdout) if r["slug"] == "chief-of-staff")
    assert "chief-of-staff.po:2" in row["languages"]["en"]["error"]


def test_render_to_stdout_and_out_dir(no_catalogs, paths, runner, tmp_path):
    runner.invoke(args=["sync"])
    french = (paths["content"] / "fr" / CHIEF).read_text(encoding="utf-8")
    result = runner.invoke(args=["render", "--lang", "en", "chief-of-staff"])
    assert result.exit_code == 0 and result.stdout == french  # nothing translated: the French, byte for byte
    translate(catalog(paths, "en", "chief-of-staff"), only={"chief of staff externe"}, fuzzy={OLD_PARAGRAPH})
    result = runner.invoke(args=["render", "--lang", "en", "chief-of-staff"])
    assert "title: EN<chief of staff externe>" in result.stdout
    assert f"\n{OLD_PARAGRAPH}\n" in result.stdout and "EN<pourquoi" not in result.stdout  # fuzzy stays French
    out = tmp_path / "out"
    result = runner.invoke(args=["render", "--lang", "en", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(os.listdir(out)) == sorted(os.listdir(paths["content"] / "fr")) == sorted([CHIEF, CEO])
    assert (out / CEO).read_text(encoding="utf-8") == (paths["content"] / "fr" / CEO).read_text(encoding="utf-8")
    assert "EN<chief of staff externe>" in (out / CHIEF).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "args, message",
    [
        (["render", "--lang", "en", "no-such-note"], "no note with slug 'no-such-note'"),
        (["render", "--lang", "xx", "chief-of-staff"], "unknown language 'xx'"),
        (["render", "--lang", "fr", "chief-of-staff"], "unknown language 'fr'"),
        (["render", "--lang", "en"], "exactly one SLUG"),
    ],
)
def test_render_errors_exit_2(runner, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code == 2 and message in result.stderr


def test_running_app_syncs_a_changed_french_note(paths, client, runner):
    assert client.get("/fr/notes/chief-of-staff").status_code == 200  # first request: catalogs follow
    path = catalog(paths, "en", "chief-of-staff")
    translated = translate(path)
    note = paths["content"] / "fr" / CHIEF
    note.write_text(note.read_text(encoding="utf-8").replace(OLD_PARAGRAPH, NEW_PARAGRAPH), encoding="utf-8")
    page = client.get("/fr/notes/chief-of-staff")
    assert page.status_code == 200 and "vraiment externe ?" in page.get_data(as_text=True)
    po = read_catalog(path)
    fuzzy = [e for e in po if e.fuzzy]
    assert [(e.msgid, e.previous_msgid, e.msgstr) for e in fuzzy] == [
        (NEW_PARAGRAPH, OLD_PARAGRAPH, translated[OLD_PARAGRAPH])
    ]
    assert sum(1 for e in po if not e.obsolete and e.msgstr and not e.fuzzy) == len(translated) - 1
    assert runner.invoke(args=["sync", "--check"]).exit_code == 0
