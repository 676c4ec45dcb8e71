"""Passerelle test suite (a package, so test modules can share helpers such as tests.browser)."""
