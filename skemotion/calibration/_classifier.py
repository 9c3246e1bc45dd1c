"""Classification relative to each person's own neutral face.

:class:`ReferenceCalibratedClassifier` wraps a face pipeline (as built by
:func:`~skemotion.pipelines.make_named_pipeline`) and classifies ``[f(x), f(x) - f(ref)]``:
the pipeline's features of a face and their difference to the features of the same
person's neutral face. :class:`ReferencePinnedClassifier` is a fitted calibrated model
with one reference fixed, which takes plain images (the live path).
"""

import math
import os

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, _fit_context, clone
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_random_state, column_or_1d

from .._meta_estimators import FlipAugmentedClassifier
from ..augment._augmented import AugmentedClassifier
from ..augment._transformers import HorizontalFlip
from ..faces._cropper import FaceCropper
from ..utils._metaestimators import _delegated
from ..utils._validation import _flatten_images

__all__ = ["ReferenceCalibratedClassifier", "ReferencePinnedClassifier"]

#: How the prediction methods' docstrings describe their input.
_PAIRS_DOC = dict(of="``(image, reference)`` pairs", x_doc="sequence of (image, reference) pairs")
_CROPS_DOC = dict(of="face crops against the fixed reference",
                  x_doc="array-like of shape (n_samples, n_pixels) or (n_samples, height, width)")


def _split_estimator(estimator):
    """``(cropper, augmenter, feature_steps, head_steps)`` of a face pipeline.

    ``cropper`` is the leading :class:`~skemotion.FaceCropper` (or None: the model takes
    crops); ``augmenter`` a training-time augmentation wrapper
    (:class:`~skemotion.FlipAugmentedClassifier`, :class:`~skemotion.AugmentedClassifier`)
    around the steps after the cropper, or None; ``feature_steps`` the steps that turn a
    crop into features; ``head_steps`` the final classifier with the
    :class:`~sklearn.preprocessing.StandardScaler` right before it, if there is one.
    """
    steps = list(estimator.steps) if isinstance(estimator, Pipeline) else [
        ("classifier", estimator)]
    cropper = None
    if steps and isinstance(steps[0][1], FaceCropper):
        cropper, steps = steps[0][1], steps[1:]
    if not steps:
        raise ValueError(f"{type(estimator).__name__} has no classifier after its cropper.")
    augmenter = None
    if len(steps) == 1 and isinstance(steps[0][1], (FlipAugmentedClassifier,
                                                    AugmentedClassifier)):
        augmenter = steps[0][1]
        inner = augmenter.estimator
        steps = list(inner.steps) if isinstance(inner, Pipeline) else [("classifier", inner)]
    n_head = 1
    if len(steps) >= 2 and isinstance(steps[-2][1], StandardScaler):
        n_head = 2
    return cropper, augmenter, steps[:-n_head], steps[-n_head:]


def _as_pair(pair, i):
    """``(image, reference)`` of sample ``i``; a clear error for anything else."""
    if isinstance(pair, (str, bytes, os.PathLike)) or (
            isinstance(pair, np.ndarray) and pair.dtype != object
            and not (pair.ndim >= 3 and len(pair) == 2)):
        raise ValueError(
            f"sample {i} is an image or a path, not an (image, reference) pair: a calibrated "
            "model takes pairs such as list(zip(data.images, data.references)) (load the "
            "data with references=True), or model.with_reference(reference) predicts plain "
            "images."
        )
    try:
        image, reference = pair
    except (TypeError, ValueError):
        raise ValueError(
            f"sample {i} is not an (image, reference) pair (got {type(pair).__name__}); a "
            "calibrated model takes list(zip(data.images, data.references))."
        ) from None
    if reference is None:
        raise ValueError(f"sample {i} has no reference (None): every sample needs an image "
                         "of the same person's neutral face.")
    return image, reference


def _split_pairs(X):
    """The images and the references of ``X``, a sequence of ``(image, reference)`` pairs
    (or an array whose second axis has length 2: pairs of crops)."""
    if isinstance(X, np.ndarray) and X.dtype != object and X.ndim >= 3 and X.shape[1] == 2:
        return list(X[:, 0]), list(X[:, 1])
    if isinstance(X, (str, bytes, os.PathLike)) or not hasattr(X, "__iter__"):
        raise ValueError(
            "X must be a sequence of (image, reference) pairs, e.g. "
            f"list(zip(data.images, data.references)); got {type(X).__name__}."
        )
    pairs = [_as_pair(pair, i) for i, pair in enumerate(X)]
    if not pairs:
        raise ValueError("X is empty: a calibrated model needs at least one pair.")
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _cloned(steps):
    return [(name, clone(step)) for name, step in steps]


def _unique(items):
    """``(unique_items, index)``: the same reference (the same array object or path)
    given for many samples is cropped and described once."""
    keys, unique, index = {}, [], []
    for item in items:
        key = os.fsdecode(item) if isinstance(item, (str, bytes, os.PathLike)) else id(item)
        if key not in keys:
            keys[key] = len(unique)
            unique.append(item)
        index.append(keys[key])
    return unique, np.asarray(index, dtype=np.intp)


class ReferenceCalibratedClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Classify a face relative to the same person's neutral face.

    Takes ``(image, reference)`` pairs: ``reference`` is a neutral face of the same
    person from another take (loaders give it with ``references=True``). Both are cropped
    with the pipeline's own :class:`~skemotion.FaceCropper`, both go through the
    pipeline's feature steps ``f`` (fitted on the training images), and the pipeline's
    classifier (with its :class:`~sklearn.preprocessing.StandardScaler`, when it has one)
    is fitted on ``[f(x), f(x) - f(ref)]``: what the face is, and how it differs from
    this person's resting face. A training-time augmentation wrapper in the pipeline
    (:class:`~skemotion.FlipAugmentedClassifier`, :class:`~skemotion.AugmentedClassifier`)
    is applied to the pairs: a mirrored pair mirrors both faces; a perturbed copy mirrors
    both the same way and draws every other capture perturbation independently for the
    face and its reference (two takes under their own conditions).

    Parameters
    ----------
    estimator : estimator
        A face pipeline, e.g. ``make_named_pipeline("hog_logreg_flip")``: an optional
        leading FaceCropper, the feature steps and a classifier last (possibly inside
        one augmentation wrapper). Only its structure and parameters are used; it is
        cloned, never fitted.

    Attributes
    ----------
    cropper_ : FaceCropper or None
        The cropper applied to images and references (None: the pipeline takes crops).
    features_ : Pipeline or None
        The fitted feature steps (None: the crops' pixels are the features).
    classifier_ : Pipeline
        The fitted classifier on ``[f(x), f(x) - f(ref)]``.
    classes_ : ndarray
        The labels.
    n_reference_features_ : int
        Length of ``f(ref)`` (what :meth:`reference_features` returns per reference).
    image_shape_ : tuple of (int, int)
        ``(height, width)`` of the crops.

    See Also
    --------
    skemotion.pipelines.make_named_pipeline : ``calibrated=True`` wraps a named pipeline.
    ReferencePinnedClassifier : A fitted model with one reference fixed (plain images in).

    Notes
    -----
    A reference must never be the sample itself (its difference would be zero and say
    "neutral" for free) and must come from the same person; with subject-grouped
    splitting a test subject's references stay in the test part.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skemotion.calibration import ReferenceCalibratedClassifier
    >>> rng = np.random.default_rng(0)
    >>> neutral = rng.uniform(0, 255, size=(12, 8, 8))       # one neutral face per person
    >>> smile = neutral + rng.uniform(20, 40, size=(12, 8, 8))
    >>> X = [(face, ref) for face, ref in zip(np.r_[neutral + 1, smile], np.r_[neutral, neutral])]
    >>> y = np.repeat(["neutral", "happy"], 12)
    >>> model = ReferenceCalibratedClassifier(LogisticRegression()).fit(X, y)
    >>> model.predict(X[:2]).tolist(), model.n_reference_features_
    (['neutral', 'neutral'], 64)
    >>> model.with_reference(neutral[0]).predict(smile[:1]).tolist()
    ['happy']
    """

    _parameter_constraints = {"estimator": [HasMethods(["fit", "predict"])]}

    def __init__(self, estimator):
        self.estimator = estimator

    # ----------------------------------------------------------------- pieces
    def _crops(self, items, cropper):
        """Crops of ``items`` as a flat float array ``(n, h*w)`` and their shape."""
        if cropper is not None:
            crops = np.asarray(cropper.transform(items))
            return crops.reshape(len(crops), -1), tuple(cropper._checked_params()["output_size"])
        flat, shape = _flatten_images(items, estimator_name=type(self).__name__)
        flat = np.asarray(flat, dtype=np.float64)
        if flat.ndim != 2:
            raise ValueError(f"{type(self).__name__}: without a cropper the images must be "
                             "gray crops of one size (2-D images or flat rows).")
        if shape is None:
            shape = getattr(self, "image_shape_", None)
        if shape is None:  # flat rows: square crops, as the image transformers assume
            side = math.isqrt(flat.shape[1])
            shape = (side, side) if side * side == flat.shape[1] else None
        return flat, shape

    def _describe(self, crops):
        if self.features_ is None:
            return np.asarray(crops, dtype=np.float64)
        return np.asarray(self.features_.transform(crops), dtype=np.float64)

    def _pair_crops(self, X):
        images, references = _split_pairs(X)
        unique, index = _unique(references)
        crops, _ = self._crops(images, self.cropper_)
        ref_crops, _ = self._crops(unique, self.cropper_)
        return crops, ref_crops, index

    def _joint(self, features, ref_features):
        return np.hstack([features, features - ref_features])

    # ----------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit on ``(image, reference)`` pairs.

        Parameters
        ----------
        X : sequence of (image, reference) pairs
            Images or paths as the pipeline takes them (crops when it has no cropper),
            e.g. ``list(zip(data.images, data.references))``.
        y : array-like of shape (n_samples,)
            Labels.

        Returns
        -------
        self : ReferenceCalibratedClassifier
        """
        cropper = _split_estimator(self.estimator)[0]
        images, references = _split_pairs(X)
        y = column_or_1d(np.asarray(y, dtype=object if np.asarray(y).dtype.kind in "OUS"
                                    else None), warn=True)
        if len(y) != len(images):
            raise ValueError(f"X has {len(images)} pairs but y has {len(y)} labels.")
        check_classification_targets(y)
        if len(np.unique(y)) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes; got only "
                f"{np.unique(y).tolist()!r}."
            )
        if cropper is not None:
            cropper = clone(cropper).fit(images)
        crops, shape = self._crops(images, cropper)
        unique, index = _unique(references)
        ref_crops, ref_shape = self._crops(unique, cropper)
        return self._fit_crops(cropper, crops, ref_crops,
                               shape if shape is not None else ref_shape, y, ref_index=index)

    def _fit_crops(self, cropper, crops, ref_crops, shape, y, ref_index=None):
        """Fit on crops already made by ``cropper`` (fitted, or None): flat
        ``(n, h*w)`` arrays of the images and of their references; ``ref_index`` the
        row of ``ref_crops`` that is each image's reference (None: aligned), so a
        reference shared by many images goes through the feature steps once."""
        _, augmenter, feature_steps, head_steps = _split_estimator(self.estimator)
        if ref_crops.shape[1] != crops.shape[1]:
            raise ValueError(
                f"The references are crops of {ref_crops.shape[1]} pixels but the images "
                f"of {crops.shape[1]}: give both at the same size (or use a cropper)."
            )
        self.cropper_ = cropper
        self.image_shape_ = None if shape is None else tuple(int(v) for v in shape)
        if ref_index is None:
            ref_index = np.arange(len(ref_crops))
        crops, ref_crops, ref_index, y = self._augment(augmenter, crops, ref_crops, ref_index, y)
        self.features_ = Pipeline(_cloned(feature_steps)).fit(crops, y) if feature_steps else None
        features = self._describe(crops)
        ref_features = self._describe(ref_crops)[ref_index]
        self.classifier_ = Pipeline(_cloned(head_steps)).fit(
            self._joint(features, ref_features), y)
        self.n_reference_features_ = features.shape[1]
        self.classes_ = self.classifier_.classes_
        return self

    def _augment(self, augmenter, crops, ref_crops, ref_index, y):
        """The training pairs plus the augmentation wrapper's copies of them:
        ``(crops, ref_crops, ref_index, y)``. A mirrored copy adds each reference's
        mirror image once; perturbed copies draw each image's reference anew, one
        reference row per image."""
        if augmenter is None:
            return crops, ref_crops, ref_index, y
        if augmenter.image_shape is not None:
            self.image_shape_ = tuple(augmenter.image_shape)
        if self.image_shape_ is None:
            raise ValueError(f"{type(self).__name__}: the crops' height and width are "
                             "unknown; give the crops as 2-D images.")
        h, w = self.image_shape_
        if isinstance(augmenter, FlipAugmentedClassifier):
            def flip(a):
                return a.reshape(-1, h, w)[:, :, ::-1].reshape(a.shape)

            return (np.concatenate([crops, flip(crops)]),
                    np.concatenate([ref_crops, flip(ref_crops)]),
                    np.concatenate([ref_index, ref_index + len(ref_crops)]),
                    np.concatenate([y, y]))
        augmenters = augmenter._augmenters()
        rng = check_random_state(augmenter.random_state)
        n_steps = len(augmenters)
        seeds = rng.randint(0, np.iinfo(np.int32).max, size=(augmenter.n_copies, n_steps))
        ref_seeds = rng.randint(0, np.iinfo(np.int32).max, size=(augmenter.n_copies, n_steps))
        for c in range(augmenter.n_copies):
            for s, step in enumerate(augmenters):
                if isinstance(step, HorizontalFlip):
                    ref_seeds[c, s] = seeds[c, s]  # a mirrored copy mirrors both faces
        ref_crops = ref_crops[ref_index]
        images = crops.reshape(-1, h, w)
        refs = ref_crops.reshape(-1, h, w)
        out_x, out_r = [crops], [ref_crops]
        for c in range(augmenter.n_copies):
            out_x.append(augmenter._copy(images, augmenters, seeds[c]).reshape(crops.shape))
            out_r.append(augmenter._copy(refs, augmenters, ref_seeds[c]).reshape(crops.shape))
        out_r = np.concatenate(out_r)
        return (np.concatenate(out_x), out_r, np.arange(len(out_r)),
                np.tile(y, 1 + augmenter.n_copies))

    # ----------------------------------------------------------------- predict
    def _inner_and_input(self, X):
        check_is_fitted(self)
        crops, ref_crops, index = self._pair_crops(X)
        return self.classifier_, self._joint(self._describe(crops),
                                             self._describe(ref_crops)[index])

    def _head_has(attr):
        def check(self):
            if hasattr(self, "classifier_"):
                return hasattr(self.classifier_, attr)
            return hasattr(_split_estimator(self.estimator)[3][-1][1], attr)

        return check

    predict = _delegated("predict", **_PAIRS_DOC)
    predict_proba = _delegated("predict_proba", available=_head_has, **_PAIRS_DOC)
    decision_function = _delegated("decision_function", available=_head_has, **_PAIRS_DOC)

    # ----------------------------------------------------------------- references
    def reference_features(self, references):
        """The features ``f(ref)`` of neutral reference faces, to compute once and reuse.

        Parameters
        ----------
        references : sequence of images or paths
            Neutral faces, as the model takes images (crops when it has no cropper).

        Returns
        -------
        features : ndarray of shape (n_references, n_reference_features_)
            Pass one row (or the mean of several, e.g. of the frames of a few seconds)
            to :meth:`with_reference` as ``reference_features``.
        """
        check_is_fitted(self)
        if isinstance(references, (str, bytes, os.PathLike)) or (
                isinstance(references, np.ndarray) and references.ndim < 3):
            raise ValueError("references must be a sequence of images or paths; wrap a "
                             "single reference in a list, [reference].")
        crops, _ = self._crops(list(references), self.cropper_)
        return self._describe(crops)

    def crop_features(self, crops):
        """The features ``f`` of face crops that are already the cropper's output.

        For the live path, where a tracker gives crops: the mean of a few neutral
        frames' rows is a reference for :meth:`with_reference`.

        Parameters
        ----------
        crops : array-like of shape (n_samples, n_pixels) or (n_samples, height, width)
            Crops of the model's crop size (``image_shape_``).

        Returns
        -------
        features : ndarray of shape (n_samples, n_reference_features_)
        """
        check_is_fitted(self)
        crops = np.asarray(crops, dtype=np.float64)
        crops = crops.reshape(len(crops), -1)
        expected = int(np.prod(self.image_shape_)) if self.image_shape_ else crops.shape[1]
        if crops.shape[1] != expected:
            raise ValueError(f"{type(self).__name__} takes crops of {self.image_shape_} pixels "
                             f"(the cropper's output); got {crops.shape[1]} values per crop.")
        return self._describe(crops)

    def with_reference(self, reference=None, *, reference_features=None):
        """This fitted model with one person's reference fixed: a predictor of plain images.

        Parameters
        ----------
        reference : image, path, or list of them, default=None
            The person's neutral face (several: their features are averaged).
        reference_features : array-like of shape (n_reference_features_,), default=None
            Precomputed features (a row of :meth:`reference_features`, or a mean of
            rows) instead of ``reference``.

        Returns
        -------
        predictor : Pipeline or ReferencePinnedClassifier
            ``Pipeline([("crop", cropper_), ("classifier", ReferencePinnedClassifier)])``
            when the model crops (the shape :class:`~skemotion.VideoEmotionRecognizer`
            takes), else the :class:`ReferencePinnedClassifier`, which takes crops.
            ``predict``, ``predict_proba`` and ``decision_function`` take images only;
            the reference's features are not computed again.
        """
        check_is_fitted(self)
        pinned = ReferencePinnedClassifier(self, reference=reference,
                                           reference_features=reference_features).fit()
        if self.cropper_ is None:
            return pinned
        return Pipeline([("crop", self.cropper_), ("classifier", pinned)])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.sparse = False
        return tags


class ReferencePinnedClassifier(ClassifierMixin, BaseEstimator):
    """A fitted :class:`ReferenceCalibratedClassifier` with one reference fixed.

    Takes face crops (the output of the calibrated model's cropper, as the steps after
    a pipeline's ``"crop"`` step do) and classifies ``[f(x), f(x) - f(ref)]`` with the
    reference's features computed once, in :meth:`fit`. Usually made by
    :meth:`ReferenceCalibratedClassifier.with_reference`.

    Parameters
    ----------
    calibrated : ReferenceCalibratedClassifier
        A fitted calibrated model.
    reference : image, path, or list of them, default=None
        The neutral face (several: their features are averaged).
    reference_features : array-like of shape (n_reference_features_,), default=None
        Its precomputed features instead.

    Attributes
    ----------
    reference_features_ : ndarray of shape (n_reference_features_,)
    classes_ : ndarray

    Notes
    -----
    ``calibrated`` is a fitted model, so :func:`~sklearn.base.clone` (which returns
    unfitted copies of estimator parameters) gives a copy that cannot be fitted; build a
    new one with :meth:`ReferenceCalibratedClassifier.with_reference` instead.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skemotion.calibration import ReferenceCalibratedClassifier
    >>> rng = np.random.default_rng(0)
    >>> neutral = rng.uniform(0, 255, size=(12, 8, 8))
    >>> smile = neutral + rng.uniform(20, 40, size=(12, 8, 8))
    >>> X = [(face, ref) for face, ref in zip(np.r_[neutral + 1, smile], np.r_[neutral, neutral])]
    >>> model = ReferenceCalibratedClassifier(LogisticRegression()).fit(
    ...     X, np.repeat(["neutral", "happy"], 12))
    >>> ref = model.reference_features([neutral[3]])[0]
    >>> model.with_reference(reference_features=ref).predict(np.r_[neutral[3:4], smile[3:4]])
    array(['neutral', 'happy'], dtype=object)
    """

    _parameter_constraints = {
        "calibrated": [ReferenceCalibratedClassifier],
        "reference": "no_validation",
        "reference_features": ["array-like", None],
    }

    def __init__(self, calibrated, *, reference=None, reference_features=None):
        self.calibrated = calibrated
        self.reference = reference
        self.reference_features = reference_features

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X=None, y=None):
        """Compute the reference's features (no learning: the model is fitted already).

        Parameters
        ----------
        X, y : ignored

        Returns
        -------
        self : ReferencePinnedClassifier
        """
        model = self.calibrated
        check_is_fitted(model)
        if (self.reference is None) == (self.reference_features is None):
            raise ValueError("Give exactly one of reference (an image, a path or a list of "
                             "them) and reference_features.")
        if self.reference_features is not None:
            features = np.asarray(self.reference_features, dtype=np.float64)
            if features.ndim != 1 or len(features) != model.n_reference_features_:
                raise ValueError(
                    f"reference_features has shape {features.shape}; the model's references "
                    f"have {model.n_reference_features_} features (a row of "
                    "model.reference_features([...]))."
                )
        else:
            refs = self.reference
            if not isinstance(refs, (list, tuple)):
                refs = [refs]
            features = model.reference_features(refs).mean(axis=0)
        if not np.all(np.isfinite(features)):
            raise ValueError("reference_features holds NaN or infinite values.")
        self.reference_features_ = features
        self.classes_ = model.classes_
        return self

    def _inner_and_input(self, X):
        check_is_fitted(self)
        model = self.calibrated
        if isinstance(X, (str, bytes, os.PathLike)):
            raise ValueError("X must be a sequence of face crops; wrap a single one in a list.")
        if not isinstance(X, np.ndarray):
            X = np.asarray(_flatten_images(list(X), estimator_name=type(self).__name__)[0])
        features = model.crop_features(X)
        return model.classifier_, model._joint(features, self.reference_features_[None, :])

    def _has(attr):
        return lambda self: hasattr(self.calibrated, attr)

    predict = _delegated("predict", **_CROPS_DOC)
    predict_proba = _delegated("predict_proba", available=_has, **_CROPS_DOC)
    decision_function = _delegated("decision_function", available=_has, **_CROPS_DOC)
