"""The domain of Obsidian gardens: comments, sections, attachments, vault settings, dates, SVG, segments."""
from __future__ import annotations

import os
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.catalog.assemble import assemble_note
from app.catalog.segment import segment_note
from app.content.attachments import AttachmentIndex
from app.content.comments import find_comments, strip_comments
from app.content.dates import GitDates, front_matter_dates, note_dates
from app.content.sections import block_section, heading_section
from app.content.vault import read_vault_settings, strict_line_breaks
from app.render.svg import UnsafeSvg, sanitize_svg


# -- comments -----------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("a %%b%% c", "a  c"),
    ("a\n%%\nsecret\n\nmore\n%%\nz", "a\n\n\n\n\n\nz"),
    ("`%%x%%` y %%z%%", "`%%x%%` y "),
    ("```\n%%a%%\n```\n%%b%%", "```\n%%a%%\n```\n"),
    ("x %%open\nrest", "x \n"),  # unclosed: the rest of the note is private, as in Obsidian
    ("a %%b\nc%% d %%e%% f", "a \n d  f"),
    ("no comment", "no comment"),
])
def test_comments_are_removed_outside_code_keeping_lines(text, expected):
    assert strip_comments(text) == expected


def test_comment_scan_is_linear():
    def seconds(n: int) -> float:
        text = ("`a` %% b `c\n" * n) + ("x %%y%% " * n)
        start = time.perf_counter()
        find_comments(text)
        return time.perf_counter() - start
    small, large = min(seconds(2000) for _ in range(3)), min(seconds(8000) for _ in range(3))
    assert large < small * 12


# -- sections -----------------------------------------------------------------------------------
NOTE = """# Titre

Intro ^intro

## Partie A
texte A

- item 1 ^li1
  - sous-item
- item 2

| a | b |
|---|---|
| 1 | 2 |

^tab

### Sous A
sous

## Partie B ^pb
texte B
```
## pas un titre ^pasunbloc
```
%%
## Cachée
%%
"""


@pytest.mark.parametrize("block, expected", [
    ("intro", "Intro ^intro\n"),
    ("li1", "- item 1 ^li1\n  - sous-item\n"),
    ("tab", "| a | b |\n|---|---|\n| 1 | 2 |\n"),
    ("pb", "## Partie B ^pb\ntexte B\n```\n## pas un titre ^pasunbloc\n```\n"),
    ("pasunbloc", None),
    ("absent", None),
])
def test_block_sections(block, expected):
    assert block_section(NOTE, block) == expected


def test_heading_sections_stop_at_the_same_level():
    section = heading_section(NOTE, "partie a")
    assert section.startswith("## Partie A") and "### Sous A" in section and "Partie B" not in section
    assert heading_section(NOTE, "Titre#Partie B").startswith("## Partie B")
    assert heading_section(NOTE, "Cachée") is None and heading_section(NOTE, "pas un titre") is None


# -- attachments --------------------------------------------------------------------------------
def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return path


def test_attachments_resolve_as_obsidian(tmp_path):
    for name in ("assets/photo.png", "notes/photo.png", "deep/er/photo.png", "assets/doc.pdf", "notes/a.md",
                 ".trash/old.png", "assets/script.js"):
        touch(tmp_path / name)
    index = AttachmentIndex([tmp_path], attachment_folder="assets")
    index.refresh()
    assert index.resolve("photo.png", "notes/n.md").path == "notes/photo.png"  # the note's own folder first
    assert index.resolve("photo.png", "other/n.md").path == "assets/photo.png"  # then the attachment folder
    assert index.resolve("PHOTO.PNG", "x.md").path == "assets/photo.png"
    assert index.resolve("er/photo.png", "x.md").path == "deep/er/photo.png"  # a path's end
    assert index.resolve("../assets/doc.pdf", "notes/n.md").path == "assets/doc.pdf"
    assert index.resolve("old.png") is None and index.resolve("script.js") is None and index.resolve("a.md") is None
    assert index.resolve("../../etc/passwd.png", "n.md") is None
    index.attachment_folder = "./"
    assert index.resolve("photo.png", "deep/er/n.md").path == "deep/er/photo.png"


def test_attachment_index_follows_the_disk(tmp_path):
    index = AttachmentIndex([tmp_path])
    index.refresh()
    generation = index.generation
    touch(tmp_path / "a.png")
    assert index.refresh() and index.generation == generation + 1 and index.resolve("a.png")
    assert not index.refresh()
    (tmp_path / "a.png").unlink()
    assert index.refresh() and index.resolve("a.png") is None


# -- vault settings -----------------------------------------------------------------------------
@pytest.mark.parametrize("content, strict, folder", [
    ('{"strictLineBreaks": true, "attachmentFolderPath": "assets"}', True, "assets"),
    ('{"attachmentFolderPath": "./"}', False, "./"),
    ("{not json", False, "/"),
    ("[1, 2]", False, "/"),
    ('{"strictLineBreaks": "yes"}', False, "/"),
    (b"\xff\xfe", False, "/"),
])
def test_vault_settings(tmp_path, content, strict, folder):
    path = tmp_path / "fr" / ".obsidian" / "app.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    settings_ = read_vault_settings(tmp_path / "fr")
    assert (settings_.strict_line_breaks, settings_.attachment_folder) == (strict, folder)
    assert strict_line_breaks(settings_, "1") is True and strict_line_breaks(settings_, "0") is False
    assert strict_line_breaks(settings_, "") is strict


# -- dates --------------------------------------------------------------------------------------
def test_front_matter_dates():
    created, updated = front_matter_dates({"date": "2023-01-02", "last_modified_at": "2024-05-06T07:08:09+02:00"})
    assert created == datetime(2023, 1, 2, tzinfo=timezone.utc)
    assert updated == datetime(2024, 5, 6, 5, 8, 9, tzinfo=timezone.utc)
    assert front_matter_dates({"created": "not a date", "updated": 42}) == (None, None)
    dates = note_dates((created, None), None, 0.0)
    assert dates.updated == created and dates.source == "front matter"
    assert note_dates((None, None), None, 86400.0).source == "file"


def git(folder: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@a", "GIT_COMMITTER_NAME": "a",
           "GIT_COMMITTER_EMAIL": "a@a"}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "-C", str(folder), *args], check=True, env=env, capture_output=True)


def test_git_dates_follow_renames_and_update_incrementally(tmp_path):
    repo = tmp_path / "repo"
    notes = repo / "content" / "fr"
    notes.mkdir(parents=True)
    git(repo, "init", "-q")
    (notes / "a.md").write_text("a\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "1", date="2020-01-01T00:00:00Z")
    git(repo, "mv", "content/fr/a.md", "content/fr/b.md")
    git(repo, "commit", "-qm", "2", date="2021-01-01T00:00:00Z")
    cache = tmp_path / "state" / "git-dates.json"
    dates = GitDates(notes, cache)
    first, last = dates.get("b.md")
    assert (first.year, last.year) == (2020, 2021)
    (notes / "b.md").write_text("b\n")
    (notes / "c.md").write_text("c\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "3", date="2022-01-01T00:00:00Z")
    again = GitDates(notes, cache)  # from the cache, then only the new commit
    assert [d.year for d in again.get("b.md")] == [2020, 2022] and [d.year for d in again.get("c.md")] == [2022, 2022]
    assert again.get("nope.md") is None
    assert GitDates(tmp_path / "elsewhere").get("x.md") is None  # not a work tree: no git dates


# -- SVG ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("svg", [
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="1"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><circle r="1"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect/></a><circle r="1"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><iframe src="x"/></foreignObject><circle r="1"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
    b'<use xlink:href="http://evil/x.svg#a"/><circle r="1" style="fill:url(http://evil/)"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><set attributeName="onclick" to="alert(1)"/><circle r="1"/></svg>',
])
def test_svg_loses_everything_active(svg):
    clean = sanitize_svg(svg).decode()
    assert "<circle" in clean
    for word in ("alert", "script", "javascript", "evil", "foreignObject", "<a ", "<set"):
        assert word not in clean


@pytest.mark.parametrize("svg", [
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
    b"<html><body>not svg</body></html>", b"<svg", b"\xff\xfe\x00",
])
def test_svg_that_cannot_be_made_safe_is_refused(svg):
    with pytest.raises(UnsafeSvg):
        sanitize_svg(svg)


# -- segments -----------------------------------------------------------------------------------
def test_comments_are_no_segment_nor_part_of_one():
    text = "Texte %%privé%% visible\n\n%%\nbloc privé\n\nsuite privée\n%%\n\nFin %%a%%  \nligne\n"
    assert [s.msgid for s in segment_note(text)] == ["Texte visible", "Fin  \nligne"]
    translated = assemble_note(text, {"Texte visible": "Visible text", "Fin  \nligne": "End  \nline"},
                               drop_comments=True)
    assert "%%" not in translated and "privé" not in translated and "Visible text" in translated
    assert assemble_note(text, {}) == text


def test_alt_text_and_html_prose_are_segments():
    text = ("![[img.png|Un chat]]\n\n![[img.png|300x200]]\n\n![Un chien](a%20b.png)\n\n"
            "<div>\n<p>Du <b>HTML</b> en français</p>\n<script>pas ça</script>\n</div>\n")
    assert [(s.type, s.msgid) for s in segment_note(text)] == [
        ("paragraph", "![[img.png|Un chat]]"), ("paragraph", "![Un chien](a%20b.png)"),
        ("html", "Du <b>HTML</b> en français")]


def test_file_name_is_the_title_segment_only_without_a_title():
    assert segment_note("Corps\n", "Ma note")[0] == segment_note("Corps\n", "Ma note")[0]
    assert [(s.type, s.msgid, s.line) for s in segment_note("Corps\n", "Ma note")][0] == ("title", "Ma note", 1)
    titled = segment_note("---\ntitle: Titre\n---\nCorps\n", "Ma note")
    assert [s.msgid for s in titled if s.type == "title"] == ["Titre"]


PIECES = st.sampled_from(["a", "é", " ", "\n", "\n\n", "%%", "`", "```", "> ", "- ", "# ", "<div>", "</div>",
                          "<p>", "</p>", "![[i.png|alt]]", "^id1", "[[x]]", "  \n", "|", "==hi=="])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PIECES, max_size=50).map("".join))
def test_comments_and_html_keep_the_round_trip(text):
    segments = segment_note(text, "Nom")
    assert all(s.msgid and s.msgid == s.msgid.strip() for s in segments)
    assert assemble_note(text, {}) == text
    assert assemble_note(text, {s.msgid: s.msgid for s in segments}) == text
    published = assemble_note(text, {s.msgid: "EN " + s.msgid for s in segments}, drop_comments=True)
    assert strip_comments(published).count("%%") == published.count("%%") or "`" in published
