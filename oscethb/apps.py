"""The admin's app config, pointing Django at the two-factor admin site (oscethb/admin_site.py); being the project
package's one app config, it also connects the project's own signal receivers."""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    default_site = "oscethb.admin_site.AdminSite"

    def ready(self) -> None:
        super().ready()
        from django.contrib.auth.signals import user_logged_in

        from .middleware import session_lifetime_start

        user_logged_in.connect(session_lifetime_start, dispatch_uid="oscethb.session_lifetime_start")
