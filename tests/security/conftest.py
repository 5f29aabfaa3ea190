"""Fixtures of the security tests: each family of attack tests brings its own world."""

from tests.security.insider_world import insiders  # noqa: F401  (the insider attacks' tenant)
