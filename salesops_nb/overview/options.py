"""Template parameters written for analysts, turned into the values the loader takes.

Notebook parameters are plain strings ("auto", "day", ",") so they read well in the
parameter form and on the command line; these functions check them and explain a typo.
"""

from __future__ import annotations

from salesops_nb.errors import ParameterError

__all__ = ["date_order", "decimal_mark"]

_DATE_ORDERS = {"auto": None, "": None, "day": True, "month": False}
_DECIMAL_MARKS = {"auto": None, "": None, ".": ".", ",": ","}


def date_order(value: str | bool | None) -> bool | None:
    """Map the ``dayfirst`` parameter to the loader's ``dayfirst`` argument.

    >>> date_order("day"), date_order("month"), date_order("auto")
    (True, False, None)
    """
    if value is None or isinstance(value, bool):
        return value
    key = str(value).strip().casefold()
    if key not in _DATE_ORDERS:
        raise ParameterError(
            f"dayfirst={value!r} is not a date order.",
            hint='Use "day" for 31/12/2024, "month" for 12/31/2024, or "auto" to detect it.',
        )
    return _DATE_ORDERS[key]


def decimal_mark(value: str | None) -> str | None:
    """Map the ``decimal`` parameter to the loader's ``decimal`` argument.

    >>> decimal_mark(","), decimal_mark("auto")
    (',', None)
    """
    if value is None:
        return None
    key = str(value).strip().casefold()
    if key not in _DECIMAL_MARKS:
        raise ParameterError(
            f"decimal={value!r} is not a decimal mark.",
            hint='Use "." for 1,200.50, "," for 1.200,50, or "auto" to detect it.',
        )
    return _DECIMAL_MARKS[key]
