"""Shared Playwright helpers: a live server over the ``app`` fixture, a Chromium page, axe-core.

Import the fixtures into a test module to use them::

    from tests.browser import axe_violations, live_server, page  # noqa: F401

Browser tests need Debian's Chromium (``/usr/bin/chromium``) and the ``playwright`` Python
package; without them they skip with the reason. axe-core comes from ``node_modules``
(``make`` installs it with npm).
"""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
#: Milliseconds Playwright waits for a page or an element before failing.
TIMEOUT_MS = 15_000

_shared: dict = {}


@pytest.fixture
def live_server(app):
    """Serve ``app`` on a free 127.0.0.1 port in a thread; yield its base URL (no trailing slash)."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _browser(config: pytest.Config):
    """Start Playwright and Chromium once per test session (closed when the session ends)."""
    if "browser" not in _shared:
        if not CHROMIUM.exists():
            pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            pytest.skip("browser tests need the playwright Python package (pip install -e '.[test]')")
        playwright = sync_playwright().start()
        try:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        except Exception as exc:  # a broken chromium install: say why rather than erroring every test
            playwright.stop()
            pytest.skip(f"chromium at {CHROMIUM} could not be launched: {exc}")
        _shared.update(playwright=playwright, browser=browser)

        def stop() -> None:
            _shared.pop("browser").close()
            _shared.pop("playwright").stop()

        config.add_cleanup(stop)
    return _shared["browser"]


@pytest.fixture
def page(request, live_server):
    """A fresh Chromium page (its own cookies) whose relative URLs go to ``live_server``."""
    browser = _browser(request.config)
    # bypass_csp lets axe-core be injected; the pages themselves keep their CSP header.
    context = browser.new_context(base_url=live_server, bypass_csp=True, locale="fr-FR")
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.js_errors = errors
    try:
        yield tab
    finally:
        context.close()


def axe_violations(tab, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """Run axe-core on the page and return its violations of the given impacts (id, impact, help, targets)."""
    if not AXE.exists():
        pytest.skip(f"axe-core is missing at {AXE} (run make, or npm install)")
    tab.add_script_tag(path=str(AXE))
    violations = tab.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "targets": [n["target"] for n in v["nodes"]]}
        for v in violations
        if v.get("impact") in impacts
    ]


def unpublish_with_reason(tab, reason: str) -> str:
    """On a review screen of a published note: unpublish with ``reason``, confirmed; return the decision history's text."""
    tab.fill("#unpublish-reason", reason)
    tab.locator("#unpublish-confirm").check()
    tab.locator(".review-unpublish button[type=submit]").click()
    tab.wait_for_selector(".review-history")
    return tab.locator(".review-history").inner_text()
