"""salesops-nb: the four sales-operations fundamentals as guided notebooks and reports.

The public names below are loaded on first use, so importing the package (and running the
``salesops-nb`` command) stays fast: pandas, altair and papermill load only when needed.

>>> import salesops_nb as so
>>> deals = so.load_opportunities()          # built-in sample  # doctest: +SKIP
>>> so.run_template("data_overview", out_dir="reports")      # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from salesops_nb._lazy import lazy_attributes
from salesops_nb.errors import (
    CorruptArtefactError,
    DataError,
    DataFileError,
    MissingColumnsError,
    ParameterError,
    ReportError,
    SalesOpsError,
    SchemaVersionError,
    TemplateError,
    UnknownTemplateError,
    ValueParseError,
    WorkspaceError,
)

__version__ = "0.1.0"

_LAZY = {
    "Artefact": "salesops_nb.artefact",
    "Charter": "salesops_nb.charter.model",
    "CharterEditor": "salesops_nb.views.charter",
    "FiveWhysEditor": "salesops_nb.views.five_whys",
    "ImprovementItem": "salesops_nb.installments.model",
    "InstallmentPlan": "salesops_nb.installments.model",
    "InstallmentPlanner": "salesops_nb.views.installments",
    "SegmentationBuilder": "salesops_nb.views.segmentation",
    "SegmentationSpec": "salesops_nb.segmentation.spec",
    "WhyAnalysis": "salesops_nb.five_whys.model",
    "Workspace": "salesops_nb.workspace",
    "generate_crm": "salesops_nb.data.sample",
    "get_template": "salesops_nb.templates",
    "list_templates": "salesops_nb.templates",
    "load_opportunities": "salesops_nb.data.load",
    "load_table": "salesops_nb.data.load",
    "run_template": "salesops_nb.report",
}

__all__ = [
    "Artefact",
    "Charter",
    "CharterEditor",
    "CorruptArtefactError",
    "DataError",
    "DataFileError",
    "FiveWhysEditor",
    "ImprovementItem",
    "InstallmentPlan",
    "InstallmentPlanner",
    "MissingColumnsError",
    "ParameterError",
    "ReportError",
    "SalesOpsError",
    "SchemaVersionError",
    "SegmentationBuilder",
    "SegmentationSpec",
    "TemplateError",
    "UnknownTemplateError",
    "ValueParseError",
    "WhyAnalysis",
    "Workspace",
    "WorkspaceError",
    "__version__",
    "generate_crm",
    "get_template",
    "list_templates",
    "load_opportunities",
    "load_table",
    "run_template",
]

if TYPE_CHECKING:
    from salesops_nb.artefact import Artefact
    from salesops_nb.charter.model import Charter
    from salesops_nb.data.load import load_opportunities, load_table
    from salesops_nb.data.sample import generate_crm
    from salesops_nb.five_whys.model import WhyAnalysis
    from salesops_nb.installments.model import ImprovementItem, InstallmentPlan
    from salesops_nb.report import run_template
    from salesops_nb.segmentation.spec import SegmentationSpec
    from salesops_nb.templates import get_template, list_templates
    from salesops_nb.views.charter import CharterEditor
    from salesops_nb.views.five_whys import FiveWhysEditor
    from salesops_nb.views.installments import InstallmentPlanner
    from salesops_nb.views.segmentation import SegmentationBuilder
    from salesops_nb.workspace import Workspace

__getattr__ = lazy_attributes(__name__, _LAZY)


def __dir__() -> list[str]:
    return __all__
