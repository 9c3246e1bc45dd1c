"""Emotion subsets as a hyper-parameter: a meta-estimator trained and scored on chosen classes."""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, _fit_context, clone
from sklearn.metrics import balanced_accuracy_score
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.validation import _num_samples, check_is_fitted, column_or_1d

from .._emotions import _dedupe, _split_names, canonical_emotion
from ..utils._metaestimators import (
    _delegated,
    _estimator_has,
    _FitParamsToEstimatorMixin,
    _take,
)

#: How the prediction methods' docstrings describe their input.
_SAMPLES_DOC = dict(of="the samples, from the estimator fitted on the kept emotions "
                       "(``classes_``)", x_doc="array-like or list of images")


def _as_label_list(emotions):
    """The labels of ``emotions`` as given (not canonicalised), each once; or ``None``."""
    parts = _split_names(emotions)
    return None if parts is None else _dedupe(parts)


class EmotionSubset(_FitParamsToEstimatorMixin, MetaEstimatorMixin, ClassifierMixin,
                    BaseEstimator):
    """Train and score a classifier on a subset of the emotions only.

    Makes "which emotions" a hyper-parameter that scikit-learn's own search
    classes can vary: in ``GridSearchCV(EmotionSubset(pipe), {"emotions":
    [...]}, cv=StratifiedGroupShuffleSplit(...))`` every candidate sees the
    same splits of the full data set; ``fit`` keeps the training samples of
    its emotions, ``score`` keeps the test samples of its emotions, so each
    subset is trained and scored on its own classes over identical splits.

    Parameters
    ----------
    estimator : classifier
        The classifier (usually a Pipeline) to train on the subset; cloned in ``fit``.
    emotions : sequence of str, str or None, default=None
        Labels to keep, as they appear in ``y`` (``("anger", "happy")`` or the string
        ``"anger,happy"``); emotion aliases such as ``"happiness"`` select the samples
        of their canonical name (``"happy"``) when only that occurs in ``y``. ``None``
        keeps every class (plain pass-through). Each label must occur in the training
        data; at least two are needed.

    Attributes
    ----------
    estimator_ : classifier
        The fitted clone of ``estimator``.
    emotions_ : ndarray of str
        The labels kept (the classes seen in training).
    classes_ : ndarray
        Classes of ``estimator_``: the kept labels.
    n_features_in_ : int
        Number of features of ``X`` when the inner estimator records it.

    See Also
    --------
    make_subset_scorer : Build other subset-aware scorers for ``scoring=``.
    skemotion.model_selection.StratifiedGroupShuffleSplit : Subject-grouped splits.

    Notes
    -----
    :meth:`score` returns *chance-adjusted* balanced accuracy
    (``balanced_accuracy_score(..., adjusted=True)``): 0 is chance level and 1 is
    perfect whatever the number of classes, so a 3-emotion and a 7-emotion subset
    can be compared in one ``cv_results_`` table (plain accuracy would favour small
    subsets: chance is 1/3 against 1/7). Keep the search's ``scoring=None`` (the
    default) to use it, or pass scorers made with :func:`make_subset_scorer`;
    ordinary scorer strings such as ``"accuracy"`` would score the predictions for
    test images of emotions outside the subset too, which is meaningless.

    Samples whose label is not in the subset are dropped in ``fit`` and ``score``;
    :meth:`predict` answers one of the kept labels for any input.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skemotion.model_selection import EmotionSubset, StratifiedGroupShuffleSplit
    >>> rng = np.random.RandomState(0)
    >>> y = np.repeat(["anger", "happy", "neutral", "sadness"], 30)
    >>> X = rng.normal(size=(120, 5)) + (y == "happy")[:, None] * 3
    >>> groups = np.tile(np.arange(30), 4)        # 30 subjects, one image per emotion
    >>> search = GridSearchCV(
    ...     EmotionSubset(LinearDiscriminantAnalysis()),
    ...     {"emotions": [("happy", "neutral"), ("anger", "sadness"), None]},
    ...     cv=StratifiedGroupShuffleSplit(n_splits=3, random_state=0),
    ... )
    >>> search.fit(X, y, groups=groups).best_params_
    {'emotions': ('happy', 'neutral')}
    >>> search.best_estimator_.classes_.tolist()
    ['happy', 'neutral']
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"])],
        "emotions": ["array-like", str, None],
    }

    def __init__(self, estimator, emotions=None):
        self.estimator = estimator
        self.emotions = emotions

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Fit a clone of ``estimator`` on the samples whose label is in ``emotions``.

        Parameters
        ----------
        X : array-like or list of images
            Training data (anything the inner estimator accepts), indexed per sample.
        y : array-like of shape (n_samples,)
            Labels.
        **fit_params : dict
            Passed to the inner estimator's ``fit`` (per-sample arrays are subset too).
            With scikit-learn's metadata routing enabled, only what the inner
            estimator requests (``set_fit_request``).

        Returns
        -------
        self : EmotionSubset
            Fitted meta-estimator.
        """
        if y is None:
            raise ValueError("EmotionSubset requires y to be passed, but the target y is None.")
        y = column_or_1d(np.asarray(y), warn=True)
        n = _num_samples(X)
        if len(y) != n:
            raise ValueError(f"X has {n} samples but y has {len(y)} labels.")
        if y.dtype == object:
            names = [isinstance(v, str) for v in y]  # np.str_ is a str too
            if any(names) and not all(names):
                other = sorted({type(v).__name__ for v, name in zip(y, names) if not name})
                raise ValueError(
                    f"y mixes labels of different types (str and {', '.join(other)}): give "
                    "all labels as names ('happy') or all as numbers."
                )
        wanted = _as_label_list(self.emotions)
        present = np.unique(y)
        if wanted is None:
            idx = None  # pass-through: X and fit params untouched
        else:
            known = set(present.tolist())
            wanted = _dedupe([_match_label(e, known) for e in wanted])
            missing = [e for e in wanted if e not in known]
            if missing:
                raise ValueError(
                    f"EmotionSubset(emotions={self.emotions!r}): {', '.join(map(repr, missing))} "
                    f"not among the training labels ({', '.join(map(str, present))})."
                )
            if len(wanted) < 2:
                raise ValueError(
                    f"EmotionSubset needs at least 2 emotions; got {self.emotions!r}."
                )
            idx = _kept_index(y, wanted)
        self.estimator_ = clone(self.estimator).fit(
            _take(X, idx), y if idx is None else y[idx],
            **self._estimator_fit_params(fit_params, n, idx)
        )
        self.classes_ = self.estimator_.classes_
        self.emotions_ = np.asarray(self.classes_)
        if hasattr(self.estimator_, "n_features_in_"):
            self.n_features_in_ = self.estimator_.n_features_in_
        if hasattr(self.estimator_, "feature_names_in_"):
            self.feature_names_in_ = self.estimator_.feature_names_in_
        return self

    def _inner_and_input(self, X):
        check_is_fitted(self)
        return self.estimator_, X

    predict = _delegated("predict", **_SAMPLES_DOC)
    predict_proba = _delegated("predict_proba", available=_estimator_has, **_SAMPLES_DOC)
    predict_log_proba = _delegated("predict_log_proba", available=_estimator_has, **_SAMPLES_DOC)
    decision_function = _delegated("decision_function", available=_estimator_has, **_SAMPLES_DOC)

    def subset(self, X, y):
        """Return ``(X, y)`` restricted to the samples whose label is one of ``emotions_``.

        Parameters
        ----------
        X : array-like or list of images
            Samples.
        y : array-like of shape (n_samples,)
            Labels.

        Returns
        -------
        X_subset, y_subset : tuple
            The kept samples (same container type as ``X``) and their labels.
        """
        check_is_fitted(self)
        y = column_or_1d(np.asarray(y))
        idx = _kept_index(y, self.emotions_)
        return _take(X, idx), y[idx]

    def score(self, X, y, sample_weight=None):
        """Chance-adjusted balanced accuracy on the test samples of the kept emotions.

        Parameters
        ----------
        X : array-like or list of images
            Test samples (all emotions; others are dropped).
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            ``balanced_accuracy_score(y, predict(X), adjusted=True)`` over the kept
            samples: 0 at chance, 1 when perfect. NaN when no test sample belongs to
            the subset.
        """
        check_is_fitted(self)
        y = column_or_1d(np.asarray(y))
        idx = _kept_index(y, self.emotions_)
        if len(idx) == 0:
            return float("nan")
        sw = None if sample_weight is None else np.asarray(sample_weight)[idx]
        return float(
            balanced_accuracy_score(
                y[idx], self.predict(_take(X, idx)), sample_weight=sw, adjusted=True
            )
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = self.estimator.__sklearn_tags__()
        tags.input_tags = inner.input_tags
        tags.classifier_tags.multi_class = True
        return tags


def _match_label(label, known):
    """``label`` itself when it occurs in ``y``, else its canonical emotion name if that does.

    So ``"happiness"`` or ``"Surprised"`` select the ``"happy"`` / ``"surprise"`` samples.
    """
    if label in known or not isinstance(label, str):
        return label
    try:
        canonical = canonical_emotion(label)
    except ValueError:
        return label
    return canonical if canonical in known else label


def _kept_index(y, labels):
    """Positions of the samples of 1-D ``y`` whose label is one of ``labels``."""
    return np.flatnonzero(np.isin(np.asarray(y, dtype=object), np.asarray(labels, dtype=object)))


class _SubsetScorer:
    """Scorer that keeps the test samples whose label the fitted EmotionSubset was trained on."""

    def __init__(self, score_func, response_method, kwargs):
        self.score_func = score_func
        self.response_method = response_method
        self.kwargs = kwargs

    def __call__(self, estimator, X, y, sample_weight=None):
        y = column_or_1d(np.asarray(y))
        emotions = getattr(estimator, "emotions_", None)
        if emotions is None:
            raise TypeError(
                "make_subset_scorer scorers need a fitted EmotionSubset; "
                f"got {type(estimator).__name__}."
            )
        idx = _kept_index(y, emotions)
        if len(idx) == 0:
            return float("nan")
        kwargs = dict(self.kwargs)
        if sample_weight is not None:
            kwargs["sample_weight"] = np.asarray(sample_weight)[idx]
        response = getattr(estimator, self.response_method)(_take(X, idx))
        return float(self.score_func(y[idx], response, **kwargs))

    def __repr__(self):
        args = "".join(f", {k}={v!r}" for k, v in self.kwargs.items())
        return f"make_subset_scorer({self.score_func.__name__}{args})"


def make_subset_scorer(score_func, *, response_method="predict", **kwargs):
    """Make a scorer that scores a fitted :class:`EmotionSubset` on its own emotions only.

    Use it for ``scoring=`` in searches over ``EmotionSubset`` (single or
    multi-metric) where ordinary scorers would also count test images of
    emotions outside the subset.

    Parameters
    ----------
    score_func : callable
        ``score_func(y_true, y_response, **kwargs)``, greater is better, e.g.
        :func:`~sklearn.metrics.balanced_accuracy_score`.
    response_method : str, default="predict"
        Method of the estimator whose output is scored.
    **kwargs
        Extra keyword arguments for ``score_func`` (e.g. ``adjusted=True``).

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y, sample_weight=None) -> float``.

    Examples
    --------
    >>> from sklearn.metrics import accuracy_score, balanced_accuracy_score
    >>> from skemotion.model_selection import make_subset_scorer
    >>> scoring = {
    ...     "adjusted": make_subset_scorer(balanced_accuracy_score, adjusted=True),
    ...     "accuracy": make_subset_scorer(accuracy_score),
    ... }
    >>> scoring["accuracy"]
    make_subset_scorer(accuracy_score)
    """
    if not callable(score_func):
        raise TypeError(f"score_func must be callable; got {score_func!r}.")
    return _SubsetScorer(score_func, response_method, kwargs)
