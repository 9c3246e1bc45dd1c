"""FisherFaceClassifier: agreement with OpenCV, the fitted model, scores, threshold, bad input."""

import cv2
import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GroupKFold, cross_val_score

from _london_crops import london_crops, subject_split
from skemotion import FisherFaceClassifier


def _opencv(X, y_idx, **kwargs):
    recognizer = cv2.face.FisherFaceRecognizer_create(**kwargs)
    recognizer.train([np.asarray(x) for x in X], np.asarray(y_idx, dtype=np.int32))
    return recognizer


def _both_classes(y, n):
    """Indices of the first n/2 happy and the first n/2 neutral images."""
    return np.concatenate(
        [np.flatnonzero(y == "happy")[: n // 2], np.flatnonzero(y == "neutral")[: n // 2]]
    )


def _four_classes(y, groups):
    """Emotion x subject-parity: 4 classes with a real (emotion) and a noise factor."""
    parity = np.array([int(g) % 2 for g in groups])
    return np.array([f"{label}-{p}" for label, p in zip(y, parity)], dtype=object)


@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.slow
def test_agrees_with_opencv_64px_subject_splits(n_classes):
    X, y, groups = london_crops(64)
    if n_classes == 4:
        y = _four_classes(y, groups)
    acc_ours, acc_cv, agree = [], [], []
    for seed in range(3):
        train, test = subject_split(groups, seed)
        clf = FisherFaceClassifier().fit(X[train], y[train])
        y_idx = np.searchsorted(clf.classes_, y[train])
        rec = _opencv(X[train], y_idx)
        cv_pred = clf.classes_[[rec.predict(x)[0] for x in X[test]]]
        ours = clf.predict(X[test])
        agree.append(np.mean(ours == cv_pred))
        acc_ours.append(np.mean(ours == y[test]))
        acc_cv.append(np.mean(cv_pred == y[test]))
    assert min(agree) >= 0.99, agree
    assert abs(np.mean(acc_ours) - np.mean(acc_cv)) <= 0.01
    if n_classes == 2:  # Fisherfaces learns something on neutral vs happy
        assert np.mean(acc_ours) > 0.6


def test_model_matches_opencv_axes_scale_and_projections():
    """OpenCV's axis lengths (JAMA eigenvectors: unit part orthogonal to earlier axes)."""
    X, y, groups = london_crops(64)
    y4 = _four_classes(y, groups)
    train, test = subject_split(groups, 0)
    clf = FisherFaceClassifier().fit(X[train], y4[train])
    rec = _opencv(X[train], np.searchsorted(clf.classes_, y4[train]))
    cv_vectors = rec.getEigenVectors()  # (n_pixels, n_classes - 1)
    assert clf.components_.shape == cv_vectors.T.shape == (3, 64 * 64)
    np.testing.assert_allclose(clf.eigenvalues_, rec.getEigenValues().ravel(), rtol=1e-3)
    np.testing.assert_allclose(clf.mean_, rec.getMean().ravel(), rtol=1e-5, atol=1e-3)
    cos = np.abs(np.sum(clf.components_ * cv_vectors.T, axis=1))
    cos /= np.linalg.norm(clf.components_, axis=1) * np.linalg.norm(cv_vectors, axis=0)
    np.testing.assert_allclose(cos, 1.0, atol=1e-4)
    # same axis lengths => same distances => same nearest neighbours
    lengths = np.linalg.norm(clf.components_, axis=1)
    np.testing.assert_allclose(lengths, np.linalg.norm(cv_vectors, axis=0), rtol=1e-4)
    assert lengths[0] == pytest.approx(1.0) and lengths[2] > 1.01  # not unit-normalised
    cv_proj = (X[test].reshape(test.sum(), -1) - rec.getMean()) @ cv_vectors
    np.testing.assert_allclose(np.abs(clf.transform(X[test])), np.abs(cv_proj), rtol=0.05, atol=0.5)
    # sklearn's LDA scaling (unit within-class variance) would give other axis lengths
    within = clf.projections_ - np.stack(
        [clf.projections_[clf.projection_labels_ == c].mean(0) for c in range(4)]
    )[clf.projection_labels_]
    assert not np.allclose(within.std(axis=0), within.std(axis=0)[0], rtol=0.1)


@pytest.mark.slow
def test_agrees_with_opencv_350px_subset():
    X, y, groups = london_crops(350)
    train, test = subject_split(groups, 1)
    train_idx = np.flatnonzero(train)[:100]
    clf = FisherFaceClassifier().fit(X[train_idx], y[train_idx])
    rec = _opencv(X[train_idx], np.searchsorted(clf.classes_, y[train_idx]))
    cv_pred = clf.classes_[[rec.predict(x)[0] for x in X[test]]]
    assert np.mean(clf.predict(X[test]) == cv_pred) >= 0.99
    assert clf.fisherfaces_.shape == (1, 350, 350)


def test_opencv_solver_reproduces_opencv():
    X, y, groups = london_crops(64)
    y4 = _four_classes(y, groups)
    train, test = subject_split(groups, 2)
    clf = FisherFaceClassifier(solver="opencv").fit(X[train], y4[train])
    rec = _opencv(X[train], np.searchsorted(clf.classes_, y4[train]))
    cv_pred = clf.classes_[[rec.predict(x)[0] for x in X[test]]]
    np.testing.assert_array_equal(clf.predict(X[test]), cv_pred)
    gram = FisherFaceClassifier().fit(X[train], y4[train])
    np.testing.assert_allclose(
        np.abs(clf.transform(X[test])), np.abs(gram.transform(X[test])), rtol=0.05, atol=0.5
    )


def test_threshold_matches_opencv_and_unknown_labels():
    X, y, groups = london_crops(64)
    train, test = subject_split(groups, 0)
    clf = FisherFaceClassifier().fit(X[train], y[train])
    nearest = clf.nearest_distances(X[test]).min(axis=1)
    threshold = float(np.median(nearest))
    clf_t = FisherFaceClassifier(threshold=threshold).fit(X[train], y[train])
    pred = clf_t.predict(X[test])
    assert clf_t.unknown_label_ == "unknown"
    np.testing.assert_array_equal(pred == "unknown", nearest >= threshold)
    assert 0 < np.sum(pred == "unknown") < len(pred)
    y_idx = np.searchsorted(clf.classes_, y[train])
    rec = _opencv(X[train], y_idx, threshold=threshold)
    cv_labels = np.array([rec.predict(x)[0] for x in X[test]])
    assert np.mean((cv_labels == -1) == (pred == "unknown")) >= 0.99

    # integer labels: OpenCV's -1; a custom label; a label colliding with a class
    y_int = np.where(y == "happy", 3, 7)
    clf_int = FisherFaceClassifier(threshold=threshold).fit(X[train], y_int[train])
    assert clf_int.unknown_label_ == -1
    assert set(np.unique(clf_int.predict(X[test]))) <= {-1, 3, 7}
    assert -1 in clf_int.predict(X[test])
    clf_c = FisherFaceClassifier(threshold=threshold, unknown_label="?").fit(X[train], y[train])
    assert "?" in clf_c.predict(X[test])
    with pytest.raises(ValueError, match="unknown_label 'happy' is also a class"):
        FisherFaceClassifier(threshold=1.0, unknown_label="happy").fit(X[train], y[train])


def test_shapes_inputs_and_fisherfaces():
    X, y, groups = london_crops(64)
    idx = _both_classes(y, 80)
    X, y = X[idx], y[idx]
    three_d = FisherFaceClassifier().fit(X, y)
    flat = FisherFaceClassifier().fit(X.reshape(80, -1), y)
    listed = FisherFaceClassifier().fit(list(X), y)
    for clf in (three_d, flat, listed):
        assert clf.fisherfaces_.shape == (1, 64, 64)
        assert clf.image_shape_ == (64, 64)
        assert clf.n_features_in_ == 64 * 64
        assert clf.projections_.shape == (80, 1)
        assert clf.n_pca_components_ == 80 - 2
    np.testing.assert_array_equal(three_d.predict(X), flat.predict(X.reshape(80, -1)))
    np.testing.assert_allclose(three_d.transform(list(X)), flat.transform(X.reshape(80, -1)))
    # non-square flat images: flat fisherfaces unless image_shape is given
    rect = X[:, :, :48].reshape(80, -1)
    assert FisherFaceClassifier().fit(rect, y).fisherfaces_.shape == (1, 64 * 48)
    shaped = FisherFaceClassifier(image_shape=(64, 48)).fit(rect, y)
    assert shaped.fisherfaces_.shape == (1, 64, 48)
    with pytest.raises(ValueError, match=r"^FisherFaceClassifier: image_shape=\(10, 10\) does "
                                         r"not match the 3072"):
        FisherFaceClassifier(image_shape=(10, 10)).fit(rect, y)
    assert list(flat.get_feature_names_out()) == ["fisherfaceclassifier0"]
    assert flat.classes_.tolist() == ["happy", "neutral"]


def test_scores_consistent_with_predict():
    X, y, groups = london_crops(64)
    y4 = _four_classes(y, groups)
    train, test = subject_split(groups, 1)
    clf = FisherFaceClassifier().fit(X[train], y4[train])
    pred = clf.predict(X[test])
    proba = clf.predict_proba(X[test])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], pred)
    np.testing.assert_allclose(np.log(proba), clf.predict_log_proba(X[test]), rtol=1e-6)
    np.testing.assert_array_equal(clf.classes_[clf.decision_function(X[test]).argmax(1)], pred)
    assert clf.score(X[test], y4[test]) == np.mean(pred == y4[test])
    binary = FisherFaceClassifier().fit(X[train], y[train])
    dec = binary.decision_function(X[test])
    assert dec.shape == (test.sum(),)
    np.testing.assert_array_equal(binary.classes_[(dec > 0).astype(int)], binary.predict(X[test]))
    # the training faces are their own nearest neighbours
    np.testing.assert_array_equal(binary.predict(X[train]), y[train])


def test_never_builds_a_pixel_by_pixel_matrix():
    # 24 images of 200 000 pixels: a d x d float32 matrix would need 160 GB
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 200_000)).astype(np.float32)
    y = np.repeat([0, 1, 2], 8)
    X[y == 1, :1000] += 1.0
    clf = FisherFaceClassifier().fit(X, y)
    assert clf.components_.shape == (2, 200_000)
    np.testing.assert_array_equal(clf.predict(X), y)


def test_duplicate_images_rank_deficient():
    X, y, _ = london_crops(64)
    idx = _both_classes(y, 20)
    X = np.concatenate([X[idx], X[idx]])
    y = np.concatenate([y[idx], y[idx]])
    clf = FisherFaceClassifier().fit(X, y)
    assert clf.n_pca_components_ <= 19
    assert np.all(np.isfinite(clf.components_))
    np.testing.assert_array_equal(clf.predict(X), y)


# ---------------------------------------------------------------- bad input
@pytest.fixture(scope="module")
def small():
    X, y, _ = london_crops(64)
    idx = _both_classes(y, 30)
    return X[idx].reshape(30, -1), y[idx]


def test_one_class(small):
    X, _ = small
    # the label as the user wrote it, not numpy's repr (np.str_('happy') on numpy 2)
    with pytest.raises(ValueError, match=r"Fisherfaces needs at least two classes.* class "
                                         r"\('happy'\) in"):
        FisherFaceClassifier().fit(X, ["happy"] * len(X))


def test_cv_split_leaving_one_class():
    X, y, _ = london_crops(64)
    X = X[:40].reshape(40, -1)
    y = np.array(["happy"] * 20 + ["neutral"] * 20)
    groups = (np.arange(40) >= 20).astype(int)  # each group holds one class
    with pytest.raises(ValueError, match="at least two classes.*split left one class"):
        cross_val_score(FisherFaceClassifier(), X, y, groups=groups, cv=GroupKFold(2),
                        error_score="raise")


def test_too_few_samples(small):
    X, _ = small
    with pytest.raises(ValueError, match="more samples than classes.*3 samples for 3 classes"):
        FisherFaceClassifier().fit(X[:3], ["a", "b", "c"])


def test_mixed_image_sizes_name_the_sample():
    X, y, _ = london_crops(64)
    images = list(X[:6])
    images[4] = images[4][:60, :60]
    with pytest.raises(ValueError, match=r"Sample 4 of X has shape \(60, 60\) but sample 0"):
        FisherFaceClassifier().fit(images, y[:6])


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_inf_name_the_sample(small, bad):
    X, y = small
    X = X.copy()
    X[7, 100] = bad
    with pytest.raises(ValueError, match="sample 7 has (NaN|infinite)"):
        FisherFaceClassifier().fit(X, y)
    clf = FisherFaceClassifier().fit(small[0], y)
    with pytest.raises(ValueError, match="sample 7 has"):
        clf.predict(X)


def test_colour_images_rejected(small):
    X, y = small
    colour = np.repeat(X.reshape(30, 64, 64)[..., None], 3, axis=3)
    with pytest.raises(ValueError, match=r"shape \(30, 64, 64, 3\).*colour"):
        FisherFaceClassifier().fit(colour, y)
    with pytest.raises(ValueError, match=r"Sample 0 of X has shape \(64, 64, 3\): a colour"):
        FisherFaceClassifier().fit(list(colour), y)
    clf = FisherFaceClassifier().fit(X, y)
    with pytest.raises(ValueError, match="ONE colour image"):
        clf.predict(colour[0])


def test_predict_before_fit(small):
    X, _ = small
    with pytest.raises(NotFittedError):
        FisherFaceClassifier().predict(X)


def test_different_number_of_pixels_at_predict(small):
    X, y = small
    clf = FisherFaceClassifier().fit(X.reshape(30, 64, 64), y)
    with pytest.raises(ValueError, match=r"images of shape \(32, 32\).*fitted on images of shape"
                                         r" \(64, 64\)"):
        clf.predict(np.zeros((2, 32, 32)))
    with pytest.raises(ValueError, match="X has 1024 features, but FisherFaceClassifier is "
                                         "expecting 4096"):
        clf.predict(np.zeros((2, 1024)))


def test_opencv_solver_without_cv2_face_says_what_to_install(monkeypatch):
    # opencv-python (not -contrib) has no cv2.face: one line naming the wheel, no AttributeError
    from skemotion.faces._cascades import OpenCVFeatureMissingError

    X = np.random.default_rng(0).uniform(0, 255, size=(8, 16))
    y = np.array([0, 1] * 4)
    monkeypatch.delattr(cv2, "face")
    with pytest.raises(OpenCVFeatureMissingError,
                       match=r"^FisherFaceClassifier\(solver='opencv'\) needs cv2\.face, which "
                             r"this OpenCV .*: pip install \"opencv-contrib-python>=4\.8,"
                             r"!=5\.0\.\*,<6\" \(cv2\.face is in the contrib wheel") as info:
        FisherFaceClassifier(solver="opencv").fit(X, y)
    assert "\n" not in str(info.value)
    assert FisherFaceClassifier().fit(X, y).predict(X).shape == (8,)  # "gram" needs no cv2.face
