"""The README's Python examples run, each on its own, and print what the README says.

Every ```python block of README.md is a test: it runs alone in a fresh interpreter
(``sys.executable``), with a temporary folder as its working folder and as ``TMPDIR``, so a
block has to do its own imports and data loading, as a reader pasting it would. Where a
```text block follows a Python block, the block's printed output must equal it: the numbers
the examples show are the numbers the code gives. A block preceded by
``<!-- readme-test: skip: reason -->`` is skipped with that reason (CK+ paths, a cluster
address). The shown outputs are made with OpenCV 5, whose YuNet face boxes differ from
OpenCV 4.x's by a pixel or so; with OpenCV 4.x (the oldest versions CI tests) the blocks must
print the same text with numbers allowed to differ. The figures under "Results" summarise the records in ``benchmarks/README.md``;
``test_cli.py`` checks the recorded ``skemotion evaluate`` run there.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(
    r"(?:<!-- readme-test: skip: (?P<skip>.*?) -->\n)?```python\n(?P<code>.*?)```\n"
    r"(?:\s*```text\n(?P<output>.*?)```)?",
    re.S,
)
#: Seconds one block may take (the README's blocks take a few seconds each).
TIMEOUT = 300


def _blocks():
    text = README.read_text(encoding="utf-8")
    out = []
    for match in _BLOCK.finditer(text):
        line = text.count("\n", 0, match.start("code"))
        out.append(pytest.param(match["code"], match["output"], match["skip"],
                                id=f"line{line}"))
    return out


BLOCKS = _blocks()


def _normalise(output):
    """Trailing spaces and blank lines at either end do not count."""
    return "\n".join(line.rstrip() for line in output.strip().splitlines())


def _without_numbers(output):
    """The text with every number replaced by ``#`` and spaces left out (numpy pads
    numbers of other widths with spaces)."""
    return re.sub(r" +", "", re.sub(r"\d+(?:\.\d*)?", "#", _normalise(output)))


#: The OpenCV major version the README's outputs were made with.
OUTPUTS_MADE_WITH_OPENCV = 5


def test_readme_has_examples_and_parses_them_all():
    text = README.read_text(encoding="utf-8")
    assert len(BLOCKS) == text.count("```python\n") >= 5
    assert sum(1 for block in BLOCKS if not block.values[2]) >= 5  # most of them run


@pytest.mark.parametrize("code, expected_output, skip", BLOCKS)
@pytest.mark.slow
def test_readme_example(code, expected_output, skip, tmp_path):
    if skip:
        pytest.skip(skip)
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp), "MPLBACKEND": "Agg",
           "PYTHONIOENCODING": "utf-8"}
    env.pop("PYTHONSTARTUP", None)
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                         capture_output=True, text=True, encoding="utf-8", timeout=TIMEOUT)
    assert run.returncode == 0, f"the block failed:\n{run.stderr}"
    if expected_output is None:
        return
    import cv2

    if int(cv2.__version__.split(".")[0]) == OUTPUTS_MADE_WITH_OPENCV:
        same = _normalise(run.stdout) == _normalise(expected_output)
    else:
        same = _without_numbers(run.stdout) == _without_numbers(expected_output)
    assert same, f"the block printed:\n{run.stdout}"


def test_without_numbers_keeps_the_text():
    assert _without_numbers("[1.    0.925 1.   ]\nok") == _without_numbers("[1. 0.9 0.975]\nok")
    assert _without_numbers("hog 0.883") != _without_numbers("lbp 0.883")

