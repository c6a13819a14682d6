"""The charter's own error: a user mistake while building or exporting a charter."""

from __future__ import annotations

from salesops_nb.errors import SalesOpsError

__all__ = ["CharterError"]


class CharterError(SalesOpsError):
    """A charter cannot be built, edited or exported as asked (unknown library id, bad index,
    unknown export format, unwritable folder). The message names the item; the hint the fix.
    """
