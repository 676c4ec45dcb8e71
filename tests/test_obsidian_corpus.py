"""A copy of the sklein garden (in a temporary folder) published as Obsidian shows it, live and exported."""
from __future__ import annotations

import re
import shutil

import pytest

from app.services.garden import get_garden
from tests.conftest import CORPUS
from tests.obsidian_support import publish
from tests.review_support import clean_garden, make_users

if not CORPUS.is_dir():
    pytest.skip(f"corpus not found at {CORPUS}", allow_module_level=True)


@pytest.fixture
def corpus(app, paths):
    """The corpus as the French notes (beside the seeds), catalogs synced."""
    shutil.copytree(CORPUS, paths["content"] / "fr", dirs_exist_ok=True)
    clean_garden(app)
    make_users(app)
    with app.test_request_context():
        return get_garden(0)


@pytest.mark.slow
def test_corpus_renders_live_in_french_and_english_and_exports(app, client, corpus, runner, tmp_path):
    notes = corpus.notes.notes()
    assert len(notes) >= 500 and not corpus.notes.errors()
    for note in notes:
        response = client.get(f"/fr/notes/{note.slug}")
        assert response.status_code == 200, note.filename
        assert "%%" not in re.sub(r"<(pre|code)\b.*?</\1>", "", response.get_data(as_text=True), flags=re.S)
    html_note = next(n for n in notes if "<div" in n.body or "<p>" in n.body or "</ul>" in n.body)
    untitled = [n for n in notes if "title" not in n.meta][:3]
    with_embeds = [n for n in notes if n.embeds][:2]
    for note in untitled + with_embeds:
        publish(app, note.slug)
        english = client.get(f"/en/notes/{note.slug}").get_data(as_text=True)
        assert 'data-translation-state="published"' in english, note.filename
        assert f"<h1 id=\"note-title\">EN {note.name}" in english or note.meta.get("title")
    assert html_note is not None
    result = runner.invoke(args=["export", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "site" / "fr" / "notes").iterdir())) >= len(notes)
    for note in untitled:
        assert (tmp_path / "site" / "en" / "notes" / note.slug / "index.html").is_file()
