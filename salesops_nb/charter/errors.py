"""The charter's own error, defined in :mod:`salesops_nb.errors` (the one tree)."""

from __future__ import annotations

from salesops_nb.errors import CharterError

__all__ = ["CharterError"]
