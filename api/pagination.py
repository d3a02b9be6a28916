"""Every list of the API is paged by a cursor: `next` holds the address of the following page (null on the last).
A cursor stays right while rows are added, and costs no COUNT over a million answers."""

from __future__ import annotations

from django.conf import settings
from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    page_size = settings.API_PAGE_SIZE
    max_page_size = settings.API_MAX_PAGE_SIZE
    page_size_query_param = "page_size"
    ordering = "id"
    page_size_query_description = (
        f"Rows per page (default {settings.API_PAGE_SIZE}, at most {settings.API_MAX_PAGE_SIZE})."
    )
