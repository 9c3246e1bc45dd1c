"""FaceCropper: face finding (OpenCV's YuNet detector or the tutorial's Haar cascades) and
cropping as a stateless scikit-learn transformer."""

import hashlib
import numbers
import os

import cv2
import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    RealNotInt,
    StrOptions,
    validate_params,
)
from sklearn.utils.validation import check_memory, validate_data

from ._cascades import (DEFAULT_CASCADES, OpenCVFeatureMissingError, cascade_digest,
                        resolve_cascade)
from ._detect import (
    _MIN_FACE_WINDOW,
    FaceDetection,
    _aligned_region,
    _crop_region,
    _detect_gray,
    _detect_yunet,
    _finish,
    _five_point_region,
)
from ._yunet import _model_path, model_digest
from ..utils._image_io import read_image
from ..utils._validation import to_gray, to_uint8

#: Largest side accepted for ``output_size`` (a 4096x4096 float32 crop is 64 MiB per image).
MAX_OUTPUT_SIDE = 4096


def crop_face_box(gray, box, left_eye, right_eye, output_size, margin, equalize, *,
                  landmarks=None):
    """The uint8 crop of one face box, as :class:`FaceCropper` makes it.

    ``gray`` is the 2-D uint8 image and ``box`` is ``(x, y, w, h)``. With the five
    ``landmarks`` (YuNet's points, ``align="five_points"``) the crop is a similarity
    warp of them onto a fixed template; else with both eye centres it is eye-aligned
    (``align="eyes"``); else plain. ``output_size`` is ``(height, width)``. The video
    recognizer crops its tracked boxes with this, so that they match what the model
    was trained on.
    """
    out_h, out_w = output_size
    if landmarks is not None:
        region = _five_point_region(gray, box, landmarks, out_h, out_w, margin)
    elif left_eye is not None and right_eye is not None:
        region = _aligned_region(gray, box, left_eye, right_eye, out_h, out_w, margin)
    else:
        region = _crop_region(gray, box, out_h, out_w, margin)
    return _finish(region, out_h, out_w, equalize)


# --------------------------------------------------------------------------- input


def _check_image_array(image, source):
    """Validate one in-memory image; return it as a 2-D uint8 gray array."""
    image = np.asarray(image)
    if image.dtype == object or not (
        np.issubdtype(image.dtype, np.number) or image.dtype == np.bool_
    ):
        raise ValueError(f"{source}: not a numeric image array (dtype {image.dtype}).")
    if np.iscomplexobj(image):
        raise ValueError(f"{source}: Complex data not supported.")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise ValueError(
            f"{source} has shape {image.shape}; an image must be (h, w) gray, "
            "(h, w, 3) BGR or (h, w, 4) BGRA."
        )
    if image.shape[0] * image.shape[1] < 2:
        raise ValueError(
            f"{source} has shape {image.shape}: {image.shape[0] * image.shape[1]} pixel(s); "
            "an image needs at least 2."
        )
    if np.issubdtype(image.dtype, np.floating) and not np.all(np.isfinite(image)):
        raise ValueError(f"{source} contains NaN or infinite values.")
    if np.issubdtype(image.dtype, np.signedinteger) or np.issubdtype(image.dtype, np.floating):
        if image.min() < 0:
            raise ValueError(
                f"{source}: Negative values in data; pixel values must be >= 0."
            )
    if min(image.shape[:2]) >= 2:
        return to_gray(image, source=source)
    # a one-pixel-high (or wide) strip, e.g. a row of tabular data
    image = to_uint8(image, source=source)
    if image.ndim == 3:
        code = cv2.COLOR_BGR2GRAY if image.shape[2] == 3 else cv2.COLOR_BGRA2GRAY
        image = cv2.cvtColor(np.ascontiguousarray(image), code).reshape(image.shape[:2])
    return image


def _is_nested_table(X):
    """True for a list of lists of numbers (tabular data written as nested lists)."""
    if not X or not all(isinstance(row, (list, tuple)) for row in X):
        return False
    return all(isinstance(v, numbers.Number) for row in X for v in row)


def _is_path(item):
    return isinstance(item, (str, bytes, os.PathLike))


def _load_gray(item, index):
    """Return ``(gray uint8 image, source for messages, source for reports)``."""
    if _is_path(item):
        path = os.fsdecode(item)
        where = f"sample {index} ({path})"
        try:
            image = read_image(path)
        except (FileNotFoundError, IsADirectoryError) as exc:
            raise type(exc)(f"{where}: {exc}") from None
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        return _check_image_array(image, where), where, path
    where = f"sample {index}"
    return _check_image_array(item, where), where, index


# --------------------------------------------------------------------------- estimator


def _size_constraints():
    return [
        Interval(numbers.Integral, 1, None, closed="left"),
        Interval(RealNotInt, 0, 1, closed="right"),
    ]


class FaceCropper(TransformerMixin, BaseEstimator):
    """Find the face in each image (YuNet or Haar cascades); return gray crops.

    Face finding as a stateless scikit-learn transformer, fast enough to
    grid-search. The default detector is OpenCV's YuNet CNN (``cv2.FaceDetectorYN``,
    Wu, Peng & Yu 2023; its model file ships with skemotion), which finds faces from
    about 40 px wide and turned 30 degrees in the image plane, and five landmarks.
    ``detector="haar"`` is the van Gent tutorial's face finding: cascades are tried
    in order and the search stops at the first one that succeeds, on a downscaled
    copy (the box is mapped back to full resolution) that never scans windows
    smaller than ``min_size``. Detections can be cached on disk (``memory``) so that
    repeated cross-validation splits detect each image once.

    Parameters
    ----------
    detector : {"yunet", "haar"}, default="yunet"
        ``"yunet"``: OpenCV's YuNet detector (parameters ``yunet_*``).
        ``"haar"``: the tutorial's Haar cascades (parameters ``cascades``,
        ``scale_factor``, ``min_neighbors``, ``min_size``, ``max_size``,
        ``detect_size``). Either is loaded lazily (never stored on the estimator),
        once per process and thread.
    yunet_score_threshold : float, default=0.6
        YuNet only: smallest confidence (in (0, 1)) for a face to count.
    yunet_nms_threshold : float, default=0.3
        YuNet only: overlap (intersection over union, in (0, 1)) above which the
        weaker of two faces is dropped (non-maximum suppression).
    yunet_detect_size : int or None, default=640
        YuNet only: longest side, in pixels, of the copy YuNet scans (never
        enlarged; boxes and points are mapped back to the full image). YuNet sees
        faces from about 10 px on that copy and takes 20-25 ms for a 640x480 one on
        one thread; None scans the full-resolution image.
    yunet_min_size : int or float or None, default=None
        YuNet only: smallest face box kept, pixels (int) or a fraction of the
        image's shorter side (float in (0, 1]); None keeps every face YuNet reports.
    cascades : str or sequence of str or path-like, \
            default=("frontalface_default", "frontalface_alt2", "frontalface_alt", \
"frontalface_alt_tree")
        Haar cascades tried in order: OpenCV cascade names (with or without the
        ``haarcascade_`` prefix and ``.xml``) or paths to cascade XML files. The
        default is the tutorial's list. Loaded lazily (never stored on the
        estimator), once per process and thread. Haar only.
    scale_factor : float, default=1.1
        Haar only: ``detectMultiScale``'s scale step between window sizes (> 1).
    min_neighbors : int, default=10
        Haar only: ``detectMultiScale``'s ``minNeighbors``: overlapping detections
        needed to accept a face (the tutorial's 10).
    min_size : int or float, default=0.2
        Haar only: smallest face searched: pixels (int) or a fraction of the image's shorter
        side (float in (0, 1]). The default skips windows smaller than a fifth of
        the image, which a face in a portrait or CK+ frame never is; use a small
        value such as ``0.05`` for group photos.
    max_size : int or float, default=None
        Haar only: largest face searched, as ``min_size``; None for no limit.
    detect_size : int or None, default=120
        Haar only: longest side, in pixels, of the downscaled copy the cascades scan (never
        so small that a ``min_size`` face falls below the 24 px cascade window);
        the box found is mapped back to the full-resolution image, which is what
        gets cropped. None scans the full-resolution image.
    output_size : int or tuple of (int, int), default=(350, 350)
        ``(height, width)`` of the returned crops (an int means square); at most
        4096 per side.
    margin : float, default=0.0
        Extra border around the face box on every side, as a fraction of the box
        size (0 is the tutorial's tight crop). The crop is also widened to the
        aspect ratio of ``output_size`` around the box centre; parts outside the
        image are filled by repeating the border pixels.
    equalize : {"histogram", "clahe"} or None, default=None
        Contrast normalisation of the crop: global histogram equalisation, CLAHE,
        or none. Detection always sees the unequalised image.
    multiple_faces : {"next_cascade", "largest"}, default="next_cascade"
        ``"next_cascade"``: the tutorial's rule - a cascade counts only if it
        finds exactly one face, else the next cascade is tried; with YuNet, a
        single detector, an image counts only if YuNet sees exactly one face.
        ``"largest"``: the first cascade finding any face wins (with YuNet: YuNet),
        and its largest face is used.
    on_missing : {"raise", "full_image"}, default="raise"
        When no cascade finds a face: raise an error naming the sample (and file),
        or use the whole image (right for data that is already cropped, such as
        the common 48 px or 128 px CK+ crops).
    align : {"eyes", "five_points"} or None, default=None
        ``"eyes"``: rotate and scale so the eyes sit level at fixed places in the
        crop; YuNet gives the eyes, with Haar OpenCV's eye cascade looks for them
        inside the face box, and when it misses one the plain crop is used
        (reported by :func:`detect_faces` as ``eyes="not_found"``).
        ``"five_points"`` (YuNet only): the least-squares similarity transform
        (rotation, scale, shift) of YuNet's five points (eyes, nose tip, mouth
        corners) onto a fixed template, which frames the face as ``"eyes"`` does.
    n_jobs : int, default=None
        Images processed in parallel (threads: OpenCV releases the GIL). None
        means 1 unless in a :func:`joblib.parallel_config` context; -1 means all
        processors.
    memory : str, path-like or joblib.Memory, default=None
        Cache face detections on disk, keyed by image content and the detection
        parameters (the detector; for YuNet its model file's content and the
        ``yunet_*`` parameters; for Haar ``cascades`` by file content,
        ``scale_factor``, ``min_neighbors``, ``min_size``, ``max_size``,
        ``detect_size``, ``align``; ``multiple_faces``). The cache is shared safely by parallel
        workers and survives restarts. A path is used as a
        :class:`joblib.Memory` location. None: no caching.

    Attributes
    ----------
    n_features_in_ : int
        Only set when ``fit`` is given a 2-D numeric array (see Notes).
    feature_names_in_ : ndarray of str
        Only set when ``fit`` is given a DataFrame with string column names.

    See Also
    --------
    detect_faces : Boxes, cascades and face counts per image, without cropping.

    Notes
    -----
    ``X`` is a sequence (list, tuple, 1-D object array, pandas Series, or a single
    column of paths such as a one-column DataFrame) of images and/or file
    paths, a 3-D array ``(n, h, w)`` of gray images or a 4-D array
    ``(n, h, w, c)`` of BGR(A) images (a 3-D array whose images would be only 3 or 4
    pixels wide is refused as what it most likely is, one colour image: pass
    ``[image]``). Images may have any size and be uint8,
    uint16 (16-bit), other integers holding 0..255 (such as int64 from parsed
    pixel strings) or float (floats with maximum <= 1.1 are taken as [0, 1], else
    as [0, 255]; a little above the top is clipped, more than 10% of the range above
    it is an error, and negative values are too);
    colour is OpenCV's BGR order; file paths are decoded with OpenCV
    as needed, so a dataset need not sit in memory.

    A 2-D numeric array ``(n_samples, n_features)`` follows scikit-learn's
    tabular convention: each row is one sample, here a one-pixel-high gray
    image. No face can be found in such an image, so this only makes sense with
    ``on_missing="full_image"``; it is what scikit-learn's estimator checks feed.
    Flattened crops (such as FER-2013's 48x48 rows) must be reshaped to
    ``(n, 48, 48)`` first.

    The output is a float32 array ``(n_samples, height * width)`` of gray values
    in [0, 255], one row per input in input order.

    Examples
    --------
    >>> from skemotion import FaceCropper
    >>> from skemotion.datasets import load_frl_london
    >>> london = load_frl_london()
    >>> cropper = FaceCropper(output_size=(64, 64))
    >>> crops = cropper.fit_transform(london.images[:4])
    >>> crops.shape, crops.dtype
    ((4, 4096), dtype('float32'))
    >>> FaceCropper(output_size=32).transform(london.filenames[:2]).shape
    (2, 1024)
    """

    _parameter_constraints = {
        "detector": [StrOptions({"yunet", "haar"})],
        "yunet_score_threshold": [Interval(numbers.Real, 0, 1, closed="neither")],
        "yunet_nms_threshold": [Interval(numbers.Real, 0, 1, closed="neither")],
        "yunet_detect_size": [Interval(numbers.Integral, 16, None, closed="left"), None],
        "yunet_min_size": _size_constraints() + [None],
        "cascades": [str, os.PathLike, list, tuple],
        "scale_factor": [Interval(numbers.Real, 1, None, closed="neither")],
        "min_neighbors": [Interval(numbers.Integral, 0, None, closed="left")],
        "min_size": _size_constraints(),
        "max_size": _size_constraints() + [None],
        "detect_size": [Interval(numbers.Integral, _MIN_FACE_WINDOW, None, closed="left"), None],
        "output_size": [Interval(numbers.Integral, 1, MAX_OUTPUT_SIDE, closed="both"), tuple],
        "margin": [Interval(numbers.Real, 0, 1, closed="both")],
        "equalize": [StrOptions({"histogram", "clahe"}), None],
        "multiple_faces": [StrOptions({"next_cascade", "largest"})],
        "on_missing": [StrOptions({"raise", "full_image"})],
        "align": [StrOptions({"eyes", "five_points"}), None],
        "n_jobs": [numbers.Integral, None],
        "memory": [None, str, os.PathLike, HasMethods(["cache"])],
    }

    def __init__(
        self,
        *,
        detector="yunet",
        yunet_score_threshold=0.6,
        yunet_nms_threshold=0.3,
        yunet_detect_size=640,
        yunet_min_size=None,
        cascades=DEFAULT_CASCADES,
        scale_factor=1.1,
        min_neighbors=10,
        min_size=0.2,
        max_size=None,
        detect_size=120,
        output_size=(350, 350),
        margin=0.0,
        equalize=None,
        multiple_faces="next_cascade",
        on_missing="raise",
        align=None,
        n_jobs=None,
        memory=None,
    ):
        self.detector = detector
        self.yunet_score_threshold = yunet_score_threshold
        self.yunet_nms_threshold = yunet_nms_threshold
        self.yunet_detect_size = yunet_detect_size
        self.yunet_min_size = yunet_min_size
        self.cascades = cascades
        self.scale_factor = scale_factor
        self.min_neighbors = min_neighbors
        self.min_size = min_size
        self.max_size = max_size
        self.detect_size = detect_size
        self.output_size = output_size
        self.margin = margin
        self.equalize = equalize
        self.multiple_faces = multiple_faces
        self.on_missing = on_missing
        self.align = align
        self.n_jobs = n_jobs
        self.memory = memory

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.three_d_array = True
        tags.input_tags.positive_only = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags

    # ----------------------------------------------------------------- checks

    def _checked_params(self):
        """Validate what ``_parameter_constraints`` cannot express; return derived values."""
        size = self.output_size
        if isinstance(size, numbers.Integral):
            size = (size, size)
        if not (
            isinstance(size, tuple)
            and len(size) == 2
            and all(isinstance(s, numbers.Integral) and 1 <= s <= MAX_OUTPUT_SIDE for s in size)
        ):
            raise InvalidParameterError(
                f"The 'output_size' parameter of {type(self).__name__} must be an int or a "
                f"tuple of two ints (height, width), each in [1, {MAX_OUTPUT_SIDE}]. "
                f"Got {self.output_size!r} instead."
            )
        cascades = self.cascades
        if isinstance(cascades, (str, os.PathLike)):
            cascades = [cascades]
        if len(cascades) == 0:
            raise InvalidParameterError(
                f"The 'cascades' parameter of {type(self).__name__} must name at least one "
                "cascade. Got an empty sequence."
            )
        names = [os.fspath(c) if isinstance(c, os.PathLike) else c for c in cascades]
        try:
            paths = tuple(resolve_cascade(c) for c in names)
        except OpenCVFeatureMissingError:  # an OpenCV without cascade files: YuNet works
            if self.detector == "haar":
                raise
            paths = ()
        if self.align == "five_points" and self.detector != "yunet":
            raise InvalidParameterError(
                f"The 'align' parameter of {type(self).__name__} is 'five_points', which "
                "needs detector='yunet' (the Haar cascades find no landmarks); use "
                "align='eyes' with detector='haar'."
            )
        if self.max_size is not None:
            both_int = isinstance(self.max_size, numbers.Integral) == isinstance(
                self.min_size, numbers.Integral
            )
            if both_int and self.max_size < self.min_size:
                raise InvalidParameterError(
                    f"The 'max_size' parameter of {type(self).__name__} ({self.max_size!r}) "
                    f"must not be smaller than 'min_size' ({self.min_size!r})."
                )
        return {
            "names": [str(n) for n in names] if self.detector == "haar" else ["yunet"],
            "paths": paths,
            "digests": tuple(cascade_digest(p) for p in paths),
            "output_size": (int(size[0]), int(size[1])),
        }

    def _items(self, X, reset):
        """The samples of ``X`` as a list of images or paths (validated cheaply)."""
        if _is_path(X):
            raise ValueError(
                f"X must be a sequence of images or paths, got the single path {X!r}; "
                "wrap it in a list."
            )
        if isinstance(X, (list, tuple)) and not _is_nested_table(X):
            items = list(X)
        elif isinstance(X, np.ndarray) and X.ndim in (3, 4) and X.dtype != object:
            if X.ndim == 3 and X.shape[2] in (3, 4) and X.shape[1] > 4:
                # (n, h, w) gray images only 3-4 px wide are not faces: a colour photo
                raise ValueError(
                    f"X is a 3-D array of shape {X.shape}, read as {X.shape[0]} gray images "
                    f"of {X.shape[1]}x{X.shape[2]} pixels; it looks like one colour image "
                    "(height, width, channels): wrap it in a list, [image]."
                )
            items = list(X)
        elif (isinstance(X, np.ndarray) or hasattr(X, "iloc")) and getattr(
            X, "ndim", None
        ) == 1 and np.asarray(X).dtype.kind in "OUS":
            items = list(X)  # paths or images in a 1-D object array or pandas Series
        elif (isinstance(X, np.ndarray) or hasattr(X, "iloc")) and getattr(
            X, "shape", ()
        )[1:] == (1,) and np.asarray(X).dtype.kind in "OUS":
            items = list(np.asarray(X)[:, 0])  # one column of paths (e.g. a DataFrame's)
        elif (
            sparse.issparse(X)
            or hasattr(X, "__array__")
            or hasattr(X, "iloc")
            or isinstance(X, (list, tuple))
        ):
            # tabular input: scikit-learn's messages and feature-count checks
            # (1-D numeric arrays get its "Reshape your data" error)
            X = validate_data(self, X, reset=reset, dtype="numeric")
            if X.shape[1] < 2:
                raise ValueError(
                    f"Found array with {X.shape[1]} feature(s) (shape={X.shape}) while a "
                    "minimum of 2 is required: each row is taken as a one-pixel-high image, "
                    "and an image needs at least 2 pixels."
                )
            if X.min() < 0:
                raise ValueError("Negative values in data passed to FaceCropper.")
            return [row.reshape(1, -1) for row in X]  # one-pixel-high images
        else:
            try:
                items = list(X)
            except TypeError:
                raise ValueError(
                    f"X must be a sequence of images or paths, got {type(X).__name__}."
                ) from None
        if reset:
            for attr in ("n_features_in_", "feature_names_in_"):
                if hasattr(self, attr):
                    delattr(self, attr)
        if not items:
            raise ValueError("X is empty: FaceCropper needs at least one image.")
        return items

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters and the input; no learning happens.

        In-memory images are validated (shape, dtype, no NaN, no negative
        values); paths are checked to exist (they are decoded in ``transform``).

        Parameters
        ----------
        X : sequence of images or paths, or array
            See the class Notes.
        y : ignored

        Returns
        -------
        self : FaceCropper
        """
        self._checked_params()
        for i, item in enumerate(self._items(X, reset=True)):
            if _is_path(item):
                if os.path.isdir(item):
                    raise IsADirectoryError(
                        f"sample {i}: {os.fsdecode(item)} is a folder, not an image file"
                    )
                if not os.path.isfile(item):
                    raise FileNotFoundError(
                        f"sample {i}: image file not found: {os.fsdecode(item)}"
                    )
            else:
                _check_image_array(item, f"sample {i}")
        return self

    def transform(self, X):
        """Crop the face in every image.

        Parameters
        ----------
        X : sequence of images or paths, or array
            See the class Notes.

        Returns
        -------
        crops : ndarray of float32, shape (n_samples, height * width)
            Gray crops of ``output_size`` in [0, 255], in input order.
        """
        crops, _ = self._run(X, crop=True)
        return crops

    def get_feature_names_out(self, input_features=None):
        """Names of the output pixels, row by row: ``"pixel_r{row}_c{col}"``.

        The output does not depend on the input's features (every image is
        cropped and resized to ``output_size``), so ``input_features`` is ignored.
        Defining this also lets ``set_output(transform="pandas")`` label the columns.

        Parameters
        ----------
        input_features : ignored

        Returns
        -------
        feature_names_out : ndarray of str objects, shape (height * width,)

        Examples
        --------
        >>> from skemotion import FaceCropper
        >>> FaceCropper(output_size=(2, 3)).get_feature_names_out()[:4].tolist()
        ['pixel_r0_c0', 'pixel_r0_c1', 'pixel_r0_c2', 'pixel_r1_c0']
        """
        height, width = self._checked_params()["output_size"]
        return np.asarray(
            [f"pixel_r{r}_c{c}" for r in range(height) for c in range(width)], dtype=object
        )

    def detect(self, X):
        """Detect faces without cropping (never raises for a missing face).

        Returns
        -------
        detections : list of FaceDetection
            One per input, in input order.
        """
        _, detections = self._run(X, crop=False)
        return detections

    # ----------------------------------------------------------------- work

    def _run(self, X, crop):
        self._validate_params()
        params = self._checked_params()
        items = self._items(X, reset=False)
        if isinstance(self.memory, (str, os.PathLike)) and os.path.isfile(self.memory):
            raise ValueError(
                f"memory={os.fspath(self.memory)!r} is a file; FaceCropper's memory is the "
                "folder of its detection cache (or None for no cache)."
            )
        memory = check_memory(
            os.fspath(self.memory) if isinstance(self.memory, os.PathLike) else self.memory
        )
        if self.detector == "yunet":
            path = _model_path()
            detect = memory.cache(_detect_yunet, ignore=["gray", "model_path"])
            detect_kwargs = {
                "model_digest": model_digest(path),
                "model_path": path,
                "score_threshold": float(self.yunet_score_threshold),
                "nms_threshold": float(self.yunet_nms_threshold),
                "detect_size": self.yunet_detect_size,
                "min_size": self.yunet_min_size,
                "multiple_faces": self.multiple_faces,
            }
        else:
            detect = memory.cache(_detect_gray, ignore=["gray", "cascade_paths"])
            detect_kwargs = {
                "cascade_digests": params["digests"],
                "cascade_paths": params["paths"],
                "scale_factor": float(self.scale_factor),
                "min_neighbors": int(self.min_neighbors),
                "min_size": self.min_size,
                "max_size": self.max_size,
                "detect_size": self.detect_size,
                "multiple_faces": self.multiple_faces,
                "align": self.align,
            }
        job = {
            "detect": detect,
            "detector": self.detector,
            "align": self.align,
            "params": params,
            "crop": crop,
            "digest": self.memory is not None,
            "detect_kwargs": detect_kwargs,
            "margin": float(self.margin),
            "equalize": self.equalize,
            "on_missing": self.on_missing if crop else "report",
        }
        n_jobs = min(effective_n_jobs(self.n_jobs), len(items))
        if n_jobs == 1:
            results = _process(items, 0, job)
        else:
            n_chunks = min(len(items), 4 * n_jobs)
            bounds = np.linspace(0, len(items), n_chunks + 1).astype(int)
            parts = Parallel(n_jobs=n_jobs, prefer="threads")(
                delayed(_process)(items[a:b], a, job) for a, b in zip(bounds[:-1], bounds[1:])
            )
            results = [r for part in parts for r in part]
        detections = [r[1] for r in results]
        if not crop:
            return None, detections
        out_h, out_w = params["output_size"]
        crops = np.empty((len(results), out_h * out_w), dtype=np.float32)
        for i, (row, _) in enumerate(results):
            crops[i] = row.reshape(-1)
        return crops, detections


def _crop_settings_key(cropper):
    """The FaceCropper parameters that change the crops (not ``n_jobs``, the cache
    location or what happens to faceless images), as a hashable key: pipelines whose
    croppers share it can share one cropping pass."""
    params = cropper.get_params()
    return repr(sorted((k, v) for k, v in params.items()
                       if k not in ("n_jobs", "memory", "on_missing")))


def _image_digest(gray):
    """Content hash of a 2-D uint8 image (shape included): the detection cache key."""
    digest = hashlib.sha256(np.asarray(gray.shape, dtype=np.int64).tobytes())
    digest.update(np.ascontiguousarray(gray).data)
    return digest.hexdigest()


def _no_face_message(where, shape, names, counts, multiple_faces):
    """The error for an image without a (single) face, with the hint that fits it."""
    if min(shape) == 1:  # a row of a 2-D array: scikit-learn's one-row-per-sample reading
        return (
            f"No face found in {where}, an image of shape {shape}: a 2-D array X is read "
            "one row per sample, each row a one-pixel-high image. Flat face crops need no "
            "detection: use the named pipeline with detect=False (or leave FaceCropper out), "
            "or give the images as a 3-D array (n_samples, height, width)."
        )
    seen = ", ".join(f"{n}: {c}" for n, c in zip(names, counts))
    hint = (" Several faces were seen: multiple_faces='largest' keeps the largest one."
            if multiple_faces == "next_cascade" and max(counts, default=0) > 1 else "")
    if list(names) == ["yunet"]:
        rule = (f"YuNet saw {counts[0]} face(s); an image counts only with exactly one with "
                "multiple_faces='next_cascade'")
    else:
        rule = (f"faces seen per cascade: {seen}; a cascade counts only when it sees "
                "exactly one face with multiple_faces='next_cascade'")
    return (
        f"No face found in {where} ({rule}).{hint} Use "
        "on_missing='full_image' for images that are already face crops, or detect_faces(X) "
        "to find and drop such images before cross-validation."
    )


def _process(items, start, job):
    """Detect and crop a chunk of samples; returns [(uint8 crop or None, FaceDetection)]."""
    params = job["params"]
    names = params["names"]
    out_h, out_w = params["output_size"]
    kwargs = job["detect_kwargs"]
    results = []
    for offset, item in enumerate(items):
        index = start + offset
        gray, where, source = _load_gray(item, index)
        digest = _image_digest(gray) if job["digest"] else None
        align = job["align"]
        points = score = None
        if job["detector"] == "yunet":
            box, count, left, right, points, score = job["detect"](gray, digest, **kwargs)
            found, counts = (None if box is None else 0), (count,)
        else:
            box, found, counts, left, right = job["detect"](gray, digest, **kwargs)
        status = None
        if align is not None and box is not None:
            status = "aligned" if left is not None else "not_found"
        detection = FaceDetection(
            source=source,
            image_shape=gray.shape,
            box=box,
            cascade=None if found is None else names[found],
            face_counts=dict(zip(names, counts)),
            eyes=status,
            left_eye=left,
            right_eye=right,
            landmarks=points,
            score=score,
        )
        row = None
        if job["crop"]:
            if box is None:
                if job["on_missing"] == "raise":
                    raise ValueError(_no_face_message(where, gray.shape, names, counts,
                                                      kwargs["multiple_faces"]))
                row = _finish(gray, out_h, out_w, job["equalize"])
            else:  # uint8 crops; float32 at the end
                eyes = (left, right) if align == "eyes" else (None, None)
                row = crop_face_box(gray, box, *eyes, (out_h, out_w), job["margin"],
                                    job["equalize"],
                                    landmarks=points if align == "five_points" else None)
        results.append((row, detection))
    return results


@validate_params({"X": ["array-like", list, tuple]}, prefer_skip_nested_validation=True)
def detect_faces(X, **params):
    """Detect the face in every image, as :class:`FaceCropper` would, without cropping.

    Use it to count, inspect and drop the images where no face is found before
    cross-validation (``FaceCropper.transform`` never drops or reorders samples).

    Parameters
    ----------
    X : sequence of images or paths, or array
        As for :class:`FaceCropper`.
    **params
        :class:`FaceCropper` parameters (``detector``, ``yunet_score_threshold``,
        ..., ``cascades``, ``scale_factor``, ``min_neighbors``, ``min_size``,
        ``max_size``, ``detect_size``, ``multiple_faces``, ``align``, ``n_jobs``,
        ``memory``, ...). The default detector is YuNet; ``detector="haar"`` is the
        tutorial's cascades.

    Returns
    -------
    detections : list of FaceDetection
        Per image: ``source``, ``image_shape``, ``box`` (x, y, w, h or None),
        ``cascade`` that found it (``"yunet"`` for YuNet), ``face_counts``, with
        YuNet its ``score``, five ``landmarks`` and eye positions, and with
        ``align`` set the eye status.

    Examples
    --------
    >>> from skemotion import detect_faces
    >>> from skemotion.datasets import load_frl_london
    >>> found = detect_faces(load_frl_london().images[:3])
    >>> [d.found for d in found], found[0].cascade, found[0].face_counts
    ([True, True, True], 'yunet', {'yunet': 1})
    >>> haar = detect_faces(load_frl_london().images[:3], detector="haar")
    >>> haar[0].cascade, haar[0].face_counts, haar[0].score
    ('frontalface_default', {'frontalface_default': 1}, None)
    """
    return FaceCropper(**params).detect(X)
