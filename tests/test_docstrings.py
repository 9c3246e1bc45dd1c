"""Run the Examples sections of every public docstring (numpydoc examples must run)."""

import doctest
import importlib
import importlib.util
import pkgutil

import pytest

import skemotion


def _modules():
    names = ["skemotion"]
    for info in pkgutil.walk_packages(skemotion.__path__, prefix="skemotion."):
        names.append(info.name)
    return sorted(names)


#: Modules whose examples need an optional extra: module -> (import name, extra).
_NEEDS = {"skemotion._landmarks": ("dlib", "landmarks")}


@pytest.mark.parametrize("module_name", _modules())
def test_docstring_examples(module_name):
    if module_name in _NEEDS and importlib.util.find_spec(_NEEDS[module_name][0]) is None:
        pytest.skip(f'needs the "{_NEEDS[module_name][1]}" extra')
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, module_name):
        if test.examples:
            runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {module_name}"
