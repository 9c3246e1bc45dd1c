"""capture_reference: one person's neutral face from the first seconds of a source."""

import cv2
import numpy as np

from ..faces._find import find_faces
from ._source import open_video_source

__all__ = ["capture_reference"]

#: Border kept around the face box in a saved reference, as a fraction of the box size
#: on each side, so that a FaceCropper finds the face in it again.
REFERENCE_MARGIN = 0.5


def capture_reference(source, *, seconds=3.0, fps=None, every=3):
    """The clearest face of a source's first ``seconds``: a neutral reference image.

    YuNet looks at every ``every``-th frame of the first ``seconds`` (from the start
    of a camera, or frame times of a file or folder); the frame where the largest face
    has the highest detection score gives the reference, cut out with half a face of
    border on each side, so that a model's FaceCropper finds it again (as
    ``VideoEmotionRecognizer(model, reference=...)`` and ``skemotion watch --reference``
    do). Keep a neutral face, alone in front of the camera, while it runs.

    Parameters
    ----------
    source : int, str, path-like, VideoSource or iterable of ndarray
        See :func:`open_video_source`.
    seconds : float, default=3.0
    fps : float or None, default=None
        Frame rate of a folder of frames or an iterable (default 30).
    every : int, default=3
        Frames between the frames looked at.

    Returns
    -------
    image : ndarray of uint8
        The face with its border, as read (BGR or gray).
    info : dict
        ``frame`` (its number), ``time_s``, ``box`` (in the frame), ``score``,
        ``n_frames`` (frames read) and ``n_faces`` (faces in the chosen frame).

    Raises
    ------
    ValueError
        If no face was found in that time (the message names the source).

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.datasets import load_frl_london
    >>> from skemotion.video import capture_reference
    >>> frame = np.full((480, 640, 3), 90, np.uint8)
    >>> frame[60:410, 150:500] = load_frl_london().images[0]
    >>> image, info = capture_reference([frame] * 10, seconds=0.2)
    >>> image.shape, info["frame"], info["n_faces"]
    ((319, 319, 3), 0, 1)
    """
    best = None
    n = 0
    with open_video_source(source, fps=fps) as video:
        name = video.name
        for frame in video.frames():
            if frame.time_s > seconds:
                break
            n += 1
            if frame.image is None or frame.index % max(int(every), 1):
                continue
            faces = find_faces(frame.image, detect_width=None)
            if not faces:
                continue
            face = faces[0]  # the largest
            if best is None or face.score > best[0].score:
                best = (face, frame, len(faces))
    if best is None:
        raise ValueError(f"{name}: no face found in the first {seconds:g} s ({n} frames); "
                         "sit in front of the camera, facing it, in good light.")
    face, frame, count = best
    x, y, w, h = face.box
    grow = REFERENCE_MARGIN * max(w, h)
    image = frame.image
    H, W = image.shape[:2]
    x0, y0 = max(int(x - grow), 0), max(int(y - grow), 0)
    x1, y1 = min(int(np.ceil(x + w + grow)), W), min(int(np.ceil(y + h + grow)), H)
    crop = np.ascontiguousarray(image[y0:y1, x0:x1])
    if crop.ndim == 3 and crop.shape[2] == 4:
        crop = cv2.cvtColor(crop, cv2.COLOR_BGRA2BGR)
    return crop, {"frame": frame.index, "time_s": frame.time_s, "box": face.box,
                  "score": face.score, "n_frames": n, "n_faces": count}
