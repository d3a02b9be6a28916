"""WSGI entry point (gunicorn oscethb.wsgi).

After the application is imported, the objects alive at that point (Django, the apps, pandas, openpyxl: about 150k)
are moved out of the garbage collector's reach with `gc.freeze()`. They live as long as the process, and a full
collection that walks them costs about 100 ms, which every 15th request or so used to pay
(docs: PERFORMANCE_PROFILE.md, design G). The URL configuration is loaded first so that the views, forms and
templates' modules are frozen too rather than imported by the first request.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oscethb.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 - imports every view module now, before the freeze
gc.collect()
gc.freeze()
