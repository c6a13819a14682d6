"""Side-by-side benchmarks: our code against a baseline in one run, with ratios.

Run them all with ``python -m benchmarks`` (``--quick`` for a fast pass); each module also runs
on its own (``python -m benchmarks.backends``).
"""
