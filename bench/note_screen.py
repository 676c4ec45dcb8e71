"""Note screen benchmark: a 500-segment note on one page (as before issue 13) against pages of sections.

Usage: python bench/note_screen.py [--segments 500] [--requests 15] [--out DIR]

In a fresh folder (never the project's content/ or translations/), a garden holds a long note
(tests/long_note.py) and a 20-segment note (the anchor); 60 % of the long note is translated, so
the memory has matches and the screen suggestions. Through Flask's test client, logged in as a
translator, each screen is requested ``--requests`` times, interleaved, and the median server
time and the HTML weight are printed side by side:

- one page: every segment, their suggestions and the preview on one page, as the screen was
  before (the paging turned off in this process, the preview asked for);
- paged: the default screen, page 1 (50 segments at most, whole sections), no preview;
- paged, needs work: ``?show=needs-work``;
- anchor: the 20-segment note, whole, with its preview.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build(folder: Path, segments: int):
    """The app over a fresh garden with the long note and the anchor, a translator logged in, and the long note's slug."""
    from flask_migrate import upgrade

    from app import create_app
    from app.catalog.po import read_catalog, write_catalog
    from app.extensions import db
    from app.models import User
    from app.services.garden import get_garden
    from app.services.translating.entries import ensure_catalog
    from tests.long_note import long_note
    from werkzeug.security import generate_password_hash

    (folder / "content" / "fr").mkdir(parents=True)
    (folder / "content" / "fr" / "Guide long.md").write_text(long_note(segments), encoding="utf-8")
    (folder / "content" / "fr" / "Petite note.md").write_text(long_note(20, "Petite note"), encoding="utf-8")
    app = create_app({"SECRET_KEY": "bench", "INSTANCE_PATH": str(folder), "STATE_DIR": str(folder),
                      "CONTENT_DIR": str(folder / "content"), "TRANSLATIONS_DIR": str(folder / "translations"),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}", "WTF_CSRF_ENABLED": False,
                      "PAGE_CACHE_MB": 0, "LANGUAGES": ["fr", "en"]})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        db.session.add(User(username="translator", role="translator", active=True,
                            password_hash=generate_password_hash("bench-password", method="pbkdf2:sha256:1000")))
        db.session.commit()
        garden = get_garden(0)
        slugs = {}
        for note in garden.notes.notes():
            slugs[note.filename] = note.slug
            ensure_catalog(garden, note, "en")
            path = garden.catalog_path("en", note.slug)
            po = read_catalog(path)
            live = [e for e in po if not e.obsolete]
            for index, entry in enumerate(live):
                if index % 5 < 3:  # 60 % translated
                    entry.msgstr = "EN " + entry.msgid
            write_catalog(path, po)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert client.post("/login", data={"username": "translator", "password": "bench-password"}).status_code == 302
    return app, client, slugs["Guide long.md"], slugs["Petite note.md"]


def one_page(enabled: bool) -> None:
    """Turn the paging off (every segment on one page, as before) or back on."""
    from app.services.translating import screen, screen_pages

    screen.screen_pages = (lambda segments, sections, show: screen_pages.screen_pages(segments, sections, show, 10**9)) \
        if enabled else screen_pages.screen_pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=500)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--out", type=Path, default=None, help="folder for note-screen.json (default: a fresh temporary one)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="passerelle-note-screen-"))
    app, client, long_slug, anchor_slug = build(folder, args.segments)
    targets = {
        "one page (before)": (f"/translate/en/{long_slug}?preview=1", True),
        "paged (after)": (f"/translate/en/{long_slug}", False),
        "paged, needs work": (f"/translate/en/{long_slug}?show=needs-work", False),
        "anchor: 20 segments": (f"/translate/en/{anchor_slug}", False),
    }
    times: dict[str, list[float]] = {name: [] for name in targets}
    sizes: dict[str, int] = {}
    for name, (url, paging_off) in targets.items():  # warm-up: memory index, templates
        one_page(paging_off)
        sizes[name] = len(client.get(url).data)
    for _ in range(args.requests):
        for name, (url, paging_off) in targets.items():
            one_page(paging_off)
            start = time.perf_counter()
            response = client.get(url)
            times[name].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    one_page(False)
    results = {name: {"median_ms": statistics.median(values), "html_bytes": sizes[name]} for name, values in times.items()}
    print(f"{args.segments}-segment note, {args.requests} requests each, interleaved (Flask test client, SQLite)")
    print(f"{'screen':<22} {'median ms':>10} {'HTML kB':>9} {'segments on the page':>21}")
    for name, (url, paging_off) in targets.items():
        one_page(paging_off)
        count = client.get(url).get_data(as_text=True).count('<article class="segment')
        print(f"{name:<22} {results[name]['median_ms']:>10.0f} {results[name]['html_bytes'] / 1024:>9.0f} {count:>21}")
    one_page(False)
    out = args.out or folder
    out.mkdir(parents=True, exist_ok=True)
    (out / "note-screen.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"figures saved in {out / 'note-screen.json'}")


if __name__ == "__main__":
    main()
