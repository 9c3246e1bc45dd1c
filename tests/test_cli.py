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
    assert blocks[:2] == ['pip install ".[landmarks]" && skemotion evaluate',
                          'pip install ".[test]" && python -m pytest']
    ci_lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert blocks[1] in ci_lines
    # the first command's console script is the one pyproject installs
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'skemotion = "skemotion._cli:main"' in pyproject


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
    assert 'pip install -c .ci/minimum-versions.txt ".[test]" && python -m pytest' in ci


def test_readme_main_job_output_lists_every_pipeline():
    """The README shows a real `skemotion evaluate` run: every named pipeline, both protocols."""
    from skemotion.pipelines import PIPELINES

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- section:main-job -->")[1].split("<!-- section:")[0]
    output = section.split("$ skemotion evaluate\n")[1].split("```")[0]
    rows = re.findall(r"^(\w+)\s+(tutorial|grouped)\s+0\.\d{3} ± 0\.\d{3}", output, re.M)
    assert rows == [(name, p) for name in PIPELINES for p in ("tutorial", "grouped")]
    assert "10 splits per protocol" in output and "Chance level" in output


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

    desc = run("describe", "--folder", "sorted", cwd=cwd)
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
    wrong = tmp_path / "not_ckplus"
    (wrong / "images").mkdir(parents=True)
    result = run("organize", wrong, "out", cwd=cwd)
    assert_usage_error(result, "cohn-kanade-images")
    assert_usage_error(run("organize", root, "out", "--emotions", "happy,glee", cwd=cwd), "glee")
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
    assert "7 crops written" in first.stdout  # not 7 + the crops of a previous run
    assert len(tree(inner)) == 8
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


def test_evaluate_table_and_report(cwd, small_folder):
    names = ["fisherface", "hog_logreg"]
    result = run("evaluate", *SMALL, "--folder", small_folder, "--pipelines", ",".join(names),
                 "--out", "report", cwd=cwd)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["model", "protocol", "accuracy", "balanced"]
    for name in names:
        for protocol in ("tutorial", "grouped"):
            assert any(re.match(rf"{name}\s+{protocol}\s+0\.\d{{3}} ± ", line) for line in lines)
    assert "Chance level: accuracy 0.500" in result.stdout
    assert "24 images, 12 subjects" in result.stdout
    files = tree(cwd)
    assert all(f.startswith("report/") for f in files), files
    pngs = ["confusion_matrix.png", "learning_curve.png", "difficult.png", "fisherfaces.png"]
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
    assert_usage_error(run("train", "--out", "m.skops", "--pipeline", "nope", cwd=cwd), "'nope'")
    assert_usage_error(run("train", "--out", "no/such/dir/m.skops", cwd=cwd), "no/such/dir")
    junk = tmp_path / "junk.skops"
    junk.write_bytes(b"not a model")
    assert_usage_error(run("predict", junk, "a.jpg", cwd=cwd), "junk.skops")
    assert tree(cwd) == []


def test_train_on_ckplus_tree(cwd, ckplus):
    root, expected = ckplus
    result = run("train", "--out", "ck.skops", "--ckplus", root, "--emotions", "neutral,anger",
                 "--on-missing", "full_image", "--crop-size", "32", "-q", cwd=cwd)
    assert result.returncode == 0, result.stderr
    n = len(expected.labels) + list(expected.labels.values()).count("anger")
    assert f"trained on {n} images (anger, neutral)" in result.stdout
    assert tree(cwd) == ["ck.skops"]


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
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        before = cluster.scheduler.transition_counter
        remote = run("search", "emotions", *SMALL, "--folder", small_folder,
                     "--subsets", "happy,neutral;all", "--scheduler",
                     cluster.scheduler_address, cwd=cwd)
        assert remote.returncode == 0, remote.stderr
        assert cluster.scheduler.transition_counter > before  # the workers did the fits
    assert remote.stdout == result.stdout


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


_WITHOUT_EXTRAS = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in {"matplotlib", "tqdm", "pandas", "skops", "distributed", "dask",
                                  "dlib", "face_recognition_models"}:
            raise ImportError(f"No module named {name!r} (blocked by the test)")
sys.meta_path.insert(0, Block())
from skemotion._cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_main_job_runs_without_the_optional_extras(cwd, small_folder):
    """Plain ``pip install .`` (no extras: no plots, tqdm, pandas, skops, dlib) runs the job."""
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

    from skemotion import _cli, pipelines

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

    from skemotion import _cli

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
