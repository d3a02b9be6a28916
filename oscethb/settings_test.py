"""Settings for the test suite: the normal settings plus a fixed key, fast hashing and strict templates."""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ["OSCETHB_TEST_SETTINGS"] = "1"  # tasks may run in-process without a broker (oscethb/settings.py)

from .settings import *  # noqa: F403
from .settings import STORAGES, TEMPLATES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# live_server serves static files through the finders: a manifest storage would 404 every {% static %} URL.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# An undefined variable in a template is a bug; make it visible in tests.
_template_options: dict = TEMPLATES[0]["OPTIONS"]  # type: ignore[assignment]
_template_options["string_if_invalid"] = "INVALID_TEMPLATE_VARIABLE[%s]"
SECURE_SSL_REDIRECT = False
ALLOWED_HOSTS = ["*"]

# Unit tests run tasks in-process; the integration tests start a real worker (conftest.celery_worker_process).
CELERY_TASK_ALWAYS_EAGER = os.environ.get("OSCETHB_WORKER_EAGER", "1") == "1"
# The worker tests pause a job where they kill its worker (tests/job_faults.py; a no-op unless they ask for it).
CELERY_IMPORTS = [*CELERY_IMPORTS, "tests.job_faults"]  # noqa: F405
# Serve static files from the app folders (no collectstatic in tests), as in development.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
