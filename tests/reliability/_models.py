"""A small artefact model shared by the reliability tests (imported before forking)."""

from __future__ import annotations

from pydantic import Field

from salesops_nb.artefact import Artefact


class Ledger(Artefact):
    """Text entries; big enough that a save takes a moment, so kills land mid-write."""

    kind = "ledger"
    label: str
    entries: list[str] = Field(default_factory=list)
