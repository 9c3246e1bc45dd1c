"""Reading images from disk and converting them to 8-bit grayscale.

One place for image decoding, shared by the dataset loaders, :class:`FaceCropper`
and the command line.
"""

import os
from pathlib import Path

import cv2
import numpy as np

#: File endings that the loaders treat as images (lower case).
IMAGE_EXTENSIONS = frozenset(
    {".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".bmp", ".tif", ".tiff", ".pbm", ".pgm",
     ".ppm", ".pnm", ".webp"}
)
#: Files that photo tools leave in folders; never images, always ignored.
CLUTTER_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})


def is_hidden_or_clutter(name):
    """True for hidden entries (``.name``) and the tools' clutter files (``Thumbs.db``...)."""
    return name.startswith(".") or name.lower() in CLUTTER_NAMES


def is_image_file(path):
    """True if ``path`` names a non-hidden file with an image ending."""
    name = Path(path).name
    if is_hidden_or_clutter(name):
        return False
    return Path(name).suffix.lower() in IMAGE_EXTENSIONS


#: How far (in 0..255 units, 10% of the range) a float image may stray outside [0, 255]
#: (resampling overshoot) before it is an error rather than clipped.
_FLOAT_SLACK = 25.5


def to_uint8(image, *, source=None):
    """Scale an image of any supported dtype to uint8, keeping its channels.

    uint8 is returned as is; uint16 (16-bit image files) is divided by 257; other
    integer types (e.g. int64 from parsed pixel strings) must hold 8-bit values
    0..255 and are taken as they are; floats are taken as [0, 1] when their maximum
    is at most 1.1, else as [0, 255], and clipped (values more than 10% of the range
    outside it, such as 16-bit data as floats, are an error).

    ``source`` (a file name or a sample description) is used in error messages.
    """
    where = f" ({source})" if source is not None else ""
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image
    if image.dtype == np.bool_:
        return image.astype(np.uint8) * 255
    if np.issubdtype(image.dtype, np.integer):
        if image.dtype == np.uint16:
            return (image.astype(np.uint32) // 257).astype(np.uint8)
        if image.size and (image.min() < 0 or image.max() > 255):
            raise ValueError(
                f"Image{where} has {image.dtype} values from {image.min()} to {image.max()}; "
                "integer images other than uint16 must hold 8-bit values 0..255 (or pass "
                "uint16 for 16-bit images, or floats in [0, 1] or [0, 255])."
            )
        return image.astype(np.uint8)
    if np.issubdtype(image.dtype, np.floating):
        if not np.all(np.isfinite(image)):
            raise ValueError(f"Image{where} contains NaN or infinite values.")
        # [0, 1] when the maximum is at most 1.1 (overshoot of 10% of the range, as
        # below); a [0, 255] image that dark would be black anyway
        scale = 255.0 if image.size and image.max() <= 1.0 + _FLOAT_SLACK / 255 else 1.0
        if image.size and (image.min() * scale < -_FLOAT_SLACK
                           or image.max() * scale > 255 + _FLOAT_SLACK):
            raise ValueError(
                f"Image{where} has float values from {image.min():g} to {image.max():g}; "
                "float images must hold [0, 1] or [0, 255] (values a little outside, from "
                "resampling, are clipped). Pass 16-bit data as uint16, or scale it first."
            )
        return np.clip(np.rint(image * scale), 0, 255).astype(np.uint8)
    raise ValueError(f"Image{where} has unsupported dtype {image.dtype}.")


def to_gray(image, *, source=None):
    """Return a 2-D uint8 grayscale copy of a gray, BGR or BGRA image.

    Colour images are taken as OpenCV's BGR(A) channel order.
    """
    where = f" ({source})" if source is not None else ""
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise ValueError(
            f"Image{where} has shape {image.shape}; expected (h, w) gray, "
            "(h, w, 3) BGR or (h, w, 4) BGRA."
        )
    if min(image.shape[:2]) < 2:
        raise ValueError(f"Image{where} has shape {image.shape}; it must be at least 2x2 pixels.")
    image = to_uint8(image, source=source)
    if image.ndim == 3:
        code = cv2.COLOR_BGR2GRAY if image.shape[2] == 3 else cv2.COLOR_BGRA2GRAY
        image = cv2.cvtColor(np.ascontiguousarray(image), code)
    return image


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_END = b"IEND\xaeB`\x82"  # the last chunk of every PNG file: type and its fixed CRC


def read_image(path, *, gray=False):
    """Read an image file as a uint8 array, as OpenCV decodes it.

    Works with any path (Unicode and spaces included, where ``cv2.imread`` fails
    on some platforms) by decoding the file's bytes. Like ``cv2.imread``, it turns
    the image upright by its EXIF orientation (as phones and image viewers do) and
    drops an alpha channel; 16-bit images are scaled to 8 bits.

    Parameters
    ----------
    path : str or path-like
        The image file.
    gray : bool, default=False
        Return a 2-D grayscale image.

    Returns
    -------
    ndarray of uint8, shape (h, w) or (h, w, 3)

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    IsADirectoryError
        If the path is a folder.
    ValueError
        If the file is not an image OpenCV can decode; the message names it.

    Examples
    --------
    >>> from skemotion.datasets import load_frl_london
    >>> from skemotion import read_image
    >>> image = read_image(load_frl_london().filenames[0])
    >>> image.shape, image.dtype
    ((350, 350, 3), dtype('uint8'))
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path} is a folder, not an image file.")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"Image file not found: {path}")
    data = np.fromfile(path, dtype=np.uint8)
    # not IMREAD_UNCHANGED: that flag also ignores the EXIF orientation
    flags = cv2.IMREAD_ANYDEPTH | cv2.IMREAD_ANYCOLOR
    if data[:8].tobytes() == _PNG_SIGNATURE and _PNG_END not in data.tobytes():
        # libpng would print "libpng error: ..." to stderr itself before failing
        raise ValueError(f"Cannot decode image file {path}: a PNG file cut short (no end "
                         "chunk), e.g. an incomplete download or copy.")
    image = cv2.imdecode(data, flags) if data.size else None
    if image is None:
        raise ValueError(f"Cannot decode image file {path}: not an image or corrupt.")
    image = to_uint8(image, source=path)
    if gray:
        return to_gray(image, source=path)
    return image
