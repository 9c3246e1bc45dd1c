"""Training-time augmentation as a meta-estimator: perturbed copies in ``fit`` only."""

import numbers

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    _fit_context,
    clone,
)
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval

from .._meta_estimators import _TrainingAugmentationMixin
from ..utils._metaestimators import _FitParamsToEstimatorMixin
from ._transformers import (
    HorizontalFlip,
    RandomBlur,
    RandomBoxJitter,
    RandomDownscale,
    RandomGamma,
    RandomJPEG,
    RandomNoise,
    RandomRotation,
)

__all__ = ["AugmentedClassifier", "capture_augmentations"]


def capture_augmentations(probability=1.0):
    """The default augmentation chain: mirror, detector jitter and camera effects.

    Applied in this order to every copy of a training crop, each with its parameters
    drawn per image: mirrored with probability 0.5; face box moved by up to 10% and
    resized by up to 10%; rotated by up to 10 degrees; resolution lowered to 32-64 px
    wide; blurred with sigma 0-1.2 px; gamma 0.6-1.6 and gain 0.6-1.2; sensor noise of
    0-6 grey levels; JPEG quality 30-95. The ranges were fixed in advance for 64-128 px
    face crops (a 60 px webcam face, gamma 0.6, JPEG 40, 10% box jitter lie inside
    them), not tuned on test data.

    Parameters
    ----------
    probability : float, default=1.0
        Chance, 0..1, that each perturbation after the mirror is applied to an image,
        drawn per image and perturbation. 1: every copy gets the whole chain; 0.5: a
        milder chain, each copy about half of the effects (and 1 in 128 copies none).

    Returns
    -------
    augmentations : list of transformer
        New, unseeded instances (:class:`AugmentedClassifier` seeds its clones).

    Examples
    --------
    >>> from skemotion.augment import capture_augmentations
    >>> [type(a).__name__ for a in capture_augmentations()][:3]
    ['HorizontalFlip', 'RandomBoxJitter', 'RandomRotation']
    >>> [a.probability for a in capture_augmentations(probability=0.5)][:3]
    [0.5, 0.5, 0.5]
    """
    if (isinstance(probability, bool) or not isinstance(probability, numbers.Real)
            or not 0 <= probability <= 1):
        raise ValueError(
            f"capture_augmentations: probability={probability!r} must be a number in 0..1."
        )
    p = float(probability)
    return [
        HorizontalFlip(probability=0.5),
        RandomBoxJitter(shift=(-0.1, 0.1), scale=(0.9, 1.1), probability=p),
        RandomRotation(angle=(-10.0, 10.0), probability=p),
        RandomDownscale(width=(32, 64), probability=p),
        RandomBlur(sigma=(0.0, 1.2), probability=p),
        RandomGamma(gamma=(0.6, 1.6), gain=(0.6, 1.2), probability=p),
        RandomNoise(sigma=(0.0, 6.0), probability=p),
        RandomJPEG(quality=(30, 95), probability=p),
    ]


class AugmentedClassifier(_TrainingAugmentationMixin, _FitParamsToEstimatorMixin,
                          MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Train a classifier on the training crops plus perturbed copies of them.

    :meth:`fit` makes ``n_copies`` copies of every training image, each passed through
    the ``augmentations`` in order (each transformer cloned and seeded from
    ``random_state``, so every copy gets its own draws), keeps each copy's label, and
    fits a clone of ``estimator`` on the originals and copies together:
    ``n_samples * (1 + n_copies)`` images. ``predict``, ``predict_proba``,
    ``decision_function`` and ``score`` pass the images through unchanged: test
    images are never perturbed, and inside cross-validation the copies are made from
    the training folds only, so they cannot cross the train/test boundary.

    Put it after the cropper, around the feature and model steps:
    ``Pipeline([("crop", FaceCropper(output_size=64)), ("classifier",
    AugmentedClassifier(make_pipeline(HOGTransformer(), StandardScaler(),
    LogisticRegression())))])``. It generalises
    :class:`~skemotion.FlipAugmentedClassifier`, which is
    ``AugmentedClassifier(estimator, augmentations=[HorizontalFlip()], n_copies=1)``.

    Parameters
    ----------
    estimator : classifier
        Fitted on the augmented crops, given as a flat ``(n, height * width)`` array.
    augmentations : list of transformer or None, default=None
        Transformers mapping ``(n, height, width)`` crops to crops of the same shape,
        e.g. those of :mod:`skemotion.augment`; a ``random_state`` parameter, if they have
        one, is set per copy. ``None``: :func:`capture_augmentations`.
    n_copies : int, default=2
        Perturbed copies per training image (>= 0; 0 fits on the originals only).
    image_shape : tuple of int (height, width) or None, default=None
        Shape of one image. ``None``: taken from 3-D input, else a square image is
        assumed (``n_features`` must be a square number).
    random_state : int, RandomState instance or None, default=None
        Seeds the augmentations' draws. An int makes ``fit`` reproducible.

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
    n_training_samples_ : int
        Images ``estimator_`` was fitted on: ``n_samples * (1 + n_copies)``.

    See Also
    --------
    capture_augmentations : the default chain.
    skemotion.FlipAugmentedClassifier : mirror images only.

    Notes
    -----
    Per-sample fit parameters (``sample_weight``...) are repeated for the copies of each
    sample, as :class:`~skemotion.FlipAugmentedClassifier` does; with scikit-learn's
    metadata routing enabled only what ``estimator`` requests is passed. Copies of one
    subject's image stay in the training set, so subject-grouped splits stay leak-free.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skemotion.augment import AugmentedClassifier, RandomBlur
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(0, 255, size=(20, 8 * 8))
    >>> y = np.repeat(["happy", "neutral"], 10)
    >>> clf = AugmentedClassifier(LogisticRegression(max_iter=1000), augmentations=[RandomBlur()],
    ...                           n_copies=3, random_state=0).fit(X, y)
    >>> clf.n_training_samples_, clf.classes_.tolist()
    (80, ['happy', 'neutral'])
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"])],
        "augmentations": [list, tuple, None],
        "n_copies": [Interval(numbers.Integral, 0, None, closed="left")],
        "image_shape": [tuple, list, None],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator, *, augmentations=None, n_copies=2, image_shape=None,
                 random_state=None):
        self.estimator = estimator
        self.augmentations = augmentations
        self.n_copies = n_copies
        self.image_shape = image_shape
        self.random_state = random_state

    def _augmenters(self):
        augmentations = (capture_augmentations() if self.augmentations is None
                         else list(self.augmentations))
        for i, step in enumerate(augmentations):
            if not hasattr(step, "transform"):
                raise TypeError(
                    f"{type(self).__name__}: augmentations[{i}] ({step!r}) has no transform "
                    "method; give transformers such as skemotion.augment.RandomBlur()."
                )
        return augmentations

    def _copy(self, images, augmenters, seeds):
        """One perturbed copy of ``images`` (n, h, w): every augmenter, seeded, in turn."""
        out = images
        for i, (step, seed) in enumerate(zip(augmenters, seeds)):
            step = clone(step)
            if "random_state" in step.get_params(deep=False):
                step.set_params(random_state=int(seed))
            out = np.asarray(step.fit_transform(out))
            if out.size != images.size:
                raise ValueError(
                    f"{type(self).__name__}: augmentations[{i}] ({type(step).__name__}) "
                    f"returned {out.shape} for images of shape {images.shape}; an "
                    "augmentation must keep every image's size."
                )
            out = out.reshape(images.shape).astype(images.dtype, copy=False)
        return out

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Fit a clone of ``estimator`` on the images plus ``n_copies`` perturbed copies.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or (n_samples, height, width)
            Gray training crops, intensities 0..255.
        y : array-like of shape (n_samples,)
            Labels; each copy keeps the label of its original.
        **fit_params : dict
            Passed to the estimator's ``fit``; per-sample values such as
            ``sample_weight`` are repeated for the copies. With scikit-learn's metadata
            routing enabled, only what the estimator requests (``set_fit_request``).

        Returns
        -------
        self : AugmentedClassifier
        """
        X, y, shape = self._check_training_images(X, y)
        augmenters = self._augmenters()
        rng = check_random_state(self.random_state)
        seeds = rng.randint(0, np.iinfo(np.int32).max, size=(self.n_copies, len(augmenters)))
        images = X.reshape(-1, *shape)
        copies = [self._copy(images, augmenters, seeds[c]).reshape(X.shape)
                  for c in range(self.n_copies)]
        n = len(X)
        index = np.tile(np.arange(n), 1 + self.n_copies)
        params = self._estimator_fit_params(fit_params, n, index)
        self.estimator_ = clone(self.estimator).fit(
            np.concatenate([X, *copies]), y[index], **params
        )
        self.n_training_samples_ = len(index)
        self.classes_ = self.estimator_.classes_
        return self
