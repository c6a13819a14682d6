"""The segmentation builder widget: a spec built step by step, previewed live, autosaved.

The pieces, one concept each:

- :mod:`.builder`: :class:`SegmentationBuilder` itself: the five-step frame, the actions
  (refresh, save, treatments, go) and loading a spec into the controls;
- :mod:`._steps`: the controls of each step and how they react to a change;
- :mod:`._spec`: the spec built from the controls;
- :mod:`._preview`: segment sizes, quality verdicts, chart and band previews.
"""

from salesops_nb.views.segmentation.builder import DEFAULT_PATH, SegmentationBuilder
from salesops_nb.views.segmentation.builder import STEPS as STEPS

__all__ = ["DEFAULT_PATH", "SegmentationBuilder"]
