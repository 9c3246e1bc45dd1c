"""ImageGalleryDisplay / FisherfaceGalleryDisplay (matplotlib Agg, set in conftest)."""

import sys

import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from _london_crops import london_crops
from skemotion import FisherFaceClassifier, FisherfaceGalleryDisplay, ImageGalleryDisplay
from skemotion.pipelines import make_fisherface_pipeline


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_gallery_layout_titles_and_given_ax():
    images = [np.full((6, 4), v, dtype=np.uint8) for v in range(5)]
    disp = ImageGalleryDisplay.from_images(images, titles=list("abcde"), n_cols=2)
    assert len(disp.axes_) == 5 and len(disp.images_) == 5
    assert [a.get_title() for a in disp.axes_] == list("abcde")
    # 2 columns, 3 rows: same left edge for images 0, 2, 4; rows go down
    disp.figure_.canvas.draw()
    lefts = [a.get_position().x0 for a in disp.axes_]
    bottoms = [a.get_position().y0 for a in disp.axes_]
    assert lefts[0] == pytest.approx(lefts[2]) and lefts[2] == pytest.approx(lefts[4])
    assert lefts[0] < lefts[1]
    assert bottoms[0] > bottoms[2] > bottoms[4]
    np.testing.assert_array_equal(disp.images_[3].get_array(), images[3])
    fig, ax = plt.subplots()
    disp2 = ImageGalleryDisplay(images[:2]).plot(ax=ax)
    assert disp2.ax_ is ax and disp2.figure_ is fig


@pytest.mark.parametrize("size", [(3, 2), (8, 5)])
def test_gallery_title_clears_the_image_titles_and_stays_in_the_figure(size):
    images = [np.full((20, 20), v, dtype=np.uint8) for v in range(4)]
    for given_ax in (False, True):
        ax = plt.subplots(figsize=size)[1] if given_ax else None
        disp = ImageGalleryDisplay.from_images(images, titles=["mean face", "b", "c", "d"],
                                               n_cols=2, ax=ax, title="A gallery title")
        if not given_ax:
            disp.figure_.set_size_inches(*size)
        disp.figure_.canvas.draw()
        renderer = disp.figure_.canvas.get_renderer()
        title = disp.ax_.title.get_window_extent(renderer)
        for sub in disp.axes_[:2]:  # the top row
            assert not title.overlaps(sub.title.get_window_extent(renderer)), given_ax
            assert title.y0 > sub.title.get_window_extent(renderer).y1
        if not given_ax:  # the figure made here holds its title
            assert title.y1 <= disp.figure_.bbox.y1 + 0.5


def test_gallery_colour_flat_and_errors():
    bgr = np.zeros((4, 4, 3), dtype=np.uint8)
    bgr[..., 0] = 255  # blue in OpenCV's order
    disp = ImageGalleryDisplay.from_images([bgr, np.arange(16.0)], normalize="none")
    shown = np.asarray(disp.images_[0].get_array())
    assert shown[0, 0, 2] == 255 and shown[0, 0, 0] == 0  # shown as RGB
    assert disp.images_[1].get_array().shape == (4, 4)
    with pytest.raises(ValueError, match="Image 0 is flat with 15 pixels"):
        ImageGalleryDisplay.from_images([np.zeros(15)])
    with pytest.raises(ValueError, match="Got 1 titles for 2 images"):
        ImageGalleryDisplay.from_images([bgr, bgr], titles=["x"])
    with pytest.raises(ValueError, match="at least one image"):
        ImageGalleryDisplay.from_images([])


def test_matplotlib_imported_lazily():
    """Importing skemotion (and using it without plots) does not import matplotlib: checked in
    a fresh interpreter, since this test process has matplotlib loaded already."""
    import os
    import subprocess

    code = ("import sys, numpy as np, skemotion, skemotion.datasets, skemotion.model_selection; "
            "skemotion.FisherFaceClassifier().fit(np.random.default_rng(0).random((6, 16)), "
            "[0, 1] * 3); print(sorted(m for m in sys.modules if m.startswith('matplotlib')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, env={**os.environ, "MPLBACKEND": "Agg"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", result.stdout


def test_fisherface_gallery_from_estimator_and_pipeline():
    X, y, groups = london_crops(32)
    y4 = np.array([f"{a}-{int(g) % 2}" for a, g in zip(y, groups)])
    clf = FisherFaceClassifier().fit(X, y4)
    disp = FisherfaceGalleryDisplay.from_estimator(clf, include_mean=True)
    assert len(disp.axes_) == 4
    assert disp.axes_[0].get_title() == "mean face"
    assert disp.axes_[1].get_title().startswith("Fisherface 1 (eigenvalue")
    np.testing.assert_allclose(disp.images_[2].get_array(), clf.fisherfaces_[1])
    assert len(FisherfaceGalleryDisplay.from_estimator(clf, n_components=1).axes_) == 1
    pipe = make_fisherface_pipeline(detect=False).fit(X, y)
    assert len(FisherfaceGalleryDisplay.from_estimator(pipe).axes_) == 1


def test_fisherface_gallery_errors():
    with pytest.raises(NotFittedError):
        FisherfaceGalleryDisplay.from_estimator(FisherFaceClassifier())
    X, y, _ = london_crops(32)
    rect = X[:, :, :30].reshape(len(X), -1)
    clf = FisherFaceClassifier().fit(rect, y)
    with pytest.raises(ValueError, match="refit it with image_shape"):
        FisherfaceGalleryDisplay.from_estimator(clf)
    # Fisherfaces of LBP histograms are not images: say so, not "refit with image_shape"
    from skemotion.pipelines import PIPELINES

    lbp = PIPELINES["lbp_fisherface"](detect=False).fit(X, y)
    with pytest.raises(ValueError, match=r"fitted on features \(lbp\), not on face pixels"):
        FisherfaceGalleryDisplay.from_estimator(lbp)
