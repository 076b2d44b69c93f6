"""Test overrides: speed only. Behaviour stays as in production."""

import os

# Tests (and the real servers the browser tests start) may create a key in their data dir.
os.environ.setdefault("JAMSOS_GENERATE_SECRET_KEY", "1")

from jamsos.config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
# Speed: rate-limit counters in memory (the limits themselves stay as in production;
# the root conftest empties the cache between tests).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# TransactionTestCase empties tables between tests, which the append-only triggers refuse;
# audit/tests/test_append_only.py installs them itself to prove they hold.
AUDIT_APPEND_ONLY_TRIGGERS = False

import tempfile  # noqa: E402

MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="jamsos-test-media-"))  # noqa: F405
GENERATED_ROOT = Path(tempfile.mkdtemp(prefix="jamsos-test-generated-"))  # noqa: F405

# Every committed write refreshes at once in tests (ImmediateBackend): do not also compute
# the charts each time (reports/tests turn it on where they test it).
REPORTS_WARM_CHARTS = False
