"""What every management command shares: it speaks the site's language (settings.LANGUAGE_CODE), its operator's.

Django runs a command in whatever language the thread last had active (a request served before, in a test or a
shell), so a command's messages could come out Spanish after a Spanish page. `in_site_language` on `handle` fixes
the language for the command's whole run; a command that writes for readers in another language (export_excel
--lang) overrides it again around that part only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.utils import translation

Handle = TypeVar("Handle", bound=Callable[..., Any])


def in_site_language(handle: Handle) -> Handle:
    @wraps(handle)
    def speaking(*args: Any, **kwargs: Any) -> Any:
        with translation.override(settings.LANGUAGE_CODE):
            return handle(*args, **kwargs)

    return speaking  # type: ignore[return-value]
