"""Helpers shared by the exercise checkers."""

from __future__ import annotations

from typing import Any

import pydantic

from salesops_nb.errors import SalesOpsError

__all__ = ["pct", "validated"]



def validated(model: Any, value: Any, what: str) -> Any:
    """``value`` as ``model``: dicts and JSON text are validated; errors teach, not trace."""
    if isinstance(value, model):
        return value
    try:
        if isinstance(value, str | bytes):
            return model.model_validate_json(value)
        return model.model_validate(value)
    except pydantic.ValidationError as err:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}"
                             for e in err.errors()[:5])
        raise SalesOpsError(f"This is not a valid {what}: {problems}.",
                            hint=f"Build it as {model.__name__}(...) and check the fields named "
                            "above.") from err


def pct(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"
