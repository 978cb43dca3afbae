"""Test overrides: fast hashing, immediate tasks, locmem email."""

import hashlib
import os
from pathlib import Path

os.environ.setdefault("DEBUG", "1")

from config.settings import *  # noqa: E402,F403
from config.settings import BASE_DIR, DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not ":memory:": Django shares one in-memory connection with the live server's threads,
    # and the concurrent requests a browser makes then break SQLite ("bad parameter or other API
    # misuse"). With a file each thread opens its own connection, as in production. /dev/shm keeps
    # it in memory where there is one.
    _shm = Path("/dev/shm")  # noqa: S108 - a test database, named per checkout, not a secret
    _test_dir = _shm if _shm.is_dir() else BASE_DIR / "var"
    _checkout = hashlib.sha1(str(BASE_DIR).encode(), usedforsecurity=False).hexdigest()[:8]
    DATABASES["default"]["TEST"] = {"NAME": str(_test_dir / f"amparo-test-{_checkout}.sqlite3")}
AXES_FAILURE_LIMIT = 5
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
