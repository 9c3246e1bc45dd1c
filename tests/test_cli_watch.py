"""``skemotion watch``: outputs, folders, the Dask scheduler and every bad input.

Run in-process (``main([...])``) with ``capfd``, which also catches what OpenCV
itself writes to the process's stderr, so "one line on stderr" is checked for real.
"""

import csv

import cv2
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from skemotion import save_model
from skemotion.cli import main
from skemotion.pipelines import DEFAULT_PIPELINE, make_named_pipeline
from skemotion.video._synthetic import make_london_video

SMALL = dict(frame_size=(320, 240), fps=10.0, face_size=120)


@pytest.fixture(scope="module")
def files(tmp_path_factory, london):
    """A model file, a video, a folder of frames and a folder of videos."""
    root = tmp_path_factory.mktemp("watch")
    model = make_named_pipeline("hog_logreg").fit(london.images[::2], london.target[::2])
    save_model(model, root / "m.skops")
    scenes = [(1.0, [(0, "neutral")]), (1.0, [(0, "happy")])]
    make_london_video(root / "clip.avi", scenes, london=london, **SMALL)
    make_london_video(root / "frames", scenes, london=london, **SMALL)
    (root / "videos").mkdir()
    make_london_video(root / "videos" / "a.avi", scenes, london=london, **SMALL)
    make_london_video(root / "videos" / "b.avi", [(1.0, [(4, "happy")])], london=london,
                      **SMALL)
    return root


def watch(*args):
    return main(["watch", *map(str, args), "-q"])


def usage_error(capfd, code, *needles):
    """Exit code 2, exactly one line on stderr naming the problem, no traceback."""
    err = capfd.readouterr().err
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1, err
    assert lines[0].startswith("skemotion watch: error:"), err
    for needle in needles:
        assert needle in lines[0], (needle, err)


def frame_numbers(path):
    with open(path, newline="") as f:
        return [int(row["frame"]) for row in csv.DictReader(f)]


def test_a_video_file_with_every_output(files, tmp_path, capfd):
    code = watch(files / "clip.avi", "--model", files / "m.skops", "--out",
                 tmp_path / "a.mp4", "--csv", tmp_path / "t.csv", "--plot", tmp_path / "t.png")
    err = capfd.readouterr().err
    assert code == 0, err
    assert "clip.avi: 20 frames, a face in 20" in err and "face #1" in err
    assert "frames/s" in err
    assert frame_numbers(tmp_path / "t.csv") == list(range(20))
    video = cv2.VideoCapture(str(tmp_path / "a.mp4"))
    assert int(video.get(cv2.CAP_PROP_FRAME_COUNT)) == 20
    assert int(video.get(cv2.CAP_PROP_FRAME_WIDTH)) == 320
    assert video.get(cv2.CAP_PROP_FPS) == pytest.approx(10)
    assert (tmp_path / "t.png").stat().st_size > 0


def test_a_folder_of_frames_is_a_video(files, tmp_path, capfd):
    code = watch(files / "frames", "--model", files / "m.skops", "--csv", tmp_path / "t.csv",
                 "--fps", "20", "--smoothing", "0.1", "--min-duration", "0.1")
    assert code == 0, capfd.readouterr().err
    with open(tmp_path / "t.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["frame"]) for r in rows] == list(range(20))
    assert float(rows[-1]["time_s"]) == pytest.approx(19 / 20)
    assert {r["label"] for r in rows[:5]} == {"neutral"}
    assert {r["label"] for r in rows[-3:]} == {"happy"}


def test_adaptation_reaches_the_recognizer(files, tmp_path, capfd):
    from skemotion import load_model
    from skemotion.video import VideoEmotionRecognizer

    model = load_model(files / "m.skops")
    scores = {}
    for share in ("0", "0.9"):
        code = watch(files / "clip.avi", "--model", files / "m.skops", "--adaptation", share,
                     "--csv", tmp_path / f"{share}.csv")
        assert code == 0, capfd.readouterr().err
        with open(tmp_path / f"{share}.csv", newline="") as f:
            rows = list(csv.DictReader(f))
        columns = [k for k in rows[0] if k.startswith("score_")]
        scores[share] = np.array([[float(r[k]) for k in columns] for r in rows])
        expected = [f.proba for r in VideoEmotionRecognizer(
            model, adaptation=float(share)).process(files / "clip.avi") for f in r.faces]
        np.testing.assert_allclose(scores[share], expected, atol=1e-4)
    assert np.abs(scores["0"] - scores["0.9"]).max() > 0.01


@pytest.mark.slow
def test_a_folder_of_videos_in_parallel_equals_serial(files, tmp_path, capfd):
    for n_jobs in ("1", "2"):
        code = watch(files / "videos", "--model", files / "m.skops", "--out",
                     tmp_path / n_jobs, "--n-jobs", n_jobs)
        assert code == 0, capfd.readouterr().err
    err = capfd.readouterr().err
    assert "2 of 2 videos processed" in err
    names = sorted(p.name for p in (tmp_path / "1").iterdir())
    assert names == ["a.annotated.mp4", "a.csv", "a.timeline.png", "b.annotated.mp4",
                     "b.csv", "b.timeline.png"]
    for name in ("a.csv", "b.csv"):
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes()


@pytest.mark.slow
def test_a_folder_of_videos_on_a_dask_scheduler(files, tmp_path, capfd):
    distributed = pytest.importorskip("distributed")
    assert watch(files / "videos", "--model", files / "m.skops", "--out",
                 tmp_path / "serial", "--n-jobs", "1") == 0
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  host="127.0.0.1", dashboard_address=":0") as cluster:
        code = watch(files / "videos", "--model", files / "m.skops", "--out",
                     tmp_path / "remote", "--scheduler", cluster.scheduler_address)
    assert code == 0, capfd.readouterr().err
    for name in ("a.csv", "b.csv"):
        assert ((tmp_path / "serial" / name).read_bytes()
                == (tmp_path / "remote" / name).read_bytes())


@pytest.mark.slow
def test_without_a_model_the_default_pipeline_is_trained_and_said(files, tmp_path, capfd):
    code = main(["watch", str(files / "clip.avi"), "--csv", str(tmp_path / "t.csv")])
    err = capfd.readouterr().err
    assert code == 0, err
    assert f"training the default pipeline {DEFAULT_PIPELINE!r} on the embedded London" in err
    assert frame_numbers(tmp_path / "t.csv") == list(range(20))


# ----------------------------------------------------------------- bad input


def test_missing_file_and_folder(files, tmp_path, capfd):
    usage_error(capfd, watch(tmp_path / "nope.mp4", "--model", files / "m.skops"),
                "nope.mp4")
    usage_error(capfd, watch(tmp_path / "nope", "--model", files / "m.skops"), "nope")


def test_a_file_that_is_not_a_video(files, tmp_path, capfd):
    (tmp_path / "notes.mp4").write_text("not a video")
    usage_error(capfd, watch(tmp_path / "notes.mp4", "--model", files / "m.skops"),
                "notes.mp4", "not a video")


def test_a_camera_that_cannot_be_opened(files, capfd):
    usage_error(capfd, watch("97", "--model", files / "m.skops", "--csv", "x.csv"),
                "camera 97")


def test_model_files_that_do_not_fit(files, tmp_path, capfd, london):
    (tmp_path / "text.skops").write_text("hello")
    usage_error(capfd, watch(files / "clip.avi", "--model", tmp_path / "text.skops"),
                "text.skops")
    X = np.random.RandomState(0).rand(10, 64 * 64)
    y = ["happy", "neutral"] * 5
    save_model(LogisticRegression().fit(X, y), tmp_path / "logreg.skops")
    usage_error(capfd, watch(files / "clip.avi", "--model", tmp_path / "logreg.skops"),
                "logreg.skops", "FaceCropper")
    crops = make_named_pipeline("hog_logreg", detect=False).fit(X.reshape(10, 64, 64), y)
    save_model(crops, tmp_path / "crops.skops")
    usage_error(capfd, watch(files / "clip.avi", "--model", tmp_path / "crops.skops"),
                "crops.skops", "FaceCropper")
    usage_error(capfd, watch(files / "clip.avi", "--model", tmp_path / "none.skops"),
                "no such model file")


def test_outputs_over_the_input_are_refused(files, tmp_path, capfd):
    clip = tmp_path / "clip.avi"
    clip.write_bytes((files / "clip.avi").read_bytes())
    before = clip.read_bytes()
    usage_error(capfd, watch(clip, "--model", files / "m.skops", "--out", clip),
                "is the input video")
    usage_error(capfd, watch(files / "frames", "--model", files / "m.skops", "--csv",
                             files / "frames" / "t.csv"), "inside the input folder of frames")
    usage_error(capfd, watch(files / "videos", "--model", files / "m.skops", "--out",
                             files / "videos" / "results"), "inside the input folder of videos")
    usage_error(capfd, watch(clip, "--model", files / "m.skops", "--csv", tmp_path / "x.csv",
                             "--plot", tmp_path / "x.csv"), "--plot")
    assert clip.read_bytes() == before
    assert sorted(p.name for p in (files / "frames").iterdir())[-1] == "frame_00019.png"
    assert not (files / "videos" / "results").exists()


def test_options_out_of_range(files, capfd):
    for option, value in [("--smoothing", "-1"), ("--detect-every", "0"),
                          ("--max-faces", "0"), ("--fps", "0"), ("--smoothing", "nan"),
                          ("--adaptation", "1"), ("--adaptation", "-0.1")]:
        with pytest.raises(SystemExit) as exc:
            watch(files / "clip.avi", option, value)
        err = capfd.readouterr().err.strip().splitlines()
        assert exc.value.code == 2 and len(err) == 1 and option in err[0], err


@pytest.mark.slow
def test_options_that_do_not_fit_the_source(files, tmp_path, capfd):
    usage_error(capfd, watch(files / "videos", "--model", files / "m.skops", "--csv",
                             tmp_path / "t.csv", "--out", tmp_path / "o"), "--csv")
    usage_error(capfd, watch(files / "videos", "--model", files / "m.skops"), "--out DIR")
    usage_error(capfd, watch(files / "clip.avi", "--model", files / "m.skops", "--scheduler",
                             "tcp://127.0.0.1:1"), "--scheduler")
    usage_error(capfd, watch(files / "clip.avi", "--model", files / "m.skops", "--out",
                             tmp_path / "a.gif"), ".mp4")


def test_show_without_a_display(files, monkeypatch, capfd):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    usage_error(capfd, watch(files / "clip.avi", "--model", files / "m.skops", "--show"),
                "no display")


def test_help_shows_the_examples(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["watch", "--help"])
    out = capsys.readouterr().out
    assert exc.value.code == 0
    assert "example:\n  skemotion watch 0" in out
    assert "--scheduler tcp://host:8786" in out and "--detect-every N" in out
