"""Facial landmarks (dlib, optional extra "landmarks") and the landmark pipeline."""

import builtins
import pickle

import cv2
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.pipeline import make_pipeline

pytest.importorskip("dlib", reason='needs the "landmarks" extra')

from skemotion import (  # noqa: E402
    FaceCropper,
    LandmarkAligner,
    LandmarkShape,
    face_landmarks,
    landmark_model_path,
    load_model,
    save_model,
)
from skemotion.features._landmarks import MEAN_SHAPE, STABLE_POINTS  # noqa: E402
from skemotion.pipelines import make_named_pipeline, missing_requirements  # noqa: E402

SIZE = 160


@pytest.fixture(scope="module")
def crops(london):
    """(204, 160, 160) float32 FaceCropper crops of the London set, labels, subjects."""
    X = FaceCropper(output_size=(SIZE, SIZE)).transform(london.images)
    return X.reshape(-1, SIZE, SIZE), np.asarray(london.target), np.asarray(london.groups)


def _eye_centres(points):
    return points[:, 36:42].mean(axis=1), points[:, 42:48].mean(axis=1)


def test_face_landmarks_on_real_faces(crops):
    X, y, _ = crops
    points = face_landmarks(X[:20])
    assert points.shape == (20, 68, 2) and points.dtype == np.float64
    left, right = _eye_centres(points)
    # image-left eye left of the image-right eye, eyes above the nose tip above the mouth
    assert (left[:, 0] < right[:, 0]).all()
    assert (left[:, 1] < points[:, 33, 1]).all() and (points[:, 33, 1] < points[:, 62, 1]).all()
    # brows, eyes, nose and mouth inside the crop (the jaw line may run past a Haar box)
    inner = points[:, 17:]
    assert inner.min() >= 0 and inner.max() < SIZE
    # the same crop always gives the same points: computed again without the per-process
    # memo, and through a transformer from flat and from 3-D input
    from skemotion.features import _landmarks

    with _landmarks._CACHE_LOCK:
        _landmarks._CACHE.clear()
    np.testing.assert_array_equal(face_landmarks(X[:3]), points[:3])
    with _landmarks._CACHE_LOCK:
        _landmarks._CACHE.clear()
    flat = LandmarkShape().fit_transform(X[:3].reshape(3, -1))
    with _landmarks._CACHE_LOCK:
        _landmarks._CACHE.clear()
    np.testing.assert_array_equal(LandmarkShape().fit_transform(X[:3]), flat)


def test_face_landmarks_scale_with_the_crop(crops):
    """The same face at 120 px gets the 160 px crop's landmarks scaled by 120/160."""
    X, _, _ = crops
    for face in X[:3]:
        small = cv2.resize(face, (120, 120), interpolation=cv2.INTER_AREA)
        at_120 = face_landmarks(small[None])[0]
        at_160 = face_landmarks(face[None])[0] * (120 / SIZE)
        assert np.abs(at_120 - at_160).mean() < 2  # pixels at 120 px
    # no face at all: the predictor still answers (the Notes say to drop such crops first)
    assert face_landmarks(np.zeros((1, 120, 120))).shape == (1, 68, 2)


def test_face_landmarks_errors(crops, tmp_path):
    X, _, _ = crops
    with pytest.raises(ValueError, match="3-D array"):
        face_landmarks(X[0])
    bad = X[:3].copy()
    bad[2, 5, 5] = np.nan
    with pytest.raises(ValueError, match="sample 2 has NaN pixel values"):
        face_landmarks(bad)
    with pytest.raises(ValueError, match="face_box"):
        face_landmarks(X[:1], face_box=0.5)
    missing = tmp_path / "no_model.dat"
    with pytest.raises(FileNotFoundError, match="no_model.dat"):
        face_landmarks(X[:1], model=missing)
    junk = tmp_path / "junk.dat"
    junk.write_bytes(b"not a model")
    with pytest.raises(ValueError, match="junk.dat is not a dlib shape predictor"):
        face_landmarks(X[:1], model=str(junk))


def test_model_path_and_wrong_landmark_count(tmp_path):
    import dlib

    path = landmark_model_path()
    assert path.is_file() and path.name == "shape_predictor_68_face_landmarks.dat"
    assert landmark_model_path(str(path)) == path
    # a real dlib predictor with 3 points: refused with the count it predicts
    options = dlib.shape_predictor_training_options()
    options.oversampling_amount = 1
    options.cascade_depth = 1
    options.num_trees_per_cascade_level = 1
    options.tree_depth = 1
    image = np.zeros((40, 40), dtype=np.uint8)
    boxes = [[dlib.full_object_detection(
        dlib.rectangle(5, 5, 35, 35),
        [dlib.point(10, 10), dlib.point(30, 10), dlib.point(20, 30)])]]
    small = tmp_path / "three_points.dat"
    predictor = dlib.train_shape_predictor([image], boxes, options)
    predictor.save(str(small))
    with pytest.raises(ValueError, match="predicts 3 landmarks; skemotion needs the 68"):
        face_landmarks(np.zeros((1, 40, 40)), model=small)


def test_missing_dlib_says_how_to_install(monkeypatch, crops):
    from skemotion.features import _landmarks

    real_import = builtins.__import__

    def no_dlib(name, *args, **kwargs):
        if name == "dlib":
            raise ImportError("No module named 'dlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dlib)
    with pytest.raises(ImportError, match=r'pip install "skemotion\[landmarks\]"'):
        _landmarks._import_dlib()


def test_landmark_shape_removes_pose_and_scale(crops):
    """Rotating and shrinking the face in the crop barely changes LandmarkShape's output."""
    X, _, _ = crops
    face = X[1]
    centre = (SIZE / 2, SIZE / 2)
    tilted = cv2.warpAffine(face, cv2.getRotationMatrix2D(centre, 12, 0.85), (SIZE, SIZE),
                            borderMode=cv2.BORDER_REPLICATE)
    shape = LandmarkShape()
    a, b = shape.fit_transform(np.stack([face, tilted]))
    raw_a, raw_b = face_landmarks(np.stack([face, tilted]))
    # in pixels the points moved a lot; in mean-face units (inter-ocular distance 1)
    # they agree to a few hundredths
    assert np.abs(raw_a - raw_b).mean() > 5
    assert np.abs(a - b).mean() < 0.03
    # the stable points sit on the mean face (least-squares fit), the eyes at +-0.5
    points = a.reshape(68, 2)
    assert np.abs(points[list(STABLE_POINTS)] - MEAN_SHAPE[list(STABLE_POINTS)]).mean() < 0.05
    left, right = points[36:42].mean(axis=0), points[42:48].mean(axis=0)
    np.testing.assert_allclose([left, right], [[-0.5, 0], [0.5, 0]], atol=0.05)


@pytest.mark.slow
def test_landmark_shape_separates_smiles(crops):
    """Smiling mouths are wider in mean-face units than neutral ones, on average."""
    X, y, _ = crops
    points = LandmarkShape().fit_transform(X).reshape(-1, 68, 2)
    width = np.linalg.norm(points[:, 54] - points[:, 48], axis=1)
    assert width[y == "happy"].mean() > width[y == "neutral"].mean() + 0.05


def test_landmark_aligner_puts_eyes_at_fixed_places(crops):
    X, _, _ = crops
    aligner = LandmarkAligner(output_size=(100, 120), eye_distance=0.4, eye_row=0.35)
    out = aligner.fit_transform(X[:10])
    assert out.shape == (10, 100 * 120) and out.dtype == np.float32
    assert aligner.image_shape_ == (SIZE, SIZE)
    left, right = _eye_centres(face_landmarks(out.reshape(-1, 100, 120)))
    np.testing.assert_allclose(left.mean(axis=0), [60 - 24, 35], atol=2.5)
    np.testing.assert_allclose(right.mean(axis=0), [60 + 24, 35], atol=2.5)
    # float64 stays float64; flat and 3-D input agree
    np.testing.assert_array_equal(
        aligner.transform(X[:2].astype(np.float64)).astype(np.float32),
        aligner.transform(X[:2].reshape(2, -1).astype(np.float64)).astype(np.float32),
    )
    assert aligner.transform(X[:2].astype(np.float64)).dtype == np.float64
    names = aligner.get_feature_names_out()
    assert len(names) == 12000 and names[0] == "aligned_pixel0"


def test_landmark_transformers_validate(crops):
    X, _, _ = crops
    with pytest.raises(ValueError, match="output_size=.*two positive integers"):
        LandmarkAligner(output_size=(0, 10)).fit(X[:1])
    with pytest.raises(ValueError, match="eye_row"):
        LandmarkAligner(eye_row=1.5).fit(X[:1])
    with pytest.raises(ValueError, match="not a square number of pixels"):
        LandmarkShape().fit(np.zeros((2, 10)))
    bad = X[:3].copy()
    bad[1, 0, 0] = np.inf
    with pytest.raises(ValueError, match="sample 1"):
        LandmarkShape().fit_transform(bad)
    shape = LandmarkShape().fit(X[:2])
    with pytest.raises(ValueError, match="X has 100 features, but LandmarkShape is expecting "
                                         f"{SIZE * SIZE}"):
        shape.transform(np.zeros((1, 100)))


def test_landmark_transformers_clone_and_pickle(crops, tmp_path):
    X, _, _ = crops
    for est in (LandmarkShape(face_box=0.05), LandmarkAligner(output_size=(64, 64))):
        fitted = clone(est).fit(X[:2])
        again = pickle.loads(pickle.dumps(fitted))
        np.testing.assert_array_equal(again.transform(X[2:4]), fitted.transform(X[2:4]))


@pytest.mark.slow
def test_landmark_pipeline_end_to_end_and_persistence(london, crops, tmp_path):
    _, y, groups = crops
    X = FaceCropper(output_size=(256, 256)).transform(london.images)  # the pipeline's crops
    assert missing_requirements("landmarks_hog_gabor_logreg") is None
    subjects = np.unique(groups)
    test = np.isin(groups, subjects[::5])
    # detect=False on ready crops (the benchmark's way)
    pipe = make_named_pipeline("landmarks_hog_gabor_logreg", detect=False)
    pipe.fit(X[~test], y[~test])
    score = pipe.score(X[test], y[test])
    assert score >= 0.8, score  # subject-grouped, 42 unseen faces (benchmark: 91%)
    # detect=True from raw photo paths gives the same predictions (same crops)
    raw = make_named_pipeline("landmarks_hog_gabor_logreg")
    assert raw.named_steps["crop"].align is None
    assert raw.named_steps["crop"].output_size == (256, 256)
    files = np.asarray(london.filenames, dtype=object)
    raw.fit(list(files[~test]), y[~test])
    np.testing.assert_array_equal(raw.predict(list(files[test])), pipe.predict(X[test]))
    # skops round trip (the default format) keeps predictions
    path = tmp_path / "model.skops"
    save_model(pipe, path)
    np.testing.assert_array_equal(load_model(path).predict(X[test]), pipe.predict(X[test]))


def test_feature_blocks_weigh_alike(crops):
    X, _, _ = crops
    pipe = make_named_pipeline("landmarks_hog_gabor_logreg", detect=False)
    union = pipe.named_steps["features"]
    weights = union.transformer_weights
    # each block is weighted 1/sqrt(its real output width) (136 shape, 5940 HOG, 2560 Gabor)
    widths = {name: block.fit_transform(X[:4]).shape[1]
              for name, block in union.transformer_list}
    assert widths == {"shape": 136, "hog": 5940, "gabor": 2560}
    for name, width in widths.items():
        assert weights[name] ** -2 == pytest.approx(width), name


def test_mirrored_points_is_a_left_right_involution():
    from skemotion.features._landmarks import MIRRORED_POINTS

    assert sorted(MIRRORED_POINTS) == list(range(68))
    np.testing.assert_array_equal(MIRRORED_POINTS[MIRRORED_POINTS], np.arange(68))
    # outer eye corners, mouth corners and the jaw ends swap; nose bridge and chin stay
    assert MIRRORED_POINTS[36] == 45 and MIRRORED_POINTS[48] == 54 and MIRRORED_POINTS[0] == 16
    assert MIRRORED_POINTS[27] == 27 and MIRRORED_POINTS[8] == 8


def test_averaged_landmarks_are_mirror_consistent(crops):
    """Averaging over boxes and the mirror image: the mirrored face gets the mirrored points."""
    from skemotion.features._landmarks import MIRRORED_POINTS

    X, _, _ = crops
    faces = X[:6]
    mirrored = faces[:, :, ::-1]
    for average in (False, True):
        a = face_landmarks(faces, average=average)
        b = face_landmarks(mirrored, average=average)
        b[:, :, 0] = SIZE - 1 - b[:, :, 0]
        gap = np.abs(a - b[:, MIRRORED_POINTS]).mean()
        if average:
            assert gap < 0.5, gap  # pixels; only the rounding of the boxes differs
            # and it moves the points less than a pixel on average from the single run
            assert np.abs(a - face_landmarks(faces)).mean() < 1.5
        else:
            single_gap = gap
    assert single_gap > gap  # one prediction is less mirror-consistent than the average


def test_landmarks_are_memoised_per_image(crops, monkeypatch):
    from skemotion.features import _landmarks

    X, _, _ = crops
    calls = []
    real = _landmarks._face_landmarks_one
    monkeypatch.setattr(_landmarks, "_face_landmarks_one",
                        lambda *args: calls.append(1) or real(*args))
    monkeypatch.setattr(_landmarks, "_CACHE", type(_landmarks._CACHE)())
    first = face_landmarks(X[:5], face_box=0.12)
    assert len(calls) == 5
    again = face_landmarks(X[[4, 0, 2]], face_box=0.12)  # cached, any order
    assert len(calls) == 5
    np.testing.assert_array_equal(again, first[[4, 0, 2]])
    face_landmarks(X[:2], face_box=0.13)  # other settings: computed
    assert len(calls) == 7
    # bounded: the oldest entries go first
    monkeypatch.setattr(_landmarks, "_CACHE_SIZE", 3)
    face_landmarks(X[5:8], face_box=0.12)
    assert len(_landmarks._CACHE) == 3
    with pytest.raises(ValueError, match="read-only"):
        next(iter(_landmarks._CACHE.values()))[0][0, 0] = 1.0


def test_landmark_distances(crops):
    X, _, _ = crops
    shape = LandmarkShape(kind="distances").fit(X[:4])
    dist = shape.transform(X[:4])
    names = shape.get_feature_names_out()
    assert dist.shape == (4, 51 * 50 // 2) and len(names) == dist.shape[1]
    assert names[0] == "distance17_18" and names[-1] == "distance66_67"
    # in units of the outer-eye-corner distance
    np.testing.assert_allclose(dist[:, list(names).index("distance36_45")], 1.0)
    points = face_landmarks(X[:4])
    width = np.linalg.norm(points[:, 48] - points[:, 54], axis=1)
    eyes = np.linalg.norm(points[:, 36] - points[:, 45], axis=1)
    np.testing.assert_allclose(dist[:, list(names).index("distance48_54")], width / eyes)
    with pytest.raises(ValueError, match="kind"):
        LandmarkShape(kind="angles").fit(X[:1])


def test_face_box_detect_finds_the_face_in_any_framing(crops):
    """A face shrunk into a larger canvas: 'detect' follows it, a fixed box cannot."""
    X, _, _ = crops
    face = X[5]  # a crop the fixed box misses by 16 px, with Haar and with YuNet crops alike
    canvas = np.full((240, 240), float(np.median(face)), dtype=np.float32)
    canvas[60:220, 50:210] = face  # the 160 px crop placed off-centre in a 240 px canvas
    expected = face_landmarks(face[None])[0] + [50, 60]
    detected = face_landmarks(canvas[None], face_box="detect")[0]
    fixed = face_landmarks(canvas[None], face_box=0.1)[0]
    inner = slice(17, 68)
    assert np.abs(detected[inner] - expected[inner]).mean() < 4  # pixels
    assert np.abs(fixed[inner] - expected[inner]).mean() > 10
    # the transformers take it too; the pipeline factory passes it to all three
    assert LandmarkShape(face_box="detect").fit_transform(canvas[None]).shape == (1, 136)
    pipe = make_named_pipeline("landmarks_hog_gabor_logreg", detect=False, face_box="detect")
    boxes = {k: v for k, v in pipe.get_params().items() if k.endswith("face_box")}
    assert len(boxes) == 3 and set(boxes.values()) == {"detect"}


def test_face_box_detect_warns_and_names_the_crops_without_a_face(crops):
    X, _, _ = crops
    batch = np.stack([X[0], np.full((SIZE, SIZE), 128.0), X[1], np.zeros((SIZE, SIZE))])
    with pytest.warns(UserWarning, match=r"found no face in 2 of 4 crops \(samples 1, 3\); "
                                         r"their landmarks use the rectangle 0.1") as record:
        points = face_landmarks(batch, face_box="detect")
    assert record[0].filename == __file__
    with pytest.warns(UserWarning, match="found no face") as record:  # through a Pipeline
        make_pipeline(LandmarkShape(face_box="detect")).fit_transform(batch)
    assert record[0].filename == __file__
    np.testing.assert_array_equal(points[3], face_landmarks(batch[3:], face_box=0.1)[0])
    with pytest.raises(ValueError, match="face_box"):
        face_landmarks(batch, face_box="auto")
