"""Finding the face (and its eyes) in one gray image and cutting the crop out of it: the
per-image steps :class:`~skemotion.FaceCropper` runs, and :class:`FaceDetection`, what
they found."""

import math
import numbers
from dataclasses import dataclass

import cv2
import numpy as np

from ._cascades import EYE_CASCADE, borrow_cascade, resolve_cascade

# Haar face windows are 20-24 px: the downscaled detection copy never shrinks the
# smallest face we look for below this, so no face the cascade could see is lost.
_MIN_FACE_WINDOW = 24

# Where the eye centres sit inside a frontal Haar face box, as fractions of its
# width and height (the median over the London set's 204 default-cascade boxes);
# align="eyes" moves the eyes to exactly these places.
_EYE_X = 0.30
_EYE_Y = 0.39


@dataclass(frozen=True)
class FaceDetection:
    """What :func:`detect_faces` found in one image.

    Attributes
    ----------
    source : int or str
        The sample index, or the file path for images given as paths.
    image_shape : tuple of int
        ``(height, width)`` of the image.
    box : tuple of int or None
        ``(x, y, width, height)`` of the face in image pixels, None if no cascade
        found one.
    cascade : str or None
        Name (as given in ``cascades``) of the cascade that found the face.
    face_counts : dict
        Cascade name -> number of faces it saw, for the cascades that ran (the
        search stops at the first cascade that succeeds).
    eyes : str or None
        Eye alignment status: None when ``align=None`` or no face was found,
        ``"aligned"`` when both eyes were found, ``"not_found"`` when they were
        not and the plain crop was used.
    left_eye, right_eye : tuple of float or None
        Eye centres ``(x, y)`` in image pixels (left and right in the image).

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion import detect_faces
    >>> from skemotion.datasets import load_frl_london
    >>> face, blank = detect_faces([load_frl_london().images[0], np.full((90, 80), 128)])
    >>> face.found, face.cascade, face.image_shape
    (True, 'frontalface_default', (350, 350))
    >>> blank.found, blank.box
    (False, None)
    """

    source: object
    image_shape: tuple
    box: tuple = None
    cascade: str = None
    face_counts: dict = None
    eyes: str = None
    left_eye: tuple = None
    right_eye: tuple = None

    @property
    def found(self):
        """True if a face was found."""
        return self.box is not None


# --------------------------------------------------------------------------- detection


def _run_cascade(classifier, image, scale_factor, min_neighbors, min_size, max_size):
    """One ``detectMultiScale`` call (a separate function so tests can count calls)."""
    faces = classifier.detectMultiScale(
        image,
        scaleFactor=scale_factor,
        minNeighbors=min_neighbors,
        minSize=(min_size, min_size),
        maxSize=(max_size, max_size) if max_size else (0, 0),
    )
    return [tuple(int(v) for v in face) for face in faces]


def _pixels(size, short_side):
    """A size given in pixels (int) or as a fraction of the shorter side (float)."""
    if size is None:
        return None
    if isinstance(size, numbers.Integral):
        return int(size)
    return size * short_side


def _find_eyes(gray, box, eye_path):
    """Eye centres in image pixels inside a face box, or (None, None)."""
    x, y, w, h = box
    region = gray[y : y + int(0.6 * h), x : x + w]
    scale = min(1.0, 160.0 / w)
    if scale < 1:
        region = cv2.resize(region, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    rw = region.shape[1]
    with borrow_cascade(eye_path) as classifier:
        eyes = _run_cascade(
            classifier, region, 1.1, 3, max(int(rw * 0.12), 1), max(int(rw * 0.4), 1)
        )
    left = [e for e in eyes if e[0] + e[2] / 2 < rw / 2]
    right = [e for e in eyes if e[0] + e[2] / 2 >= rw / 2]
    if not left or not right:
        return None, None

    def centre(e):
        ex, ey, ew, eh = max(e, key=lambda b: b[2] * b[3])
        return (x + (ex + ew / 2) / scale, y + (ey + eh / 2) / scale)

    return centre(left), centre(right)


def _detect_gray(
    gray,
    image_digest,
    cascade_digests,
    cascade_paths,
    scale_factor,
    min_neighbors,
    min_size,
    max_size,
    detect_size,
    multiple_faces,
    align,
):
    """Detect one face in a 2-D uint8 image; plain tuples out (cacheable, picklable).

    The cache key is ``image_digest`` (see :func:`_image_digest`), the cascade file
    content hashes ``cascade_digests`` and the detection parameters; ``gray`` and
    ``cascade_paths`` (where to load the cascades from) are left out of it, so a
    lookup hashes the image once, with a fast hash, instead of pickling it.

    Returns ``(box, cascade_index, counts, left_eye, right_eye)``.
    """
    h, w = gray.shape
    short = min(h, w)
    min_px = max(_pixels(min_size, short), 1.0)
    max_px = _pixels(max_size, short)
    scale = 1.0
    if detect_size is not None and max(h, w) > detect_size:
        scale = detect_size / max(h, w)
    # never shrink the smallest wanted face below the cascade window
    scale = min(1.0, max(scale, _MIN_FACE_WINDOW / min_px))
    if scale < 1.0:
        small = cv2.resize(
            gray,
            (max(round(w * scale), 1), max(round(h * scale), 1)),
            interpolation=cv2.INTER_AREA,
        )
    else:
        small = gray
    sx, sy = w / small.shape[1], h / small.shape[0]
    min_small = max(int(min_px / sx), 1)
    max_small = int(max_px / sx) if max_px else 0

    counts = []
    box = index = None
    for i, path in enumerate(cascade_paths):
        with borrow_cascade(path) as classifier:
            faces = _run_cascade(
                classifier, small, scale_factor, min_neighbors, min_small, max_small
            )
        counts.append(len(faces))
        if len(faces) == 1 or (multiple_faces == "largest" and faces):
            fx, fy, fw, fh = max(faces, key=lambda f: f[2] * f[3])
            x0, y0 = max(int(round(fx * sx)), 0), max(int(round(fy * sy)), 0)
            x1 = min(x0 + int(round(fw * sx)), w)  # keeps square boxes square
            y1 = min(y0 + int(round(fh * sy)), h)
            box, index = (x0, y0, x1 - x0, y1 - y0), i
            break
    left = right = None
    if align == "eyes" and box is not None:
        left, right = _find_eyes(gray, box, resolve_cascade(EYE_CASCADE))
    return box, index, tuple(counts), left, right


# --------------------------------------------------------------------------- cropping


def _grown_size(w, h, out_h, out_w, margin):
    """(width, height) of a ``w`` x ``h`` box grown by ``margin`` on each side, then
    widened or heightened to the output's aspect ratio ``out_w / out_h``."""
    cw, ch = w * (1 + 2 * margin), h * (1 + 2 * margin)
    if cw / ch < out_w / out_h:
        cw = ch * out_w / out_h
    else:
        ch = cw * out_h / out_w
    return cw, ch


def _crop_region(gray, box, out_h, out_w, margin):
    """The box grown by ``margin`` and to the output's aspect ratio, padded at borders."""
    x, y, w, h = box
    cw, ch = _grown_size(w, h, out_h, out_w, margin)
    cx, cy = x + w / 2, y + h / 2
    x0, y0 = int(round(cx - cw / 2)), int(round(cy - ch / 2))
    x1, y1 = x0 + max(int(round(cw)), 1), y0 + max(int(round(ch)), 1)
    H, W = gray.shape
    pad = max(-x0, -y0, x1 - W, y1 - H, 0)
    if pad:
        gray = cv2.copyMakeBorder(gray, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    return gray[y0 + pad : y1 + pad, x0 + pad : x1 + pad]


def _aligned_region(gray, box, left, right, out_h, out_w, margin):
    """Rotate and scale so the eyes land level at their usual places in the crop."""
    x, y, w, h = box
    cw, ch = _grown_size(w, h, out_h, out_w, margin)
    cw, ch = max(int(round(cw)), 1), max(int(round(ch)), 1)
    dx, dy = right[0] - left[0], right[1] - left[1]
    angle = math.degrees(math.atan2(dy, dx))
    scale = (1 - 2 * _EYE_X) * w / max(math.hypot(dx, dy), 1e-6)
    mid = ((left[0] + right[0]) / 2, (left[1] + right[1]) / 2)
    matrix = cv2.getRotationMatrix2D(mid, angle, scale)
    matrix[0, 2] += cw / 2 - mid[0]
    matrix[1, 2] += ch / 2 - (0.5 - _EYE_Y) * h - mid[1]
    return cv2.warpAffine(
        gray, matrix, (cw, ch), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def _finish(region, out_h, out_w, equalize):
    rh, rw = region.shape
    shrink = rh >= out_h and rw >= out_w
    crop = cv2.resize(
        np.ascontiguousarray(region),
        (out_w, out_h),
        interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR,
    )
    if equalize == "histogram":
        crop = cv2.equalizeHist(crop)
    elif equalize == "clahe":
        crop = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(crop)
    return crop
