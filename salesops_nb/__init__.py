"""salesops-nb: the four sales-operations fundamentals as guided notebooks and reports."""

from salesops_nb.errors import SalesOpsError

__version__ = "0.1.0"

__all__ = ["SalesOpsError", "__version__"]
