"""What each hostile case is expected to do: shared by the loader, engine and template tests.

Each failing case maps to ``(error class, words in its message or hint)``; a case not listed
works. The words are the ones the loader or the analysis itself uses, so the same words must
reach the user whichever engine or template the file went through.
"""

from __future__ import annotations

from salesops_nb.errors import (
    DataFileError,
    MissingColumnsError,
    ParameterError,
    ValueParseError,
)

#: Cases ``load_opportunities`` refuses (so does every engine and template reading them).
LOAD_FAILS = {
    "empty": (DataFileError, "is empty"),
    "header only": (DataFileError, "no rows"),
    "Excel merged header row": (MissingColumnsError, "title or merged cells"),
    "Excel several sheets": (MissingColumnsError, "sheet='Opportunities'"),
    "duplicate column names": (ValueParseError, "cannot be read as numbers"),
    "mixed date formats": (ValueParseError, "dayfirst"),
}

#: Cases that load but the default rep segmentation (team x region) refuses.
SEGMENTATION_FAILS = {
    "all-NaN columns": (ParameterError, "hold no values"),
    "100k distinct categories": (ParameterError, "too many"),
}

#: Cases whose file is odd but whose deals, once loaded, are the clean sample's.
FORMAT_CASES = ("semicolon delimiter", "tab delimiter in .csv", "UTF-16", "UTF-8 BOM")

#: Cases whose loaded values are odd: what a template's own code (beyond the loader) meets.
CONTENT_CASES = (
    "all-NaN columns",
    "constant columns",
    "negative amounts",
    "astronomical amounts",
    "future dates",
    "duplicate ids",
    "100k distinct categories",
    "keyword column names",
    "=HYPERLINK formula cells",
)

#: Parquet files the lazy engines scan as they are (see ``_corpus.build_parquet``).
PARQUET_CASES = (*CONTENT_CASES, "Latin-1 accents", "zero rows (Parquet)",
                 "CRM headers (Parquet)")
