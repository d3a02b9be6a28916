"""WSGI entry point (gunicorn oscethb.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oscethb.settings")
application = get_wsgi_application()
