"""Plots render headless (Agg) to PNG files that decode and have a sensible size."""

import cv2
import matplotlib
import numpy as np
import pytest
import sklearn
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.dummy import DummyClassifier

from skemotion import (
    FaceCropper,
    FisherfaceGalleryDisplay,
    FisherFaceClassifier,
    plot_confusion_matrix,
    plot_difficult_images,
    plot_learning_curve,
)
from skemotion.model_selection import StratifiedGroupShuffleSplit, find_difficult_images

matplotlib.use("Agg")


def _data(seed=0, n_subjects=30):
    rng = np.random.RandomState(seed)
    y = np.tile(["happy", "neutral", "surprise"], n_subjects)
    groups = np.repeat(np.arange(n_subjects), 3)
    X = rng.normal(size=(len(y), 4)) + rng.normal(scale=2, size=(3, 4))[np.searchsorted(
        ["happy", "neutral", "surprise"], y)]
    return X, y, groups


def _check_png(path, min_side=200):
    assert path.is_file() and path.stat().st_size > 2000
    img = cv2.imread(str(path))
    assert img is not None, f"{path} does not decode"
    assert min(img.shape[:2]) >= min_side
    assert img.std() > 5  # not a blank canvas
    return img


def test_learning_curve_grouped_png(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    import skemotion.plotting._plots as plotting

    seen = []

    class SpySplit(StratifiedGroupShuffleSplit):
        def split(self, X, y=None, groups=None):
            for train, test in super().split(X, y, groups):
                seen.append((train, test))
                yield train, test

    monkeypatch.setattr(plotting, "StratifiedGroupShuffleSplit", SpySplit)
    X, y, groups = _data()
    display = plot_learning_curve(LinearDiscriminantAnalysis(), X, y, groups=groups,
                                  train_sizes=(0.5, 1.0))
    # the default splitter is subject-grouped: 5 splits, no subject on both sides
    assert display.test_scores.shape == (2, 5) and len(seen) == 5
    for train, test in seen:
        assert not set(np.asarray(groups)[train]) & set(np.asarray(groups)[test])
    assert np.all(display.test_scores > 0.5)
    display.figure_.savefig(tmp_path / "learning_curve.png", dpi=80)
    _check_png(tmp_path / "learning_curve.png")
    plt.close(display.figure_)
    # explicit cv and axes are honoured
    fig, ax = plt.subplots()
    d2 = plot_learning_curve(LinearDiscriminantAnalysis(), X, y, groups=groups, ax=ax,
                             cv=StratifiedGroupShuffleSplit(2, random_state=0),
                             train_sizes=(0.6, 1.0))
    assert d2.ax_ is ax and d2.test_scores.shape == (2, 2)
    plt.close(fig)
    # with scikit-learn's metadata routing on (which refuses a groups argument) the
    # subject-grouped default still applies
    seen.clear()
    with sklearn.config_context(enable_metadata_routing=True):
        d3 = plot_learning_curve(LinearDiscriminantAnalysis(), X, y, groups=groups,
                                 train_sizes=(0.5, 1.0))
    assert d3.test_scores.shape == (2, 5) and len(seen) == 5
    np.testing.assert_array_equal(d3.test_scores, display.test_scores)
    plt.close(d3.figure_)


def test_confusion_matrix_summed_over_splits(tmp_path):
    import matplotlib.pyplot as plt

    X, y, groups = _data()
    res = find_difficult_images(LinearDiscriminantAnalysis(), X, y, groups=groups,
                                cv=StratifiedGroupShuffleSplit(4, random_state=0))
    display = plot_confusion_matrix(res, normalize=None)
    np.testing.assert_array_equal(display.confusion_matrix, res.confusion_matrix())
    assert display.confusion_matrix.sum() == len(res.index)
    assert list(display.display_labels) == ["happy", "neutral", "surprise"]
    display.figure_.savefig(tmp_path / "confusion.png", dpi=80)
    _check_png(tmp_path / "confusion.png")
    plt.close(display.figure_)
    dummy = find_difficult_images(DummyClassifier(), X, y, groups=groups)
    d = plot_confusion_matrix(dummy)
    np.testing.assert_allclose(d.confusion_matrix.sum(axis=1), 1.0)  # rows = recall
    # the title says what the cells hold
    assert d.ax_.get_title() == "Share of each true class (rows sum to 1), 10 splits pooled"
    assert display.ax_.get_title() == "Test predictions (counts), 4 splits pooled"
    assert {t.get_rotation() for t in d.ax_.get_xticklabels()} == {0.0}
    plt.close(d.figure_)
    # seven emotions (CK+): the column names are tilted so that they do not run together
    emotions = ["anger", "disgust", "fear", "happy", "neutral", "sadness", "surprise"]
    y7 = np.tile(emotions, 10)
    seven = find_difficult_images(DummyClassifier(), np.zeros((70, 2)), y7,
                                  groups=np.repeat(np.arange(10), 7))
    d7 = plot_confusion_matrix(seven)
    assert [t.get_text() for t in d7.ax_.get_xticklabels()] == emotions
    assert {t.get_rotation() for t in d7.ax_.get_xticklabels()} == {45.0}
    plt.close(d7.figure_)


@pytest.fixture(scope="module")
def london_crops(london):
    """Real 48x48 face crops of 40 London photos (20 subjects)."""
    keep = np.isin(london.groups, np.unique(london.groups)[:20])
    images = [im for im, k in zip(london.images, keep) if k]
    X = FaceCropper(output_size=48, on_missing="full_image").fit_transform(images)
    return X, london.target[keep], london.groups[keep], london.filenames[keep]


def test_difficult_images_montage_png(tmp_path, london_crops):
    import matplotlib.pyplot as plt

    X, y, groups, files = london_crops
    res = find_difficult_images(FisherFaceClassifier(), X, y, groups=groups, filenames=files,
                                cv=StratifiedGroupShuffleSplit(4, random_state=0))
    rows = res.records()
    assert rows  # Fisherfaces on 32 training faces do get some wrong
    display = plot_difficult_images(res, X, n_images=6)
    shown = min(6, len(rows))
    assert len(display.axes_) == shown
    # hardest first, titled true->predicted and n_wrong/n_tested
    first = rows[0]
    assert display.axes_[0].get_title() == (
        f"{first['true']}->{first['predicted_as']}\n{first['n_wrong']}/{first['n_tested']}")
    # the crop is shown as it is (gray 48x48), not re-stretched
    np.testing.assert_array_equal(display.images_[0].get_array(),
                                  np.clip(np.rint(X[first["id"]]), 0, 255).reshape(48, 48))
    display.figure_.savefig(tmp_path / "difficult.png", dpi=80)
    _check_png(tmp_path / "difficult.png", min_side=100)
    plt.close(display.figure_)
    with pytest.raises(ValueError, match="nothing to show"):
        plot_difficult_images(res, X, min_error_rate=1.01)
    with pytest.raises(ValueError, match="crops has 3 images"):
        plot_difficult_images(res, X[:3])


def test_fisherface_gallery_png(tmp_path, london_crops):
    import matplotlib.pyplot as plt

    X, y, _, _ = london_crops
    clf = FisherFaceClassifier(image_shape=(48, 48)).fit(X, y)
    display = FisherfaceGalleryDisplay.from_estimator(clf, include_mean=True)
    assert len(display.axes_) == 2  # mean face + the one Fisherface of 2 classes
    display.figure_.savefig(tmp_path / "fisherfaces.png", dpi=80)
    _check_png(tmp_path / "fisherfaces.png", min_side=100)
    plt.close(display.figure_)
