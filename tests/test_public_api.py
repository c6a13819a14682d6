"""The package facade: a small, curated, honest set of names."""

from __future__ import annotations

import subprocess
import sys

import salesops_nb


def test_every_exported_name_resolves():
    for name in salesops_nb.__all__:
        assert getattr(salesops_nb, name) is not None, name


def test_exports_are_sorted_and_unique():
    assert salesops_nb.__all__ == sorted(set(salesops_nb.__all__))


def test_errors_share_one_root():
    errors = [getattr(salesops_nb, n) for n in salesops_nb.__all__ if n.endswith("Error")]
    assert all(issubclass(e, salesops_nb.SalesOpsError) for e in errors)


def test_importing_the_package_loads_nothing_heavy():
    heavy = "('pandas', 'altair', 'papermill', 'nbconvert')"
    code = f"import sys, salesops_nb.cli; print([m for m in {heavy} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
