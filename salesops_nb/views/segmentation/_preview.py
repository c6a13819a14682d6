"""The builder's live preview: segment sizes, quality verdicts, a chart, band edges."""

from __future__ import annotations

import html

from salesops_nb.segmentation.spec import SegmentationSpec


class _Preview:
    """Mixin of :class:`SegmentationBuilder`: shows what the last valid spec does.

    Uses ``profile``, ``quality`` and ``assigned`` (set by ``refresh``) and the ``sizes``,
    ``verdicts`` and ``chart`` HTML widgets.
    """

    def _show(self, warnings, spec: SegmentationSpec) -> None:
        import vl_convert

        from salesops_nb.overview.tables import styled
        from salesops_nb.segmentation.charts.structure import segment_sizes_chart

        shown = self.profile[["segment", "count", "share", "win_rate"]
                             if "win_rate" in self.profile else ["segment", "count", "share"]]
        self.sizes.value = styled(shown.rename(columns={"count": spec.entity}),
                                  max_rows=60).to_html()
        items = "".join(
            f"<li>{'✅' if m.ok else '⚠️' if m.ok is False else '•'} <b>{html.escape(m.name)}"
            f"</b>: {html.escape(m.verdict)}</li>" for m in self.quality)
        items += "".join(f"<li>⚠️ {html.escape(str(w))}</li>" for w in warnings)
        self.verdicts.value = f"<b>Quality</b><ul>{items}</ul>"
        chart = segment_sizes_chart(self.profile, entity=spec.entity)
        self.chart.value = vl_convert.vegalite_to_svg(chart.to_dict())
        for field, row in self._banding_rows.items():
            row["preview"].value = self._band_preview(field)
        self._refresh_treatment_options(spec)

    def _band_preview(self, field: str) -> str:
        banding = self._fitted_banding(field)
        if banding is None or self.assigned is None or banding.name not in self.assigned:
            return ""
        edges = ", ".join(f"{e:,.4g}" for e in banding.cut_points()[0]) or "none"
        counts = self.assigned[banding.name].value_counts()
        sizes = " · ".join(f"{html.escape(label)}: {int(counts.get(label, 0)):,}"
                           for label in banding.all_labels() if label in counts
                           or label != banding.unknown_label)
        return (f"<div style='margin-left:150px'>Edges: {html.escape(edges)}<br>"
                f"Sizes: {sizes}</div>")

