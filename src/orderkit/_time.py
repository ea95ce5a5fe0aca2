"""The one test of "a timezone-aware datetime" that every check of domain time uses (internal).

Each module words its own refusal; what counts as aware is decided here, once.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeGuard

__all__ = ["is_aware"]


def is_aware(value: object) -> TypeGuard[dt.datetime]:
    """Whether ``value`` is a datetime with a UTC offset.

    A ``datetime.timezone`` (``UTC`` included; the class cannot be subclassed)
    always has an offset, so its type answers without the ``utcoffset()`` call
    that every other tzinfo still gets: this runs for every command's moment.
    """
    return isinstance(value, dt.datetime) and (
        type(value.tzinfo) is dt.timezone or value.utcoffset() is not None
    )
