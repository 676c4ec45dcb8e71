"""From a French paragraph to a PO entry, and the translator's work on it.

The path, in order: :mod:`.catalogs` syncs each note's catalogs with its French (segmenting with
:mod:`app.catalog.segment`, merging with :mod:`app.catalog.merge`); :mod:`.entries` reads the
entries of one catalog and saves a translation without ever losing a colleague's save;
:mod:`.progress` counts what is done and submits a complete note; :mod:`.memory` suggests
translations from every catalog; :mod:`.screen` gathers what the translator's note screen shows.
"""
