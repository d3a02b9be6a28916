"""Office staff, as every app asks it: `is_office_staff(user)` and the one `staff_required` view decorator.

Here, outside the apps, so that `surveys` (which knows nothing of the others) may use it too. Whether a person is
Office staff is the one fact of access that needs no organisation; everything else (members, roles, rounds,
deadlines) is decided by the access policy in `responses/access.py`, which asks this module for staff.

`staff_required`: anonymous visitors go to the login page; logged-in people who are not Office staff get 404, so a
staff page is never confirmed to exist.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def is_office_staff(user: Any) -> bool:
    """Office staff: a user with `is_staff` (anonymous users, and None for a command run without a user, are not).

    Inactive users never get this far in a request: Django's session authentication drops them."""
    return bool(getattr(user, "is_staff", False))


def staff_required(view: View) -> View:
    """Anonymous visitors go to the login page; logged-in people who are not Office staff get 404."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_office_staff(request.user):
            raise Http404("No such page")
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
