"""Plots render headless (Agg) to PNG files that decode and have a sensible size."""

import cv2
import matplotlib
import numpy as np
import pytest
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.dummy import DummyClassifier

from skemotion import plot_confusion_matrix, plot_learning_curve
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


def test_learning_curve_grouped_png(tmp_path):
    import matplotlib.pyplot as plt

    X, y, groups = _data()
    display = plot_learning_curve(LinearDiscriminantAnalysis(), X, y, groups=groups,
                                  train_sizes=(0.5, 1.0))
    # default splitter keeps subjects apart: 5 grouped splits
    assert display.test_scores.shape == (2, 5)
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
    plt.close(d.figure_)
