"""Template context for every page: `policy`, the person's access policy (responses/access.py).

Templates ask it instead of `user.is_staff` or a membership's role, so a page shows a link exactly when the view
behind it lets the person in. It is the request's own policy object: the memberships it reads (once, and only if a
template asks) are shared with the view's checks."""

from __future__ import annotations

from django.http import HttpRequest

from responses.access import AccessPolicy


def access(request: HttpRequest) -> dict[str, AccessPolicy]:
    return {"policy": AccessPolicy.for_request(request)}
