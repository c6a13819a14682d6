"""The hostile corpus, built once per test session for the loader, engine and template tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile._corpus import build, build_parquet
from tests.hostile._expected import PARQUET_CASES


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> dict[str, Path]:
    """Case -> file of the 20 hostile exports."""
    return build(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="session")
def parquet(corpus, tmp_path_factory) -> dict[str, Path]:
    """Case -> canonical Parquet file the lazy engines scan as it is."""
    files = build_parquet(corpus, tmp_path_factory.mktemp("hostile-parquet"))
    return {case: files[case] for case in PARQUET_CASES}
