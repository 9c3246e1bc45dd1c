"""``python -m skemotion`` runs the same command line as the console script."""

import subprocess
import sys

import skemotion


def _run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "skemotion", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def test_python_m_skemotion_version_and_help(tmp_path):
    result = _run("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"skemotion {skemotion.__version__}"
    assert _run("--help", cwd=tmp_path).stdout.startswith("usage: skemotion ")


def test_python_m_skemotion_exit_code_and_one_line_error(tmp_path):
    result = _run("describe", "--folder", str(tmp_path / "missing"), cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("skemotion describe: error:")
    assert "missing" in lines[0]
    assert list(tmp_path.iterdir()) == []  # nothing written
