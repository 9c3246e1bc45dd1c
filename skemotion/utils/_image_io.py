"""Reading images from disk, and which files are images.

One place for image decoding, shared by the dataset loaders, :class:`FaceCropper`
and the command line (the conversions to 8-bit gray are in ``_validation``).
"""

import os
from pathlib import Path

import cv2
import numpy as np

from ._validation import to_gray, to_uint8

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
