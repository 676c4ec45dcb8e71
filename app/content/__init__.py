"""Reading the garden: notes, slugs, wikilinks and the index. Never imports Flask."""
