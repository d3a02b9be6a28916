"""The demo app: deterministic demo data for `make run` and `make demo` (the `seed_demo` command), kept apart
from production code. Nothing imports it; it may import every other app."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = _("Demo data")
