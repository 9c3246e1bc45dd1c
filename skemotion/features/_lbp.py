"""LBP features: :func:`lbp_codes` and :class:`LBPTransformer`, uniform local binary pattern
histograms on a grid of cells (Ojala, Pietikainen & Maenpaa 2002; the face-expression use of
Shan, Gong & McOwan 2009), vectorised in numpy."""

import math
import numbers
from functools import lru_cache

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import _CHUNK, _ImageFeatureTransformer


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
    >>> from skemotion.features._lbp import lbp_codes
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
