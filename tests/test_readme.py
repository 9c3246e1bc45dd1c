"""The README's Python examples run, and print what the README says they print.

Every ```python block of README.md is a test, run in order of appearance in a temporary
working folder (examples that write caches or ``difficult/`` write there). Blocks share
one namespace as a reader's session would: later examples use ``london``, ``X``, ``y`` and
``groups`` from the quick start. A block preceded by ``<!-- readme-test: skip: reason -->``
is skipped with that reason (CK+ paths, a cluster address); ``>>>`` blocks run as doctests.
Where a ```text block follows a Python block, the Python block's printed output must equal
it, and the cascade grid search's results table must equal that search's ``cv_results_``:
the numbers these examples show are the numbers the code gives. (The main job's table is
a recorded ``skemotion evaluate`` run; ``test_cli.py`` checks its rows and format only.)
"""

import contextlib
import doctest
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(
    r"(?:<!-- readme-test: skip: (?P<skip>.*?) -->\n)?```python\n(?P<code>.*?)```\n"
    r"(?:\s*```text\n(?P<output>.*?)```)?",
    re.S,
)


def _blocks():
    text = README.read_text(encoding="utf-8")
    out = []
    for match in _BLOCK.finditer(text):
        line = text.count("\n", 0, match.start("code"))
        out.append(pytest.param(match["code"], match["output"], match["skip"],
                                id=f"line{line}"))
    return out


BLOCKS = _blocks()


def test_readme_has_examples_and_parses_them_all():
    text = README.read_text(encoding="utf-8")
    assert len(BLOCKS) == text.count("```python\n") >= 10


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """One namespace and working folder for all README blocks, like a reader's session."""
    return {"__name__": "readme"}, tmp_path_factory.mktemp("readme")


@pytest.mark.parametrize("code, expected_output, skip", BLOCKS)
def test_readme_example(code, expected_output, skip, session, monkeypatch):
    if skip:
        pytest.skip(skip)
    namespace, folder = session
    monkeypatch.chdir(folder)
    if code.lstrip().startswith(">>>"):
        test = doctest.DocTestParser().get_doctest(code, namespace, "README", str(README), 0)
        runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
        report = io.StringIO()
        runner.run(test, out=report.write)
        assert runner.failures == 0, report.getvalue()
        return
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, str(README), "exec"), namespace)  # noqa: S102 (our own README)
    if expected_output is not None:
        assert printed.getvalue().strip() == expected_output.strip()


def test_readme_cascade_table_is_the_searchs_cv_results(session):
    """The 8-row table under the cascade grid search shows that search's cv_results_."""
    namespace, _ = session
    search = namespace.get("search")
    if search is None or "param_crop__margin" not in getattr(search, "cv_results_", {}):
        pytest.skip("needs the README's cascade grid-search example to have run first")
    text = README.read_text(encoding="utf-8")
    table = text.split("| min_neighbors | scale_factor | margin | mean accuracy | std |")[1]
    rows = re.findall(r"^\| (\d+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|$",
                      table.split("\n\n")[0], re.M)
    res = search.cv_results_
    computed = {
        (int(n), float(s), float(m)): (f"{mean:.3f}", f"{std:.3f}")
        for n, s, m, mean, std in zip(res["param_crop__min_neighbors"],
                                      res["param_crop__scale_factor"],
                                      res["param_crop__margin"], res["mean_test_score"],
                                      res["std_test_score"])
    }
    shown = {(int(n), float(s), float(m)): (mean, std) for n, s, m, mean, std in rows}
    assert len(rows) == len(computed) == 8
    assert shown == computed
