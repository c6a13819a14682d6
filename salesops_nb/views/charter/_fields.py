"""Form pieces of the charter editor: text areas, pickers and the readers of typed values."""

from __future__ import annotations

import ipywidgets as w

_WIDE = w.Layout(width="98%")
_TALL = w.Layout(width="98%", height="90px")
_YES_NO = [("?", None), ("yes", True), ("no", False)]


def _area(description: str, placeholder: str) -> w.Textarea:
    return w.Textarea(description=description, placeholder=placeholder, layout=_TALL)


def _options(picker: w.Dropdown, labels: list[str]) -> None:
    """Refill a picker with ``(label, index)`` options, keeping the selection when it exists."""
    keep = picker.value
    picker.options = [(label, i) for i, label in enumerate(labels)]
    if labels:
        picker.value = keep if keep is not None and keep < len(labels) else 0


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _number(text: str) -> float | None:
    text = str(text).strip().rstrip("%").replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number; type digits such as 21 or 3.5.") from None


def _required(value: str, what: str) -> str:
    if not str(value).strip():
        raise ValueError(f"Type a {what} first.")
    return str(value).strip()
