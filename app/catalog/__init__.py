"""Gettext catalogs of the notes: segmentation, reassembly, sync."""
