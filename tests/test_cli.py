"""The ``skemotion`` command line, through ``main`` in this process (``run``). Two kinds of
test need a process of their own: the progress-bar test runs the installed console script
with a terminal on stderr (``run_subprocess``), and the tests without the optional extras
run a fresh interpreter that hides them (``_WITHOUT_EXTRAS``). A subprocess pays ~2.5 s of
imports (scikit-learn, SciPy, OpenCV) before its first line of work, most of this file's
time when every command ran in one.

Every test runs in its own empty working directory (``cwd``); the tests that write
assert what ends up there (``tree(cwd)``), and an automatic check (``_inputs_unchanged``)
fails any test whose commands add, remove or change a file in the input folders it uses.
"""

import argparse
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


def run_subprocess(*args, cwd, timeout=300, stderr=subprocess.PIPE):
    """Run the console script ``skemotion ARGS`` in ``cwd``; returns the CompletedProcess
    (text)."""
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


def run(*args, cwd):
    """``skemotion ARGS`` through :func:`skemotion.cli.main` in this process, in ``cwd``;
    returns what :func:`run_subprocess` returns.

    As in :func:`run_subprocess`, a FutureWarning is an error (here and in worker
    processes started meanwhile). Python-level output is captured; what a C library
    writes straight to file descriptor 2 is not (:func:`run_subprocess` sees it).
    """
    import contextlib
    import warnings

    from skemotion.cli import main

    out, err, here = io.StringIO(), io.StringIO(), os.getcwd()
    environment = os.environ.get("PYTHONWARNINGS")
    os.chdir(cwd)
    os.environ["PYTHONWARNINGS"] = "error::FutureWarning"
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
                warnings.catch_warnings():
            warnings.simplefilter("error", FutureWarning)
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:  # argparse's errors, --help, --version
                code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    finally:
        os.chdir(here)
        if environment is None:
            os.environ.pop("PYTHONWARNINGS", None)
        else:
            os.environ["PYTHONWARNINGS"] = environment
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


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


#: Fixtures holding input folders: ``_inputs_unchanged`` checks they stay as they were.
_INPUT_FIXTURES = ("photo_folder", "small_folder", "tiny_folder", "ckplus")


def _snapshot(root):
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in Path(root).rglob("*") if p.is_file()}


@pytest.fixture(autouse=True)
def _inputs_unchanged(request):
    """No command may add, remove or change a file in the input folders of the test."""
    roots = []
    for name in _INPUT_FIXTURES:
        if name in request.fixturenames:
            value = request.getfixturevalue(name)
            roots.append(Path(value[0] if isinstance(value, tuple) else value))
    before = {root: _snapshot(root) for root in roots}
    yield
    for root in roots:
        assert _snapshot(root) == before[root], f"input folder {root} was changed"


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


COMMANDS = ["evaluate", "describe", "organize", "crop", "train", "predict", "search", "difficult",
            "watch"]


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
    from skemotion.cli import main

    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert re.search(rf"example:\n  skemotion {command}\b", out), out


@pytest.mark.parametrize("command", ["evaluate", "train", "crop"])
def test_n_jobs_1_means_one_numerical_thread(command, monkeypatch):
    # BLAS/OpenMP threads per core made single-process fits many times slower on a busy
    # machine: --n-jobs 1 limits them for the command's duration, larger values do not
    from threadpoolctl import threadpool_info, threadpool_limits

    import importlib

    from skemotion.cli import _main as _cli

    import cv2

    seen = []
    monkeypatch.setattr(importlib.import_module(f"skemotion.cli._{command}"), "run",
                        lambda args: seen.append((max(p["num_threads"] for p in
                                                      threadpool_info()),
                                                  cv2.getNumThreads())) or 0)
    argv = {"evaluate": [], "train": ["--out", "m.skops"], "crop": ["in", "out"]}[command]
    cv_threads = cv2.getNumThreads()
    cv2.setNumThreads(2)
    try:
        with threadpool_limits(limits=2):
            assert _cli.main([command, *argv, "--n-jobs", "1"]) == 0
            assert cv2.getNumThreads() == 2  # OpenCV's pool is restored too
            assert _cli.main([command, *argv, "--n-jobs", "2"]) == 0
            after = max(p["num_threads"] for p in threadpool_info())
    finally:
        cv2.setNumThreads(cv_threads)
    assert seen == [(1, 1), (after, 2)] and after == 2


def test_worker_warning_filter_is_restored_when_a_command_ends(monkeypatch):
    # the landmark fallback filter reaches --n-jobs workers through PYTHONWARNINGS; the
    # variable must be what it was once the command is over (in-process callers)
    import os

    from skemotion.cli import _main as _cli

    monkeypatch.setenv("PYTHONWARNINGS", "error::FutureWarning")
    with _cli._one_line_warnings("evaluate"):
        os.environ["PYTHONWARNINGS"] += ",ignore:something"
    assert os.environ["PYTHONWARNINGS"] == "error::FutureWarning"
    monkeypatch.delenv("PYTHONWARNINGS")
    with _cli._one_line_warnings("evaluate"):
        os.environ["PYTHONWARNINGS"] = "ignore:something"
    assert "PYTHONWARNINGS" not in os.environ


@pytest.mark.slow
def test_progress_counts_each_protocol_once_when_a_pipeline_fails_midway(monkeypatch):
    # a pipeline that fails after its first protocol: the bar still ends at its total
    from skemotion import model_selection
    from skemotion.cli import _evaluate
    from skemotion.cli import _main as _cli

    real_evaluate = model_selection.evaluate
    updates = []

    class Bar:
        def __init__(self, total, desc, enabled=True):
            self.total = total

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            updates.append(("total", self.total))

        def update(self, n=1):
            updates.append(n)

        def set_postfix_str(self, s):
            pass

    def evaluate(models, *args, callback=None, **kwargs):
        if "pca_lda" in models:
            callback("pca_lda", "tutorial")
            raise ValueError("fails in its second protocol")
        return real_evaluate(models, *args, callback=callback, **kwargs)

    monkeypatch.setattr(model_selection, "evaluate", evaluate)
    monkeypatch.setattr(_evaluate, "progress_bar", Bar)
    argv = ["evaluate", "--pipelines", "pca_lda,hog_logreg", "--crop-size", "24", "--splits",
            "2", "--n-jobs", "1", "-q"]
    assert _cli.main(argv) == 0
    cross_validating = updates[updates.index(("total", 4)) - 4:updates.index(("total", 4))]
    assert sum(cross_validating) == 4, updates


def test_no_command_prints_help_and_exits_2(cwd):
    result = run(cwd=cwd)
    assert result.returncode == 2 and result.stdout == ""
    assert "usage: skemotion" in result.stderr
    assert result.stderr.strip().endswith("skemotion: error: a command is required "
                                          "(see the list above)")
    assert tree(cwd) == []


def test_readme_setup_commands_match_ci():
    """README opens with the two set-up commands; .ci/run runs the second one verbatim."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, re.S)
    assert blocks[:2] == ['pip install ".[plot,landmarks]" && skemotion evaluate --out report/',
                          'pip install ".[test]" && python -m pytest']
    # the first command installs what the main job's report needs: its plots and every pipeline
    extras = re.search(r'pip install "\.\[([a-z,]+)\]"', blocks[0])[1].split(",")
    assert {"plot", "landmarks"} <= set(extras)
    ci_lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert blocks[1] in ci_lines
    # the first command's console script is the one pyproject installs
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'skemotion = "skemotion.cli:main"' in pyproject


def test_ci_minimum_versions_match_floors():
    """.ci/minimum-versions.txt pins exactly the ">=" floors of pyproject.toml (core + extras)."""
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    floors = {name.lower(): version for name, version in
              re.findall(r'"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?>=([0-9.]+)', pyproject)}
    floors.pop("setuptools", None)  # build requirement, not installed into the environment
    pins = {}
    for line in (REPO / ".ci" / "minimum-versions.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.strip().lower()] = version.strip()
    assert floors, "no floors found in pyproject.toml"
    for name, floor in floors.items():
        assert name in pins, f"{name}>={floor} has no pin in .ci/minimum-versions.txt"
        pinned = tuple(int(p) for p in pins[name].split(".")[:len(floor.split("."))])
        assert pinned == tuple(int(p) for p in floor.split(".")), (name, floor, pins[name])
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    # the minimum run installs a copy of the tree with these pins as constraints
    assert 'install_later minimum "$oldest" -c .ci/minimum-versions.txt "$VENVS/src[test]"' in ci
    # and the Pythons it runs on: requires-python's floor, the newest one the classifiers list
    oldest = re.search(r'^requires-python = ">=(3\.\d+)"', pyproject, re.M).group(1)
    listed = re.findall(r'"Programming Language :: Python :: (3\.\d+)"', pyproject)
    newest = max(listed, key=lambda v: int(v.split(".")[1]))
    assert min(listed, key=lambda v: int(v.split(".")[1])) == oldest, listed
    assert re.search(rf"^OLDEST_PYTHON={re.escape(oldest)}$", ci, re.M), oldest
    assert re.search(rf"^NEWEST_PYTHON={re.escape(newest)}$", ci, re.M), newest


def test_main_job_record_lists_every_pipeline():
    """benchmarks/README.md records a real `skemotion evaluate` run: every named pipeline,
    both protocols, the selected rows (the README's Results summarise it)."""
    from skemotion.pipelines import PIPELINES

    record = (REPO / "benchmarks" / "README.md").read_text(encoding="utf-8")
    section = record.split("<!-- section:main-job -->")[1].split("<!-- section:")[0]
    output = re.split(r"\$ skemotion evaluate[^\n]*\n", section)[1].split("```")[0]
    rows = re.findall(r"^(\w+)\s+(tutorial|grouped)\s+0\.\d{3} ± 0\.\d{3}", output, re.M)
    assert rows == [(name, p) for name in [*PIPELINES, "selected"]
                    for p in ("tutorial", "grouped")]
    assert "10 splits per protocol" in output and "Chance level" in output
    for protocol in ("tutorial", "grouped"):  # the picks, adding up to the 10 splits
        picks = re.search(rf"^selected \({protocol}\): picked (.*) in 10 splits", output, re.M)
        counts = re.findall(r"(\w+) (\d+)x", picks[1])
        assert sum(int(n) for _, n in counts) == 10 and {m for m, _ in counts} <= set(PIPELINES)


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
    assert "102 images, 1 class," in result.stdout
    assert "neutral" not in result.stdout


@pytest.mark.parametrize(
    "args, needles",
    [
        (["describe", "--emotions", "happy,grumpy"], ["--emotions", "'grumpy'"]),
        (["describe", "--emotions", "happy,anger"], ["anger", "happy, neutral"]),
        (["describe", "--ckplus", "no/such/ckplus"], ["--ckplus", "no/such/ckplus"]),
    ],
)
def test_describe_user_errors(cwd, args, needles):
    assert_usage_error(run(*args, cwd=cwd), *needles)
    assert tree(cwd) == []


def test_bad_command_line_is_one_line_exit_2(cwd):
    assert_usage_error(run("evaluate", "--test-size", "1.5", cwd=cwd), "--test-size",
                       "between 0 and 1")
    assert tree(cwd) == []


# ---------------------------------------------------------------------------
# progress bars
# ---------------------------------------------------------------------------


def test_disabled_progress_bar_draws_nothing():
    from skemotion.cli._base import progress_bar

    silent = io.StringIO()
    with progress_bar(10, "x", enabled=False, stream=silent) as b:
        b.update(10)
    assert silent.getvalue() == ""


def test_progress_off_a_terminal_is_plain_lines_at_an_interval(monkeypatch):
    import time

    from skemotion.cli import _base

    log = io.StringIO()  # not a terminal: no tqdm bar (one line redrawn with \r)
    with _base.progress_bar(10, "x", stream=log) as b:  # shorter than the interval
        b.update(10)
    assert log.getvalue() == ""
    monkeypatch.setattr(_base, "PLAIN_PROGRESS_INTERVAL", 0.05)
    with _base.progress_bar(10, "fitting", stream=log) as b:
        b.set_postfix_str("pca_lda")
        b.update(3)
        time.sleep(0.3)  # one long step: the lines still come
    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue() and len(lines) >= 3, lines
    assert lines[0] == "fitting: 3/10 (0 s, pca_lda)"
    assert lines[-1] == "fitting: 3/10 (0 s, stopped)"


def test_commands_print_progress_lines_when_stderr_is_not_a_terminal(
        monkeypatch, capsys, photo_folder, tmp_path):
    from skemotion.cli import _base, main

    monkeypatch.setattr(_base, "PLAIN_PROGRESS_INTERVAL", 0.01)
    assert main(["crop", str(photo_folder), str(tmp_path / "out"), "--crop-size", "32"]) == 0
    err = capsys.readouterr().err
    progress = [line for line in err.splitlines() if line.startswith("cropping faces: ")]
    assert progress and "\r" not in err, err
    assert re.fullmatch(r"cropping faces: 7/7 \(\d+ s, done\)", progress[-1]), progress
    # --quiet: none
    assert main(["crop", str(photo_folder), str(tmp_path / "out2"), "--crop-size", "32",
                 "-q"]) == 0
    assert "cropping faces" not in capsys.readouterr().err


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

    desc = run("describe", "--folder", "sorted", cwd=cwd)
    assert desc.returncode == 0, desc.stderr
    assert f"{n} images" in desc.stdout and f"{len(expected.subjects)} subjects" in desc.stdout
    for emotion, count in peaks.items():
        assert re.search(rf"^\s+{emotion}\s+{count}\b", desc.stdout, re.M), desc.stdout
    assert re.search(rf"^\s+neutral\s+{len(expected.labels)}\b", desc.stdout, re.M)

    # CK+ merged with its own sorted copy: the same photos under two subject ids; describe
    # warns, the commands that split the data refuse, naming pairs and the way out
    both = run("describe", "--folder", "sorted", "--ckplus", root, cwd=cwd)
    assert both.returncode == 0, both.stderr
    warning = both.stderr.strip().splitlines()
    assert len(warning) == 1 and warning[0].startswith(f"skemotion describe: warning: {n} image")
    assert f"(CK+ ({root}))" in warning[0] and "(folder sorted)" in warning[0]
    assert "remove one copy of each" in warning[0] and "duplicates=" not in warning[0]
    refused = run("difficult", "hard", "--folder", "sorted", "--ckplus", root, "-q",
                  cwd=cwd)
    assert_usage_error(refused, f"{n} image(s) are in two of the datasets given",
                       "remove one copy of each", f"and {n - 3} more")
    # --emotions first: only the selected images count (neutral copies of one run are gone)
    anger = run("difficult", "hard", "--folder", "sorted", "--ckplus", root,
                "--emotions", "anger,happy", "-q", cwd=cwd)
    assert_usage_error(anger, f"{peaks['anger'] + peaks.get('happy', 0)} image(s) are in two")
    assert_usage_error(run("evaluate", "--folder", "sorted", "--folder", "sorted",
                           "-q", cwd=cwd),
                       f"{n} image(s) are in two of the datasets given")
    assert_usage_error(run("describe", "--ckplus", root, "--ckplus", root, cwd=cwd),
                       "--ckplus may be given once")
    # merged with other photos (mirror images of a few of the sorted ones), it works
    import cv2

    extra = cwd.parent / "extra"
    for path in sorted((cwd / "sorted" / "anger").iterdir())[:2]:
        (extra / "anger").mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(extra / "anger" / f"S9{path.name[1:]}"),
                    cv2.imread(str(path), cv2.IMREAD_UNCHANGED)[:, ::-1])
    both = run("describe", "--folder", extra, "--ckplus", root, "--emotions", "neutral,anger",
               cwd=cwd)
    assert both.returncode == 0, both.stderr
    n_anger = peaks["anger"]
    assert f"{len(expected.labels) + n_anger + 2} images, 2 classes" in both.stdout
    # asking for neutral after leaving CK+'s neutral images out says which option did it
    none = run("describe", "--ckplus", root, "--neutral", "none", "--emotions", "neutral",
               cwd=cwd)
    assert_usage_error(none, "no images labelled neutral",
                       "--neutral none leaves out CK+'s neutral images")
    assert len(tree(cwd)) == n  # describe wrote nothing


def test_organize_user_errors(cwd, tmp_path, ckplus):
    root, _ = ckplus
    wrong = tmp_path / "not_ckplus"
    (wrong / "images").mkdir(parents=True)
    result = run("organize", wrong, "out", cwd=cwd)
    assert_usage_error(result, "cohn-kanade-images")
    assert_usage_error(run("organize", root, "out", "--emotions", "happy,glee",
                           cwd=cwd), "glee")
    assert tree(cwd) == []


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
            name = Path(london.filenames[idx]).name
            shutil.copy(london.filenames[idx], d / f"S{i + 1:03d}_{name}")
    cv2.imwrite(str(root / "neutral" / "S009_blank.png"), np.full((120, 100), 128, np.uint8))
    (root / "happy" / ".DS_Store").write_bytes(b"\0\0junk")
    (root / "notes.txt").write_text("not an image")
    return root


def test_crop_writes_crops_and_detection_report(cwd, photo_folder):
    import cv2

    result = run("crop", photo_folder, "crops", "--crop-size", "40x32", "--quiet", cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "face found in 6 of 7 images, 6 crops written" in result.stdout
    # the one other file is named (.DS_Store is clutter, not worth a word)
    assert result.stderr == ("skemotion crop: warning: left out 1 file(s) whose ending is not "
                             f"an image type OpenCV reads: {photo_folder / 'notes.txt'}\n")
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
    warning, error = result.stderr.strip().splitlines()  # notes.txt is named first
    assert warning.startswith("skemotion crop: warning: left out 1 file") and "notes.txt" in warning
    result.stderr = error
    assert_usage_error(result, "no face found", "S009_blank.png")
    # OUT_DIR inside INPUT is refused, as evaluate and difficult refuse an output inside a
    # data folder: a second run (or predict INPUT) would take the crops as photos
    for inner in (photo_folder / "crops", photo_folder / "happy" / "crops"):
        result = run("crop", photo_folder, inner, "--crop-size", "32", cwd=cwd)
        assert_usage_error(result, f"OUT_DIR {inner} lies inside the input folder {photo_folder}")
        assert not inner.exists()
    # INPUT inside OUT_DIR: nothing under OUT_DIR is read as input
    result = run("crop", photo_folder / "happy", photo_folder, "--crop-size", "32",
                 cwd=cwd)
    assert_usage_error(result, "lies inside OUT_DIR")
    assert tree(cwd) == []


def test_crop_user_errors(cwd, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_usage_error(run("crop", empty, "out", cwd=cwd), "no image files", str(empty))
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "broken.jpg").write_bytes(b"not a jpeg")
    assert_usage_error(run("crop", bad, "out", cwd=cwd), "broken.jpg")
    assert tree(cwd) == []
    # only unreadable files, even with --on-error skip: an error, nothing written
    assert_usage_error(run("crop", bad, "out", "--on-error", "skip", cwd=cwd),
                       "none of the 1 image files could be read", "broken.jpg")
    assert tree(cwd) == []
    # the data commands too (describe must not crash on empty data)
    (bad / "happy").mkdir()
    (bad / "happy" / "S001_x.jpg").write_bytes(b"not a jpeg either")
    (bad / "broken.jpg").unlink()
    result = run("describe", "--folder", bad, "--on-error", "skip", cwd=cwd)
    warning, error = result.stderr.strip().splitlines()  # the skip warning, then the error
    assert "warning: Skipped 1 image file" in warning and "Traceback" not in result.stderr
    result.stderr = error
    assert_usage_error(result, "no image could be read from folder", "S001_x.jpg")


def test_crop_on_error_skip_reports_unreadable_files(cwd, photo_folder, tmp_path):
    folder = tmp_path / "messy"
    shutil.copytree(photo_folder, folder)
    broken = folder / "happy" / "S001_broken.jpg"  # sorts first: the rows must not shift
    broken.write_bytes(b"\xff\xd8 not really a JPEG")
    result = run("crop", folder, "crops", "--crop-size", "32", "--on-error", "skip", "-q",
                 cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "face found in 6 of 7 images, 6 crops written, 1 unreadable skipped" in result.stdout
    warning = [line for line in result.stderr.splitlines() if "skipped 1 image" in line]
    assert len(warning) == 1 and str(broken) in warning[0]
    with open(cwd / "crops" / "detections.csv", newline="", encoding="utf-8") as f:
        rows = {Path(r["file"]).name: r for r in csv.DictReader(f)}
    assert len(rows) == 8
    assert rows[broken.name]["face_found"] == "False" and rows[broken.name]["crop"] == ""
    assert "Cannot decode image file" in rows[broken.name]["error"]
    assert rows["S009_blank.png"]["face_found"] == "False" and not rows["S009_blank.png"]["error"]
    for name, row in rows.items():
        if name not in (broken.name, "S009_blank.png"):
            crop = f"{Path(row['file']).parent.name}/{Path(name).stem}.png"
            assert row["face_found"] == "True" and row["crop"] == crop


@pytest.mark.slow
def test_progress_bar_on_a_terminal_only(cwd, photo_folder):
    """With stderr on a terminal the crop shows a progress bar; with --quiet it does not."""
    pty = pytest.importorskip("pty")
    outputs = {}
    for quiet in (False, True):
        master, slave = pty.openpty()
        args = ["crop", photo_folder, f"crops{int(quiet)}", "--crop-size", "32"]
        result = run_subprocess(*args, *(["--quiet"] if quiet else []), cwd=cwd,
                                stderr=slave)
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
    # with --quiet only the warning naming notes.txt, no bar
    assert outputs[True].startswith("skemotion crop: warning: left out 1 file")
    assert outputs[True].count("\n") == 1 and "cropping faces" not in outputs[True]


# ---------------------------------------------------------------------------
# evaluate, train, predict, search, difficult (small data: 48 px crops, 2 splits)
# ---------------------------------------------------------------------------

SMALL = ["--crop-size", "48", "--splits", "2", "--n-jobs", "1", "--quiet"]


@pytest.fixture(scope="session")
def small_folder(tmp_path_factory, london):
    """A sorted folder of 24 London photos: 12 subjects (S001...), one happy, one neutral each."""
    root = tmp_path_factory.mktemp("small") / "sorted"
    subjects = sorted(set(london.groups))[:12]
    for path, label, subject in zip(london.filenames, london.target, london.groups):
        if subject in subjects:
            (root / label).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, root / label / f"S{subject}_{Path(path).name}")
    return root


def _png_ok(path):
    data = Path(path).read_bytes()
    return data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2000


@pytest.mark.slow
def test_evaluate_table_and_report(cwd, small_folder):
    names = ["fisherface", "hog_logreg"]
    result = run("evaluate", *SMALL, "--folder", small_folder, "--pipelines", ",".join(names),
                 "--out", "report", cwd=cwd)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["model", "protocol", "accuracy", "balanced"]
    for name in names:
        for protocol in ("tutorial", "grouped"):
            assert any(re.match(rf"{name}\s+{protocol}\s+[01]\.\d{{3}} ± ", line) for line in lines)
    assert "Chance level: accuracy 0.500" in result.stdout
    assert "24 images, 12 subjects" in result.stdout
    files = tree(cwd)
    assert all(f.startswith("report/") for f in files), files
    pngs = ["confusion_matrix.png", "learning_curve.png", "difficult.png", "fisherfaces.png"]
    csv_rows = (cwd / "report" / "difficult" / "difficult.csv").read_text().splitlines()[1:]
    if not csv_rows:  # the best pipeline got every test image right: a note, no gallery
        pngs.remove("difficult.png")
        assert "misclassified no image" in (cwd / "report" / "report.md").read_text()
    for name in ["report.md", "report.json", "difficult/difficult.csv", *pngs]:
        assert f"report/{name}" in files, name
    for name in pngs:
        assert _png_ok(cwd / "report" / name), name
    report = json.loads((cwd / "report" / "report.json").read_text(encoding="utf-8"))
    rows = report["evaluation"]["rows"]
    assert [(r["model"], r["protocol"]) for r in rows] == [
        (n, p) for n in names for p in ("tutorial", "grouped")]
    assert all(len(r["scores"]["accuracy"]) == 2 for r in rows)
    assert report["settings"]["crop_size"] == {n: [48, 48] for n in names}
    # the printed table and the JSON agree
    for r in rows:
        assert f"{r['accuracy_mean']:.3f} ± {r['accuracy_std']:.3f}" in result.stdout
    md = (cwd / "report" / "report.md").read_text(encoding="utf-8")
    assert "| model | protocol |" in md and "grouped" in md
    for name in pngs:
        assert f"]({name})" in md


@pytest.fixture(scope="session")
def webcam_folder(tmp_path_factory, london):
    """12 other London people than small_folder's, as through another camera (gamma 0.6,
    blur, half resolution: made here with cv2), in the sorted layout."""
    import cv2

    lut = np.clip(255.0 * (np.arange(256) / 255.0) ** (1 / 0.6), 0, 255).astype(np.uint8)
    root = tmp_path_factory.mktemp("webcam") / "sorted"
    subjects = sorted(set(london.groups))[12:24]
    for image, path, label, subject in zip(london.images, london.filenames, london.target,
                                           london.groups):
        if subject in subjects:
            image = cv2.GaussianBlur(cv2.LUT(image, lut), (5, 5), 1.5)
            image = cv2.resize(image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
            (root / label).mkdir(parents=True, exist_ok=True)
            cv2.imencode(".png", image)[1].tofile(str(root / label /
                                                      f"S{subject}_{Path(path).stem}.png"))
    return root


@pytest.mark.slow
def test_evaluate_cross_dataset_writes_the_train_test_table(cwd, small_folder, webcam_folder):
    names = ["fisherface", "hog_logreg"]
    result = run("evaluate", *SMALL, "--folder", small_folder, "--folder", webcam_folder,
                 "--pipelines", ",".join(names), "--cross-dataset", "--out", "report", cwd=cwd)
    assert result.returncode == 0, result.stderr
    a, b = f"folder {small_folder}", f"folder {webcam_folder}"
    assert "Train -> test (cross-dataset):" in result.stdout
    for name in names:  # the usual rows, and the cross-dataset ones
        for protocol in ("tutorial", "grouped", "cross-dataset"):
            assert re.search(rf"^{name} +{protocol} +0\.\d{{3}} ± ", result.stdout, re.M)
    assert re.search(r"^selected +grouped +\d\.\d{3} ± ", result.stdout, re.M)
    assert re.search(rf"^hog_logreg +{re.escape(a)} -> {re.escape(b)} +24 +24 ",
                     result.stdout, re.M)
    table = (cwd / "report" / "cross_dataset.md").read_text(encoding="utf-8")
    assert table.startswith("| model | train -> test | n train | n test |")
    assert f"| fisherface | {b} -> {a} | 24 | 24 |" in table
    assert table in (cwd / "report" / "report.md").read_text(encoding="utf-8")
    evaluation = json.loads((cwd / "report" / "report.json").read_text())["evaluation"]
    entries = evaluation["cross_dataset"]
    assert [(e["model"], e["test"]) for e in entries] == [
        (m, t) for t in (a, b) for m in (*names, "selected")]
    row = next(r for r in evaluation["rows"]
               if (r["model"], r["protocol"]) == ("hog_logreg", "cross-dataset"))
    assert row["scores"]["balanced_accuracy"] == [e["balanced_accuracy"] for e in entries
                                                  if e["model"] == "hog_logreg"]
    assert all(f.startswith("report/") for f in tree(cwd))
    # one source: nothing to leave out
    result = run("evaluate", *SMALL, "--folder", small_folder, "--cross-dataset",
                 cwd=cwd)
    assert_usage_error(result, "--cross-dataset", "give two sources or more")


@pytest.mark.slow
def test_evaluate_cross_dataset_with_the_embedded_london_set(cwd, small_folder, webcam_folder):
    """--london adds the embedded set as a source beside --folder/--ckplus: trained on one,
    tested on the other, both ways (a CK+ -> London check, with a folder standing in for CK+)."""
    london = "Face Research Lab London Set"
    result = run("evaluate", *SMALL, "--folder", webcam_folder, "--london",
                 "--pipelines", "hog_logreg", "--cross-dataset", cwd=cwd)
    assert result.returncode == 0, result.stderr
    folder = f"folder {webcam_folder}"
    assert re.search(rf"^hog_logreg +{re.escape(folder)} -> {re.escape(london)} +24 +204 ",
                     result.stdout, re.M)
    assert re.search(rf"^hog_logreg +{re.escape(london)} -> {re.escape(folder)} +204 +24 ",
                     result.stdout, re.M)
    assert "228 images" in result.stdout
    # alone it is the default data: one source, nothing to leave out
    result = run("evaluate", *SMALL, "--london", "--cross-dataset", cwd=cwd)
    assert_usage_error(result, "--cross-dataset", "give two sources or more", "--london")
    # a folder holding London's own photos is the same images twice: refused, not merged
    result = run("evaluate", *SMALL, "--folder", small_folder, "--london",
                 "--pipelines", "hog_logreg", cwd=cwd)
    assert_usage_error(result, "are in two of the datasets given")
    assert tree(cwd) == []


@pytest.mark.parametrize(
    "args, needles",
    [
        (["--pipelines", "fisherface,magic"], ["'magic'", "known pipelines", "fisherface"]),
        (["--emotions", "happy"], ["too few classes", "happy"]),
        (["--emotions", "happy,angry"], ["anger", "happy, neutral"]),
        (["--test-size", "0.001"], ["too few samples"]),
    ],
)
def test_evaluate_user_errors(cwd, args, needles):
    assert_usage_error(run("evaluate", *SMALL, *args, cwd=cwd), *needles)
    assert tree(cwd) == []


def test_evaluate_pipeline_that_cannot_fit_the_data(cwd, small_folder):
    # 8 px crops are smaller than one HOG block (2 x 2 cells of 8 px)
    result = run("evaluate", *SMALL, "--folder", small_folder, "--pipelines", "hog_logreg",
                 "--crop-size", "8", cwd=cwd)
    assert_usage_error(result, "cannot fit hog_logreg on this data", "8")
    assert tree(cwd) == []


@pytest.mark.slow
def test_evaluate_leaves_out_only_the_pipeline_that_cannot_fit(cwd, small_folder):
    # pca_lda's 50 components need more than the ~19 training images; the others still run,
    # and the warning and the report name the one left out (not every pipeline of its crops)
    result = run("evaluate", *SMALL, "--folder", small_folder, "--pipelines",
                 "pca_lda,fisherface,hog_logreg", "--out", "report", cwd=cwd)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1, result.stderr
    assert warnings[0].startswith("skemotion evaluate: warning: left out pca_lda: cannot fit "
                                  "pca_lda on this data (its smallest training split holds")
    assert "n_components=50" in warnings[0] and "fisherface" not in warnings[0]
    models = [line.split()[0] for line in result.stdout.splitlines()
              if line.split() and line.split()[0] in ("pca_lda", "fisherface", "hog_logreg")]
    assert models == ["fisherface"] * 2 + ["hog_logreg"] * 2
    report = (cwd / "report" / "report.md").read_text(encoding="utf-8")
    assert "- left out pca_lda: cannot fit pca_lda on this data" in report
    assert "crops 48x48)" in report  # the evaluated pipelines' crops only
    settings = json.loads((cwd / "report" / "report.json").read_text())["settings"]
    assert settings["pipelines"] == ["fisherface", "hog_logreg"]
    assert sorted(settings["crop_size"]) == ["fisherface", "hog_logreg"]
    # when no pipeline can be fitted, it is an error
    result = run("evaluate", *SMALL, "--folder", small_folder, "--pipelines",
                 "pca_lda,hog_logreg", "--crop-size", "8", cwd=cwd)
    assert_usage_error(result, "none of the 2 pipelines could be fitted on this data: "
                       "pca_lda: cannot fit pca_lda", "; hog_logreg: cannot fit hog_logreg")


def test_fit_error_names_the_training_split_size(cwd, small_folder):
    # a test size of 0.9 leaves one of 12 subjects (2 images) to train on: too few for Fisherfaces;
    # the error should point at --test-size, not only at the model
    result = run("evaluate", *SMALL, "--folder", small_folder, "--pipelines", "fisherface",
                 "--test-size", "0.9", cwd=cwd)
    assert_usage_error(result, "cannot fit fisherface on this data",
                       "smallest training split holds 2 images, with --test-size 0.9")
    assert tree(cwd) == []


@pytest.mark.slow
def test_scheduler_unreachable_is_a_user_error(cwd):
    result = run("evaluate", "--scheduler", "tcp://127.0.0.1:9", cwd=cwd)
    assert_usage_error(result, "--scheduler", "tcp://127.0.0.1:9")


def test_train_then_predict(cwd, photo_folder, small_folder):
    result = run("train", "--out", "model.skops", "--pipeline", "fisherface", "--folder",
                 small_folder, "--crop-size", "48", "-q", cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "fisherface trained on 24 images (happy, neutral)" in result.stdout
    assert tree(cwd) == ["model.skops"]

    predicted = run("predict", "model.skops", photo_folder, "-q", cwd=cwd)
    assert predicted.returncode == 0, predicted.stderr
    rows = list(csv.DictReader(io.StringIO(predicted.stdout)))
    assert list(rows[0]) == ["file", "label", "score_happy", "score_neutral", "error"]
    assert len(rows) == 7
    by_name = {Path(r["file"]).name: r for r in rows}
    blank = by_name.pop("S009_blank.png")
    assert blank["label"] == "" and blank["error"] == "no face found"
    for name, row in by_name.items():
        assert row["label"] in ("happy", "neutral") and row["error"] == ""
        scores = {c: float(row[f"score_{c}"]) for c in ("happy", "neutral")}
        assert max(scores, key=scores.get) == row["label"]
    # trained on these very photos (small_folder holds them): (almost) all right
    right = sum(row["label"] == Path(f).parent.name for f, row in
                ((r["file"], r) for r in rows if r["label"]))
    assert right >= 5

    out = run("predict", "model.skops", photo_folder / "happy", "--out", "pred.csv", "-q",
              cwd=cwd)
    assert out.returncode == 0 and out.stdout == ""
    assert len((cwd / "pred.csv").read_text().splitlines()) == 4
    assert sorted(tree(cwd)) == ["model.skops", "pred.csv"]


def test_train_predict_user_errors(cwd, tmp_path):
    assert_usage_error(run("train", "--out", "m.skops", "--pipeline", "nope",
                           cwd=cwd), "'nope'")
    assert_usage_error(run("train", "--out", "no/such/dir/m.skops", cwd=cwd),
                       "no/such/dir")
    junk = tmp_path / "junk.skops"
    junk.write_bytes(b"not a model")
    assert_usage_error(run("predict", junk, "a.jpg", cwd=cwd), "junk.skops")
    assert_usage_error(run("predict", tmp_path, "a.jpg", cwd=cwd),
                       "is a folder, not a model file")
    assert tree(cwd) == []


def test_outputs_inside_a_data_folder_are_refused(cwd, tmp_path, small_folder):
    """evaluate --out, difficult OUT_DIR and search --out inside --folder would add crops
    and plots that the next run reads as data (as train --out would replace them)."""
    data = tmp_path / "data"
    shutil.copytree(small_folder, data)
    before = tree(data)
    for args in (["evaluate", "--out", data / "happy"], ["difficult", data / "neutral"],
                 ["search", "emotions", "--out", data / "report"]):
        option = "OUT_DIR" if args[0] == "difficult" else "--out"
        assert_usage_error(run(*args, "--folder", data, "-q", cwd=cwd),
                           f"{option} {data}", "lies inside the data folder")
    assert tree(data) == before and tree(cwd) == []


def test_train_and_predict_never_write_over_their_inputs(cwd, tmp_path, small_folder):
    """--out naming the model, an image read, or a file inside train's data folder is a
    usage error before anything is written; the inputs stay as they were."""
    data = tmp_path / "data"
    shutil.copytree(small_folder, data)
    image = sorted((data / "happy").iterdir())[0]
    assert_usage_error(run("train", "--out", image, "--folder", data, "-q", cwd=cwd),
                       "lies inside the data folder", str(data))
    assert_usage_error(run("train", "--out", data / "model.skops", "--folder", data,
                           "-q", cwd=cwd), "lies inside the data folder")
    result = run("train", "--out", "m.skops", "--folder", data, "--pipeline", "fisherface",
                 "--crop-size", "32", "--n-jobs", "1", "-q", cwd=cwd)
    assert result.returncode == 0, result.stderr
    before = {p: p.read_bytes() for p in [cwd / "m.skops", image]}
    assert_usage_error(run("predict", "m.skops", image, "--out", "m.skops", cwd=cwd),
                       "is the model file", "m.skops")
    assert_usage_error(run("predict", "m.skops", data, "--out", image, cwd=cwd),
                       "is an image file", image.name)
    assert {p: p.read_bytes() for p in before} == before
    assert tree(cwd) == ["m.skops"] and not (data / "model.skops").exists()


def test_train_on_ckplus_tree(cwd, ckplus):
    root, expected = ckplus
    result = run("train", "--out", "ck.skops", "--ckplus", root, "--emotions", "neutral,anger",
                 "--on-missing", "full_image", "--crop-size", "32", "-q", cwd=cwd)
    assert result.returncode == 0, result.stderr
    n = len(expected.labels) + list(expected.labels.values()).count("anger")
    assert f"trained on {n} images (anger, neutral)" in result.stdout
    assert tree(cwd) == ["ck.skops"]


@pytest.mark.slow
def test_search_emotion_subsets(cwd, small_folder):
    result = run("search", "emotions", *SMALL, "--folder", small_folder,
                 "--subsets", "happy,neutral;all", "--out", "search", cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "chance-adjusted balanced accuracy, 2 subject-grouped splits" in result.stdout
    table = json.loads((cwd / "search" / "search.json").read_text())["results"]
    assert sorted(r["emotions"] for r in table) == ["all", "happy,neutral"]
    # "all" is the same two emotions here: same splits, same score
    assert table[0]["mean"] == pytest.approx(table[1]["mean"])
    assert sorted(tree(cwd)) == ["search/search.csv", "search/search.json"]
    bad = run("search", "emotions", *SMALL, "--subsets", "happy", cwd=cwd)
    assert_usage_error(bad, "--subsets", "at least two")

    # the same search on a real Dask cluster (two worker processes): same table
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  host="127.0.0.1", dashboard_address=":0") as cluster:
        before = cluster.scheduler.transition_counter
        remote = run("search", "emotions", *SMALL, "--folder", small_folder,
                     "--subsets", "happy,neutral;all", "--scheduler",
                     cluster.scheduler_address, cwd=cwd)
        assert remote.returncode == 0, remote.stderr
        assert cluster.scheduler.transition_counter > before  # the workers did the fits
    assert remote.stdout == result.stdout


@pytest.mark.slow
def test_search_cascade_parameters_with_cache(cwd, small_folder):
    result = run("search", "cascade", *SMALL, "--folder", small_folder,
                 "--scale-factors", "1.1,1.3",
                 "--min-neighbors", "5", "--cache", "cache", cwd=cwd)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].split() == ["rank", "scale_factor", "min_neighbors", "mean", "std"]
    assert sorted(line.split()[1] for line in lines[2:4]) == ["1.1", "1.3"]
    assert all(f.startswith("cache/") for f in tree(cwd)) and tree(cwd)
    assert_usage_error(run("search", "cascade", "--scale-factors", "0.9", cwd=cwd),
                       "--scale-factors")


def test_difficult_writes_only_into_out_dir(cwd, small_folder):
    result = run("difficult", "hard", *SMALL, "--folder", small_folder, "--pipeline", "fisherface",
                 cwd=cwd)
    assert result.returncode == 0, result.stderr
    files = tree(cwd)
    assert "hard/difficult.csv" in files and all(f.startswith("hard/") for f in files)
    with open(cwd / "hard" / "difficult.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows and len(files) == len(rows) + 1
    for row in rows:
        assert row["image"] == f"{row['true']}_{row['predicted_as']}_{int(row['id']):04d}.png"
        assert row["true"] != row["predicted_as"] and int(row["n_wrong"]) >= 1
    assert f"{len(rows)} of 24 images misclassified" in result.stdout
    # --min-error-rate keeps only the images wrong at least that often (same splits)
    many = ["--folder", small_folder, "--pipeline", "fisherface", "--crop-size", "48",
            "--splits", "6", "--test-size", "0.5", "--n-jobs", "1", "-q"]
    listed = {}
    for out, extra in (("all", []), ("always", ["--min-error-rate", "1"])):
        result = run("difficult", out, *many, *extra, cwd=cwd)
        assert result.returncode == 0, result.stderr
        with open(cwd / out / "difficult.csv", newline="") as f:
            listed[out] = list(csv.DictReader(f))
    assert listed["always"] == [r for r in listed["all"] if float(r["error_rate"]) == 1.0]
    assert 0 < len(listed["always"]) < len(listed["all"])  # some are wrong only sometimes


@pytest.mark.slow
def test_evaluate_seed_gives_the_same_splits_and_scores(cwd, small_folder):
    """--seed fixes the splits: the same seed repeats every score, another draws others."""
    def scores(seed, out):
        result = run("evaluate", *SMALL, "--folder", small_folder, "--pipelines", "hog_logreg",
                     "--test-size", "0.5", "--seed", seed, "--out", out, cwd=cwd)
        assert result.returncode == 0, result.stderr
        report = json.loads((cwd / out / "report.json").read_text())
        assert report["settings"]["seed"] == int(seed)
        return [row["scores"] for row in report["evaluation"]["rows"]]

    first = scores("3", "a")
    assert scores("3", "b") == first
    assert scores("4", "c") != first


@pytest.mark.slow
def test_faceless_images_are_left_out_with_each_file_keeping_its_label(cwd, tmp_path,
                                                                      small_folder):
    """--on-missing drop (the default) in evaluate and difficult: the faceless images are
    named in the report, and every other file keeps its own label and subject (a blank
    image sorted first in its class shifts every later row if the bookkeeping slips)."""
    import cv2

    folder = tmp_path / "with blanks"
    shutil.copytree(small_folder, folder)
    blanks = [folder / "happy" / "S000_blank.png", folder / "neutral" / "S9999_blank.png"]
    for blank in blanks:
        cv2.imwrite(str(blank), np.full((120, 100), 128, np.uint8))
    subject = ["--subject-pattern", r"^S(\d+)_"]
    result = run("evaluate", *SMALL, "--folder", folder, *subject, "--pipelines",
                 "fisherface", "--out", "report", cwd=cwd)
    assert result.returncode == 0, result.stderr
    report = json.loads((cwd / "report" / "report.json").read_text())
    assert sorted(report["settings"]["dropped_no_face"]) == sorted(map(str, blanks))
    assert report["settings"]["n_images"] == 26 and report["settings"]["n_face_crops"] == 24
    text = (cwd / "report" / "report.md").read_text()
    assert "No face found, left out: " in text and all(str(b) in text for b in blanks)
    assert report["settings"]["whole_image_no_face"] == []
    # --on-missing full_image keeps them, as whole images, and says so
    result = run("evaluate", *SMALL, "--folder", folder, *subject, "--pipelines",
                 "fisherface", "--on-missing", "full_image", "--out", "whole", cwd=cwd)
    assert result.returncode == 0, result.stderr
    report = json.loads((cwd / "whole" / "report.json").read_text())
    assert sorted(report["settings"]["whole_image_no_face"]) == sorted(map(str, blanks))
    assert report["settings"]["dropped_no_face"] == []
    assert report["settings"]["n_face_crops"] == 26
    text = (cwd / "whole" / "report.md").read_text()
    assert "26 images, 24 with a face found, 2 without, used whole" in text
    assert "No face found, whole image used: " in text and all(str(b) in text for b in blanks)

    result = run("difficult", "hard", "--crop-size", "48", "--splits", "3", "--n-jobs", "1",
                 "-q", "--folder", folder, *subject, "--pipeline", "fisherface", cwd=cwd)
    assert result.returncode == 0, result.stderr
    with open(cwd / "hard" / "difficult.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows  # near-chance on 24 photos: several are wrong
    for row in rows:
        path = Path(row["file"])
        assert "blank" not in path.name
        assert row["true"] == path.parent.name, row
        assert row["subject"] == path.name.split("_")[0][1:], row


_WITHOUT_EXTRAS = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in {"matplotlib", "pandas", "skops", "distributed", "dask",
                                  "dlib", "face_recognition_models"}:
            raise ImportError(f"No module named {name!r} (blocked by the test)")
sys.meta_path.insert(0, Block())
from skemotion.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_main_job_runs_without_the_optional_extras(cwd, small_folder):
    """Plain ``pip install .`` (no extras: no plots, pandas, skops, dlib) runs the job."""
    env = dict(os.environ, MPLBACKEND="Agg")
    args = ["evaluate", *SMALL, "--folder", small_folder, "--pipelines", "fisherface",
            "--out", "report"]
    result = subprocess.run([sys.executable, "-c", _WITHOUT_EXTRAS, *args], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert re.search(r"^fisherface\s+grouped\s+0\.\d{3}", result.stdout, re.M)
    assert result.stderr == ""  # --quiet: not even the note that the plots are missing
    files = tree(cwd)
    assert "report/report.md" in files and "report/difficult/difficult.csv" in files
    assert not [f for f in files if f.startswith("report/") and f.count("/") == 1
                and f.endswith(".png")]


@pytest.mark.slow
def test_pipeline_needing_a_missing_extra_is_named_with_the_install_command(cwd, small_folder):
    """Without dlib, asking for the landmark pipeline is a one-line error saying what to do."""
    args = ["evaluate", *SMALL, "--folder", small_folder, "--pipelines",
            "fisherface,landmarks_hog_gabor_logreg"]
    result = subprocess.run([sys.executable, "-c", _WITHOUT_EXTRAS, *args], cwd=cwd,
                            capture_output=True, text=True, timeout=300)
    assert_usage_error(result, "landmarks_hog_gabor_logreg", "dlib is not installed",
                       'pip install "skemotion[landmarks]"')
    assert tree(cwd) == []


def test_all_pipelines_skip_those_whose_extra_is_missing(monkeypatch, capsys):
    """``skemotion evaluate`` without --pipelines runs what it can and says what it skipped."""
    import argparse

    from skemotion import pipelines
    from skemotion.cli import _data as _cli

    monkeypatch.setitem(pipelines._EXTRA_CHECKS, "landmarks", lambda: "dlib is not installed")
    chosen = _cli._pipelines(None, argparse.Namespace(quiet=False))
    assert "landmarks_hog_gabor_logreg" not in chosen
    assert set(chosen) == set(pipelines.PIPELINES) - {"landmarks_hog_gabor_logreg"}
    err = capsys.readouterr().err
    assert err == ('skipped: landmarks_hog_gabor_logreg needs the "landmarks" extra (dlib is '
                   'not installed): pip install "skemotion[landmarks]"\n')
    monkeypatch.setitem(pipelines._EXTRA_CHECKS, "landmarks", lambda: None)
    assert set(_cli._pipelines(None, argparse.Namespace(quiet=True))) == set(pipelines.PIPELINES)
    assert capsys.readouterr().err == ""


def test_evaluate_no_detect_uses_whole_images(cwd, tmp_path, london):
    """--no-detect: images are taken as crops (gray, resized), no face detection at all."""
    import cv2

    folder = tmp_path / "blank crops"
    for label in ("happy", "neutral"):
        (folder / label).mkdir(parents=True)
    # stripes (horizontal: "happy", vertical: "neutral"): no face could ever be found in
    # them, yet all are used
    stripes = ((np.arange(40) // 4) % 2 * 150 + 50).astype(np.uint8)
    for i in range(12):
        for label, image in (("happy", np.tile(stripes[:, None], (1, 40))),
                             ("neutral", np.tile(stripes[None, :], (40, 1)))):
            image = np.roll(image, i, axis=0 if label == "happy" else 1)
            cv2.imwrite(str(folder / label / f"S{i:03d}_{label}.png"), image)
    result = run("evaluate", "--folder", folder, "--no-detect", "--crop-size", "16",
                 "--splits", "2", "--pipelines", "hog_logreg", "-q", cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "24 images, 12 subjects" in result.stdout
    assert re.search(r"^hog_logreg\s+grouped\s+1\.000 ± 0\.000", result.stdout, re.M)
    assert tree(cwd) == []


def test_no_detect_makes_landmark_pipelines_find_the_face_in_each_crop():
    """--no-detect: crops come from elsewhere, so the landmark pipeline uses face_box='detect'."""
    import argparse

    from skemotion.cli import _data as _cli

    pytest.importorskip("dlib", reason='needs the "landmarks" extra')
    name = "landmarks_hog_gabor_logreg"
    for no_detect, expected in ((True, {"detect"}), (False, {0.15})):
        args = argparse.Namespace(quiet=True, no_detect=no_detect)
        pipe = _cli._pipelines([name], args)[name](detect=False)
        boxes = {v for k, v in pipe.get_params().items() if k.endswith("face_box")}
        assert boxes == expected
        # pipelines without landmarks are built as before
        hog = _cli._pipelines(["hog_logreg"], args)["hog_logreg"](detect=False)
        assert "face_box" not in str(hog.get_params())


@pytest.mark.slow
def test_no_detect_names_the_crops_without_a_dlib_face_once(cwd, tmp_path, london):
    """The landmark pipeline's fallback (no face found by dlib in a crop) is said once,
    with the file name, not per transformer, split and worker with sample numbers."""
    import cv2

    pytest.importorskip("dlib", reason='needs the "landmarks" extra')
    from skemotion import FaceCropper

    folder = tmp_path / "crops"
    subjects = sorted(set(london.groups))[:12]
    keep = [i for i, g in enumerate(london.groups) if g in subjects]
    crops = FaceCropper(output_size=96).transform([london.images[i] for i in keep])
    for i, crop in zip(keep, crops.reshape(-1, 96, 96)):
        label, subject = london.target[i], london.groups[i]
        (folder / label).mkdir(parents=True, exist_ok=True)
        if subject == subjects[3] and label == "happy":  # stripes: no face for dlib
            crop = np.tile(((np.arange(96) // 6) % 2 * 200.0)[:, None], (1, 96))
        cv2.imwrite(str(folder / label / f"S{subject}_{label}.png"), crop.astype(np.uint8))
    for n_jobs in ("1", "2"):
        result = run("evaluate", "--folder", folder, "--no-detect", "--crop-size", "96",
                     "--splits", "2", "--pipelines", "landmarks_hog_gabor_logreg",
                     "--n-jobs", n_jobs, "-q", cwd=cwd)
        assert result.returncode == 0, result.stderr
        assert result.stderr.splitlines() == [
            "skemotion evaluate: warning: landmarks_hog_gabor_logreg: dlib's face detector "
            f"found no face in 1 crop (S{subjects[3]}_happy.png); their landmarks use the "
            "rectangle 0.1 inside each edge instead"], result.stderr
    assert tree(cwd) == []


# ---------------------------------------------------------------------------
# one-line errors, nothing overwritten, nothing stale (new-user walkthrough)
# ---------------------------------------------------------------------------


def test_crop_never_overwrites_an_input_or_merges_two_inputs(cwd, london):
    photo = Path(london.filenames[0])
    single = cwd / "p4"
    single.mkdir()
    shutil.copy(photo, single / "orig.png")
    before = (single / "orig.png").read_bytes()
    result = run("crop", "p4/orig.png", "p4", "--crop-size", "64", cwd=cwd)
    assert_usage_error(result, "overwrite the input file", "orig.png")
    assert (single / "orig.png").read_bytes() == before
    assert tree(single) == ["orig.png"]

    twins = cwd / "twins"
    twins.mkdir()
    shutil.copy(photo, twins / "y.jpg")
    shutil.copy(london.filenames[1], twins / "y.png")
    result = run("crop", "twins", "out", "--crop-size", "64", cwd=cwd)
    assert_usage_error(result, "y.jpg", "y.png", "out/y.png")
    assert not (cwd / "out").exists()  # detected before anything was written

    # OUT_DIR == INPUT: its files are never inputs, and the message says so
    result = run("crop", "twins", "twins", cwd=cwd)
    assert_usage_error(result, "twins is OUT_DIR")
    assert "no image files" not in result.stderr
    assert sorted(tree(cwd)) == ["p4/orig.png", "twins/y.jpg", "twins/y.png"]


@pytest.mark.parametrize("command", ["evaluate", "search emotions", "difficult out"])
@pytest.mark.parametrize("seed", ["-1", "99999999999"])
def test_seed_out_of_range_is_a_usage_error(command, seed, capsys):
    from skemotion.cli import main

    with pytest.raises(SystemExit) as exc:
        main([*command.split(), "--seed", seed])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--seed" in err[0] and seed in err[0] and "4294967295" in err[0]


def test_cache_that_is_a_file_is_a_usage_error(cwd):
    (cwd / "cache").write_text("a file")
    for args in (["crop", "in", "out"], ["evaluate"]):
        assert_usage_error(run(*args, "--cache", "cache", cwd=cwd), "--cache",
                           "not a folder")
    assert tree(cwd) == ["cache"]


def test_predict_model_files_that_cannot_be_used(cwd, tmp_path, london):
    import operator

    from sklearn.preprocessing import FunctionTransformer

    from skemotion import FaceCropper, FisherFaceClassifier, save_model

    image = tmp_path / "face.jpg"
    shutil.copy(london.filenames[0], image)
    text = tmp_path / "notes.txt"
    text.write_text("not a model\n")
    models = tmp_path / "models"
    models.mkdir()
    save_model(FaceCropper(), models / "cropper.skops")
    save_model(FisherFaceClassifier(), models / "unfitted.skops")
    with pytest.warns(UserWarning, match="load_model will refuse it"):
        save_model(FunctionTransformer(operator.neg).fit(np.zeros((2, 2))), models / "odd.skops")

    for model in (text, image, models / "cropper.skops"):  # not pickles: no traceback
        result = run("predict", model, image, "--trust", cwd=cwd)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        last = result.stderr.strip().splitlines()[-1]
        assert last.startswith("skemotion predict: error: cannot load") and model.name in last
    # the other format: the message names the option, not load_model's format='joblib'
    result = run("predict", text, image, cwd=cwd)
    assert_usage_error(result, "notes.txt", "not a skops model file", "add --trust")
    assert "format=" not in result.stderr
    result = run("predict", models / "cropper.skops", image, "--trust", cwd=cwd)
    assert_usage_error(result, "cropper.skops", "is a skops model file", "without --trust")
    assert "format=" not in result.stderr
    # a skops file with untrusted types: the hint does not send the user to --trust
    result = run("predict", models / "odd.skops", image, cwd=cwd)
    assert_usage_error(result, "odd.skops", "_operator.neg", "in Python")
    assert "loads with --trust" not in result.stderr
    # loadable, but not a fitted classifier
    assert_usage_error(run("predict", models / "cropper.skops", image, cwd=cwd),
                       "cropper.skops", "FaceCropper", "not a fitted classifier")
    assert_usage_error(run("predict", models / "unfitted.skops", image, cwd=cwd),
                       "unfitted.skops", "not a fitted classifier")
    # a fitted classifier of face crops (no FaceCropper): one usage error, not a
    # "could not convert string to float" in every row
    crops = np.random.default_rng(0).uniform(0, 255, (6, 64))
    save_model(FisherFaceClassifier().fit(crops, [0, 0, 0, 1, 1, 1]), models / "crops.skops")
    assert_usage_error(run("predict", models / "crops.skops", image, cwd=cwd),
                       "crops.skops", "without a FaceCropper", "detect=True")
    assert tree(cwd) == []


def test_library_warnings_are_one_line(cwd, tmp_path, london):
    """A library warning (here: loading a joblib model with --trust) is one stderr line
    naming the command, not Python's file:line report pointing at the console script."""
    from skemotion import save_model
    from skemotion.pipelines import make_named_pipeline

    model = make_named_pipeline("fisherface", output_size=(32, 32))
    rows = list(range(4)) + list(range(-4, 0))  # both classes
    model.fit([london.filenames[i] for i in rows], london.target[rows])
    with pytest.warns(UserWarning, match="arbitrary code"):
        save_model(model, tmp_path / "model.joblib", format="joblib")
    image = tmp_path / "face.jpg"
    shutil.copy(london.filenames[0], image)
    result = run("predict", tmp_path / "model.joblib", image, "--trust", cwd=cwd)
    assert result.returncode == 0, result.stderr
    err = result.stderr.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("skemotion predict: warning: Loading ") and "joblib" in err[0]
    assert "sys.exit" not in result.stderr and "UserWarning" not in result.stderr
    assert result.stdout.splitlines()[1].split(",")[1] == london.target[0]


def test_predict_model_needing_a_missing_extra_is_one_line(monkeypatch, capsys, tmp_path,
                                                            london):
    """A saved landmark pipeline in an environment without dlib: one line, no traceback."""
    from skemotion import _persistence
    from skemotion.cli import _main as _cli

    class NeedsDlib:
        classes_ = np.array(["happy", "neutral"])

        def predict(self, X):
            raise ImportError('Facial landmarks need dlib: pip install "skemotion[landmarks]"')

    model = tmp_path / "landmarks.skops"
    model.write_bytes(b"stand-in: load_model is replaced below")
    monkeypatch.setattr(_persistence, "load_model", lambda path, **kwargs: NeedsDlib())
    code = _cli.main(["predict", str(model), london.filenames[0], "-q"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines() == [
        f"skemotion predict: error: cannot run {model}: Facial landmarks need dlib: "
        'pip install "skemotion[landmarks]"']


def test_predict_help_describes_only_its_options(capsys):
    from skemotion.cli import main

    with pytest.raises(SystemExit):
        main(["predict", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "cross-validation" not in out and "--scheduler" not in out
    assert "--n-jobs N parallel threads for face detection" in out
    assert "Exit code 1 when no image could be classified" in out


@pytest.mark.slow
def test_train_checks_for_skops_before_loading_the_data(cwd, small_folder):
    args = ["train", "--out", "m.skops", "--folder", small_folder, "--crop-size", "48"]
    result = subprocess.run([sys.executable, "-c", _WITHOUT_EXTRAS, *args], cwd=cwd,
                            capture_output=True, text=True, timeout=300)
    # one line: not even the "N images" line of loading the data
    assert_usage_error(result, "skops", 'pip install "skemotion[persist]"')
    assert "format=" not in result.stderr
    assert tree(cwd) == []


@pytest.fixture
def tiny_folder(small_folder, tmp_path):
    """4 subjects (8 photos): the learning curve's smallest training size holds one class."""
    root = tmp_path / "tiny"
    for label in ("happy", "neutral"):
        (root / label).mkdir(parents=True)
        for f in sorted((small_folder / label).iterdir())[:4]:
            shutil.copy(f, root / label / f.name)
    return root


def test_evaluate_warns_once_per_protocol_about_test_parts_too_small(cwd, tiny_folder):
    result = run("evaluate", "--folder", tiny_folder, "--crop-size", "32", "--splits", "2",
                 "--pipelines", "hog_logreg,fisherface", "--n-jobs", "1", "-q", cwd=cwd)
    assert result.returncode == 0, result.stderr
    small = [line for line in result.stderr.splitlines() if "fewer than 2" in line]
    # 8 images, test size 0.2: 2 test images (tutorial), 1 test subject (grouped)
    assert [line.split("'")[1] for line in small] == ["tutorial", "grouped"], result.stderr
    assert small[1] == ("skemotion evaluate: warning: Protocol 'grouped': the test part of "
                        "split 1 holds 1 sample(s) of class 'happy' (2 of 2 splits have a "
                        "class with fewer than 2 test samples): the scores are too noisy to "
                        "compare; use more data or larger test parts.")


@pytest.mark.slow
def test_evaluate_notes_unfittable_learning_curve_points_and_cleans_its_old_files(cwd,
                                                                                 tiny_folder):
    common = ["evaluate", "--folder", tiny_folder, "--crop-size", "48", "--splits", "5",
              "--test-size", "0.5", "--n-jobs", "1", "-q", "--out", "rep"]
    first = run(*common, "--pipelines", "hog_logreg,fisherface", cwd=cwd)
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr and "FitFailedWarning" not in first.stderr
    warning = [line for line in first.stderr.splitlines() if "Learning curve" in line]
    assert len(warning) == 1, first.stderr
    best = json.loads((cwd / "rep" / "report.json").read_text())["settings"]["best_pipeline"]
    assert re.search(rf"{best['name']} could not be fitted with these training sizes, left "
                     r"out of the plot: 1 \(5 of 5 splits\)", warning[0]), warning[0]
    assert "at least 2 classes" in warning[0]
    md = (cwd / "rep" / "report.md").read_text(encoding="utf-8")
    assert warning[0].split("warning: ")[1] in md
    assert (cwd / "rep" / "fisherfaces.png").is_file()

    # files of an earlier run: removed when listed in its difficult.csv / report.json
    difficult = cwd / "rep" / "difficult"
    with open(difficult / "difficult.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with open(difficult / "difficult.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows + [{**rows[0], "image": "happy_neutral_9999.png"}])
    for name in ("happy_neutral_9999.png", "happy_neutral_8888.png", "mine.png"):
        (difficult / name).write_bytes(b"png")
    (cwd / "rep" / "notes.txt").write_text("the user's")
    second = run(*common, "--pipelines", "hog_logreg", cwd=cwd)
    assert second.returncode == 0, second.stderr
    assert not (cwd / "rep" / "fisherfaces.png").exists()  # hog_logreg only: no Fisherfaces
    with open(difficult / "difficult.csv", newline="", encoding="utf-8") as f:
        listed = {row["image"] for row in csv.DictReader(f)}
    pngs = {p.name for p in difficult.glob("*.png")}
    # what the CLI did not list in its own CSV survives
    assert pngs == listed | {"happy_neutral_8888.png", "mine.png"}
    assert (cwd / "rep" / "notes.txt").is_file()


def test_difficult_rerun_removes_its_own_stale_crops_only(cwd, tiny_folder):
    args = ["difficult", "hard", "--folder", tiny_folder, "--crop-size", "48", "--splits", "3",
            "--test-size", "0.5", "--n-jobs", "1", "-q"]
    first = run(*args, cwd=cwd)
    assert first.returncode == 0, first.stderr
    with open(cwd / "hard" / "difficult.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows
    # as if an earlier run had also written this crop
    stale = "anger_happy_0099.png"
    with open(cwd / "hard" / "difficult.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows + [{**rows[0], "image": stale}])
    (cwd / "hard" / stale).write_bytes(b"old")
    (cwd / "hard" / "keep_me_0001.png").write_bytes(b"user")
    second = run(*args, "--seed", "1", cwd=cwd)
    assert second.returncode == 0, second.stderr
    with open(cwd / "hard" / "difficult.csv", newline="", encoding="utf-8") as f:
        listed = {row["image"] for row in csv.DictReader(f)}
    assert set(tree(cwd / "hard")) == listed | {"difficult.csv", "keep_me_0001.png"}


def test_report_without_detection_or_subject_ids_says_so(cwd, tmp_path):
    import cv2

    folder = tmp_path / "crops"
    stripes = ((np.arange(32) // 4) % 2 * 150 + 50).astype(np.uint8)
    for label, image in (("happy", np.tile(stripes[:, None], (1, 32))),
                         ("neutral", np.tile(stripes[None, :], (32, 1)))):
        (folder / label).mkdir(parents=True)
        for i in range(4):
            cv2.imwrite(str(folder / label / f"{label}{i}.png"), np.roll(image, i, axis=0))
    result = run("evaluate", "--folder", folder, "--subject-pattern", "none", "--no-detect",
                 "--crop-size", "16", "--splits", "1", "--pipelines", "hog_logreg",
                 "--n-jobs", "1", "--out", "rep", cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "evaluating 1 pipeline x 1 protocol x 1 split on 8 face crops" in result.stderr
    md = (cwd / "rep" / "report.md").read_text(encoding="utf-8")
    assert "with a face found" not in md
    assert "8 images, all used as face crops without face detection (--no-detect)" in md
    assert "only the tutorial protocol was run: the grouped protocol was skipped" in md
    # 4 images per class are too few for the learning curve's 5-fold splits: said, no traceback
    assert "Traceback" not in result.stderr
    assert "warning: Learning curve: not drawn for hog_logreg" in result.stderr
    assert "- Learning curve: not drawn for hog_logreg" in md
    assert "learning_curve.png" not in md and not (cwd / "rep" / "learning_curve.png").exists()


def test_predict_exits_1_when_no_image_is_classified(cwd, tmp_path, small_folder):
    import cv2

    result = run("train", "--out", "m.skops", "--folder", small_folder, "--crop-size", "32",
                 "--pipeline", "hog_logreg", "-q", cwd=cwd)
    assert result.returncode == 0, result.stderr
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((90, 80), 128, np.uint8))
    result = run("predict", "m.skops", blank, "-q", cwd=cwd)
    assert result.returncode == 1, result.stderr
    assert "blank.png,,,,no face found" in result.stdout
    assert result.stderr.strip() == ("skemotion predict: no image could be classified "
                                     "(1 of 1 failed, see the error column)")


def test_train_cache_serves_training_only(cwd, tmp_path, small_folder):
    # --cache speeds up training; the saved model must not carry the cache folder along
    # and write it wherever it is used later
    result = run("train", "--out", "m.skops", "--folder", small_folder, "--crop-size", "32",
                 "--pipeline", "hog_logreg", "--cache", "cache", "-q", cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "m.skops" in tree(cwd) and any(f.startswith("cache/") for f in tree(cwd))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    image = next(Path(small_folder).rglob("*.jpg"))
    result = run("predict", cwd / "m.skops", image, "-q", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert image.name in result.stdout
    assert tree(elsewhere) == []


def test_organize_warns_about_foreign_files_and_refuses_an_empty_selection(
        cwd, tmp_path, make_ckplus_tree):
    root, expected = make_ckplus_tree(tmp_path / "CK2", n_subjects=1, sequences_per_subject=2,
                                      image_size=32)
    absent = sorted({"anger", "contempt", "disgust", "fear", "happy", "sadness", "surprise"}
                    - set(expected.labels.values()))[0]
    assert_usage_error(run("organize", root, "out", "--emotions", absent, cwd=cwd),
                       "images labelled", absent, "(it has: ")
    assert tree(cwd) == []
    (cwd / "out" / "happy").mkdir(parents=True)
    (cwd / "out" / "happy" / "S999_001_00000001.png").write_bytes(b"earlier")
    (cwd / "out" / "notes.txt").write_text("not an image: no --folder reads it")
    result = run("organize", root, "out", cwd=cwd)
    assert result.returncode == 0, result.stderr
    warning = result.stderr.strip().splitlines()
    assert len(warning) == 1 and "1 image file this run did not write" in warning[0]
    assert "S999_001_00000001.png" in warning[0]
    quiet = run("organize", root, "out", "-q", cwd=cwd)
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_on_error_skip_lists_unreadable_files_and_raise_names_them(cwd, small_folder, tmp_path):
    root = tmp_path / "messy"
    shutil.copytree(small_folder, root)
    bad = root / "happy" / "S999_broken.jpg"
    bad.write_bytes(b"\xff\xd8 not really a JPEG")
    # default: stop, naming the file
    assert_usage_error(run("describe", "--folder", root, cwd=cwd), str(bad))
    # a truncated PNG too (OpenCV's own "[ WARN:...] PNG input buffer is incomplete" line
    # must not come before skemotion's one line)
    import cv2

    cut = root / "neutral" / "S998_cut.png"
    png = cv2.imencode(".png", cv2.imread(str(next((root / "neutral").iterdir()))))[1]
    cut.write_bytes(png.tobytes()[: png.size // 2])
    # skip: one warning line naming them, the rest is used and the files are reported
    result = run("describe", "--folder", root, "--on-error", "skip", cwd=cwd)
    assert result.returncode == 0, result.stderr
    warnings = result.stderr.strip().splitlines()
    assert len(warnings) == 1 and warnings[0].startswith("skemotion describe: warning: Skipped 2")
    assert str(bad) in warnings[0] and str(cut) in warnings[0]
    assert "24 images" in result.stdout and "skipped files: 2" in result.stdout
    cut.unlink()
    result = run("evaluate", "--folder", root, "--on-error", "skip", "--pipelines", "hog_logreg",
                 "--crop-size", "48", "--splits", "2", "--n-jobs", "1", "-q", "--out", "rep",
                 cwd=cwd)
    assert result.returncode == 0, result.stderr
    report = (cwd / "rep" / "report.md").read_text(encoding="utf-8")
    assert f"Unreadable files skipped (--on-error skip): {bad}." in report


def test_emotion_subset_keeps_dataset_level_fields():
    """``skipped`` lists files, not samples: never indexed, even when it has n entries."""
    from sklearn.utils import Bunch

    from skemotion.cli._data import _subset

    data = Bunch(images=[np.zeros((2, 2))] * 2, target=np.array(["happy", "neutral"]),
                 filenames=["a.png", "b.png"], skipped=["x.png", "y.png"], n_skipped=2)
    out = _subset(data, [True, False])
    assert out.filenames == ["a.png"] and out.target.tolist() == ["happy"]
    assert out.skipped == ["x.png", "y.png"] and out.n_skipped == 2


def test_crop_size_limit_is_face_croppers():
    from skemotion.cli._options import _crop_size
    from skemotion.faces._cropper import MAX_OUTPUT_SIDE

    assert _crop_size(str(MAX_OUTPUT_SIDE)) == (MAX_OUTPUT_SIDE, MAX_OUTPUT_SIDE)
    assert _crop_size("96x80") == (96, 80)
    for text in (str(MAX_OUTPUT_SIDE + 1), "7", "64x64x3", "big"):
        with pytest.raises(argparse.ArgumentTypeError, match=repr(text)):
            _crop_size(text)


@pytest.mark.parametrize("args, needs", [(["--neutral", "none"], "--ckplus"),
                                         (["--subject-pattern", "none"], "--folder")])
def test_data_options_that_do_not_apply_are_errors_not_ignored(args, needs, capsys):
    from skemotion.cli import main

    assert main(["describe", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("skemotion describe: error: ")
    assert args[0] in err[0] and needs in err[0]
