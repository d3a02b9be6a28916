"""What every management command shares: it speaks the site's language (settings.LANGUAGE_CODE), its operator's.

Django runs a command in whatever language the thread last had active (a request served before, in a test or a
shell), so a command's messages could come out Spanish after a Spanish page. `in_site_language` on `handle` fixes
the language for the command's whole run; a command that writes for readers in another language (export_excel
--lang) overrides it again around that part only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.core.management.base import CommandError, OutputWrapper
from django.utils import translation
from django.utils.translation import ngettext

Handle = TypeVar("Handle", bound=Callable[..., Any])


def in_site_language(handle: Handle) -> Handle:
    @wraps(handle)
    def speaking(*args: Any, **kwargs: Any) -> Any:
        with translation.override(settings.LANGUAGE_CODE):
            return handle(*args, **kwargs)

    return speaking  # type: ignore[return-value]


def refusal(stderr: OutputWrapper, file: object, problems: Sequence[object], prefix: str = "") -> CommandError:
    """Write each problem of a refused file on its own line (after `prefix`), and the error that ends the command:
    "<file>: 3 problems; nothing was written". The commands that read a file all-or-nothing raise it."""
    for problem in problems:
        stderr.write(f"{prefix}{problem}")
    count = len(problems)
    return CommandError(
        ngettext(
            "%(file)s: %(count)d problem; nothing was written",
            "%(file)s: %(count)d problems; nothing was written",
            count,
        )
        % {"file": file, "count": count}
    )
