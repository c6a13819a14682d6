"""The one error tree: every user-facing error is defined in salesops_nb.errors and pickles."""

from __future__ import annotations

import ast
import inspect
import pickle
from pathlib import Path

import pytest

from salesops_nb import errors

PACKAGE = Path(errors.__file__).parent
ERRORS = [
    cls
    for _, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, errors.SalesOpsError)
]


def test_every_error_class_lives_in_the_tree():
    strays = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "errors.py" and path.parent == PACKAGE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            public = isinstance(node, ast.ClassDef) and not node.name.startswith("_")
            if public and node.name.endswith("Error"):
                strays.append(f"{path.relative_to(PACKAGE)}: {node.name}")
    assert not strays, "define user-facing errors in salesops_nb/errors.py: " + ", ".join(strays)


def test_the_docstring_draws_every_error():
    for cls in ERRORS:
        assert cls.__name__ in errors.__doc__, f"{cls.__name__} is missing from the tree drawing"


@pytest.mark.parametrize("cls", ERRORS, ids=lambda cls: cls.__name__)
def test_errors_pickle_with_their_hint(cls):
    err = cls("what went wrong, where", hint="how to fix it")
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is cls
    assert (copy.message, copy.hint, str(copy)) == (err.message, err.hint, str(err))
    assert str(copy) == "what went wrong, where\nHint: how to fix it"
