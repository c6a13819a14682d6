"""The notebooks here are inputs of the registry and report tests, not tests themselves.

``toy_fail`` fails on purpose, so nbval (which collects every ``*.ipynb`` under ``tests/``)
must not run them.
"""

collect_ignore_glob = ["*.ipynb"]
