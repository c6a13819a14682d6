"""The charter editor's last step: export the charter to the chosen formats."""

from __future__ import annotations

from html import escape
from pathlib import Path

import ipywidgets as w

from salesops_nb.charter.exports import FORMATS, export
from salesops_nb.errors import SalesOpsError
from salesops_nb.views._common import text_field


class _ExportStep:
    """Mixin of :class:`CharterEditor`: the export step.

    Builds its panels on the editor's ``charter`` and ``library`` and goes through the editor's
    plumbing (``_bind``, ``_button``, ``_apply``, ``_selected``, ``_need``, ``_say``).
    """

    def _export_panel(self) -> w.VBox:
        self.formats = w.SelectMultiple(options=list(FORMATS), value=tuple(FORMATS),
                                        description="Formats", rows=3)
        self.export_folder = text_field("Folder", "leave empty: next to the charter file")
        self.export_checks = w.Checkbox(description="Append the coaching checks", value=False,
                                        indent=False)
        button = self._button("Export", "download", self._on_export)
        self.export_result = w.HTML()
        return w.VBox([self.formats, self.export_folder, self.export_checks, button,
                       self.export_result])

    def _on_export(self) -> dict[str, Path] | None:
        folder = self.export_folder.value.strip() or self.path.parent
        try:
            files = export(self.charter, folder, formats=self.formats.value, stem=self.name,
                           checks=self.export_checks.value, config=self.config)
        except SalesOpsError as err:
            self._say(err, error=True)
            return None
        self.export_result.value = "Written: " + ", ".join(
            f"<code>{escape(str(path))}</code>" for path in files.values())
        self._say(f"Exported {len(files)} file(s).")
        return files
