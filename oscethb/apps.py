"""The admin's app config, pointing Django at the two-factor admin site (oscethb/admin_site.py)."""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    default_site = "oscethb.admin_site.AdminSite"
