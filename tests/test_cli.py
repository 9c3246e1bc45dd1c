"""The ``skemotion`` command line, run as the real console script in a subprocess.

Every test runs in its own empty working directory and checks that nothing is
written outside the folder the command was told to write to.
"""

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]


def _console_script():
    beside = Path(sys.executable).parent / "skemotion"
    if beside.exists():
        return str(beside)
    found = shutil.which("skemotion")
    if found is None:
        pytest.fail("the 'skemotion' console script is not installed (pip install -e .)")
    return found


SKEMOTION = _console_script()


def run(*args, cwd, timeout=300, stderr=subprocess.PIPE):
    """Run ``skemotion ARGS`` in ``cwd``; returns the CompletedProcess (text)."""
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONWARNINGS="error::FutureWarning")
    return subprocess.run(
        [SKEMOTION, *map(str, args)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        timeout=timeout,
        env=env,
    )


def tree(path):
    """All files under ``path``, relative, sorted."""
    return sorted(str(p.relative_to(path)) for p in Path(path).rglob("*") if p.is_file())


def assert_usage_error(result, *needles):
    """Exit code 2 and exactly one line on stderr that names the problem."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "error" in lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    assert "Traceback" not in result.stderr


@pytest.fixture
def cwd(tmp_path):
    """An empty working directory; tests assert what ends up in it."""
    d = tmp_path / "cwd"
    d.mkdir()
    return d


# ---------------------------------------------------------------------------
# --version, --help, README
# ---------------------------------------------------------------------------


def test_version(cwd):
    import skemotion

    result = run("--version", cwd=cwd)
    assert result.returncode == 0
    assert result.stdout.strip() == f"skemotion {skemotion.__version__}"
    assert tree(cwd) == []


COMMANDS = ["evaluate", "describe", "organize", "crop", "train", "predict", "search", "difficult"]


def test_help_lists_commands_and_examples(cwd):
    result = run("--help", cwd=cwd)
    assert result.returncode == 0
    assert "examples:" in result.stdout
    for command in COMMANDS:
        assert re.search(rf"^\s+{command}\s", result.stdout, re.M), command
    sub = run("evaluate", "--help", cwd=cwd)
    assert sub.returncode == 0, sub.stderr
    assert "example:" in sub.stdout and "  skemotion evaluate" in sub.stdout
    assert tree(cwd) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_every_subcommand_help_shows_an_example(command, capsys):
    # the parser itself (in-process: one subprocess per command would cost ~2 s each)
    from skemotion._cli import main

    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert re.search(rf"example:\n  skemotion {command}\b", out), out


def test_no_command_prints_help(cwd):
    result = run(cwd=cwd)
    assert result.returncode == 0
    assert "usage: skemotion" in result.stdout


def test_readme_setup_commands_match_ci():
    """README opens with the two set-up commands; .ci/run runs the second one verbatim."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, re.S)
    assert blocks[:2] == ['pip install . && skemotion evaluate',
                          'pip install ".[test]" && python -m pytest']
    ci_lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert blocks[1] in ci_lines
    # the first command's console script is the one pyproject installs
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'skemotion = "skemotion._cli:main"' in pyproject


# ---------------------------------------------------------------------------
# describe and data options
# ---------------------------------------------------------------------------


def test_describe_london(cwd):
    result = run("describe", cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "204 images, 2 classes, 102 subjects" in result.stdout
    assert re.search(r"happy\s+102", result.stdout)
    assert tree(cwd) == []


def test_describe_emotion_subset_and_alias(cwd):
    result = run("describe", "--emotions", "Happiness", cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "102 images, 1 classes" in result.stdout
    assert "neutral" not in result.stdout


@pytest.mark.parametrize(
    "args, needles",
    [
        (["describe", "--emotions", "happy,grumpy"], ["--emotions", "'grumpy'"]),
        (["describe", "--emotions", "happy,anger"], ["anger", "happy, neutral"]),
        (["describe", "--folder", "no/such/dir"], ["--folder", "no/such/dir"]),
        (["describe", "--ckplus", "no/such/ckplus"], ["--ckplus", "no/such/ckplus"]),
    ],
)
def test_describe_user_errors(cwd, args, needles):
    assert_usage_error(run(*args, cwd=cwd), *needles)
    assert tree(cwd) == []


def test_bad_option_value_exits_2(cwd):
    result = run("evaluate", "--test-size", "1.5", cwd=cwd)
    assert result.returncode == 2
    assert "--test-size" in result.stderr and "between 0 and 1" in result.stderr


# ---------------------------------------------------------------------------
# progress bars
# ---------------------------------------------------------------------------


def test_fallback_progress_bar_draws_and_finishes():
    from skemotion._cli import _FallbackBar, progress_bar

    stream = io.StringIO()
    bar = _FallbackBar(4, "cropping", stream, min_interval=0)
    for _ in range(4):
        bar.update()
    bar.close()
    text = stream.getvalue()
    assert text.startswith("\rcropping:   0%")
    assert "4/4" in text and "100%" in text and text.endswith("\n")

    silent = io.StringIO()
    with progress_bar(10, "x", enabled=False, stream=silent) as b:
        b.update(10)
    assert silent.getvalue() == ""


# ---------------------------------------------------------------------------
# CK+ and sorted folders: organize, describe --ckplus / --folder
# ---------------------------------------------------------------------------


@pytest.fixture
def ckplus(tmp_path, make_ckplus_tree):
    root, expected = make_ckplus_tree(tmp_path / "CK+ données", n_subjects=4,
                                      sequences_per_subject=3, image_size=48)
    return root, expected


def test_organize_then_describe_folder_and_ckplus(cwd, ckplus):
    from collections import Counter

    root, expected = ckplus
    result = run("organize", root, "sorted", cwd=cwd)
    assert result.returncode == 0, result.stderr
    peaks = Counter(expected.labels.values())
    n = len(expected.labels) * 2  # peak + first frame (neutral="first")
    assert f"{n} images" in result.stdout and f"{n} written" in result.stdout
    assert all(f.startswith("sorted/") for f in tree(cwd)), tree(cwd)
    assert len(tree(cwd)) == n
    # running it twice is harmless
    again = run("organize", root, "sorted", cwd=cwd)
    assert again.returncode == 0 and f"0 written, {n} already there" in again.stdout

    for args in (["--folder", "sorted"], ["--ckplus", root]):
        desc = run("describe", *args, cwd=cwd)
        assert desc.returncode == 0, desc.stderr
        assert f"{n} images" in desc.stdout and f"{len(expected.subjects)} subjects" in desc.stdout
        for emotion, count in peaks.items():
            assert re.search(rf"^\s+{emotion}\s+{count}\b", desc.stdout, re.M), desc.stdout
        assert re.search(rf"^\s+neutral\s+{len(expected.labels)}\b", desc.stdout, re.M)

    both = run("describe", "--folder", "sorted", "--ckplus", root, "--emotions", "neutral,anger",
               cwd=cwd)
    assert both.returncode == 0, both.stderr
    n_anger = peaks["anger"]
    assert f"{2 * (len(expected.labels) + n_anger)} images, 2 classes" in both.stdout
    assert len(tree(cwd)) == n  # describe wrote nothing


def test_organize_user_errors(cwd, tmp_path, ckplus):
    root, _ = ckplus
    assert_usage_error(run("organize", tmp_path / "missing", "out", cwd=cwd), "missing")
    wrong = tmp_path / "not_ckplus"
    (wrong / "images").mkdir(parents=True)
    result = run("organize", wrong, "out", cwd=cwd)
    assert_usage_error(result, "cohn-kanade-images")
    assert_usage_error(run("organize", root, "out", "--emotions", "happy,glee", cwd=cwd), "glee")
    assert tree(cwd) == []


def test_describe_ckplus_wrong_layout(cwd, tmp_path):
    wrong = tmp_path / "CK"
    (wrong / "random").mkdir(parents=True)
    assert_usage_error(run("describe", "--ckplus", wrong, cwd=cwd), "Emotion")
