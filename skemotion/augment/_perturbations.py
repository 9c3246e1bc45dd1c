"""Image perturbations that model real capture, as plain functions of one image.

Every function takes one image - a 2-D gray array ``(height, width)`` or a colour array
``(height, width, 3)`` (BGR) or ``(height, width, 4)`` (BGRA) - and returns a new image of
the same shape and dtype. Intensities are 0..255: ``uint8`` as read from files, or floats
as :class:`~skemotion.FaceCropper` returns its crops (float results are clipped to
0..255, uint8 results rounded). They work on whole photos (before face detection) and on
face crops alike; where a parameter is in pixels, it is pixels of the image given.
"""

import numbers

import cv2
import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params

__all__ = [
    "add_noise",
    "adjust_gamma",
    "gaussian_blur",
    "jpeg_compress",
    "mirror",
    "reduce_resolution",
    "rotate",
    "shift_box",
]

_IMAGE = ["array-like"]


def _check_image(image, name="image"):
    """``image`` as an ndarray (uint8 or float, 2-D or 3-D with 3/4 channels, 0..255)."""
    image = np.asarray(image)
    if image.dtype != np.uint8 and not np.issubdtype(image.dtype, np.floating):
        raise ValueError(
            f"{name} has dtype {image.dtype}; the perturbations take uint8 images or float "
            "images with intensities 0..255."
        )
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise ValueError(
            f"{name} has shape {image.shape}; an image must be (h, w) gray, (h, w, 3) BGR or "
            "(h, w, 4) BGRA."
        )
    if min(image.shape[:2]) < 2:
        raise ValueError(f"{name} has shape {image.shape}; it needs at least 2x2 pixels.")
    if image.dtype != np.uint8:
        if not np.all(np.isfinite(image)):
            raise ValueError(f"{name} contains NaN or infinite values.")
        low, high = float(image.min()), float(image.max())
        if low < 0 or high > 255:
            raise ValueError(
                f"{name} has intensities from {low:g} to {high:g}; the perturbations take "
                "0..255 (FaceCropper's crops and 8-bit images)."
            )
    return image


def _as_input_dtype(result, image):
    """``result`` (float) back to ``image``'s dtype: clipped to 0..255, rounded for uint8."""
    result = np.clip(result, 0, 255)
    if image.dtype == np.uint8:
        return np.rint(result).astype(np.uint8)
    return result.astype(image.dtype, copy=False)


def _work_copy(image):
    """A contiguous float32 copy (OpenCV's filters and warps take float32, not float64)."""
    return np.ascontiguousarray(image, dtype=np.float32)


def _warp(image, matrix):
    """Affine warp of the whole image onto itself, bilinear, edges repeated."""
    h, w = image.shape[:2]
    out = cv2.warpAffine(_work_copy(image), matrix, (w, h), flags=cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REPLICATE)
    return _as_input_dtype(out.reshape(image.shape), image)


@validate_params(
    {"image": _IMAGE, "width": [Interval(numbers.Integral, 2, None, closed="left")]},
    prefer_skip_nested_validation=True,
)
def reduce_resolution(image, width):
    """Lower the resolution: shrink the image to ``width`` pixels wide and enlarge it back.

    Models a face that a camera sees with few pixels (far away, low resolution): the
    image is shrunk with area averaging (as a sensor integrates light) so that it is
    ``width`` pixels wide (height in proportion, at least 2 pixels), then enlarged back
    to its own size with bilinear interpolation. Detail finer than the small image
    can hold is lost; the shape stays the same. A ``width`` at least the image's own
    returns an unchanged copy.

    Parameters
    ----------
    image : array-like of shape (height, width) or (height, width, channels)
        uint8 or float image, intensities 0..255.
    width : int
        Width in pixels of the shrunken image (>= 2). To give a *face* inside a photo a
        width of ``f`` pixels, pass ``round(f * photo_width / face_width)``.

    Returns
    -------
    reduced : ndarray
        Same shape and dtype as ``image``.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.augment import reduce_resolution
    >>> stripes = np.tile([0.0, 255.0], (8, 4))  # 8x8, one-pixel stripes
    >>> bool(reduce_resolution(stripes, width=4).std() < stripes.std())  # stripes blur away
    True
    """
    image = _check_image(image)
    h, w = image.shape[:2]
    if width >= w:
        return image.copy()
    small_h = max(int(round(h * width / w)), 2)
    small = cv2.resize(_work_copy(image), (width, small_h), interpolation=cv2.INTER_AREA)
    back = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    return _as_input_dtype(back.reshape(image.shape), image)


@validate_params(
    {
        "image": _IMAGE,
        "gamma": [Interval(numbers.Real, 0, None, closed="neither")],
        "gain": [Interval(numbers.Real, 0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def adjust_gamma(image, gamma=1.0, gain=1.0):
    """Change exposure: ``255 * gain * (image / 255) ** gamma``, clipped to 0..255.

    ``gamma < 1`` brightens the mid-tones (as a camera's auto-exposure or a bright
    screen does), ``gamma > 1`` darkens them; ``gain`` scales the brightness
    (``gain < 1``: under-exposed, ``gain > 1``: over-exposed, the highlights clip).

    Parameters
    ----------
    image : array-like of shape (height, width) or (height, width, channels)
        uint8 or float image, intensities 0..255 (every channel is mapped alike).
    gamma : float, default=1.0
        Exponent, > 0.
    gain : float, default=1.0
        Brightness factor applied after the power, >= 0.

    Returns
    -------
    adjusted : ndarray
        Same shape and dtype as ``image`` (uint8 results are rounded).

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.augment import adjust_gamma
    >>> adjust_gamma(np.array([[0.0, 63.75], [127.5, 255.0]]), gamma=0.5).round(2).tolist()
    [[0.0, 127.5], [180.31, 255.0]]
    """
    image = _check_image(image)
    result = 255.0 * gain * np.power(image.astype(np.float64) / 255.0, gamma)
    return _as_input_dtype(result, image)


@validate_params(
    {"image": _IMAGE, "angle": [Interval(numbers.Real, -360, 360, closed="both")]},
    prefer_skip_nested_validation=True,
)
def rotate(image, angle):
    """Rotate the image in its plane about its centre (a tilted head or camera).

    Parameters
    ----------
    image : array-like of shape (height, width) or (height, width, channels)
        uint8 or float image, intensities 0..255.
    angle : float
        Degrees, counter-clockwise as seen on screen (OpenCV's convention), -360..360.

    Returns
    -------
    rotated : ndarray
        Same shape and dtype; bilinear, the corners filled by repeating the edge pixels.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.augment import rotate
    >>> image = np.zeros((5, 5))
    >>> image[2, 4] = 255.0  # a dot right of the centre
    >>> int(np.argmax(rotate(image, 90)))  # now straight above it: row 0, column 2
    2
    """
    image = _check_image(image)
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), float(angle), 1.0)
    return _warp(image, matrix)


@validate_params(
    {
        "image": _IMAGE,
        "shift": [tuple, list],
        "scale": [Interval(numbers.Real, 0, None, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def shift_box(image, shift=(0.0, 0.0), scale=1.0):
    """Show the image as a face box moved and resized by a face detector would.

    The image is taken as the content of a face box; the result is the content of the
    box moved by ``shift = (dx, dy)`` (fractions of the image's width and height; positive
    is right and down) and with its sides multiplied by ``scale`` about its centre
    (``scale > 1``: a larger box, so the face looks smaller), resampled to the same size.
    Parts of the new box outside the image repeat the edge pixels; to avoid that, apply it
    to a crop with a wider margin and cut the centre (``benchmarks/bench_robustness.py``
    does so).

    Parameters
    ----------
    image : array-like of shape (height, width) or (height, width, channels)
        uint8 or float image, intensities 0..255.
    shift : tuple of float (dx, dy), default=(0.0, 0.0)
        Displacement of the box as fractions of the image's width and height.
    scale : float, default=1.0
        Box size factor, > 0.

    Returns
    -------
    moved : ndarray
        Same shape and dtype as ``image``.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.augment import shift_box
    >>> image = np.zeros((10, 10))
    >>> image[5, 5] = 255.0
    >>> moved = shift_box(image, shift=(0.2, 0.0))  # box 2 px to the right
    >>> [int(i) for i in np.unravel_index(np.argmax(moved), moved.shape)]  # 2 px further left
    [5, 3]
    """
    image = _check_image(image)
    try:
        dx, dy = (float(v) for v in shift)
    except (TypeError, ValueError):
        raise ValueError(f"shift={shift!r} must be two numbers (dx, dy).") from None
    if not (np.isfinite(dx) and np.isfinite(dy)):
        raise ValueError(f"shift={shift!r} must be finite.")
    h, w = image.shape[:2]
    cx, cy = (w - 1) / 2, (h - 1) / 2
    # output pixel p shows input pixel c + scale * (p - c) + shift * size; warpAffine
    # wants the forward map (input -> output), the inverse of that
    inverse = np.array([[scale, 0, cx - scale * cx + dx * w],
                        [0, scale, cy - scale * cy + dy * h]])
    return _warp(image, cv2.invertAffineTransform(inverse))


@validate_params(
    {"image": _IMAGE, "sigma": [Interval(numbers.Real, 0, None, closed="left")]},
    prefer_skip_nested_validation=True,
)
def gaussian_blur(image, sigma):
    """Gaussian blur (defocus, motion-free camera shake, a cheap lens).

    Parameters
    ----------
    image : array-like of shape (height, width) or (height, width, channels)
        uint8 or float image, intensities 0..255.
    sigma : float
        Standard deviation in pixels of the image given, >= 0 (0: an unchanged copy).

    Returns
    -------
    blurred : ndarray
        Same shape and dtype; edges reflected.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.augment import gaussian_blur
    >>> image = np.zeros((9, 9))
    >>> image[4, 4] = 255.0
    >>> blurred = gaussian_blur(image, sigma=1.0)
    >>> bool(blurred[4, 4] < 255.0), round(float(blurred.sum()))  # spread, same total
    (True, 255)
    """
    image = _check_image(image)
    if sigma == 0:
        return image.copy()
    out = cv2.GaussianBlur(_work_copy(image), (0, 0), sigmaX=float(sigma),
                           borderType=cv2.BORDER_REFLECT_101)
    return _as_input_dtype(out.reshape(image.shape), image)


@validate_params(
    {"image": _IMAGE, "quality": [Interval(numbers.Integral, 0, 100, closed="both")]},
    prefer_skip_nested_validation=True,
)
def jpeg_compress(image, quality):
    """Encode the image as JPEG at ``quality`` and decode it again (OpenCV's codec).

    Webcams and video streams compress every frame; low qualities leave 8x8 block
    edges, ringing and flattened texture.

    Parameters
    ----------
    image : array-like of shape (height, width) or (height, width, channels)
        uint8 or float image, intensities 0..255 (floats are rounded to 8 bits first;
        an alpha channel is kept as it is).
    quality : int
        JPEG quality 0..100 (OpenCV's default is 95).

    Returns
    -------
    decoded : ndarray
        Same shape and dtype as ``image``.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.augment import jpeg_compress
    >>> image = np.random.default_rng(0).uniform(0, 255, size=(16, 16))
    >>> bool(np.abs(jpeg_compress(image, quality=10) - image).mean() > 10)
    True
    """
    image = _check_image(image)
    pixels = np.rint(image).astype(np.uint8) if image.dtype != np.uint8 else image
    colour = pixels[:, :, :3] if pixels.ndim == 3 else pixels
    ok, encoded = cv2.imencode(".jpg", np.ascontiguousarray(colour),
                               [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:  # pragma: no cover - OpenCV encodes any 8-bit gray/BGR image
        raise RuntimeError("OpenCV could not encode the image as JPEG.")
    flags = cv2.IMREAD_COLOR if colour.ndim == 3 else cv2.IMREAD_GRAYSCALE
    decoded = cv2.imdecode(encoded, flags)
    if pixels.ndim == 3 and pixels.shape[2] == 4:
        decoded = np.dstack([decoded, pixels[:, :, 3]])
    return _as_input_dtype(decoded.astype(np.float32), image)


@validate_params(
    {
        "image": _IMAGE,
        "sigma": [Interval(numbers.Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def add_noise(image, sigma, random_state=None):
    """Add Gaussian sensor noise of standard deviation ``sigma`` grey levels.

    Parameters
    ----------
    image : array-like of shape (height, width) or (height, width, channels)
        uint8 or float image, intensities 0..255.
    sigma : float
        Noise standard deviation in grey levels (0..255 scale), >= 0.
    random_state : int, RandomState instance or None, default=None
        Seed of the noise; an int gives the same noise every call.

    Returns
    -------
    noisy : ndarray
        Same shape and dtype, clipped to 0..255.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.augment import add_noise
    >>> noisy = add_noise(np.full((100, 100), 128.0), sigma=5.0, random_state=0)
    >>> round(float(noisy.std()))
    5
    """
    image = _check_image(image)
    rng = check_random_state(random_state)
    return _as_input_dtype(image + rng.normal(0.0, float(sigma), size=image.shape), image)


@validate_params({"image": _IMAGE}, prefer_skip_nested_validation=True)
def mirror(image):
    """The image flipped left to right (a label-preserving change for expressions).

    Parameters
    ----------
    image : array-like of shape (height, width) or (height, width, channels)
        uint8 or float image, intensities 0..255.

    Returns
    -------
    mirrored : ndarray
        Same shape and dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.augment import mirror
    >>> mirror(np.array([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]])).tolist()
    [[2.0, 1.0, 0.0], [5.0, 4.0, 3.0]]
    """
    image = _check_image(image)
    return image[:, ::-1].copy()
