"""Settings for the test run: a throwaway data directory, fast hashing, generous rate limits.

The fast tier runs on SQLite with eager tasks and an in-process channel layer; the integration
tier sets DATABASE_URL and REDIS_URL and talks to a real worker and a real ASGI server.
"""

import os
import tempfile

os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="castline-test-"))
os.environ.setdefault("PASSWORD_HASHERS", "django.contrib.auth.hashers.MD5PasswordHasher")
# Tests publish and read back at once: no for-you pool may be seconds old (a test sets its own).
os.environ.setdefault("FEED_POOL_TTL_S", "0")

from config.settings import *  # noqa: F403
from config.settings import REDIS_URL, REST_FRAMEWORK, THROTTLE_SCOPES

CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": dict.fromkeys(THROTTLE_SCOPES, "100000/min"),
}
LOGGING_CONFIG = None

# One test database per run, so parallel runs on one Postgres never collide.
if DB_IS_POSTGRES:  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": f"test_castline_{os.getpid()}"}  # noqa: F405
