"""Thin plotting helpers over scikit-learn's Display objects (matplotlib is imported lazily).

Only what the Displays do not already do: a subject-grouped default splitter for
learning curves, a confusion matrix summed over repeated splits, and a montage
of the difficult images.
"""

import numpy as np
from sklearn.base import is_classifier
from sklearn.model_selection import check_cv

from ..model_selection._split import StratifiedGroupShuffleSplit


def _require_matplotlib():
    try:
        import matplotlib.pyplot as plt  # noqa: F401
    except ImportError as exc:  # pragma: no cover - matplotlib is in the test extras
        raise ImportError("Plotting needs matplotlib: pip install 'skemotion[plot]'") from exc


def plot_learning_curve(
    estimator,
    X,
    y,
    *,
    groups=None,
    cv=None,
    train_sizes=(0.3, 0.55, 0.8, 1.0),
    scoring=None,
    n_jobs=None,
    random_state=0,
    ax=None,
    **kwargs,
):
    """Learning curve with subject-grouped splits by default.

    A thin layer over :meth:`sklearn.model_selection.LearningCurveDisplay.from_estimator`:
    when ``groups`` is given and ``cv`` is not, the splits are
    ``StratifiedGroupShuffleSplit(5, test_size=0.2)``, so no subject is in
    both the training and the test part of any point of the curve.

    Parameters
    ----------
    estimator : classifier
        Unfitted model.
    X : array-like or list of images
        Samples.
    y : array-like of shape (n_samples,)
        Labels.
    groups : array-like of shape (n_samples,), default=None
        Subject ids.
    cv : splitter, int or None, default=None
        Splitter; default as described above (sklearn's default without groups).
    train_sizes : sequence of float or int, default=(0.3, 0.55, 0.8, 1.0)
        Training set sizes (shares of the largest training set).
    scoring : str or callable, default=None
        Scorer; ``None`` uses the estimator's ``score``.
    n_jobs : int or None, default=None
        Parallel fits.
    random_state : int or None, default=0
        Seed of the default splitter (and of the shuffling of training sets).
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure otherwise.
    **kwargs
        More arguments for ``LearningCurveDisplay.from_estimator``.

    Returns
    -------
    display : sklearn.model_selection.LearningCurveDisplay
        ``display.figure_.savefig(path)`` writes it.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    >>> from skemotion import plot_learning_curve
    >>> rng = np.random.RandomState(0)
    >>> y = np.tile(["happy", "neutral"], 30)
    >>> X = rng.normal(size=(60, 3)) + (y == "happy")[:, None]
    >>> display = plot_learning_curve(LinearDiscriminantAnalysis(), X, y,
    ...                               groups=np.repeat(np.arange(30), 2))
    >>> display.test_scores.shape     # 4 training sizes x 5 grouped splits
    (4, 5)
    """
    _require_matplotlib()
    from sklearn.model_selection import LearningCurveDisplay

    if groups is not None:
        if cv is None:
            cv = StratifiedGroupShuffleSplit(5, test_size=0.2, random_state=random_state)
        # the splits are made here, so that groups also work with scikit-learn's
        # metadata routing enabled (which refuses a groups argument)
        cv = list(check_cv(cv, y, classifier=is_classifier(estimator)).split(X, y, groups))
    kwargs.setdefault("score_type", "both")
    kwargs.setdefault("std_display_style", "fill_between")
    return LearningCurveDisplay.from_estimator(
        estimator,
        X,
        y,
        cv=cv,
        train_sizes=np.asarray(train_sizes),
        scoring=scoring,
        n_jobs=n_jobs,
        ax=ax,
        shuffle=True,
        random_state=random_state,
        **kwargs,
    )


def plot_confusion_matrix(result, *, normalize="true", ax=None, **kwargs):
    """Confusion matrix of every prediction made over repeated splits.

    Parameters
    ----------
    result : DifficultImages
        From :func:`~skemotion.model_selection.find_difficult_images` (it holds each
        split's test predictions).
    normalize : {"true", "pred", "all"} or None, default="true"
        As in :class:`~sklearn.metrics.ConfusionMatrixDisplay`; ``"true"`` shows each
        emotion's recall on the diagonal.
    ax : matplotlib Axes, default=None
        Axes to draw on.
    **kwargs
        More arguments for ``ConfusionMatrixDisplay.from_predictions``.

    Returns
    -------
    display : sklearn.metrics.ConfusionMatrixDisplay

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyClassifier
    >>> from skemotion.model_selection import find_difficult_images
    >>> from skemotion import plot_confusion_matrix
    >>> y = np.array(["happy"] * 6 + ["neutral"] * 4)
    >>> X = np.zeros((10, 2))
    >>> result = find_difficult_images(DummyClassifier(), X, y, groups=np.arange(10))
    >>> plot_confusion_matrix(result).confusion_matrix.tolist()
    [[1.0, 0.0], [1.0, 0.0]]
    """
    _require_matplotlib()
    from sklearn.metrics import ConfusionMatrixDisplay

    kwargs.setdefault("values_format", ".2f" if normalize else "d")
    if len(result.classes) > 4:  # e.g. CK+'s 7 emotions: names side by side would touch
        kwargs.setdefault("xticks_rotation", 45)
    display = ConfusionMatrixDisplay.from_predictions(
        result.y_true[result.index],
        result.predicted,
        labels=result.classes,
        normalize=normalize,
        ax=ax,
        **kwargs,
    )
    what = {"true": "Share of each true class (rows sum to 1)",
            "pred": "Share of each predicted class (columns sum to 1)",
            "all": "Share of all test predictions",
            None: "Test predictions (counts)"}[normalize]
    display.ax_.set_title(f"{what}, {result.n_splits} splits pooled", fontsize="medium")
    return display


def plot_difficult_images(
    result, crops, *, n_images=16, min_error_rate=0.0, image_shape=None, n_cols=None, ax=None
):
    """Montage of the most often misclassified images, hardest first.

    Each image is titled ``true->predicted`` (the most frequent wrong answer) and
    ``n_wrong/n_tested`` over the repeated splits. Drawn with
    :class:`~skemotion.ImageGalleryDisplay`; intensities are shown as they are
    (no per-image stretching), as :func:`write_difficult_images` writes them.

    Parameters
    ----------
    result : DifficultImages
        From :func:`~skemotion.model_selection.find_difficult_images`.
    crops : array-like or list of images
        One image per sample, in the order of ``result`` (e.g. FaceCropper output).
    n_images : int, default=16
        Show at most this many images.
    min_error_rate : float, default=0.0
        Only images misclassified in at least this share of the splits that tested them.
    image_shape : tuple of int or None, default=None
        ``(h, w)`` of flat crops; default: square.
    n_cols : int or None, default=None
        Images per row (about the square root of the number shown by default).
    ax : matplotlib Axes, default=None
        Axes to draw into; a new figure otherwise.

    Returns
    -------
    display : ImageGalleryDisplay
        ``display.figure_.savefig(path)`` writes it.

    Raises
    ------
    ValueError
        If no image was misclassified (at ``min_error_rate``).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyClassifier
    >>> from skemotion import plot_difficult_images
    >>> from skemotion.model_selection import find_difficult_images
    >>> y = np.array(["happy"] * 6 + ["neutral"] * 4)
    >>> crops = np.random.RandomState(0).randint(0, 255, size=(10, 8, 8)).astype(np.uint8)
    >>> result = find_difficult_images(DummyClassifier(), crops.reshape(10, -1), y,
    ...                                groups=np.arange(10))
    >>> display = plot_difficult_images(result, crops)
    >>> len(display.axes_), display.axes_[0].get_title()
    (4, 'neutral->happy\\n4/4')
    """
    _require_matplotlib()
    from ..model_selection._difficult import _as_image
    from ._gallery import ImageGalleryDisplay

    if n_images < 1:
        raise ValueError(f"n_images must be at least 1; got {n_images}.")
    rows = result.records(min_error_rate=min_error_rate)[:n_images]
    if not rows:
        raise ValueError(
            f"No image was misclassified in at least {min_error_rate:.0%} of its splits: "
            "nothing to show."
        )
    if len(crops) != len(result.y_true):
        raise ValueError(
            f"crops has {len(crops)} images but the result has {len(result.y_true)} samples."
        )
    images = [
        _as_image(crops[r["id"]], image_shape, source=r["file"] or f"sample {r['id']}")
        for r in rows
    ]
    titles = [f"{r['true']}->{r['predicted_as']}\n{r['n_wrong']}/{r['n_tested']}" for r in rows]
    return ImageGalleryDisplay.from_images(
        images, titles=titles, n_cols=n_cols, ax=ax, normalize="none"
    )
