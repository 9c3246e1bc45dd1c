"""Classical face descriptors as sklearn transformers, and honest flip augmentation.

The transformers take what :class:`~skemotion.FaceCropper` returns: gray face crops
as a 2-D float array ``(n_samples, height * width)`` or a 3-D array
``(n_samples, height, width)``.

- :class:`HOGTransformer`: histograms of oriented gradients (Dalal & Triggs 2005),
  computed by OpenCV's ``cv2.HOGDescriptor``.
- :class:`LBPTransformer`: uniform local binary pattern histograms on a grid of
  cells (Ojala, Pietikainen & Maenpaa 2002; the face-expression use of Shan, Gong &
  McOwan 2009), vectorised in numpy.
- :class:`GaborTransformer`: pooled magnitudes of a Gabor filter bank (Bartlett,
  Littlewort et al. 2005-2006), via ``cv2.getGaborKernel``.
- :class:`FaceRegion`: a fixed part of the crop (by default the lower face),
  resized, so that features look where expressions show, at any crop size.
- :class:`FlipAugmentedClassifier`: a meta-estimator that adds mirrored copies of
  the *training* images at fit time only; prediction never sees flipped images.
"""

import math
import numbers
from functools import lru_cache

import cv2
import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    TransformerMixin,
    _fit_context,
    clone,
)
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted, validate_data

from ._fisherface import _check_finite, _flatten_images
from ._subset import _estimator_has, _FitParamsToEstimatorMixin

__all__ = [
    "FaceRegion",
    "FlipAugmentedClassifier",
    "GaborTransformer",
    "HOGTransformer",
    "LBPTransformer",
]

#: images per chunk in LBPTransformer: bounds the temporaries (a few float64 copies of
#: the chunk) to some tens of MiB whatever the data set size.
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


def _to_uint8_per_image(images):
    """Min-max scale each image to 0..255 and round to uint8 (constant images -> 0)."""
    lo = images.min(axis=(1, 2), keepdims=True)
    span = images.max(axis=(1, 2), keepdims=True) - lo
    scaled = (images - lo) * np.divide(255.0, span, out=np.zeros_like(span), where=span > 0)
    return np.rint(scaled).astype(np.uint8)


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


# ------------------------------------------------------------------------------- HOG
class HOGTransformer(_ImageFeatureTransformer):
    """Histogram of oriented gradients of gray face crops, via ``cv2.HOGDescriptor``.

    Each image is divided into square cells of ``cell_size`` pixels; a histogram of
    gradient orientations (``n_bins`` bins, magnitude weighted) is built per cell and
    blocks of ``block_size`` x ``block_size`` cells, moved one cell at a time, are
    L2-Hys normalised (Dalal & Triggs 2005). The features of all blocks are
    concatenated. The transformer is stateless: ``fit`` only validates its input.

    Parameters
    ----------
    cell_size : int, default=8
        Cell side in pixels (8 px on 64 px crops is the classic choice).
    block_size : int, default=2
        Block side in cells.
    n_bins : int, default=9
        Orientation bins over 0-180 degrees (or 0-360 with ``signed_gradient``).
    signed_gradient : bool, default=False
        Distinguish gradient directions that differ by 180 degrees.
    image_shape : tuple of int (height, width) or None, default=None
        Shape of one image. ``None``: taken from 3-D input, else a square image is
        assumed (``n_features`` must be a square number).

    Attributes
    ----------
    n_features_in_ : int
        Pixels per image seen in :meth:`fit`.
    image_shape_ : tuple of int
        ``(height, width)`` of the images seen in :meth:`fit`.

    See Also
    --------
    LBPTransformer : local binary pattern histograms, the texture counterpart.

    Notes
    -----
    OpenCV's HOG works on 8-bit images, so each image is min-max scaled to 0..255
    and rounded first. HOG is invariant to such a contrast change up to rounding,
    so crops in 0..1 and in 0..255 give (almost) the same features. Images whose
    sides are not multiples of ``cell_size`` are cropped centrally to the largest
    multiple (as scikit-image's ``hog`` ignores leftover pixels). The output has
    ``n_blocks_y * n_blocks_x * block_size**2 * n_bins`` features, where
    ``n_blocks = n_cells - block_size + 1`` along each axis.

    References
    ----------
    N. Dalal and B. Triggs, "Histograms of oriented gradients for human detection",
    CVPR 2005.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion import HOGTransformer
    >>> crops = np.random.default_rng(0).uniform(0, 255, size=(3, 64 * 64))
    >>> HOGTransformer().fit_transform(crops).shape  # 7 x 7 blocks x 4 cells x 9 bins
    (3, 1764)
    """

    _preserves_dtype = ["float32"]

    _parameter_constraints = {
        "cell_size": [Interval(numbers.Integral, 2, None, closed="left")],
        "block_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_bins": [Interval(numbers.Integral, 2, None, closed="left")],
        "signed_gradient": ["boolean"],
        "image_shape": [tuple, list, None],
    }

    def __init__(
        self, cell_size=8, block_size=2, n_bins=9, signed_gradient=False, image_shape=None
    ):
        self.cell_size = cell_size
        self.block_size = block_size
        self.n_bins = n_bins
        self.signed_gradient = signed_gradient
        self.image_shape = image_shape

    def _geometry(self, shape):
        """(crop slices, descriptor window (w, h)) for images of ``shape``."""
        cell, block = self.cell_size, self.block_size
        h, w = (side - side % cell for side in shape)
        if min(h, w) < cell * block:
            raise ValueError(
                f"HOGTransformer: images of shape {tuple(shape)} (n_features="
                f"{shape[0] * shape[1]}) are smaller than one "
                f"block of {block}x{block} cells of {cell} px ({cell * block} px); use "
                "larger crops or a smaller cell_size/block_size."
            )
        top, left = (shape[0] - h) // 2, (shape[1] - w) // 2
        return (slice(top, top + h), slice(left, left + w)), (w, h)

    def _n_features_for(self, shape):
        _, (w, h) = self._geometry(shape)
        nby = h // self.cell_size - self.block_size + 1
        nbx = w // self.cell_size - self.block_size + 1
        return nby * nbx * self.block_size**2 * self.n_bins

    def _transform(self, X, shape):
        (rows, cols), window = self._geometry(shape)
        cell, block = self.cell_size, self.block_size
        descriptor = cv2.HOGDescriptor(
            window, (cell * block, cell * block), (cell, cell), (cell, cell), self.n_bins,
            1, -1.0, 0, 0.2, False, 64, bool(self.signed_gradient),
        )
        n_out = self._n_features_for(shape)
        out = np.empty((X.shape[0], n_out), dtype=np.float32)
        for start in range(0, X.shape[0], _CHUNK):
            images = X[start : start + _CHUNK].reshape(-1, *shape)[:, rows, cols]
            for i, image in enumerate(_to_uint8_per_image(images.astype(np.float64))):
                out[start + i] = descriptor.compute(image).ravel()
        return out

    def _feature_names(self):
        return [f"hog{i}" for i in range(self._n_features_for(self.image_shape_))]


# ------------------------------------------------------------------------------- LBP
@lru_cache(maxsize=16)
def _uniform_lookup(n_points):
    """LBP code -> bin for the ``u2`` mapping; returns ``(table, n_bins)``.

    Codes with at most two 0/1 transitions around the circle ("uniform") get their
    own bin, in increasing code order; all other codes share the last bin. For
    ``n_points=8`` that is 58 uniform bins + 1 = 59 (Ojala et al. 2002).
    """
    codes = np.arange(2**n_points)
    rotated = ((codes >> 1) | ((codes & 1) << (n_points - 1)))
    transitions = np.array([bin(int(v)).count("1") for v in codes ^ rotated])
    uniform = transitions <= 2
    table = np.full(codes.shape, int(uniform.sum()), dtype=np.intp)
    table[uniform] = np.arange(int(uniform.sum()))
    return table, int(uniform.sum()) + 1


def _neighbour_offsets(n_points, radius):
    """(dy, dx) of the circular neighbours, counter-clockwise from the right (x+)."""
    angles = 2 * np.pi * np.arange(n_points) / n_points
    # round away the 1e-16 noise of sin/cos so axis-aligned neighbours stay exact
    return np.round(-radius * np.sin(angles), 12), np.round(radius * np.cos(angles), 12)


def lbp_codes(images, n_points=8, radius=1.0):
    """Raw LBP codes of a stack of images (border of ``ceil(radius)`` px excluded).

    Bit ``p`` of a pixel's code is 1 when the ``p``-th neighbour on the circle of
    ``radius`` (bilinearly interpolated, counter-clockwise from the right) is
    greater than or equal to the centre pixel (Ojala et al. 2002).

    Parameters
    ----------
    images : ndarray of shape (n_images, height, width)
    n_points : int
    radius : float

    Returns
    -------
    codes : ndarray of shape (n_images, height - 2r, width - 2r), r = ceil(radius)

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion._features import lbp_codes
    >>> image = np.array([[0, 0, 0], [0, 5, 9], [0, 9, 9]], dtype=float)
    >>> int(lbp_codes(image[None], n_points=4, radius=1)[0, 0, 0])  # right, below >= 5
    9
    """
    images = np.asarray(images, dtype=np.float64)
    n, h, w = images.shape
    r = int(math.ceil(radius))
    H, W = h - 2 * r, w - 2 * r
    centre = images[:, r : r + H, r : r + W]
    codes = np.zeros((n, H, W), dtype=np.int64)

    def shifted(oy, ox):
        return images[:, r + oy : r + oy + H, r + ox : r + ox + W]

    for p, (dy, dx) in enumerate(zip(*_neighbour_offsets(n_points, radius))):
        y0, x0 = math.floor(dy), math.floor(dx)
        fy, fx = dy - y0, dx - x0
        value = (1 - fy) * (1 - fx) * shifted(y0, x0)
        if fx > 0:
            value += (1 - fy) * fx * shifted(y0, x0 + 1)
        if fy > 0:
            value += fy * (1 - fx) * shifted(y0 + 1, x0)
        if fx > 0 and fy > 0:
            value += fy * fx * shifted(y0 + 1, x0 + 1)
        # tolerance: interpolated neighbours equal to the centre count as >=
        codes |= (value >= centre - 1e-9).astype(np.int64) << p
    return codes


class LBPTransformer(_ImageFeatureTransformer):
    """Uniform local binary pattern histograms on a grid of cells.

    Every pixel gets an LBP code from comparing ``n_points`` neighbours on a circle
    of ``radius`` pixels with it; codes are mapped to the ``u2`` ("uniform") bins,
    the image is divided into a ``grid_shape`` grid of cells and one histogram per
    cell is built and normalised to sum 1. The concatenated histograms describe
    local texture (mouth corners, wrinkles, teeth) while keeping where it is: the
    face-expression descriptor of Shan, Gong & McOwan (2009). The transformer is
    stateless: ``fit`` only validates its input.

    Parameters
    ----------
    n_points : int, default=8
        Neighbours on the circle (``P``); ``P * (P - 1) + 3`` bins per cell
        (59 for P=8).
    radius : float, default=1.0
        Circle radius in pixels (``R``); non-integer neighbour positions are
        bilinearly interpolated.
    grid_shape : tuple of int (rows, cols), default=(7, 7)
        Cells per image. Cells are as equal as possible; border pixels without a full
        neighbourhood get no code (Ojala et al.).
    norm : {"l1", "hellinger"}, default="hellinger"
        ``"l1"``: each cell histogram sums to 1. ``"hellinger"``: the square root of
        that, so that a linear model on the features compares histograms with the
        Bhattacharyya/Hellinger kernel, close to the chi-square distance used by
        Shan et al.
    image_shape : tuple of int (height, width) or None, default=None
        Shape of one image. ``None``: taken from 3-D input, else a square image is
        assumed (``n_features`` must be a square number).

    Attributes
    ----------
    n_features_in_ : int
        Pixels per image seen in :meth:`fit`.
    image_shape_ : tuple of int
        ``(height, width)`` of the images seen in :meth:`fit`.
    n_bins_ : int
        Histogram bins per cell.

    See Also
    --------
    HOGTransformer : gradient orientation histograms.

    Notes
    -----
    The bins of a cell, in order: the uniform codes in increasing numeric value, then
    one bin for all non-uniform codes. Images are processed in chunks, so memory
    stays bounded for large data sets. Intensity scale does not matter (only signs of
    differences do), so 0..1 and 0..255 crops give identical features.

    References
    ----------
    T. Ojala, M. Pietikainen and T. Maenpaa, "Multiresolution gray-scale and rotation
    invariant texture classification with local binary patterns", IEEE TPAMI 24(7),
    971-987, 2002.

    C. Shan, S. Gong and P. W. McOwan, "Facial expression recognition based on Local
    Binary Patterns: A comprehensive study", Image and Vision Computing 27(6),
    803-816, 2009.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion import LBPTransformer
    >>> crops = np.random.default_rng(0).uniform(0, 255, size=(3, 64 * 64))
    >>> features = LBPTransformer(grid_shape=(4, 4), norm="l1").fit_transform(crops)
    >>> features.shape  # 16 cells x 59 bins
    (3, 944)
    >>> np.allclose(features.reshape(3, 16, 59).sum(axis=2), 1)
    True
    """

    _parameter_constraints = {
        "n_points": [Interval(numbers.Integral, 2, 24, closed="both")],
        "radius": [Interval(numbers.Real, 0, None, closed="neither")],
        "grid_shape": [tuple, list],
        "norm": [StrOptions({"l1", "hellinger"})],
        "image_shape": [tuple, list, None],
    }

    def __init__(self, n_points=8, radius=1.0, grid_shape=(7, 7), norm="hellinger",
                 image_shape=None):
        self.n_points = n_points
        self.radius = radius
        self.grid_shape = grid_shape
        self.norm = norm
        self.image_shape = image_shape

    def _geometry(self, shape):
        grid = self._positive_pair("grid_shape", "(rows, cols)")
        r = int(math.ceil(self.radius))
        inner = (shape[0] - 2 * r, shape[1] - 2 * r)
        if inner[0] < grid[0] or inner[1] < grid[1]:
            raise ValueError(
                f"LBPTransformer: images of shape {tuple(shape)} (n_features="
                f"{shape[0] * shape[1]}) leave {inner} coded "
                f"pixels for radius={self.radius}, fewer than the {grid} grid cells; use "
                "larger crops, a smaller radius or a coarser grid_shape."
            )
        return grid, inner

    def fit(self, X, y=None):
        super().fit(X, y)
        self.n_bins_ = _uniform_lookup(self.n_points)[1]
        return self

    fit.__doc__ = _ImageFeatureTransformer.fit.__doc__

    def _transform(self, X, shape):
        (gy, gx), (H, W) = self._geometry(shape)
        table, n_bins = _uniform_lookup(self.n_points)
        # cell index of every coded pixel (cells as equal as possible)
        cell = (np.arange(H) * gy // H)[:, None] * gx + (np.arange(W) * gx // W)[None, :]
        counts = np.bincount(cell.ravel(), minlength=gy * gx).astype(np.float64)
        out = np.empty((X.shape[0], gy * gx * n_bins), dtype=X.dtype)
        for start in range(0, X.shape[0], _CHUNK):
            images = X[start : start + _CHUNK].reshape(-1, *shape)
            n = images.shape[0]
            labels = table[lbp_codes(images, self.n_points, self.radius)]
            index = (np.arange(n)[:, None, None] * (gy * gx) + cell) * n_bins + labels
            hist = np.bincount(index.ravel(), minlength=n * gy * gx * n_bins)
            hist = hist.reshape(n, gy * gx, n_bins) / counts[None, :, None]
            if self.norm == "hellinger":
                hist = np.sqrt(hist)
            out[start : start + n] = hist.reshape(n, -1)
        return out

    def _feature_names(self):
        gy, gx = (int(v) for v in self.grid_shape)
        return [f"lbp_cell{c}_bin{b}" for c in range(gy * gx) for b in range(self.n_bins_)]


# --------------------------------------------------------------------- augmentation
class FlipAugmentedClassifier(_FitParamsToEstimatorMixin, MetaEstimatorMixin, ClassifierMixin,
                              BaseEstimator):
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
        X, y, shape = _validate_images(self, X, reset=True, y=y)
        check_classification_targets(y)
        classes = np.unique(y)
        if len(classes) < 2:  # say it before the flips double the count
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes; got only one "
                f"class ({classes.tolist()[0]!r}) in {len(y)} sample(s)."
            )
        self.image_shape_ = shape
        flipped = X.reshape(-1, *shape)[:, :, ::-1].reshape(X.shape)
        n = len(X)
        # a mirror image carries its original's weight (and other per-sample metadata)
        params = self._estimator_fit_params(fit_params, n, np.r_[np.arange(n), np.arange(n)])
        self.estimator_ = clone(self.estimator).fit(
            np.concatenate([X, flipped]), np.concatenate([y, y]), **params
        )
        self.classes_ = self.estimator_.classes_
        return self

    def _check_X(self, X):
        check_is_fitted(self)
        return _validate_images(self, X, reset=False)[0]

    def predict(self, X):
        """Predict with the fitted estimator on the images as given (never flipped).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or (n_samples, height, width)

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        X = self._check_X(X)
        return self.estimator_.predict(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """``estimator_.decision_function`` on the images as given.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or (n_samples, height, width)

        Returns
        -------
        scores : ndarray
        """
        X = self._check_X(X)
        return self.estimator_.decision_function(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """``estimator_.predict_proba`` on the images as given.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or (n_samples, height, width)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        X = self._check_X(X)
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """``estimator_.predict_log_proba`` on the images as given.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels) or (n_samples, height, width)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        X = self._check_X(X)
        return self.estimator_.predict_log_proba(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)  # no clone: tags are asked for on every predict
        tags.input_tags.sparse = False
        tags.classifier_tags.multi_class = inner.classifier_tags.multi_class
        return tags


# ------------------------------------------------------------------------ face region
class FaceRegion(_ImageFeatureTransformer):
    """Cut a fixed part of every face crop (e.g. the lower face) and resize it.

    The region is given as fractions of the crop, so the same setting selects the
    same part of a 64 px, a 128 px or a 350 px crop: the transformer makes a
    pipeline independent of the crop size it is given (e.g. the 128x128 CK+ crops
    with ``detect=False``). The default is the lower face of an eye-aligned crop -
    mouth, lip corners, cheeks and the naso-labial folds, where a smile shows
    (action units 6 and 12) - and it leaves out the eyes and forehead, which carry
    more identity than expression. Stateless: ``fit`` only validates its input.

    Parameters
    ----------
    region : tuple of float (top, bottom, left, right), default=(0.4, 0.9, 0.1, 0.9)
        Edges of the region as fractions of the crop height (top, bottom) and width
        (left, right), with ``0 <= top < bottom <= 1`` and ``0 <= left < right <= 1``.
        Edges are rounded to whole pixels.
    output_shape : tuple of int (height, width), default=(48, 64)
        Size of the returned regions (area interpolation when shrinking, bilinear
        when enlarging).
    image_shape : tuple of int (height, width) or None, default=None
        Shape of one input crop. ``None``: taken from 3-D input, else a square
        crop is assumed (``n_features`` must be a square number).

    Attributes
    ----------
    n_features_in_ : int
        Pixels per crop seen in :meth:`fit`.
    image_shape_ : tuple of int
        ``(height, width)`` of the crops seen in :meth:`fit`.

    See Also
    --------
    GaborTransformer, HOGTransformer : features to compute on the region; give them
        ``image_shape=output_shape``.

    Notes
    -----
    The output is flat, ``(n_samples, height * width)``, in the input's float dtype.
    The default region was chosen on eye-aligned FaceCropper crops (eyes at 39% of
    the height) by grouped cross-validation on half of the London subjects; on
    crops framed differently choose it by eye or by nested cross-validation.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion import FaceRegion
    >>> crops = np.arange(2 * 10 * 10, dtype=float).reshape(2, 10, 10)
    >>> lower = FaceRegion(region=(0.5, 1.0, 0.0, 1.0), output_shape=(5, 10))
    >>> out = lower.fit_transform(crops)
    >>> out.shape
    (2, 50)
    >>> bool(np.array_equal(out[0].reshape(5, 10), crops[0, 5:]))
    True
    """

    _parameter_constraints = {
        "region": [tuple, list],
        "output_shape": [tuple, list],
        "image_shape": [tuple, list, None],
    }

    def __init__(self, region=(0.4, 0.9, 0.1, 0.9), output_shape=(48, 64), image_shape=None):
        self.region = region
        self.output_shape = output_shape
        self.image_shape = image_shape

    def _geometry(self, shape):
        """(row slice, col slice, (out_h, out_w)) for crops of ``shape``."""
        try:
            top, bottom, left, right = (float(v) for v in self.region)
        except (TypeError, ValueError):
            raise ValueError(
                f"FaceRegion: region={self.region!r} must be four fractions "
                "(top, bottom, left, right)."
            ) from None
        if not (0 <= top < bottom <= 1 and 0 <= left < right <= 1):
            raise ValueError(
                f"FaceRegion: region={tuple(self.region)!r} must satisfy 0 <= top < "
                "bottom <= 1 and 0 <= left < right <= 1 (fractions of the crop)."
            )
        out = self._positive_pair("output_shape", "(height, width)")
        h, w = shape
        r0, r1 = int(round(top * h)), int(round(bottom * h))
        c0, c1 = int(round(left * w)), int(round(right * w))
        if r1 <= r0 or c1 <= c0:
            raise ValueError(
                f"FaceRegion: region={tuple(self.region)!r} of crops of shape "
                f"{tuple(shape)} is less than one pixel; use larger crops."
            )
        return slice(r0, r1), slice(c0, c1), out

    def _transform(self, X, shape):
        rows, cols, (oh, ow) = self._geometry(shape)
        images = X.reshape(-1, *shape)
        out = np.empty((X.shape[0], oh * ow), dtype=X.dtype)
        for i, image in enumerate(images):
            part = np.ascontiguousarray(image[rows, cols])
            if part.shape != (oh, ow):
                shrink = part.shape[0] >= oh and part.shape[1] >= ow
                part = cv2.resize(
                    part, (ow, oh), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
                )
            out[i] = part.ravel()
        return out

    def _feature_names(self):
        oh, ow = (int(v) for v in self.output_shape)
        return [f"region_pixel{i}" for i in range(oh * ow)]


# ------------------------------------------------------------------------------ Gabor
@lru_cache(maxsize=8)
def _gabor_bank(wavelengths, n_orientations, sigma_ratio):
    """Pairs of (even, odd) float32 Gabor kernels, wavelength-major, orientation-minor."""
    bank = []
    for lam in wavelengths:
        sigma = sigma_ratio * lam
        size = int(2 * math.ceil(2.5 * sigma) + 1)
        for k in range(n_orientations):
            theta = math.pi * k / n_orientations
            even = cv2.getGaborKernel((size, size), sigma, theta, lam, 1.0, 0.0,
                                      ktype=cv2.CV_32F)
            odd = cv2.getGaborKernel((size, size), sigma, theta, lam, 1.0, math.pi / 2,
                                     ktype=cv2.CV_32F)
            bank.append((even - even.mean(), odd - odd.mean()))  # no DC response
    return tuple(bank)


class GaborTransformer(_ImageFeatureTransformer):
    """Pooled Gabor magnitude responses of gray face crops (a Gabor filter bank).

    Each image is standardised (zero mean, unit variance), filtered by a bank of
    complex Gabor filters - ``len(wavelengths)`` scales x ``n_orientations``
    orientations, built with ``cv2.getGaborKernel`` - and the magnitude of every
    response (the "energy", insensitive to the exact position of an edge) is
    average-pooled to a ``pool_shape`` grid. The square roots of the pooled
    magnitudes of all filters are concatenated. This is the expression
    representation of Bartlett, Littlewort et al. (Gabor energy filters + linear
    SVM), with the dense magnitudes average-pooled so that a linear model on a few
    hundred faces stays well-posed. Stateless: ``fit`` only validates its input.

    Parameters
    ----------
    wavelengths : tuple of float, default=(3.0, 4.24, 6.0, 8.49, 12.0)
        Wavelengths of the filters' carriers, in pixels (half-octave steps; the
        default suits 48-64 px face regions).
    n_orientations : int, default=8
        Orientations, evenly spaced over 0-180 degrees.
    sigma_ratio : float, default=0.56
        Gaussian envelope ``sigma = sigma_ratio * wavelength`` (0.56 gives about one
        octave of bandwidth).
    pool_shape : tuple of int (rows, cols), default=(8, 8)
        Pooling grid per filter (area averaging, so any image size works).
    image_shape : tuple of int (height, width) or None, default=None
        Shape of one image. ``None``: taken from 3-D input, else a square image is
        assumed (``n_features`` must be a square number).

    Attributes
    ----------
    n_features_in_ : int
        Pixels per image seen in :meth:`fit`.
    image_shape_ : tuple of int
        ``(height, width)`` of the images seen in :meth:`fit`.

    See Also
    --------
    HOGTransformer : gradient orientation histograms (a cheaper relative).
    FaceRegion : restrict the features to a part of the face.

    Notes
    -----
    Output: ``len(wavelengths) * n_orientations * rows * cols`` float32 features,
    ordered wavelength, orientation, pool row, pool column. Kernels have zero mean
    and are applied with reflected borders (``cv2.filter2D``, float32; repeated calls
    can differ in the last bit, as OpenCV picks SIMD/threaded code paths). Because each
    image is standardised first, the features do not change with brightness or
    contrast (gain and offset) of the crop.

    References
    ----------
    M. S. Bartlett, G. Littlewort, M. Frank, C. Lainscsek, I. Fasel and J. Movellan,
    "Recognizing facial expression: machine learning and application to spontaneous
    behavior", CVPR 2005.

    G. Littlewort, M. S. Bartlett, I. Fasel, J. Susskind and J. Movellan, "Dynamics
    of facial expression extracted automatically from video", Image and Vision
    Computing 24(6), 615-625, 2006.

    J. G. Daugman, "Uncertainty relation for resolution in space, spatial frequency,
    and orientation optimized by two-dimensional visual cortical filters", JOSA A
    2(7), 1160-1169, 1985.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion import GaborTransformer
    >>> crops = np.random.default_rng(0).uniform(0, 255, size=(3, 32 * 32))
    >>> gabor = GaborTransformer(wavelengths=(4.0, 8.0), n_orientations=4, pool_shape=(2, 2))
    >>> gabor.fit_transform(crops).shape  # 2 scales x 4 orientations x 2 x 2 cells
    (3, 32)
    """

    _preserves_dtype = ["float32"]

    _parameter_constraints = {
        "wavelengths": [tuple, list],
        "n_orientations": [Interval(numbers.Integral, 1, None, closed="left")],
        "sigma_ratio": [Interval(numbers.Real, 0, None, closed="neither")],
        "pool_shape": [tuple, list],
        "image_shape": [tuple, list, None],
    }

    def __init__(self, wavelengths=(3.0, 4.24, 6.0, 8.49, 12.0), n_orientations=8,
                 sigma_ratio=0.56, pool_shape=(8, 8), image_shape=None):
        self.wavelengths = wavelengths
        self.n_orientations = n_orientations
        self.sigma_ratio = sigma_ratio
        self.pool_shape = pool_shape
        self.image_shape = image_shape

    def _geometry(self, shape):
        """(wavelengths tuple, (rows, cols)) after checking them against ``shape``."""
        try:
            wavelengths = tuple(float(v) for v in self.wavelengths)
        except (TypeError, ValueError):
            wavelengths = ()
        if not wavelengths or min(wavelengths) < 2 or not all(map(math.isfinite, wavelengths)):
            raise ValueError(
                f"GaborTransformer: wavelengths={self.wavelengths!r} must be a non-empty "
                "sequence of finite numbers >= 2 (pixels per carrier period; 2 is the "
                "Nyquist limit)."
            )
        pool = self._positive_pair("pool_shape", "(rows, cols)")
        if pool[0] > shape[0] or pool[1] > shape[1]:
            raise ValueError(
                f"GaborTransformer: images of shape {tuple(shape)} (n_features="
                f"{shape[0] * shape[1]}) are smaller than the pooling grid {pool}; use "
                "larger crops or a coarser pool_shape."
            )
        return wavelengths, pool

    def _transform(self, X, shape):
        wavelengths, (py, px) = self._geometry(shape)
        bank = _gabor_bank(wavelengths, int(self.n_orientations), float(self.sigma_ratio))
        out = np.empty((X.shape[0], len(bank) * py * px), dtype=np.float32)
        cell = py * px
        for i, row in enumerate(X):
            image = row.reshape(shape).astype(np.float32)
            image = image - image.mean()
            std = float(image.std())
            if std > 0:
                image /= std
            for k, (even, odd) in enumerate(bank):
                re = cv2.filter2D(image, cv2.CV_32F, even, borderType=cv2.BORDER_REFLECT)
                im = cv2.filter2D(image, cv2.CV_32F, odd, borderType=cv2.BORDER_REFLECT)
                magnitude = cv2.magnitude(re, im)
                pooled = cv2.resize(magnitude, (px, py), interpolation=cv2.INTER_AREA)
                out[i, k * cell : (k + 1) * cell] = pooled.ravel()
        np.sqrt(np.maximum(out, 0, out=out), out=out)
        return out

    def _feature_names(self):
        py, px = (int(v) for v in self.pool_shape)
        return [f"gabor_w{s}_o{o}_{c}" for s in range(len(tuple(self.wavelengths)))
                for o in range(int(self.n_orientations)) for c in range(py * px)]
