"""Settings for the test suite."""

from config.settings.base import *  # noqa: F403

DEBUG = False
# A fast hasher keeps the suite quick; tests/accounts/test_security.py checks that the base and
# production settings still hash with Argon2 first.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "uploads": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
# Tests across the suite sign administrators in with Client.force_login; the tests of the TOTP
# requirement (tests/accounts/test_signin.py) turn it back on.

_database = DATABASES["default"]  # noqa: F405
if _database["ENGINE"] == "django.db.backends.postgresql":
    # Transactional tests (the browser tests) empty tables with TRUNCATE between tests; the audit
    # trail's append-only trigger allows that only to sessions that ask (phaen/core migration 0002).
    _database.setdefault("OPTIONS", {})["options"] = "-c phaen.audit_allow_truncate=on"

# Query-count tests count the roll-ups themselves; tests/kpis/test_rollups.py turns the cache on.
PHAEN_FIGURES_CACHE_SECONDS = 0
