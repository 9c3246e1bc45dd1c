"""skemotion.augment: each perturbation does what it says, the transformers are seeded and
keep layouts, and AugmentedClassifier perturbs in fit only."""

import cv2
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, GroupKFold, GroupShuffleSplit, cross_validate
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from skemotion import FlipAugmentedClassifier, HOGTransformer
from skemotion.augment import (
    AugmentedClassifier,
    HorizontalFlip,
    RandomBlur,
    RandomBoxJitter,
    RandomDownscale,
    RandomGamma,
    RandomJPEG,
    RandomNoise,
    RandomRotation,
    add_noise,
    adjust_gamma,
    capture_augmentations,
    gaussian_blur,
    jpeg_compress,
    mirror,
    reduce_resolution,
    rotate,
    shift_box,
)

from _london_crops import london_crops


@pytest.fixture(scope="module")
def faces():
    """Eight 64 px gray London face crops (8, 64, 64), float32 0..255 (read-only)."""
    X, _, _ = london_crops(64)
    return X[:8]


@pytest.fixture(scope="module")
def flat(faces):
    """The same crops flat, (8, 4096), as FaceCropper returns them."""
    return faces.reshape(8, -1)


def _high_frequency_energy(image):
    """Mean squared Laplacian: the energy of the finest detail."""
    return float(np.mean(cv2.Laplacian(np.asarray(image, dtype=np.float64), cv2.CV_64F) ** 2))


def _ellipse(angle):
    """A 101x101 image of a bright ellipse whose long axis is at ``angle`` degrees."""
    image = np.zeros((101, 101), dtype=np.uint8)
    cv2.ellipse(image, (50, 50), (35, 10), -angle, 0, 360, 255, -1)  # cv2: clockwise
    return image


def _orientation(image):
    """Long-axis angle in degrees (counter-clockwise on screen) from image moments."""
    m = cv2.moments(np.asarray(image, dtype=np.float32))
    theta = 0.5 * np.degrees(np.arctan2(2 * m["mu11"], m["mu20"] - m["mu02"]))
    return -theta  # image rows grow downwards


# ------------------------------------------------------------------ plain functions
def test_reduce_resolution_loses_fine_detail_more_the_smaller_the_face(faces):
    face = faces[0]
    energies = [_high_frequency_energy(reduce_resolution(face, width))
                for width in (64, 48, 32, 16)]
    assert energies[0] == pytest.approx(_high_frequency_energy(face))  # >= its own width
    assert energies[0] > energies[1] > energies[2] > energies[3]
    assert energies[3] < 0.2 * energies[0]
    assert reduce_resolution(face, 32).shape == (64, 64)
    # the coarse content stays: the shrunk versions agree at the shrunk size
    small = cv2.resize(face, (16, 16), interpolation=cv2.INTER_AREA)
    back = cv2.resize(reduce_resolution(face, 32), (16, 16), interpolation=cv2.INTER_AREA)
    assert np.abs(back - small).mean() < 3


def test_adjust_gamma_follows_its_formula():
    values = np.linspace(0, 255, 22).reshape(2, 11)
    np.testing.assert_allclose(adjust_gamma(values, gamma=0.6, gain=0.8),
                               255 * 0.8 * (values / 255) ** 0.6)
    np.testing.assert_allclose(adjust_gamma(values, gamma=1.0, gain=2.0),
                               np.minimum(2 * values, 255))  # highlights clip
    as_uint8 = adjust_gamma(np.arange(256, dtype=np.uint8).reshape(2, 128), gamma=2.2)
    assert as_uint8.dtype == np.uint8
    np.testing.assert_array_equal(
        as_uint8.ravel(), np.rint(255 * (np.arange(256) / 255) ** 2.2).astype(np.uint8))
    dark = adjust_gamma(np.full((4, 4), 100.0), gamma=1.8)
    bright = adjust_gamma(np.full((4, 4), 100.0), gamma=0.5)
    assert dark[0, 0] < 100 < bright[0, 0]


@pytest.mark.parametrize("angle", [-25.0, -7.5, 12.0, 30.0])
def test_rotate_turns_counter_clockwise_by_the_angle(angle):
    assert _orientation(_ellipse(0)) == pytest.approx(0, abs=0.5)
    assert _orientation(rotate(_ellipse(0), angle)) == pytest.approx(angle, abs=1.0)
    assert _orientation(rotate(_ellipse(angle), -angle)) == pytest.approx(0, abs=1.0)


def test_shift_box_moves_and_scales_the_content(faces):
    face = faces[1].astype(np.float64)
    moved = shift_box(face, shift=(0.1, -0.05))  # box 6.4 px right, 3.2 px up
    (sx, sy), _ = cv2.phaseCorrelate(face, moved)
    assert sx == pytest.approx(-6.4, abs=0.5) and sy == pytest.approx(3.2, abs=0.5)
    np.testing.assert_allclose(shift_box(face, (0.0, 0.0), 1.0), face, atol=1e-3)
    dots = np.zeros((41, 41))
    dots[20, 30] = 255.0  # 10 px right of the centre
    larger_box = shift_box(dots, scale=2.0)  # the box doubles: the dot is 5 px from the centre
    assert np.unravel_index(np.argmax(larger_box), larger_box.shape) == (20, 25)


def test_gaussian_blur_removes_detail_and_keeps_the_mean(faces):
    face = faces[2]
    assert np.array_equal(gaussian_blur(face, 0), face)
    energies = [_high_frequency_energy(gaussian_blur(face, s)) for s in (0.5, 1.0, 2.0)]
    assert _high_frequency_energy(face) > energies[0] > energies[1] > energies[2]
    assert gaussian_blur(face, 2.0).mean() == pytest.approx(face.mean(), rel=0.01)


def test_jpeg_compress_leaves_more_artefacts_at_lower_quality(faces):
    face = faces[3]
    errors = [np.abs(jpeg_compress(face, q) - np.rint(face)).mean() for q in (95, 60, 30, 5)]
    assert errors == sorted(errors) and errors[0] < 1.5 < errors[-1]
    sizes = [len(cv2.imencode(".jpg", np.rint(face).astype(np.uint8),
                              [cv2.IMWRITE_JPEG_QUALITY, q])[1]) for q in (95, 30)]
    assert sizes[1] < sizes[0]  # what the quality trades: bytes
    # 8x8 blocks: at quality 5 the jumps across block edges exceed those inside blocks
    low = jpeg_compress(face, 5).astype(np.float64)
    steps = np.abs(np.diff(low, axis=1))
    at_edges = steps[:, 7::8].mean()
    inside = np.delete(steps, np.s_[7::8], axis=1).mean()
    assert at_edges > 1.3 * inside
    np.testing.assert_array_equal(jpeg_compress(face, 40), jpeg_compress(face, 40))


def test_add_noise_is_seeded_with_the_given_strength():
    grey = np.full((200, 200), 128.0)
    noisy = add_noise(grey, 10.0, random_state=0)
    assert noisy.std() == pytest.approx(10.0, rel=0.05)
    assert noisy.mean() == pytest.approx(128.0, abs=0.5)
    np.testing.assert_array_equal(noisy, add_noise(grey, 10.0, random_state=0))
    assert not np.array_equal(noisy, add_noise(grey, 10.0, random_state=1))
    assert np.array_equal(add_noise(grey, 0.0, random_state=0), grey)


def test_mirror_flips_left_to_right(faces):
    np.testing.assert_array_equal(mirror(faces[0]), faces[0][:, ::-1])


_FUNCTIONS = [
    (reduce_resolution, {"width": 20}),
    (adjust_gamma, {"gamma": 0.6, "gain": 0.9}),
    (rotate, {"angle": 12.0}),
    (shift_box, {"shift": (0.1, 0.05), "scale": 1.1}),
    (gaussian_blur, {"sigma": 1.0}),
    (jpeg_compress, {"quality": 30}),
    (add_noise, {"sigma": 5.0, "random_state": 0}),
    (mirror, {}),
]


@pytest.mark.parametrize("function, params", _FUNCTIONS, ids=lambda v: getattr(v, "__name__", ""))
@pytest.mark.parametrize("shape, dtype", [((48, 40), np.uint8), ((48, 40), np.float32),
                                          ((48, 40), np.float64), ((48, 40, 3), np.uint8),
                                          ((48, 40, 4), np.uint8), ((48, 40, 3), np.float32)])
def test_functions_keep_shape_dtype_and_range_and_change_the_image(function, params, shape,
                                                                   dtype):
    rng = np.random.default_rng(0)
    image = cv2.GaussianBlur(rng.uniform(0, 255, size=shape), (5, 5), 0).astype(dtype)
    before = image.copy()
    out = function(image, **params)
    assert out.shape == image.shape and out.dtype == image.dtype
    assert out.min() >= 0 and out.max() <= 255
    assert not np.array_equal(out, image)
    np.testing.assert_array_equal(image, before)  # the input is left alone
    if len(shape) == 3 and shape[2] == 4 and function is jpeg_compress:
        np.testing.assert_array_equal(out[:, :, 3], image[:, :, 3])  # alpha untouched


@pytest.mark.parametrize("call, message", [
    (lambda: reduce_resolution(np.zeros((8, 8)), width=1), "'width' parameter"),
    (lambda: adjust_gamma(np.zeros((8, 8)), gamma=0), "'gamma' parameter"),
    (lambda: adjust_gamma(np.zeros((8, 8)), gain=-1), "'gain' parameter"),
    (lambda: rotate(np.zeros((8, 8)), angle=400), "'angle' parameter"),
    (lambda: shift_box(np.zeros((8, 8)), shift=0.1), "'shift' parameter"),
    (lambda: shift_box(np.zeros((8, 8)), shift=(0.1,)), r"shift=\(0.1,\)"),
    (lambda: shift_box(np.zeros((8, 8)), scale=0), "'scale' parameter"),
    (lambda: gaussian_blur(np.zeros((8, 8)), sigma=-1), "'sigma' parameter"),
    (lambda: jpeg_compress(np.zeros((8, 8)), quality=101), "'quality' parameter"),
    (lambda: add_noise(np.zeros((8, 8)), sigma=-2), "'sigma' parameter"),
    (lambda: add_noise(np.zeros((8, 8)), 1.0, random_state="x"), "'random_state' parameter"),
    (lambda: gaussian_blur(np.full((8, 8), -1.0), 1.0), "intensities from -1 to -1"),
    (lambda: gaussian_blur(np.full((8, 8), 300.0), 1.0), "0..255"),
    (lambda: gaussian_blur(np.full((8, 8), np.nan), 1.0), "NaN"),
    (lambda: gaussian_blur(np.zeros((8, 8), dtype=np.int16), 1.0), "dtype int16"),
    (lambda: gaussian_blur(np.zeros(8), 1.0), r"shape \(8,\)"),
    (lambda: gaussian_blur(np.zeros((8, 8, 2)), 1.0), r"shape \(8, 8, 2\)"),
])
def test_bad_parameters_and_images_raise_naming_them(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


# -------------------------------------------------------------------- transformers
_TRANSFORMERS = [
    (RandomDownscale(width=20), reduce_resolution, {"width": 20}),
    (RandomGamma(gamma=0.6, gain=0.9), adjust_gamma, {"gamma": 0.6, "gain": 0.9}),
    (RandomRotation(angle=12.0), rotate, {"angle": 12.0}),
    (RandomBoxJitter(shift=0.1, scale=1.1), shift_box, {"shift": (0.1, 0.1), "scale": 1.1}),
    (RandomBlur(sigma=1.0), gaussian_blur, {"sigma": 1.0}),
    (RandomJPEG(quality=30), jpeg_compress, {"quality": 30}),
    (HorizontalFlip(), mirror, {}),
]

_RANDOM = [RandomDownscale(width=(16, 48)), RandomGamma(gamma=(0.5, 2.0), gain=(0.6, 1.2)),
           RandomRotation(angle=(-15, 15)), RandomBoxJitter(), RandomBlur(sigma=(0.0, 2.0)),
           RandomJPEG(quality=(10, 90)), RandomNoise(sigma=(1.0, 10.0)),
           HorizontalFlip(probability=0.5)]


@pytest.mark.parametrize("transformer, function, params", _TRANSFORMERS,
                         ids=lambda v: type(v).__name__ if hasattr(v, "fit") else "")
def test_fixed_values_apply_the_function_to_every_image(faces, flat, transformer, function,
                                                        params):
    out = transformer.fit_transform(flat)  # flat (n, 4096) in, flat out
    assert out.shape == flat.shape and out.dtype == flat.dtype
    expected = np.stack([function(face, **params) for face in faces])
    np.testing.assert_array_equal(out.reshape(-1, 64, 64), expected)


@pytest.mark.parametrize("transformer", _RANDOM, ids=lambda t: type(t).__name__)
def test_transformers_are_seeded(flat, transformer):
    seeded = clone(transformer).set_params(random_state=0)
    first = seeded.fit_transform(flat)
    np.testing.assert_array_equal(first, seeded.transform(flat))
    np.testing.assert_array_equal(first, clone(seeded).transform(flat))  # no fit needed
    other = clone(transformer).set_params(random_state=1).transform(flat)
    assert not np.array_equal(first, other)
    changed = [not np.array_equal(a, b) for a, b in zip(first, flat)]
    assert sum(changed) >= 2  # draws differ per image: not all left alone


@pytest.mark.parametrize("transformer", _RANDOM, ids=lambda t: type(t).__name__)
def test_transformers_keep_every_layout(faces, flat, transformer, tmp_path):
    transformer = clone(transformer).set_params(random_state=3)
    flat_out = transformer.transform(flat)
    assert flat_out.shape == (8, 4096) and flat_out.dtype == np.float32
    stacked = transformer.transform(faces)
    assert stacked.shape == (8, 64, 64) and stacked.dtype == np.float32
    np.testing.assert_array_equal(stacked.reshape(8, -1), flat_out)
    photos = [np.full((30, 50, 3), 90, np.uint8), np.full((64, 48), 200.0)]
    out = transformer.transform(photos)  # a list of images of any sizes, gray or colour
    assert isinstance(out, list)
    assert [(o.shape, o.dtype) for o in out] == [(p.shape, p.dtype) for p in photos]
    colour = np.stack([cv2.cvtColor(f, cv2.COLOR_GRAY2BGR) for f in faces.reshape(-1, 64, 64)])
    assert transformer.transform(colour).shape == colour.shape
    path = tmp_path / "face.png"
    cv2.imwrite(str(path), np.rint(faces[0].reshape(64, 64)).astype(np.uint8))
    [read] = transformer.transform([str(path)])
    assert read.shape == (64, 64) and read.dtype == np.uint8
    narrow = faces[:, :, :32].reshape(8, -1)  # non-square: image_shape
    assert transformer.set_params(image_shape=(64, 32)).transform(narrow).shape == (8, 2048)


def test_transformer_feature_names_and_checks(flat):
    blur = RandomBlur().fit(flat)
    assert blur.n_features_in_ == 64 * 64
    assert blur.get_feature_names_out()[:2].tolist() == ["x0", "x1"]
    with pytest.raises(ValueError, match="RandomBlur: X has 4095 features|4095"):
        blur.transform(flat[:, :-1])
    with pytest.raises(ValueError, match="RandomGamma: sample 1 has intensities from"):
        RandomGamma().transform([np.zeros((8, 8)), np.full((8, 8), -5.0)])
    with pytest.raises(ValueError, match="not a square number"):
        RandomNoise().fit_transform(np.zeros((2, 10)))


@pytest.mark.parametrize("transformer, message", [
    (RandomBlur(sigma=(2.0, 1.0)), r"RandomBlur: sigma=\(2.0, 1.0\) must be"),
    (RandomBlur(sigma=(0.0, 1.0, 2.0)), r"sigma=\(0.0, 1.0, 2.0\)"),
    (RandomJPEG(quality=(10, 200)), r"RandomJPEG: quality=\(10, 200\)"),
    (RandomJPEG(quality=(10.5, 20)), r"quality=\(10.5, 20\) must be a whole number"),
    (RandomDownscale(width=1), "'width' parameter of RandomDownscale"),
    (RandomGamma(gamma=(0.0, 1.0)), r"RandomGamma: gamma=\(0.0, 1.0\)"),
    (RandomBoxJitter(shift=(-2, 0.1)), r"RandomBoxJitter: shift=\(-2, 0.1\)"),
    (RandomRotation(angle="left"), "'angle' parameter of RandomRotation"),
    (HorizontalFlip(probability=1.5), "'probability' parameter of HorizontalFlip"),
    (RandomJPEG(probability=-0.5), "'probability' parameter of RandomJPEG"),
    (RandomBlur(probability="often"), "'probability' parameter of RandomBlur"),
])
def test_bad_transformer_parameters_raise_naming_them(flat, transformer, message):
    with pytest.raises(ValueError, match=message):
        transformer.fit(flat)


def test_horizontal_flip_probability():
    X = (np.arange(200 * 4) % 256).astype(np.float64).reshape(200, 2, 2)
    assert np.array_equal(HorizontalFlip(probability=0.0).transform(X), X)
    assert np.array_equal(HorizontalFlip().transform(X), X[:, :, ::-1])
    flipped = (HorizontalFlip(probability=0.5, random_state=0).transform(X) != X).any(axis=(1, 2))
    assert 70 < flipped.sum() < 130


@pytest.mark.parametrize("transformer", _RANDOM, ids=lambda t: type(t).__name__)
def test_probability_perturbs_that_share_of_the_images(transformer):
    rng = np.random.default_rng(0)
    X = rng.uniform(20, 230, size=(200, 64, 64))
    never = clone(transformer).set_params(probability=0.0, random_state=0).transform(X)
    np.testing.assert_array_equal(never, X)
    half = clone(transformer).set_params(probability=0.5, random_state=0).transform(X)
    changed = (half != X).any(axis=(1, 2))
    assert 70 < changed.sum() < 130  # about half, drawn per image
    always = clone(transformer).set_params(probability=1.0, random_state=0).transform(X)
    assert (always != X).any(axis=(1, 2)).sum() > changed.sum()


def test_capture_augmentations_probability_makes_a_milder_chain(faces):
    full, mild = capture_augmentations(), capture_augmentations(probability=0.5)
    assert [type(a) for a in mild] == [type(a) for a in full]
    assert [a.probability for a in full] == [0.5] + [1.0] * 7
    assert [a.probability for a in mild] == [0.5] * 8
    X, y = _xy(faces)
    diffs = {}
    for name, chain in (("full", full), ("mild", mild)):
        clf = AugmentedClassifier(_Recorder(max_iter=1000), augmentations=chain,
                                  random_state=0).fit(X, y)
        copies = clf.estimator_.fit_X_[8:]
        diffs[name] = float(np.mean(np.abs(copies - np.tile(X, (2, 1)))))
    assert 0 < diffs["mild"] < diffs["full"]  # copies stay closer to the originals
    for bad in (1.5, -0.1, "half", True):
        with pytest.raises(ValueError, match=r"capture_augmentations: probability=.* in 0..1"):
            capture_augmentations(probability=bad)


def test_augmented_pipeline_probability_names_the_mild_factory():
    from skemotion.augment._pipelines import augmented_pipeline
    from skemotion.pipelines import PIPELINES

    mild = augmented_pipeline(PIPELINES["hog_logreg"], probability=0.5)
    assert mild.__name__ == "hog_logreg_augmented_mild" and "probability 0.5" in mild.__doc__
    assert augmented_pipeline(PIPELINES["hog_logreg"]).__name__ == "hog_logreg_augmented"
    chain = mild().named_steps["classifier"].augmentations
    assert [a.probability for a in chain] == [0.5] * 8
    with pytest.raises(ValueError, match="probability=2"):
        augmented_pipeline(PIPELINES["hog_logreg"], probability=2)


# ------------------------------------------------------------------ meta-estimator
class _Recorder(LogisticRegression):
    """Logistic regression that records what fit and predict received."""

    def fit(self, X, y, sample_weight=None):
        self.fit_X_, self.fit_y_ = np.array(X), np.array(y)
        self.predict_X_ = []
        return super().fit(X, y, sample_weight=sample_weight)

    def predict(self, X):
        self.predict_X_.append(np.array(X))
        return super().predict(X)


def _xy(faces):
    """Flat crops (squeezed to 20..220 so that noise is not clipped) and labels."""
    X = faces.reshape(len(faces), -1) / 255.0 * 200 + 20
    return X, np.tile(["happy", "neutral"], len(faces) // 2)


def test_augmented_classifier_adds_perturbed_copies_in_fit_only(faces):
    X, y = _xy(faces)
    clf = AugmentedClassifier(_Recorder(), augmentations=[RandomBlur(sigma=(0.5, 1.5)),
                                                         RandomNoise(sigma=3.0)],
                              n_copies=3, random_state=0).fit(X, y)
    seen = clf.estimator_.fit_X_
    assert clf.n_training_samples_ == len(seen) == 8 * (1 + 3)
    np.testing.assert_array_equal(seen[:8], X)  # the originals, unchanged, first
    np.testing.assert_array_equal(clf.estimator_.fit_y_, np.tile(y, 4))
    copies = seen[8:].reshape(3, 8, -1)
    for copy in copies:  # perturbed, near their originals, and different per copy
        assert not np.isclose(copy, X).all(axis=1).any()
        assert np.abs(copy - X).mean() < 10
    assert not np.array_equal(copies[0], copies[1])
    test = X[::-1].copy()
    with np.errstate(divide="ignore"):  # a probability of 0 has a log-probability of -inf
        for method in ("predict", "predict_proba", "decision_function", "predict_log_proba"):
            np.testing.assert_array_equal(getattr(clf, method)(test),
                                          getattr(clf.estimator_, method)(test))
    np.testing.assert_array_equal(clf.estimator_.predict_X_[0], test)  # unperturbed
    again = AugmentedClassifier(_Recorder(), augmentations=clf.augmentations, n_copies=3,
                                random_state=0).fit(X, y)
    np.testing.assert_array_equal(again.estimator_.fit_X_, seen)  # seeded fit
    none = AugmentedClassifier(_Recorder(), n_copies=0).fit(X, y)
    np.testing.assert_array_equal(none.estimator_.fit_X_, X)


def test_flip_only_augmentation_is_flip_augmented_classifier(faces):
    X, y = _xy(faces)
    flip = FlipAugmentedClassifier(LogisticRegression(max_iter=1000)).fit(X, y)
    same = AugmentedClassifier(LogisticRegression(max_iter=1000),
                               augmentations=[HorizontalFlip()], n_copies=1).fit(X, y)
    np.testing.assert_allclose(same.estimator_.coef_, flip.estimator_.coef_, rtol=1e-6)


def test_augmented_classifier_default_chain_and_errors(faces):
    X, y = _xy(faces)
    clf = AugmentedClassifier(LogisticRegression(max_iter=1000), random_state=0).fit(X, y)
    assert clf.n_training_samples_ == 24 and clf.image_shape_ == (64, 64)
    assert [type(a) for a in capture_augmentations()] == [
        HorizontalFlip, RandomBoxJitter, RandomRotation, RandomDownscale, RandomBlur,
        RandomGamma, RandomNoise, RandomJPEG]
    with pytest.raises(TypeError, match=r"augmentations\[1\] .* has no transform"):
        AugmentedClassifier(LogisticRegression(), augmentations=[RandomBlur(), "blur"]).fit(X, y)
    shrink = FunctionTransformer(lambda images: images[:, :32])
    with pytest.raises(ValueError, match=r"augmentations\[0\] \(FunctionTransformer\) returned"):
        AugmentedClassifier(LogisticRegression(), augmentations=[shrink]).fit(X, y)
    with pytest.raises(ValueError, match="'n_copies' parameter"):
        AugmentedClassifier(LogisticRegression(), n_copies=-1).fit(X, y)
    with pytest.raises(ValueError, match=r"only one class \('happy'\) in 8 sample"):
        AugmentedClassifier(LogisticRegression()).fit(X, ["happy"] * 8)
    with pytest.raises(NotFittedError):
        AugmentedClassifier(LogisticRegression()).predict(X)
    narrow = X.reshape(8, 64, 64)[:, :, :48].reshape(8, -1)
    fitted = AugmentedClassifier(LogisticRegression(max_iter=1000), image_shape=(64, 48),
                                 random_state=0).fit(narrow, y)
    assert fitted.predict(narrow).shape == (8,)


def test_augmented_classifier_passes_sample_weight_on_and_routes_metadata(faces):
    import sklearn

    X, y = _xy(faces)
    weights = np.linspace(0.2, 3.0, 8)
    augmentations = [HorizontalFlip()]
    expected = LogisticRegression(max_iter=1000).fit(
        np.vstack([X, X.reshape(8, 64, 64)[:, :, ::-1].reshape(8, -1)]), np.r_[y, y],
        sample_weight=np.r_[weights, weights])
    plain = AugmentedClassifier(LogisticRegression(max_iter=1000), augmentations=augmentations,
                                n_copies=1).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(plain.estimator_.coef_, expected.coef_, rtol=1e-6)
    with sklearn.config_context(enable_metadata_routing=True):
        inner = LogisticRegression(max_iter=1000).set_fit_request(sample_weight=True)
        routed = AugmentedClassifier(inner, augmentations=augmentations, n_copies=1)
        routed.fit(X, y, sample_weight=weights)
        np.testing.assert_allclose(routed.estimator_.coef_, expected.coef_, rtol=1e-6)
        meta = AugmentedClassifier(inner, augmentations=augmentations,
                                   n_copies=1).set_score_request(sample_weight=False)
        res = cross_validate(meta, X, y, cv=GroupKFold(2),
                             params={"groups": np.repeat(np.arange(4), 2),
                                     "sample_weight": weights})
        assert len(res["test_score"]) == 2
        with pytest.raises(ValueError, match=r"\[sample_weight\] are passed but are not"):
            AugmentedClassifier(LogisticRegression()).fit(X, y, sample_weight=weights)


def test_copies_never_come_from_test_folds(faces):
    X = np.concatenate([_xy(faces)[0]] * 3)[:20]
    X = X + np.arange(20)[:, None]  # every row distinct
    y = np.repeat([0, 1], 10)
    groups = np.tile(np.arange(10), 2)
    cv = GroupShuffleSplit(3, test_size=0.3, random_state=0)
    res = cross_validate(AugmentedClassifier(_Recorder(max_iter=1000),
                                             augmentations=[HorizontalFlip()], n_copies=1),
                         X, y, groups=groups, cv=cv, return_estimator=True,
                         return_indices=True)
    for est, train, test in zip(res["estimator"], res["indices"]["train"],
                                res["indices"]["test"]):
        rec = est.estimator_
        assert len(rec.fit_X_) == 2 * len(train)
        mirrored = X[test].reshape(-1, 64, 64)[:, :, ::-1].reshape(len(test), -1)
        for row in np.concatenate([X[test], mirrored]):  # no test image, nor its copy
            assert not (rec.fit_X_ == row).all(axis=1).any()
        np.testing.assert_array_equal(rec.predict_X_[0], X[test])


@pytest.mark.slow
def test_augmented_classifier_in_pipeline_and_grid_search():
    X, y, groups = london_crops(64)
    keep = np.isin(groups, np.unique(groups)[:40])  # both photos of 40 people
    X, y, groups = X[keep].reshape(keep.sum(), -1), y[keep], groups[keep]
    inner = make_pipeline(HOGTransformer(), StandardScaler(), LogisticRegression(C=0.01))
    pipe = Pipeline([("classifier", AugmentedClassifier(inner, random_state=0))])
    search = GridSearchCV(pipe, {"classifier__n_copies": [0, 1],
                                 "classifier__estimator__logisticregression__C": [0.01, 0.1]},
                          cv=GroupKFold(3), scoring="balanced_accuracy")
    search.fit(X, y, groups=groups)
    assert search.best_estimator_.named_steps["classifier"].n_training_samples_ == (
        len(X) * (1 + search.best_params_["classifier__n_copies"]))  # refit on all
    assert search.best_score_ > 0.6  # smiles are learnt from HOG, augmented or not


def test_default_pipeline_is_whole_face_hog_trained_with_mild_capture_augmentation():
    from skemotion.pipelines import DEFAULT_PIPELINE, PIPELINES, make_named_pipeline

    assert DEFAULT_PIPELINE == "hog_logreg_augmented_mild_perface" and DEFAULT_PIPELINE in PIPELINES
    assert "fisherface" in PIPELINES  # the tutorial's baseline stays available by name
    assert "lowerface_hog_logreg_augmented" in PIPELINES
    pipe = make_named_pipeline(DEFAULT_PIPELINE, C=0.1)
    crop, augmented = pipe.named_steps["crop"], pipe.named_steps["classifier"]
    assert crop.output_size == (64, 64) and crop.align == "eyes"  # the whole face
    assert isinstance(augmented, AugmentedClassifier)
    assert (augmented.n_copies, augmented.random_state) == (2, 0)
    assert [type(a) for a in augmented.augmentations] == [type(a) for a in
                                                          capture_augmentations()]
    assert [a.probability for a in augmented.augmentations[1:]] == [0.5] * 7
    assert pipe.get_params()["classifier__estimator__classifier__C"] == 0.1
    # hog_logreg's penalty per face: C=0.01 over the crop and its two copies
    default_C = make_named_pipeline(DEFAULT_PIPELINE).get_params()[
        "classifier__estimator__classifier__C"]
    assert default_C == pytest.approx(0.01 / 3)
    # the same steps as hog_logreg inside the augmentation; without copies, the same model
    plain = make_named_pipeline("hog_logreg", detect=False, C=default_C)
    bare = make_named_pipeline(DEFAULT_PIPELINE, detect=False)
    assert [n for n, _ in bare.named_steps["classifier"].estimator.steps] == [
        n for n, _ in plain.steps]
    X, y, _ = london_crops(64)
    X = X.reshape(len(X), -1)
    bare.set_params(classifier__n_copies=0).fit(X[::2], y[::2])
    plain.fit(X[::2], y[::2])
    np.testing.assert_array_equal(bare.predict(X[1::2]), plain.predict(X[1::2]))
