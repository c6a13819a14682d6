"""Package attributes imported on first use, so importing a package stays cheap.

pandas, altair and the widget libraries take seconds to import; a facade names them without
loading them (PEP 562 module ``__getattr__``).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_attributes"]


def lazy_attributes(package: str, sources: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``name`` from ``sources[name]`` on first use.

    The value is then stored on the package, so later look-ups skip the function.

    >>> __getattr__ = lazy_attributes(__name__, {"Charter": "salesops_nb.charter.model"})
    ... # doctest: +SKIP
    """

    def __getattr__(name: str) -> Any:
        if name not in sources:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(sources[name]), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
