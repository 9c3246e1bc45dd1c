"""Faces in one video frame: :func:`find_faces`, YuNet on a scaled copy or the Haar
cascades with a FaceCropper's settings (the live path's detector)."""

import numpy as np

from ..utils._validation import to_gray
from ._cascades import EYE_CASCADE, resolve_cascade
from ._cropper import FaceCropper
from ._detect import FaceDetection, _find_eyes, _pixels, _scan_cascades, _yunet_faces
from ._yunet import _model_path

__all__ = ["find_faces"]


def find_faces(frame, *, detector="yunet", detect_width=320, score_threshold=0.6,
               nms_threshold=0.3, min_size=None, max_faces=None, cropper=None):
    """Every face in one video frame, fast: boxes, five points and scores.

    The frame is shrunk to ``detect_width`` pixels wide (never enlarged) for YuNet;
    everything returned is in full-frame pixels. Boxes follow
    :class:`~skemotion.FaceCropper`'s convention, so cropping a box with the model's
    crop settings gives the crop the model was trained on. The frame is made gray
    first, as FaceCropper does, and YuNet sees that gray image in its three channels.

    Parameters
    ----------
    frame : ndarray of uint8, shape (h, w) or (h, w, 3)
        A gray or BGR frame.
    detector : {"yunet", "haar"}, default="yunet"
        YuNet, or the Haar cascades with FaceCropper's defaults (all faces the first
        cascade that finds any sees; no landmarks, no scores).
    detect_width : int or None, default=320
        Width of the copy YuNet scans (about 7 ms for a 640x480 frame on one thread;
        faces under about 30 px at that width are missed). None: the full frame.
    score_threshold, nms_threshold : float, default=0.6, 0.3
        YuNet's confidence threshold and non-maximum-suppression overlap.
    min_size : int or float or None, default=None
        Smallest face box kept: pixels (int) or a fraction of the frame's shorter
        side (float); None keeps every face YuNet reports.
    max_faces : int or None, default=None
        Keep at most this many faces (the largest).
    cropper : FaceCropper or None, default=None
        Take the detector and its settings from this FaceCropper instead (its
        ``detector``, ``yunet_score_threshold``, ``yunet_nms_threshold`` and
        ``yunet_min_size``, or its cascade settings); ``detect_width`` and
        ``max_faces`` still apply (``detect_width`` to YuNet only: the cascades scan
        the cropper's ``detect_size`` copy).

    Returns
    -------
    faces : list of FaceDetection
        Largest first, with ``source=None``, ``box``, ``score``, ``landmarks`` and
        ``left_eye``/``right_eye`` (YuNet's eye points; for Haar only when the
        cropper has ``align="eyes"``), ``cascade`` (``"yunet"`` or the cascade name).

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.datasets import load_frl_london
    >>> from skemotion.faces import find_faces
    >>> frame = np.full((480, 640, 3), 100, np.uint8)
    >>> frame[100:450, 200:550] = load_frl_london().images[0]
    >>> [face] = find_faces(frame)
    >>> face.box, round(face.score, 2), face.image_shape
    ((296, 195, 163, 163), 0.93, (480, 640))
    >>> find_faces(np.zeros((480, 640), np.uint8))
    []
    """
    frame = np.asarray(frame)
    if frame.dtype != np.uint8:
        raise ValueError(f"find_faces needs a uint8 frame, got dtype {frame.dtype}.")
    gray = to_gray(frame, source="frame")
    h, w = gray.shape
    if cropper is not None:
        detector = cropper.detector
        if detector == "yunet":
            score_threshold = cropper.yunet_score_threshold
            nms_threshold = cropper.yunet_nms_threshold
            min_size = cropper.yunet_min_size
    if detector not in ("yunet", "haar"):
        raise ValueError(f"detector must be 'yunet' or 'haar', got {detector!r}.")
    if detector == "haar":
        if cropper is None:
            cropper = FaceCropper(detector="haar")
        faces = _haar_faces(gray, cropper)
    else:
        if detect_width is not None and w > detect_width:
            longest = max(1, round(detect_width * max(h, w) / w))
        else:
            longest = None
        min_px = _pixels(min_size, min(h, w)) or 0.0
        found = _yunet_faces(gray, _model_path(), score_threshold, nms_threshold, longest,
                             min_px)
        faces = [FaceDetection(source=None, image_shape=(h, w), box=box, cascade="yunet",
                               face_counts={"yunet": len(found)}, left_eye=points[0],
                               right_eye=points[1], landmarks=points, score=score)
                 for box, points, score in found]
    return faces[:max_faces] if max_faces is not None else faces


def _haar_faces(gray, cropper):
    """All faces (largest first) from the first of the cropper's cascades finding any."""
    params = cropper._checked_params()
    h, w = gray.shape
    boxes, index, _ = _scan_cascades(
        gray, params["paths"], float(cropper.scale_factor), int(cropper.min_neighbors),
        cropper.min_size, cropper.max_size, cropper.detect_size, accept=bool)
    name = None if index is None else params["names"][index]
    eye_path = resolve_cascade(EYE_CASCADE) if cropper.align == "eyes" else None
    faces = []
    for box in boxes:
        left, right = _find_eyes(gray, box, eye_path) if eye_path else (None, None)
        faces.append(FaceDetection(source=None, image_shape=(h, w), box=box, cascade=name,
                                   face_counts={name: len(boxes)}, left_eye=left,
                                   right_eye=right))
    return faces
