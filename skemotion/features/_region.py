"""A fixed part of the face crop: :class:`FaceRegion` (by default the lower face), resized,
so that features look where expressions show, at any crop size."""

import cv2
import numpy as np

from ._base import _ImageFeatureTransformer


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
