"""Finding the face (and its eyes) in one gray image and cutting the crop out of it: the
per-image steps :class:`~skemotion.FaceCropper` runs (Haar cascades or YuNet), and
:class:`FaceDetection`, what they found."""

import math
import numbers
from dataclasses import dataclass

import cv2
import numpy as np

from ._cascades import EYE_CASCADE, borrow_cascade, resolve_cascade
from ._yunet import borrow_yunet, run_yunet

# Haar face windows are 20-24 px: the downscaled detection copy never shrinks the
# smallest face we look for below this, so no face the cascade could see is lost.
_MIN_FACE_WINDOW = 24

# Where the eye centres sit inside a frontal Haar face box, as fractions of its
# width and height (the median over the London set's 204 default-cascade boxes);
# align="eyes" moves the eyes to exactly these places.
_EYE_X = 0.30
_EYE_Y = 0.39

# YuNet's box runs from forehead to chin and is taller than wide; the square of its
# height at its centre is the box the Haar cascades find (London set, 204 photos: median
# side ratio 1.003, centres within 1% of the side), so crops keep the framing that every
# named pipeline was designed on.
#
# The canonical five points of align="five_points", as fractions of that square box
# (image-left eye, image-right eye, nose tip, image-left and image-right mouth corner):
# YuNet's median points on the London set, made mirror-symmetric, then scaled about the
# eye midpoint so the eyes sit at (_EYE_X, _EYE_Y) and (1 - _EYE_X, _EYE_Y) as align="eyes"
# puts them: both alignments frame the face alike, this one fits all five points.
FIVE_POINT_TEMPLATE = (
    (0.300, 0.390),
    (0.700, 0.390),
    (0.500, 0.632),
    (0.320, 0.793),
    (0.680, 0.793),
)


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
        ``(x, y, width, height)`` of the face in image pixels, None if none was
        found. With YuNet, the square of the height of YuNet's own (taller than
        wide) box at its centre, which is where the Haar cascades put their box.
    cascade : str or None
        Name (as given in ``cascades``) of the cascade that found the face, or
        ``"yunet"`` when YuNet found it.
    face_counts : dict
        Cascade name -> number of faces it saw, for the cascades that ran (the
        search stops at the first cascade that succeeds); ``{"yunet": n}`` with
        YuNet.
    eyes : str or None
        Eye alignment status: None when ``align=None`` or no face was found,
        ``"aligned"`` when the face was aligned (both eyes found; with YuNet
        always), ``"not_found"`` when the eye cascade missed an eye and the plain
        crop was used.
    left_eye, right_eye : tuple of float or None
        Eye centres ``(x, y)`` in image pixels (left and right in the image): from the
        eye cascade with ``detector="haar"`` and ``align="eyes"``, from YuNet's eye
        points whenever YuNet found the face.
    landmarks : tuple of (float, float) or None
        YuNet's five points in image pixels: image-left eye, image-right eye, nose
        tip, image-left mouth corner, image-right mouth corner. None with
        ``detector="haar"`` (the cascades find no landmarks) or when no face was found.
    score : float or None
        YuNet's confidence in the face (0 to 1). None with ``detector="haar"`` (a
        cascade gives no score) or when no face was found.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion import detect_faces
    >>> from skemotion.datasets import load_frl_london
    >>> face, blank = detect_faces([load_frl_london().images[0], np.full((90, 80), 128)])
    >>> face.found, face.cascade, face.image_shape, face.box
    (True, 'yunet', (350, 350), (94, 94, 163, 163))
    >>> round(face.score, 2), [tuple(round(v) for v in p) for p in face.landmarks[:2]]
    (0.94, [(148, 158), (203, 159)])
    >>> blank.found, blank.box, blank.score
    (False, None, None)
    """

    source: object
    image_shape: tuple
    box: tuple = None
    cascade: str = None
    face_counts: dict = None
    eyes: str = None
    left_eye: tuple = None
    right_eye: tuple = None
    landmarks: tuple = None
    score: float = None

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


def _scan_cascades(gray, cascade_paths, scale_factor, min_neighbors, min_size, max_size,
                   detect_size, accept):
    """Run the cascades in order on a copy of ``gray`` shrunk for detection until one's
    faces satisfy ``accept(faces)`` (the stopping rule).

    The copy's longest side is at most ``detect_size``, but the smallest wanted face is
    never shrunk below the cascade window. Returns ``(boxes, index, counts)``: the
    accepted cascade's faces as ``(x, y, w, h)`` in ``gray``'s pixels, largest first
    (ties in cascade order), its index in ``cascade_paths`` (``boxes`` empty and
    ``index`` None when none was accepted), and the number of faces each cascade that
    ran saw.
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
    for index, path in enumerate(cascade_paths):
        with borrow_cascade(path) as classifier:
            faces = _run_cascade(
                classifier, small, scale_factor, min_neighbors, min_small, max_small
            )
        counts.append(len(faces))
        if accept(faces):
            break
    else:
        return [], None, counts
    boxes = []
    for fx, fy, fw, fh in sorted(faces, key=lambda f: -f[2] * f[3]):
        x0, y0 = max(int(round(fx * sx)), 0), max(int(round(fy * sy)), 0)
        x1 = min(x0 + int(round(fw * sx)), w)  # keeps square boxes square
        y1 = min(y0 + int(round(fh * sy)), h)
        boxes.append((x0, y0, x1 - x0, y1 - y0))
    return boxes, index, counts


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
    def accept(faces):
        return len(faces) == 1 or (multiple_faces == "largest" and bool(faces))

    boxes, index, counts = _scan_cascades(gray, cascade_paths, scale_factor, min_neighbors,
                                          min_size, max_size, detect_size, accept)
    box = boxes[0] if boxes else None
    left = right = None
    if align == "eyes" and box is not None:
        left, right = _find_eyes(gray, box, resolve_cascade(EYE_CASCADE))
    return box, index, tuple(counts), left, right


def _to_bgr(gray):
    """YuNet takes 3 channels: the gray image repeated."""
    return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)


def _scaled_for_detection(image, longest):
    """``image`` shrunk so its longest side is at most ``longest`` (never enlarged),
    and the factor from its pixels back to the original's."""
    h, w = image.shape[:2]
    if longest is None or max(h, w) <= longest:
        return image, 1.0
    scale = longest / max(h, w)
    size = (max(round(w * scale), 1), max(round(h * scale), 1))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA), w / size[0]


def _yunet_faces(image, model_path, score_threshold, nms_threshold, detect_size, min_px):
    """All YuNet faces of a gray or BGR uint8 image, in its own pixels: list of
    ``(square box, landmarks, score)``, largest first.

    The image is shrunk so its longest side is at most ``detect_size`` (never enlarged)
    before detection; boxes and points are mapped back. Faces whose square box is
    narrower than ``min_px`` pixels are left out.
    """
    h, w = image.shape[:2]
    small, back = _scaled_for_detection(image, detect_size)
    bgr = _to_bgr(small) if small.ndim == 2 else small[:, :, :3]
    with borrow_yunet(model_path, score_threshold, nms_threshold) as entry:
        raw = run_yunet(entry, np.ascontiguousarray(bgr))
    faces = []
    for row in raw:
        fx, fy, fw, fh = (float(v) * back for v in row[:4])
        side = fh
        if side < min_px:
            continue
        cx, cy = fx + fw / 2, fy + fh / 2
        x0, y0 = max(int(round(cx - side / 2)), 0), max(int(round(cy - side / 2)), 0)
        x1 = min(int(round(cx - side / 2)) + int(round(side)), w)
        y1 = min(int(round(cy - side / 2)) + int(round(side)), h)
        if x1 <= x0 or y1 <= y0:
            continue
        points = tuple((float(row[4 + 2 * k]) * back, float(row[5 + 2 * k]) * back)
                       for k in range(5))
        faces.append(((x0, y0, x1 - x0, y1 - y0), points, float(row[14])))
    faces.sort(key=lambda f: -f[0][2] * f[0][3])
    return faces


def _detect_yunet(
    gray,
    image_digest,
    model_digest,
    model_path,
    score_threshold,
    nms_threshold,
    detect_size,
    min_size,
    multiple_faces,
):
    """Detect one face in a 2-D uint8 image with YuNet; plain tuples out (cacheable).

    Cached like :func:`_detect_gray`: ``gray`` and ``model_path`` are left out of the
    key, the model's content hash ``model_digest`` is in it.

    Returns ``(box, count, left_eye, right_eye, landmarks, score)``. With
    ``multiple_faces="next_cascade"`` a face counts only when YuNet sees exactly one
    (there is no next detector to try); with ``"largest"`` the largest face is used.
    """
    min_px = _pixels(min_size, min(gray.shape)) or 0.0
    faces = _yunet_faces(gray, model_path, score_threshold, nms_threshold, detect_size,
                         min_px)
    if len(faces) == 1 or (multiple_faces == "largest" and faces):
        box, points, score = faces[0]
        return box, len(faces), points[0], points[1], points, score
    return None, len(faces), None, None, None, None


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


def _similarity(src, dst):
    """Least-squares similarity transform (rotation, uniform scale, shift) taking the
    points ``src`` onto ``dst``: a 2x3 matrix (Umeyama's estimate without reflection)."""
    src, dst = np.asarray(src, dtype=np.float64), np.asarray(dst, dtype=np.float64)
    ms, md = src.mean(0), dst.mean(0)
    s, d = src - ms, dst - md
    a = (s * d).sum()  # sum of dot products
    b = (s[:, 0] * d[:, 1] - s[:, 1] * d[:, 0]).sum()  # sum of cross products
    norm = max((s ** 2).sum(), 1e-12)
    ca, sb = a / norm, b / norm
    rot = np.array([[ca, -sb], [sb, ca]])
    return np.hstack([rot, (md - rot @ ms)[:, None]])


def _five_point_region(gray, box, points, out_h, out_w, margin):
    """Warp so the five points land, in the least-squares sense, on the template."""
    x, y, w, h = box
    cw, ch = _grown_size(w, h, out_h, out_w, margin)
    cw, ch = max(int(round(cw)), 1), max(int(round(ch)), 1)
    dst = [(cw / 2 + (tx - 0.5) * w, ch / 2 + (ty - 0.5) * h) for tx, ty in FIVE_POINT_TEMPLATE]
    matrix = _similarity(points, dst)
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
