"""Gabor features: :class:`GaborTransformer`, pooled magnitudes of a Gabor filter bank
(Bartlett, Littlewort et al. 2005-2006), via ``cv2.getGaborKernel``."""

import math
import numbers
from functools import lru_cache

import cv2
import numpy as np
from sklearn.utils._param_validation import Interval

from ._base import _ImageFeatureTransformer


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
