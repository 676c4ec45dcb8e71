"""The zip of every catalog (offline work): snapshots recorded in one commit, against one commit per file.

Run it over a prepared site (``passerelle init`` done, a translator account)::

    PASSERELLE_CONTENT_DIR=… PASSERELLE_TRANSLATIONS_DIR=… PASSERELLE_INSTANCE_DIR=… \\
        python bench/zip.py --user translator [--reps 3]

Per repetition, alternately: ``catalogs_zip`` over every note (ours), and the previous way, a
download of each catalog committed on its own (what the zip did before). Prints the medians and
their ratio. It records downloads in the site's database: run it on a copy, never on a live site.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.services import accounts  # noqa: E402
from app.services.garden import get_garden  # noqa: E402
from app.services.translating.offline import catalogs_zip, download_catalog  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", default="translator")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    app = create_app()
    with app.test_request_context():
        garden = get_garden()
        user = accounts.find_user(args.user)
        items = [(note, lang) for note in garden.notes.notes() for lang in garden.target_langs]
        ours, before = [], []
        for _ in range(args.reps):
            began = time.perf_counter()
            catalogs_zip(garden, items, user)
            ours.append(time.perf_counter() - began)
            began = time.perf_counter()
            for note, lang in items:
                download_catalog(garden, note, lang, user)
            before.append(time.perf_counter() - began)
    print(f"{len(items)} catalogs, median of {args.reps}")
    print(f"one commit for the zip (now)      {statistics.median(ours):6.2f} s")
    print(f"one commit per catalog (before)   {statistics.median(before):6.2f} s")
    print(f"ratio                             {statistics.median(before) / statistics.median(ours):6.1f} ×")


if __name__ == "__main__":
    main()
