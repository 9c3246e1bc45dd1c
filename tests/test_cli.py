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


def test_bad_command_line_is_one_line_exit_2(cwd):
    assert_usage_error(run("evaluate", "--test-size", "1.5", cwd=cwd), "--test-size",
                       "between 0 and 1")
    assert_usage_error(run("evaluate", "--bogus", cwd=cwd), "--bogus")
    assert tree(cwd) == []


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


# ---------------------------------------------------------------------------
# crop
# ---------------------------------------------------------------------------


@pytest.fixture
def photo_folder(tmp_path, london):
    """A sorted folder of 6 London photos (3 subjects), a blank image and clutter."""
    import cv2

    root = tmp_path / "in put"
    for i in [0, 1, 2]:
        for label in ("happy", "neutral"):
            idx = [j for j, (t, g) in enumerate(zip(london.target, london.groups))
                   if t == label][i]
            d = root / label
            d.mkdir(parents=True, exist_ok=True)
            shutil.copy(london.filenames[idx], d / f"S{i + 1:03d}_{Path(london.filenames[idx]).name}")
    cv2.imwrite(str(root / "neutral" / "S009_blank.png"), np.full((120, 100), 128, np.uint8))
    (root / "happy" / ".DS_Store").write_bytes(b"\0\0junk")
    (root / "notes.txt").write_text("not an image")
    return root


def test_crop_writes_crops_and_detection_report(cwd, photo_folder):
    import cv2

    result = run("crop", photo_folder, "crops", "--crop-size", "40x32", "--quiet", cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "face found in 6 of 7 images, 6 crops written" in result.stdout
    assert result.stderr == ""
    files = tree(cwd)
    assert "crops/detections.csv" in files
    pngs = [f for f in files if f.endswith(".png")]
    assert len(pngs) == 6 and all(re.match(r"crops/(happy|neutral)/S00\d_", f) for f in pngs)
    assert len(files) == 7  # crops and the report, nothing else
    crop = cv2.imread(str(cwd / pngs[0]), cv2.IMREAD_UNCHANGED)
    assert crop.shape == (40, 32) and crop.dtype == np.uint8 and crop.std() > 10
    with open(cwd / "crops" / "detections.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 7
    blank = [r for r in rows if r["file"].endswith("S009_blank.png")]
    assert blank and blank[0]["face_found"] == "False" and blank[0]["crop"] == ""
    faces = [r for r in rows if r["face_found"] == "True"]
    assert len(faces) == 6
    for r in faces:
        assert r["cascade"] and int(r["width"]) > 50 and (cwd / "crops" / r["crop"]).is_file()


def test_crop_on_missing_raise_and_out_dir_inside_input(cwd, photo_folder):
    result = run("crop", photo_folder, "crops", "--crop-size", "32", "--on-missing", "raise",
                 "-q", cwd=cwd)
    assert_usage_error(result, "no face found", "S009_blank.png")
    # OUT_DIR inside INPUT: its own files are not taken as input
    inner = photo_folder / "crops"
    first = run("crop", photo_folder, inner, "--crop-size", "32", "--on-missing", "full_image",
                "-q", cwd=cwd)
    assert first.returncode == 0, first.stderr
    assert "7 crops written" in first.stdout
    second = run("crop", photo_folder, inner, "--crop-size", "32", "-q", cwd=cwd)
    assert "of 7 images" in second.stdout
    assert tree(cwd) == []


def test_crop_user_errors(cwd, tmp_path):
    assert_usage_error(run("crop", "missing_dir", "out", cwd=cwd), "missing_dir")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_usage_error(run("crop", empty, "out", cwd=cwd), "no image files", str(empty))
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "broken.jpg").write_bytes(b"not a jpeg")
    assert_usage_error(run("crop", bad, "out", cwd=cwd), "broken.jpg")
    assert_usage_error(run("crop", bad, "out", "--crop-size", "4", cwd=cwd), "--crop-size")
    assert tree(cwd) == []


def test_progress_bar_on_a_terminal_only(cwd, photo_folder):
    """With stderr on a terminal the crop shows a progress bar; with --quiet it does not."""
    pty = pytest.importorskip("pty")
    outputs = {}
    for quiet in (False, True):
        master, slave = pty.openpty()
        args = ["crop", photo_folder, f"crops{int(quiet)}", "--crop-size", "32"]
        result = run(*args, *(["--quiet"] if quiet else []), cwd=cwd, stderr=slave)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        os.close(master)
        assert result.returncode == 0
        outputs[quiet] = b"".join(chunks).decode(errors="replace")
    assert "cropping faces" in outputs[False] and "7/7" in outputs[False]
    assert outputs[True] == ""
