"""The shared base of the image feature transformers: :class:`_ImageFeatureTransformer`
and the validation of gray face crops with their image shape.

The transformers take what :class:`~skemotion.FaceCropper` returns: gray face crops
as a 2-D float array ``(n_samples, height * width)`` or a 3-D array
``(n_samples, height, width)``.
"""

import math

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted, validate_data

from ..utils._validation import _check_finite, _flatten_images

#: images per chunk in HOGTransformer and LBPTransformer: bounds the temporaries (a few
#: float64 copies of the chunk) to some tens of MiB whatever the data set size.
_CHUNK = 128


# --------------------------------------------------------------------------- helpers
def _check_image_shape_param(image_shape, n_features, estimator_name):
    """Return ``image_shape`` as a checked ``(h, w)`` tuple for ``n_features`` pixels."""
    shape = tuple(int(v) for v in image_shape)
    if len(shape) != 2 or min(shape) < 1 or shape[0] * shape[1] != n_features:
        raise ValueError(
            f"{estimator_name}: image_shape={tuple(image_shape)!r} does not match the "
            f"{n_features} pixels per image of X (expected (height, width) with "
            "height * width == n_pixels)."
        )
    return shape


def _resolve_image_shape(image_shape_param, found_shape, n_features, estimator_name):
    """The (h, w) of the images: explicit parameter, 3-D input, or a square side."""
    if image_shape_param is not None:
        shape = _check_image_shape_param(image_shape_param, n_features, estimator_name)
        if found_shape is not None and tuple(found_shape) != shape:
            raise ValueError(
                f"{estimator_name}: X holds images of shape {tuple(found_shape)} but "
                f"image_shape={shape}."
            )
        return shape
    if found_shape is not None:
        return tuple(int(v) for v in found_shape)
    side = math.isqrt(n_features)
    if side * side == n_features:
        return (side, side)
    raise ValueError(
        f"{estimator_name}: X has {n_features} features per sample, which is not a "
        "square number of pixels, so the image height and width are unknown. Pass "
        "image_shape=(height, width), or give X as a 3-D array (n_samples, height, width)."
    )


def _validate_images(estimator, X, *, reset, y=None):
    """Validate crops for a skemotion image estimator; return ``(X2d, y, (h, w))``.

    Accepts 2-D ``(n, h*w)`` and 3-D ``(n, h, w)`` arrays or lists of equally sized
    2-D images. Errors name the offending sample (colour image, size mismatch, NaN).
    """
    name = type(estimator).__name__
    X, found_shape = _flatten_images(X, estimator_name=name)
    kwargs = dict(reset=reset, dtype=[np.float64, np.float32], ensure_all_finite=False)
    if y is None:
        X = validate_data(estimator, X, **kwargs)
    else:
        X, y = validate_data(estimator, X, y, **kwargs)
    _check_finite(X)
    shape_param = estimator.image_shape
    if not reset and shape_param is None and found_shape is None:
        shape_param = getattr(estimator, "image_shape_", None)
    shape = _resolve_image_shape(shape_param, found_shape, X.shape[1], name)
    return X, y, shape


# --------------------------------------------------------------------- shared base
class _ImageFeatureTransformer(TransformerMixin, BaseEstimator):
    """Shared behaviour of the stateless transformers of gray face crops.

    ``fit`` validates ``X`` and the parameters against the image shape and records
    ``image_shape_``; ``transform`` validates again (it may be called without
    ``fit``) and hands the flat images to ``_transform``. Subclasses define their
    ``_parameter_constraints``, an ``__init__`` storing the parameters, and:

    - ``_geometry(shape)``: check the parameters against images of ``shape``
      (raise ``ValueError`` naming the class), return what ``_transform`` needs;
    - ``_transform(X, shape)``: the features of the validated 2-D ``X``;
    - ``_feature_names()``: the names of the output features;
    - ``_preserves_dtype``: the ``preserves_dtype`` transformer tag.
    """

    _preserves_dtype = ["float64", "float32"]

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate ``X`` and record the image shape; return self.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or (n_samples, height, width)
            Gray face crops.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The transformer.
        """
        X, _, shape = _validate_images(self, X, reset=True)
        self._geometry(shape)
        self.image_shape_ = shape
        return self

    def transform(self, X):
        """Features of each image (see the class docstring for their layout).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or (n_samples, height, width)
            Gray face crops.

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out)
            float32 for :class:`HOGTransformer` and :class:`GaborTransformer`, the
            input's float dtype for :class:`LBPTransformer` and :class:`FaceRegion`.
        """
        self._validate_params()  # stateless: transform may be called without fit
        X, _, shape = _validate_images(self, X, reset=False)
        return self._transform(X, shape)

    def get_feature_names_out(self, input_features=None):
        """Names of the output features.

        ``hog{i}`` (HOG), ``lbp_cell{c}_bin{b}`` (LBP),
        ``gabor_w{scale}_o{orientation}_{cell}`` (Gabor), ``region_pixel{i}``
        (FaceRegion).

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            The input pixels' names. Not used for the output names (pixels have no
            names worth keeping), but checked as scikit-learn checks them: as many as
            ``n_features_in_``, and equal to ``feature_names_in_`` if fit saw names.

        Returns
        -------
        names : ndarray of str
        """
        check_is_fitted(self, "image_shape_")
        _check_feature_names_in(self, input_features, generate_names=False)
        return np.asarray(self._feature_names(), dtype=object)

    def _positive_pair(self, param, meaning):
        """Parameter ``param`` as a tuple of two positive ints, else a ValueError."""
        value = getattr(self, param)
        pair = tuple(int(v) for v in value)
        if len(pair) != 2 or min(pair) < 1:
            raise ValueError(
                f"{type(self).__name__}: {param}={tuple(value)!r} must be two "
                f"positive integers {meaning}."
            )
        return pair

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = list(self._preserves_dtype)
        return tags
