"""Thin plotting helpers over scikit-learn's Display objects (matplotlib is imported lazily).

Only what the Displays do not already do: a subject-grouped default splitter for
learning curves, a confusion matrix summed over repeated splits, and a montage
of the difficult images.
"""

import numpy as np

from ._split import StratifiedGroupShuffleSplit


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

    if cv is None and groups is not None:
        cv = StratifiedGroupShuffleSplit(5, test_size=0.2, random_state=random_state)
    kwargs.setdefault("score_type", "both")
    kwargs.setdefault("std_display_style", "fill_between")
    return LearningCurveDisplay.from_estimator(
        estimator,
        X,
        y,
        groups=groups,
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
    display = ConfusionMatrixDisplay.from_predictions(
        result.y_true[result.index],
        result.predicted,
        labels=result.classes,
        normalize=normalize,
        ax=ax,
        **kwargs,
    )
    display.ax_.set_title(f"Summed over {result.n_splits} splits")
    return display
