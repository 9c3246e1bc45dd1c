"""HOG features: :class:`HOGTransformer`, histograms of oriented gradients (Dalal & Triggs
2005), computed by OpenCV's ``cv2.HOGDescriptor``."""

import numbers

import cv2
import numpy as np
from sklearn.utils._param_validation import Interval

from ._base import _CHUNK, _ImageFeatureTransformer
from ..utils._validation import _to_uint8_per_image


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
