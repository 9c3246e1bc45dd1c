"""YuNet face finding: FaceCropper(detector="yunet"), detect_faces, find_faces, alignment
from the five points, and errors for a missing or broken model."""

import math
import pickle

import cv2
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import InvalidParameterError

from skemotion import FaceCropper, detect_faces
from skemotion.faces import _yunet, find_faces
from skemotion.faces._cascades import DEFAULT_CASCADES, OpenCVFeatureMissingError
from skemotion.faces._cropper import _crop_settings_key

# The London photos' face: width as a fraction of the photo, centre (x, y) as fractions.
FACE = 163 / 350
CENTRE = (171.5 / 350, 180.5 / 350)


def paste(photos, widths, angles, shape=(480, 640)):
    """Photos pasted side by side on a textured frame with faces ``widths`` px wide,
    turned by ``angles`` degrees; returns the BGR frame and the true face centres."""
    rng = np.random.default_rng(0)
    frame = cv2.resize(rng.uniform(40, 200, (12, 16, 3)).astype(np.uint8), shape[::-1])
    centres = []
    for k, (photo, width, angle) in enumerate(zip(photos, widths, angles)):
        scale = width / (FACE * photo.shape[1])
        fx, fy = CENTRE[0] * photo.shape[1], CENTRE[1] * photo.shape[0]
        cx, cy = shape[1] * (k + 0.5) / len(photos), shape[0] / 2
        matrix = cv2.getRotationMatrix2D((fx, fy), angle, scale)
        matrix[:, 2] += (cx - fx, cy - fy)
        warped = cv2.warpAffine(photo, matrix, shape[::-1], borderMode=cv2.BORDER_REPLICATE)
        mask = np.zeros(shape, np.uint8)
        cv2.ellipse(mask, (int(cx), int(cy)), (int(0.8 * width), int(width)), -angle, 0, 360,
                    1, -1)
        frame[mask > 0] = warped[mask > 0]
        centres.append((cx, cy))
    return frame, centres


def near(box, centre, width):
    x, y, w, h = box
    return (math.hypot(x + w / 2 - centre[0], y + h / 2 - centre[1]) < 0.3 * width
            and 0.7 * width < w < 1.4 * width)


def test_small_and_turned_faces_on_a_frame_with_plausible_points(london):
    photos = [london.images[i] for i in (0, 7, 30)]
    frame, centres = paste(photos, (60, 60, 90), (0, 25, -30))
    faces = find_faces(frame, detect_width=None)
    assert len(faces) == 3
    for centre, width, angle in zip(centres, (60, 60, 90), (0, 25, -30)):
        [face] = [f for f in faces if near(f.box, centre, width)]
        assert 0.5 < face.score <= 1
        left, right, nose, mouth_l, mouth_r = np.asarray(face.landmarks)
        # in the face's own upright frame: eyes above the nose above the mouth, left of right
        t = math.radians(angle)
        # getRotationMatrix2D turns the face's downward axis (0, 1) into (sin t, cos t)
        up = lambda p: (p[0] - centre[0]) * math.sin(t) + (p[1] - centre[1]) * math.cos(t)
        across = lambda p: (p[0] - centre[0]) * math.cos(t) - (p[1] - centre[1]) * math.sin(t)
        assert max(up(left), up(right)) < up(nose) < min(up(mouth_l), up(mouth_r))
        assert across(left) < across(nose) < across(right)
        assert across(mouth_l) < across(mouth_r)
        assert face.left_eye == tuple(left) and face.right_eye == tuple(right)
    # the cascades with their defaults find none of these (faces under 20% of the frame)
    assert find_faces(frame, detector="haar") == []


def test_detect_faces_yunet_defaults_and_haar_unchanged(london):
    yunet = detect_faces(london.images[:3])
    haar = detect_faces(london.images[:3], detector="haar")
    assert all(d.found for d in yunet + haar)
    assert [d.cascade for d in yunet] == ["yunet"] * 3
    assert all(d.face_counts == {"yunet": 1} and 0.6 < d.score <= 1 and len(d.landmarks) == 5
               for d in yunet)
    # the tutorial's path: same box as before YuNet existed, no points or score
    assert haar[0].box == (90, 99, 163, 163) and haar[0].cascade == DEFAULT_CASCADES[0]
    assert haar[0].face_counts == {DEFAULT_CASCADES[0]: 1}
    assert (haar[0].landmarks, haar[0].score, haar[0].left_eye) == (None, None, None)
    # YuNet's square box is where the cascades put theirs
    for y, h in zip(yunet, haar):
        assert abs(y.box[2] - h.box[2]) < 0.15 * h.box[2]
        assert math.hypot(y.box[0] - h.box[0], y.box[1] - h.box[1]) < 0.15 * h.box[2]


def test_find_faces_full_frame_coordinates_match_face_cropper(london):
    frame, (centre,) = paste([london.images[5]], (120,), (0,))
    small = find_faces(frame)  # on a 320 px wide copy
    full = find_faces(frame, detect_width=None)
    cropper = detect_faces([frame])[0]
    assert len(small) == len(full) == 1 and cropper.found
    assert small[0].image_shape == (480, 640)
    for box in (small[0].box, full[0].box):
        assert near(box, centre, 120)
    assert np.allclose(small[0].box, cropper.box, atol=6)
    assert find_faces(frame, max_faces=0) == []
    assert find_faces(frame[:, :, 0])[0].box == find_faces(
        cv2.cvtColor(frame[:, :, 0], cv2.COLOR_GRAY2BGR))[0].box
    with pytest.raises(ValueError, match="uint8"):
        find_faces(frame.astype(np.float32))


def test_find_faces_takes_a_croppers_settings(london):
    frame, _ = paste([london.images[5]], (170,), (0,))
    [haar] = find_faces(frame, cropper=FaceCropper(detector="haar", align="eyes"))
    assert haar.cascade in DEFAULT_CASCADES and haar.score is None and haar.left_eye
    assert find_faces(frame, cropper=FaceCropper(yunet_score_threshold=0.999)) == []


def test_two_faces_next_cascade_and_largest(london):
    frame, centres = paste([london.images[2], london.images[9]], (80, 130), (0, 0))
    [none] = detect_faces([frame])
    assert not none.found and none.face_counts == {"yunet": 2}
    [largest] = detect_faces([frame], multiple_faces="largest")
    assert near(largest.box, centres[1], 130)
    with pytest.raises(ValueError, match=r"YuNet saw 2 face\(s\).*multiple_faces='largest'"):
        FaceCropper().transform([frame])
    out = FaceCropper(output_size=8, on_missing="full_image").transform([frame])
    assert out.shape == (1, 64)


def test_alignment_from_the_points_undoes_a_turn(london):
    """An aligned crop of a turned photo matches the aligned crop of the upright one; the
    plain crop does not."""
    image = london.images[11]
    h, w = image.shape[:2]
    turned = cv2.warpAffine(image, cv2.getRotationMatrix2D((w / 2, h / 2), 25, 1.0), (w, h),
                            borderMode=cv2.BORDER_REPLICATE)

    def corr(align):
        a, b = FaceCropper(output_size=48, align=align).transform([image, turned])
        return np.corrcoef(a, b)[0, 1]

    plain = corr(None)
    for align in ("eyes", "five_points"):
        assert corr(align) > max(0.6, plain + 0.3)
        [d] = detect_faces([turned], align=align)
        assert d.eyes == "aligned"
    with pytest.raises(InvalidParameterError, match="five_points.*detector='yunet'"):
        FaceCropper(detector="haar", align="five_points").fit(london.images[:1])


def test_pickle_clone_and_cache_keys(london, tmp_path):
    cropper = FaceCropper(output_size=24, yunet_score_threshold=0.7, align="five_points")
    expected = cropper.fit_transform(london.images[:3])
    again = pickle.loads(pickle.dumps(cropper))
    np.testing.assert_array_equal(again.transform(london.images[:3]), expected)
    copy = clone(cropper)
    assert copy.get_params() == cropper.get_params()
    np.testing.assert_array_equal(copy.transform(london.images[:3]), expected)
    # the detector and its settings are part of the crop key and of the detection cache
    haar = clone(cropper).set_params(detector="haar", align="eyes")
    assert _crop_settings_key(haar) != _crop_settings_key(cropper)
    assert _crop_settings_key(clone(cropper).set_params(yunet_nms_threshold=0.4)) != \
        _crop_settings_key(cropper)
    cached = [FaceCropper(memory=tmp_path, detector=d).detect(london.images[:2])
              for d in ("yunet", "haar", "yunet")]
    assert [d.cascade for d in cached[0]] == ["yunet"] * 2
    assert all(d.cascade in DEFAULT_CASCADES for d in cached[1])
    assert cached[2] == cached[0]


@pytest.mark.slow
def test_grid_search_over_yunet_parameters(london, tmp_path):
    idx = list(range(0, 204, 12)) + list(range(1, 204, 12))  # 34 photos, 17 people
    X = [london.images[i] for i in idx]
    y = np.asarray(london.target)[idx]
    groups = np.asarray(london.groups)[idx]
    # the detection cache: each photo is detected once per YuNet setting, not per split
    pipe = Pipeline([("crop", FaceCropper(output_size=16, memory=tmp_path)),
                     ("classifier", LogisticRegression(max_iter=500))])
    grid = {"crop__yunet_score_threshold": [0.5, 0.8], "crop__align": ["eyes", "five_points"],
            "crop__yunet_detect_size": [160, None]}
    search = GridSearchCV(pipe, grid, cv=GroupKFold(2), error_score="raise")
    search.fit(X, y, groups=groups)
    assert len(search.cv_results_["params"]) == 8
    assert len(list(tmp_path.rglob("output.pkl"))) == 4 * len(X)  # 2 x 2 YuNet settings
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_params_["crop__align"] in ("eyes", "five_points")


@pytest.mark.parametrize("params, match", [
    ({"detector": "cnn"}, "detector"),
    ({"yunet_score_threshold": 1.5}, "yunet_score_threshold"),
    ({"yunet_nms_threshold": 0}, "yunet_nms_threshold"),
    ({"yunet_detect_size": 8}, "yunet_detect_size"),
    ({"yunet_min_size": -3}, "yunet_min_size"),
    ({"align": "nose"}, "align"),
])
def test_bad_yunet_parameters(london, params, match):
    with pytest.raises(InvalidParameterError, match=match):
        FaceCropper(**params).fit(london.images[:1])


def test_min_size_drops_small_faces(london):
    frame, _ = paste([london.images[0]], (60,), (0,))
    assert detect_faces([frame])[0].found
    assert not detect_faces([frame], yunet_min_size=0.25)[0].found
    assert not detect_faces([frame], yunet_min_size=100)[0].found
    assert find_faces(frame, min_size=100) == []


def test_missing_and_broken_model_files(london, tmp_path, monkeypatch):
    missing = tmp_path / "gone.onnx"
    monkeypatch.setattr(_yunet, "DEFAULT_YUNET_MODEL", str(missing))
    with pytest.raises(_yunet.FaceModelError, match=f"model file {missing}, which is missing"):
        FaceCropper().transform(london.images[:1])
    with pytest.raises(OpenCVFeatureMissingError, match="reinstall skemotion"):
        find_faces(london.images[0])
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a network")
    monkeypatch.setattr(_yunet, "DEFAULT_YUNET_MODEL", str(broken))
    with pytest.raises(_yunet.FaceModelError) as info:
        detect_faces(london.images[:1])
    assert f"Cannot load the YuNet model file {broken}" in str(info.value)
    assert "\n" not in str(info.value)
    # the cascades need no model file
    assert detect_faces(london.images[:1], detector="haar")[0].found


def test_opencv_without_face_detector_yn(london, monkeypatch):
    monkeypatch.delattr(cv2, "FaceDetectorYN")
    monkeypatch.setattr(_yunet, "_POOL", {})
    with pytest.raises(OpenCVFeatureMissingError, match=r"cv2.FaceDetectorYN.*pip install"):
        FaceCropper().fit_transform(london.images[:1])


def test_command_line_names_the_missing_model(london, tmp_path, monkeypatch, capsys):
    from skemotion.cli._main import main

    cv2.imwrite(str(tmp_path / "a.png"), london.images[0])
    monkeypatch.setattr(_yunet, "DEFAULT_YUNET_MODEL", str(tmp_path / "gone.onnx"))
    assert main(["crop", str(tmp_path / "a.png"), str(tmp_path / "out"), "-q"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "gone.onnx, which is missing" in err
    assert main(["crop", str(tmp_path / "a.png"), str(tmp_path / "out"), "-q",
                 "--detector", "haar"]) == 0
    report = (tmp_path / "out" / "detections.csv").read_text()
    assert "frontalface_default" in report


@pytest.mark.slow
def test_command_line_detector_option_reaches_the_cropper(london, tmp_path, capsys):
    """train --detector haar stores the cascades in the model; predict --detector
    overrides the model's own for one run; a wrong name is a usage error."""
    from skemotion import load_model
    from skemotion.cli._main import main

    model = tmp_path / "m.skops"
    assert main(["train", "--pipeline", "hog_logreg", "--detector", "haar", "--out", str(model),
                 "-q"]) == 0
    assert load_model(model).steps[0][1].detector == "haar"
    small, _ = paste([london.images[0]], (60,), (0,))  # too small for the cascades
    cv2.imwrite(str(tmp_path / "small.png"), small)
    capsys.readouterr()
    assert main(["predict", str(model), str(tmp_path / "small.png"), "-q"]) == 1
    assert "no face found" in capsys.readouterr().out
    assert main(["predict", str(model), str(tmp_path / "small.png"), "-q",
                 "--detector", "yunet"]) == 0
    assert "no face found" not in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        main(["crop", str(tmp_path), str(tmp_path / "out"), "--detector", "cnn"])
    assert info.value.code == 2


def test_the_model_ships_as_package_data():
    """pyproject.toml's package data for skemotion.faces takes the model, its licence and
    its provenance note (a non-editable install then carries them)."""
    import ast
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    line = re.search(r'^"skemotion\.faces" = (\[.*\])$',
                     (root / "pyproject.toml").read_text(encoding="utf-8"), re.M)
    assert line, "no package data for skemotion.faces in pyproject.toml"
    folder = Path(_yunet.__file__).parent
    shipped = {p.name for pattern in ast.literal_eval(line.group(1))
               for p in folder.glob(pattern)}
    assert {"yunet_n_640_640.onnx", "LICENSE", "README.md"} <= shipped
    assert Path(_yunet.DEFAULT_YUNET_MODEL).parent == folder / "data"
    assert "Apache License" in (folder / "data" / "LICENSE").read_text(encoding="utf-8")
