"""Test and demo videos made from the embedded London photos (CC BY 4.0)."""

import os

import cv2
import numpy as np

from ._writers import VIDEO_CODECS

__all__ = ["make_london_video"]


def _background(width, height, rng):
    """A smooth, textured, face-free background (low-frequency colour noise)."""
    shape = (max(height // 40, 2), max(width // 40, 2))
    coarse = rng.uniform(70, 190, size=shape)[..., None] + rng.uniform(-25, 25, size=(*shape, 3))
    coarse = np.clip(coarse, 0, 255).astype(np.uint8)
    return cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)


def make_london_video(path, scenes, *, frame_size=(640, 480), fps=25.0, face_size=240,
                      speed=40.0, seed=0, london=None):
    """Write a video of London faces moving slowly across a background; return the truth.

    Each scene lasts some seconds and shows some people, each in their own lane
    (lane ``k`` of ``n`` is the ``k``-th ``n``-th of the width); a person's photo
    (``face_size`` pixels square, the face about half of it) glides left and right
    in its lane at ``speed`` pixels per second, continuously across scenes, so a
    person whose expression changes between scenes does not jump.

    Parameters
    ----------
    path : str or path-like
        The video file (.mp4 or .m4v/.mov: mp4v; .avi/.mkv: Motion JPEG), or a folder
        (created if missing) to write the frames into as ``frame_00000.png``...
    scenes : list of (float, list of (int, str))
        ``(seconds, [(subject, expression), ...])``: subject is an index into the
        London subjects (0-101) and expression ``"neutral"`` or ``"happy"``; the
        list's position is the lane. An empty list is a stretch without a face.
    frame_size : tuple of (int, int), default=(640, 480)
        ``(width, height)``.
    fps : float, default=25.0
    face_size : int, default=240
    speed : float, default=40.0
        Pixels per second.
    seed : int, default=0
        Seed of the background.
    london : Bunch or None, default=None
        ``load_frl_london()`` (loaded if None).

    Returns
    -------
    truth : list of list of tuple
        Per frame, per person ``(lane, subject, expression, (x, y, w, h))`` where the
        box is the pasted photo.

    Examples
    --------
    >>> import os, tempfile, cv2
    >>> from skemotion.video._synthetic import make_london_video
    >>> path = os.path.join(tempfile.mkdtemp(), "clip.avi")
    >>> truth = make_london_video(path, [(0.4, [(0, "neutral")]), (0.4, [(0, "happy")])],
    ...                           fps=10)
    >>> len(truth), truth[0][0][:3], truth[-1][0][:3]
    (8, (0, 0, 'neutral'), (0, 0, 'happy'))
    >>> int(cv2.VideoCapture(path).get(cv2.CAP_PROP_FRAME_COUNT))
    8
    """
    if london is None:
        from ..datasets import load_frl_london

        london = load_frl_london()
    photos = {}
    subjects = sorted(set(london.groups))
    for image, label, group in zip(london.images, london.target, london.groups):
        photos[(subjects.index(group), str(label))] = image
    width, height = frame_size
    rng = np.random.RandomState(seed)
    background = _background(width, height, rng)
    path = os.fspath(path)
    suffix = os.path.splitext(path)[1].lower()
    writer = None
    if suffix in VIDEO_CODECS:
        writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*VIDEO_CODECS[suffix]), fps,
                                 (width, height))
        if not writer.isOpened():
            raise OSError(f"Cannot write {path}.")
    else:
        os.makedirs(path, exist_ok=True)
    resized = {}
    truth = []
    index = 0
    try:
        for seconds, people in scenes:
            for _ in range(int(round(seconds * fps))):
                t = index / fps
                frame = background.copy()
                row = []
                n = max(len(people), 1)
                for lane, (subject, expression) in enumerate(people):
                    key = (subject, expression)
                    if key not in resized:
                        resized[key] = cv2.resize(photos[key], (face_size, face_size),
                                                  interpolation=cv2.INTER_AREA)
                    left = lane * width // n
                    room = max(width // n - face_size, 0)
                    travel = speed * t % (2 * room) if room else 0
                    x = int(round(left + (travel if travel <= room else 2 * room - travel)))
                    y = (height - face_size) // 2
                    frame[y : y + face_size, x : x + face_size] = resized[key]
                    row.append((lane, subject, expression, (x, y, face_size, face_size)))
                truth.append(row)
                if writer is not None:
                    writer.write(frame)
                else:
                    cv2.imwrite(os.path.join(path, f"frame_{index:05d}.png"), frame)
                index += 1
    finally:
        if writer is not None:
            writer.release()
    return truth
