"""Strategic functional charter: model, starter library, screening, coaching checks, renderings.

>>> from salesops_nb import charter
>>> c = charter.example_charter()                       # a worked example
>>> report = charter.maturity(c)                         # doctest: +SKIP
>>> charter.export(c, "out", formats=("md", "html", "docx"))  # doctest: +SKIP
"""
