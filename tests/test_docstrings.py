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
_NEEDS = {"skemotion.features._landmarks": ("dlib", "landmarks")}


def _examples(module_name):
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    return [test for test in finder.find(module, module_name) if test.examples]


#: Modules without docstring examples of their own (their public names are re-exported
#: by, and documented with examples in, the modules that define them).
_NO_EXAMPLES = {"skemotion", "skemotion.__main__", "skemotion.cli",
                *(f"skemotion.cli.{m}" for m in (
                    "_base", "_options", "_data", "_paths", "_writers", "_main", "_describe",
                    "_organize", "_evaluate", "_crop", "_train", "_predict", "_search",
                    "_difficult", "_watch", "_calibrate")),
                "skemotion.faces", "skemotion.features", "skemotion.plotting", "skemotion.utils",
                "skemotion.features._base", "skemotion.utils._metaestimators",
                "skemotion.utils._validation",
                "skemotion.pipelines._feature_pipelines", "skemotion.utils._warnings",
                "skemotion.datasets", "skemotion.datasets._base", "skemotion.model_selection"}


@pytest.mark.parametrize("module_name", [m for m in _modules() if m not in _NO_EXAMPLES])
def test_docstring_examples(module_name):
    if module_name in _NEEDS and importlib.util.find_spec(_NEEDS[module_name][0]) is None:
        pytest.skip(f'needs the "{_NEEDS[module_name][1]}" extra')
    tests = _examples(module_name)
    assert tests, f"{module_name} has no docstring examples: add some or list it in _NO_EXAMPLES"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {module_name}"


@pytest.mark.parametrize("module_name", ["skemotion", "skemotion.datasets",
                                         "skemotion.model_selection", "skemotion.pipelines"])
def test_every_public_callable_has_a_runnable_example(module_name):
    """numpydoc style: each public class and function shows how it is used."""
    module = importlib.import_module(module_name)
    missing = []
    for name in module.__all__:
        obj = getattr(module, name)
        if not callable(obj):
            continue  # constants such as PIPELINES or CKPLUS_EMOTIONS
        found = doctest.DocTestFinder(recurse=False).find(obj, name)
        if not any(test.examples for test in found):
            missing.append(name)
    assert not missing, f"{module_name}: no docstring example for {missing}"
