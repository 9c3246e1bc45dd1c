"""OpenCV's YuNet face detector (``cv2.FaceDetectorYN``): the packaged model file and a
thread-safe per-process pool of loaded detectors.

A ``cv2.FaceDetectorYN`` can be neither pickled nor copied and keeps per-call state
(its input size), so estimators keep only the detector's settings; this module lends
out loaded detectors keyed by model path and settings (:func:`borrow_yunet`), loading
each once per concurrent user, and runs one detection (:func:`run_yunet`).

The model, ``data/yunet_n_640_640.onnx`` (Apache-2.0, Wu, Peng & Yu 2023, from
ShiqiYu/libfacedetection.train), ships with the package beside its ``LICENSE`` and a
``README.md`` with its provenance.
"""

import contextlib
import os
import threading
from pathlib import Path

import cv2
import numpy as np

from ._cascades import OpenCVFeatureMissingError, _opencv_lacks, cascade_digest

#: The packaged YuNet model file.
DEFAULT_YUNET_MODEL = str(Path(__file__).parent / "data" / "yunet_n_640_640.onnx")

#: Most faces one YuNet call reports (before the score threshold and NMS).
_TOP_K = 5000


class FaceModelError(OpenCVFeatureMissingError):
    """The packaged face-detector model file is missing or unreadable (a broken install).

    The command line prints it as one line (exit code 1) instead of a traceback.
    """


def _model_path():
    """The model file used (a module attribute lookup, so tests can point it elsewhere)."""
    return DEFAULT_YUNET_MODEL


def model_digest(path):
    """Content hash of the model file (detection cache keys); one-line error if missing."""
    _check_model_file(path)
    return cascade_digest(path)


def _check_model_file(path):
    if not hasattr(cv2, "FaceDetectorYN"):
        raise _opencv_lacks("cv2.FaceDetectorYN", needed_by="YuNet face detection",
                            why="FaceDetectorYN arrived in OpenCV 4.5.4; or use detector='haar'")
    if not os.path.isfile(path):
        raise FaceModelError(
            f"YuNet face detection needs its model file {path}, which is missing: reinstall "
            "skemotion (pip install --force-reinstall skemotion), or use detector='haar'.")


_CREATE_LOCK = threading.Lock()  # one creation at a time: the log level is process-wide


def _create(path, score_threshold, nms_threshold):
    _check_model_file(path)
    with _CREATE_LOCK:
        return _create_quietly(path, score_threshold, nms_threshold)


def _create_quietly(path, score_threshold, nms_threshold):
    logging = getattr(getattr(cv2, "utils", None), "logging", None)
    level = logging.getLogLevel() if logging is not None else None
    try:
        if logging is not None:  # OpenCV 5.1 logs a harmless warning about targets
            logging.setLogLevel(logging.LOG_LEVEL_ERROR)
        detector = cv2.FaceDetectorYN.create(
            path, "", (320, 320), float(score_threshold), float(nms_threshold), _TOP_K)
    except (cv2.error, SystemError) as exc:
        raise FaceModelError(
            f"Cannot load the YuNet model file {path}: not a YuNet ONNX model "
            f"({str(exc).strip().splitlines()[-1][:120]}); reinstall skemotion "
            "(pip install --force-reinstall skemotion), or use detector='haar'.") from None
    finally:
        if logging is not None:
            logging.setLogLevel(level)
    if detector is None:
        raise FaceModelError(f"Cannot load the YuNet model file {path}.")
    return [detector, None]  # the detector and its current input size


_POOL = {}
_POOL_LOCK = threading.Lock()


@contextlib.contextmanager
def borrow_yunet(path, score_threshold, nms_threshold):
    """Lend a loaded ``cv2.FaceDetectorYN`` (with its settings) to one thread.

    Yields a two-item list ``[detector, input_size]``; :func:`run_yunet` keeps the
    size up to date. Detectors are pooled per ``(path, score, nms)`` and reused.
    """
    key = (path, float(score_threshold), float(nms_threshold))
    with _POOL_LOCK:
        free = _POOL.setdefault(key, [])
        entry = free.pop() if free else None
    if entry is None:
        entry = _create(path, score_threshold, nms_threshold)
    try:
        yield entry
    finally:
        with _POOL_LOCK:
            _POOL[key].append(entry)


def run_yunet(entry, bgr):
    """YuNet's raw output on a 3-channel uint8 image: float32 array (n, 15).

    Columns: box x, y, w, h; then (x, y) of the image-left eye, the image-right eye,
    the nose tip, the image-left and image-right mouth corners; then the score.

    Examples
    --------
    >>> from skemotion.datasets import load_frl_london
    >>> from skemotion.faces._yunet import DEFAULT_YUNET_MODEL, borrow_yunet, run_yunet
    >>> with borrow_yunet(DEFAULT_YUNET_MODEL, 0.6, 0.3) as detector:
    ...     faces = run_yunet(detector, load_frl_london().images[0])
    >>> faces.shape, bool(faces[0, 14] > 0.9)
    ((1, 15), True)
    """
    detector, size = entry
    h, w = bgr.shape[:2]
    if size != (w, h):
        detector.setInputSize((w, h))
        entry[1] = (w, h)
    _, faces = detector.detect(bgr)
    if faces is None:
        return np.zeros((0, 15), dtype=np.float32)
    return np.asarray(faces, dtype=np.float32).reshape(-1, 15)
