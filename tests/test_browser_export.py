"""The static export opened from files in Chromium (``file://``), as someone previewing it before upload does."""
from __future__ import annotations

import pytest

from tests.browser import TIMEOUT_MS, _browser
from tests.obsidian_support import CALLOUTS
from tests.obsidian_support import vault  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture
def exported(app, runner, vault, tmp_path):  # noqa: F811
    """The vault exported into a temporary folder."""
    target = tmp_path / "site"
    result = runner.invoke(args=["export", str(target)])
    assert result.exit_code == 0, result.output
    return target


@pytest.fixture
def file_page(request):
    """A Chromium page with no server behind it; ``.failures`` collects every request that did not load."""
    context = _browser(request.config).new_context(locale="fr-FR")
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    tab.failures = []
    tab.on("requestfailed", lambda r: tab.failures.append(r.url))
    tab.on("console", lambda m: tab.failures.append(m.text) if m.type == "error" else None)
    try:
        yield tab
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_callout_icons_show_in_an_export_opened_from_files(file_page, exported, lang):
    """The icons were CSS masks on separate files: Chromium fetches masks in CORS mode, which ``file://`` refuses."""
    file_page.goto((exported / lang / "notes" / CALLOUTS / "index.html").as_uri())
    file_page.wait_for_load_state("networkidle")
    icons = file_page.locator("aside.callout .callout-icon")
    assert icons.count() == 14
    assert file_page.failures == []
    for index in range(icons.count()):
        mask = icons.nth(index).evaluate("el => getComputedStyle(el).maskImage || getComputedStyle(el).webkitMaskImage")
        assert mask.startswith('url("data:image/svg+xml'), mask[:80]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_renamed_notes_old_address_leads_to_it_in_an_export_opened_from_files(app, runner, vault, tmp_path,  # noqa: F811
                                                                                 file_page, lang):
    folder = vault["content"] / "fr" / "_notes"
    (folder / "Source des blocs.md").rename(folder / "Blocs cités.md")
    assert runner.invoke(args=["sync"]).exit_code == 0
    target = tmp_path / "site"
    assert runner.invoke(args=["export", str(target), "--file-urls"]).exit_code == 0
    with file_page.expect_navigation(url="**/notes/blocs-cites/index.html"):
        file_page.goto((target / lang / "notes" / "source-des-blocs" / "index.html").as_uri())
    assert "Un paragraphe que l'on cite ailleurs." in file_page.locator("main").inner_text()
    assert file_page.failures == []


def test_links_of_a_file_urls_export_open_pages_from_the_disk(app, runner, vault, tmp_path, file_page):  # noqa: F811
    """Folder links (``../x/``) open a directory listing from ``file://``; ``--file-urls`` links the pages themselves."""
    target = tmp_path / "site"
    assert runner.invoke(args=["export", str(target), "--file-urls"]).exit_code == 0
    file_page.goto((target / "fr" / "index.html").as_uri())
    file_page.locator(f"main a[href$='{CALLOUTS}/index.html']").first.click()
    file_page.wait_for_load_state()
    assert file_page.url.endswith(f"/fr/notes/{CALLOUTS}/index.html")
    file_page.get_by_role("link", name="English").click()
    file_page.wait_for_load_state()
    assert file_page.url.endswith(f"/en/notes/{CALLOUTS}/index.html")
    assert file_page.locator("aside.callout").count() == 14 and file_page.failures == []
