"""Meta-estimators: :class:`FlipAugmentedClassifier`, which adds mirrored copies of the
*training* images at fit time only (prediction never sees flipped images)."""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, _fit_context, clone
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from .features._base import _validate_images
from .utils._metaestimators import _delegated, _estimator_has, _FitParamsToEstimatorMixin

__all__ = ["FlipAugmentedClassifier"]

#: How the prediction methods' docstrings describe their input.
_AS_GIVEN_DOC = dict(of="the images as given (never augmented), from the fitted estimator",
                     x_doc="array-like of shape (n_samples, n_pixels) or "
                           "(n_samples, height, width)")


class _TrainingAugmentationMixin:
    """What the training-time augmentation meta-classifiers (:class:`FlipAugmentedClassifier`,
    :class:`~skemotion.AugmentedClassifier`) share: the check of the training images, and
    prediction with the fitted ``estimator_`` on the images as given, with the inner
    estimator's tags. Put it first among the bases (its ``__sklearn_tags__`` extends the
    next one's)."""

    def _check_training_images(self, X, y):
        """Validated ``X, y`` and the image shape (set as ``image_shape_``); at least two
        classes, said before the copies multiply the sample count."""
        X, y, shape = _validate_images(self, X, reset=True, y=y)
        check_classification_targets(y)
        classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes; got only one "
                f"class ({classes.tolist()[0]!r}) in {len(y)} sample(s)."
            )
        self.image_shape_ = shape
        return X, y, shape

    def _check_X(self, X):
        check_is_fitted(self)
        return _validate_images(self, X, reset=False)[0]

    def _inner_and_input(self, X):
        X = self._check_X(X)
        return self.estimator_, X

    predict = _delegated("predict", **_AS_GIVEN_DOC)
    decision_function = _delegated("decision_function", available=_estimator_has, **_AS_GIVEN_DOC)
    predict_proba = _delegated("predict_proba", available=_estimator_has, **_AS_GIVEN_DOC)
    predict_log_proba = _delegated("predict_log_proba", available=_estimator_has, **_AS_GIVEN_DOC)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)  # no clone: tags are asked for on every predict
        tags.input_tags.sparse = False
        tags.classifier_tags.multi_class = inner.classifier_tags.multi_class
        return tags


class FlipAugmentedClassifier(_TrainingAugmentationMixin, _FitParamsToEstimatorMixin,
                              MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Train a classifier on the training crops plus their mirror images.

    :meth:`fit` appends a left-right flipped copy of every training image (with the
    same label) and fits a clone of ``estimator`` on the doubled set. ``predict``,
    ``decision_function``, ``predict_proba`` and ``score`` pass the images through
    unchanged: test images are never flipped or mixed into training, so inside
    ``cross_validate`` the augmentation touches the training folds only.

    Put it after the cropper in a pipeline, around the feature and model steps:
    ``Pipeline([("crop", FaceCropper()), ("clf", FlipAugmentedClassifier(
    make_pipeline(HOGTransformer(), StandardScaler(), LinearSVC())))])``.

    Parameters
    ----------
    estimator : classifier
        Fitted on the augmented crops (``(2 * n_samples, n_pixels)``).
    image_shape : tuple of int (height, width) or None, default=None
        Shape of one image. ``None``: taken from 3-D input, else a square image is
        assumed (``n_features`` must be a square number).

    Attributes
    ----------
    estimator_ : classifier
        The fitted clone of ``estimator``.
    classes_ : ndarray
        Class labels, from ``estimator_``.
    n_features_in_ : int
        Pixels per image seen in :meth:`fit`.
    image_shape_ : tuple of int
        ``(height, width)`` of the images seen in :meth:`fit`.

    Notes
    -----
    Mirroring is label-preserving for facial expressions (a smile flipped is a
    smile), and it doubles the data that linear models on HOG/LBP features learn from.
    Flipped copies of one subject stay inside the training set, so subject-grouped
    splits remain leak-free. The images go to ``estimator`` as a flat 2-D array.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skemotion import FlipAugmentedClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(0, 255, size=(20, 8 * 8))
    >>> y = np.repeat(["happy", "neutral"], 10)
    >>> clf = FlipAugmentedClassifier(LogisticRegression()).fit(X, y)
    >>> clf.estimator_.n_features_in_, clf.classes_.tolist()
    (64, ['happy', 'neutral'])
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"])],
        "image_shape": [tuple, list, None],
    }

    def __init__(self, estimator, *, image_shape=None):
        self.estimator = estimator
        self.image_shape = image_shape

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Fit a clone of ``estimator`` on the images plus their mirror images.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or (n_samples, height, width)
            Gray training crops.
        y : array-like of shape (n_samples,)
            Labels; each flipped copy keeps the label of its original.
        **fit_params : dict
            Passed to the estimator's ``fit``; per-sample values such as
            ``sample_weight`` are repeated for the mirror images. With scikit-learn's
            metadata routing enabled, only what the estimator requests
            (``set_fit_request``).

        Returns
        -------
        self : FlipAugmentedClassifier
        """
        X, y, shape = self._check_training_images(X, y)
        flipped = X.reshape(-1, *shape)[:, :, ::-1].reshape(X.shape)
        n = len(X)
        # a mirror image carries its original's weight (and other per-sample metadata)
        params = self._estimator_fit_params(fit_params, n, np.r_[np.arange(n), np.arange(n)])
        self.estimator_ = clone(self.estimator).fit(
            np.concatenate([X, flipped]), np.concatenate([y, y]), **params
        )
        self.classes_ = self.estimator_.classes_
        return self
