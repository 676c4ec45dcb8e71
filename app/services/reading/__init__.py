"""What readers get: note listings, note pages, search, feeds and the page cache in front of them.

A French note page renders the French file; an English page renders only the published snapshot
``content/<lang>/<slug>.md`` written by :mod:`app.services.publishing` (drafts never leak).
"""
