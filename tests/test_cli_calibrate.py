"""``skemotion calibrate`` and ``skemotion watch --calibrate/--reference`` on clips made in
tmp_path from the London photos (small frames, 10 fps)."""

import csv

import cv2
import pytest

from skemotion import FaceCropper, save_model
from skemotion.cli import main
from skemotion.datasets import load_frl_london
from skemotion.pipelines import make_named_pipeline
from skemotion.video._synthetic import Appearance, LiveClip


@pytest.fixture(scope="module")
def files(tmp_path_factory, london):
    """A calibrated and a plain model file, and a clip: subject 0, then a cut to subject 4."""
    root = tmp_path_factory.mktemp("calibrate")
    refs = load_frl_london(references=True).references
    calibrated = make_named_pipeline("hog_logreg", calibrated=True).fit(
        list(zip(london.images[::2], refs[::2])), london.target[::2])
    save_model(calibrated, root / "calibrated.skops")
    plain = make_named_pipeline("hog_logreg").fit(london.images[::2], london.target[::2])
    save_model(plain, root / "plain.skops")
    clip = LiveClip([Appearance(0, 0.0, 1.5, face_size=90), Appearance(4, 1.5, 3.0, face_size=90)],
                    3.0, fps=10, frame_size=(320, 240), cuts=(1.5,), london=london)
    clip.write(root / "clip.avi")
    LiveClip([], 1.0, fps=10, frame_size=(320, 240), london=london).write(root / "empty.avi")
    return root


def one_line_error(capfd, code, command, *needles):
    err = capfd.readouterr().err
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    assert lines[0].startswith(f"skemotion {command}: error:"), err
    for needle in needles:
        assert needle in lines[0], (needle, err)


def test_calibrate_saves_a_face_a_cropper_finds_again(files, tmp_path, capfd):
    out = tmp_path / "me.png"
    assert main(["calibrate", str(files / "clip.avi"), "--out", str(out), "--seconds", "1"]) == 0
    err = capfd.readouterr().err
    assert f"to {out}" in err and "saved the face of frame" in err
    image = cv2.imread(str(out))
    assert 90 <= image.shape[0] <= 200  # the face with a border, not the whole frame
    assert FaceCropper(output_size=64).transform([image]).shape == (1, 64 * 64)


def test_calibrate_without_a_face_or_with_a_bad_output_is_one_line(files, tmp_path, capfd):
    code = main(["calibrate", str(files / "empty.avi"), "--out", str(tmp_path / "me.png")])
    one_line_error(capfd, code, "calibrate", "empty.avi", "no face found in the first 3 s")
    code = main(["calibrate", str(files / "clip.avi"), "--out", str(tmp_path / "me.txt")])
    one_line_error(capfd, code, "calibrate", "give an image file")
    code = main(["calibrate", str(files / "clip.avi"), "--out", str(tmp_path / "no" / "me.png")])
    one_line_error(capfd, code, "calibrate", "no such directory")


def test_watch_calibrates_each_new_person(files, tmp_path, capfd):
    table = tmp_path / "t.csv"
    code = main(["watch", str(files / "clip.avi"), "--model", str(files / "calibrated.skops"),
                 "--calibrate", "0.5", "--csv", str(table), "-q"])
    assert code == 0, capfd.readouterr().err
    with open(table, newline="") as f:
        rows = list(csv.DictReader(f))
    labels = [(r["track"], r["label"] == "calibrating") for r in rows]
    assert labels == [("1", True)] * 5 + [("1", False)] * 10 + [("2", True)] * 5 + [
        ("2", False)] * 10


def test_watch_with_a_saved_reference(files, tmp_path, capfd):
    out = tmp_path / "me.png"
    assert main(["calibrate", str(files / "clip.avi"), "--out", str(out), "--seconds", "1",
                 "-q"]) == 0
    table = tmp_path / "t.csv"
    code = main(["watch", str(files / "clip.avi"), "--model", str(files / "calibrated.skops"),
                 "--reference", str(out), "--csv", str(table), "-q"])
    assert code == 0, capfd.readouterr().err
    with open(table, newline="") as f:
        assert {r["label"] for r in csv.DictReader(f)} <= {"neutral", "happy"}


def test_watch_calibration_options_that_do_not_fit(files, tmp_path, capfd):
    clip, plain = str(files / "clip.avi"), str(files / "plain.skops")
    code = main(["watch", clip, "--model", plain, "--calibrate", "1", "-q"])
    one_line_error(capfd, code, "watch", "--calibrate needs a calibrated model", "plain.skops")
    code = main(["watch", clip, "--model", str(files / "calibrated.skops"), "--calibrate", "1",
                 "--reference", str(tmp_path / "me.png"), "-q"])
    one_line_error(capfd, code, "watch", "not both")
    code = main(["watch", clip, "--model", str(files / "calibrated.skops"), "--reference",
                 str(tmp_path / "nope.png"), "-q"])
    one_line_error(capfd, code, "watch", "--reference: no such image file")
    code = main(["watch", clip, "--model", str(files / "calibrated.skops"), "-q",
                 "--csv", str(tmp_path / "t.csv")])
    one_line_error(capfd, code, "watch", "is a calibrated model", "--calibrate S")


def test_watch_detector_option_reaches_a_loaded_calibrated_model(files):
    import argparse

    from skemotion.cli._watch import _model

    for detector, expected in ((None, "yunet"), ("haar", "haar")):
        args = argparse.Namespace(calibrate=0.5, reference=None, model=files / "calibrated.skops",
                                  trust=False, detector=detector, quiet=True)
        assert _model(args).cropper_.detector == expected
