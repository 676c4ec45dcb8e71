"""From a PO entry to an English page: the draft, its approval into a snapshot, and the static export.

The path, in order: :mod:`.drafts` assembles the English Markdown from the catalog's translated
entries and checks it; :mod:`.approval` writes it to ``content/<lang>/<slug>.md`` with its
:class:`~app.models.Publication` record (both or neither, with :mod:`.journal` settling a crash
in between); readers' pages then render that file (:mod:`app.services.reading.note_pages`);
:mod:`.export` writes the published site as static files.
"""
