"""The README's Python examples run, each on its own, and print what the README says.

Every ```python block of README.md is a test: it runs alone in a fresh interpreter
(``sys.executable``), with a temporary folder as its working folder and as ``TMPDIR``, so a
block has to do its own imports and data loading, as a reader pasting it would. Where a
```text block follows a Python block, the block's printed output must equal it: the numbers
the examples show are the numbers the code gives. A block preceded by
``<!-- readme-test: skip: reason -->`` is skipped with that reason (CK+ paths, a cluster
address). The figures under "Results" summarise the records in ``benchmarks/README.md``;
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


def test_readme_has_examples_and_parses_them_all():
    text = README.read_text(encoding="utf-8")
    assert len(BLOCKS) == text.count("```python\n") >= 5
    assert sum(1 for block in BLOCKS if not block.values[2]) >= 5  # most of them run


@pytest.mark.parametrize("code, expected_output, skip", BLOCKS)
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
    if expected_output is not None:
        assert _normalise(run.stdout) == _normalise(expected_output), (
            f"the block printed:\n{run.stdout}")

