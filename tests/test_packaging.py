"""The code base needs no Python newer than pyproject's requires-python.

Only one Python (3.11) is available where skemotion is developed and tested, so the oldest
Python it declares (requires-python) is checked statically with vermin, which knows in which
version every syntax feature, standard-library module, function and argument appeared.
"""

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VERMIN = "import sys; from vermin import main; sys.exit(main())"


def _requires_python():
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    return re.search(r'^requires-python = ">=(\d+\.\d+)"', pyproject, re.M).group(1)


def _vermin(target, *paths):
    return subprocess.run(
        [sys.executable, "-c", VERMIN, "--no-tips", "--eval-annotations", "--violations",
         f"-t={target}-", *map(str, paths)],
        capture_output=True, text=True, timeout=300,
    )


def test_code_needs_no_python_newer_than_requires_python():
    minimum = _requires_python()
    result = _vermin(minimum, REPO / "skemotion", REPO / "tests", REPO / "benchmarks")
    assert result.returncode == 0, f"needs a Python newer than {minimum}:\n{result.stdout}"


def test_the_check_catches_newer_python(tmp_path):
    # tomllib appeared in Python 3.11: a file using it must fail a 3.10 target
    (tmp_path / "new.py").write_text("import tomllib\n", encoding="utf-8")
    result = _vermin("3.10", tmp_path)
    assert result.returncode != 0 and "tomllib" in result.stdout
