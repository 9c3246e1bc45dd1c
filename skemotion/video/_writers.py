"""What a video run writes: the per-face CSV timeline, the annotated video, the summary."""

import csv
import os
from pathlib import Path

import cv2
import numpy as np


#: Container ending -> FourCC of the codec the annotated video is written with.
VIDEO_CODECS = {".mp4": "mp4v", ".m4v": "mp4v", ".mov": "mp4v", ".avi": "MJPG",
                ".mkv": "MJPG"}

#: Box colours (BGR) per track id, cycling.
_COLOURS = [(0, 200, 0), (0, 140, 255), (255, 120, 0), (200, 0, 200), (0, 220, 220),
            (60, 60, 255), (255, 255, 0), (128, 0, 255)]


def csv_header(classes):
    """``frame,time_s,track,x,y,w,h,label,raw_label,score_<class>...``"""
    return (["frame", "time_s", "track", "x", "y", "w", "h", "label", "raw_label"]
            + [f"score_{c}" for c in classes])


def csv_rows(result, n_classes):
    """The CSV rows of one :class:`FrameResult`: one per face, or one with empty face
    fields when there is none (so that every frame number appears)."""
    head = [result.index, f"{result.time_s:.4f}"]
    if not result.faces:
        return [head + [""] * (7 + n_classes)]
    rows = []
    for face in result.faces:
        rows.append(head + [face.track_id, *face.box, face.label, face.raw_label]
                    + [f"{p:.4f}" for p in face.proba])
    return rows


class TimelineCSVWriter:
    """Write one row per face per frame (see :func:`csv_header`) to ``path``.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from skemotion.video import FrameResult, FaceResult, TimelineCSVWriter
    >>> face = FaceResult(1, (10, 20, 30, 30), "happy", np.array([0.8, 0.2]), "happy",
    ...                   np.array([0.7, 0.3]))
    >>> path = os.path.join(tempfile.mkdtemp(), "timeline.csv")
    >>> with TimelineCSVWriter(path, ["happy", "neutral"]) as writer:
    ...     writer.write(FrameResult(0, 0.0, (face,)))
    ...     writer.write(FrameResult(1, 0.04, ()))
    >>> print(open(path).read().strip())
    frame,time_s,track,x,y,w,h,label,raw_label,score_happy,score_neutral
    0,0.0000,1,10,20,30,30,happy,happy,0.7000,0.3000
    1,0.0400,,,,,,,,,
    """

    def __init__(self, path, classes):
        self.path = Path(path)
        self._file = open(self.path, "w", newline="", encoding="utf-8")
        self._writer = csv.writer(self._file, lineterminator="\n")
        self._writer.writerow(csv_header(classes))
        self._n_classes = len(classes)

    def write(self, result):
        self._writer.writerows(csv_rows(result, self._n_classes))

    def close(self):
        if not self._file.closed:
            self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def track_colour(track_id):
    """The BGR colour of a track's box in the annotated video (and of its timeline panel)."""
    return _COLOURS[(track_id - 1) % len(_COLOURS)]


def annotate_frame(image, result, classes):
    """A BGR copy of ``image`` with each face's box, track id, smoothed label and a
    small bar per class of its smoothed probabilities.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.video import FaceResult, FrameResult, annotate_frame
    >>> face = FaceResult(1, (40, 40, 60, 60), "happy", np.array([0.9, 0.1]), "happy",
    ...                   np.array([0.8, 0.2]))
    >>> frame = np.zeros((160, 200), np.uint8)
    >>> out = annotate_frame(frame, FrameResult(0, 0.0, (face,)), ["happy", "neutral"])
    >>> out.shape, int(out[40, 70].max()) > 0   # box drawn in colour
    ((160, 200, 3), True)
    """
    if image.ndim == 2:
        out = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.shape[2] == 4:
        out = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    else:
        out = image.copy()
    height, width = out.shape[:2]
    scale = max(0.35, min(height, width) / 900)
    thick = max(1, int(round(scale * 2)))
    line_h = int(14 * scale / 0.45)
    for face in result.faces:
        colour = track_colour(face.track_id)
        x, y, w, h = face.box
        cv2.rectangle(out, (x, y), (x + w, y + h), colour, thick)
        text = f"#{face.track_id} {face.label}"
        (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
        ty = y - 4 if y - th - base - 4 >= 0 else min(y + h + th + 4, height - 2)
        cv2.rectangle(out, (x, ty - th - base), (x + tw + 4, ty + base), colour, -1)
        cv2.putText(out, text, (x + 2, ty), cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0),
                    thick, cv2.LINE_AA)
        if face.calibrating:  # no probabilities yet
            continue
        # one bar per class under (or inside the bottom of) the box
        bar_w = max(w, 60)
        top = y + h + 4 if y + h + 4 + line_h * len(classes) <= height else y + 4
        for k, (name, p) in enumerate(zip(classes, face.proba)):
            y0 = top + k * line_h
            cv2.rectangle(out, (x, y0), (x + bar_w, y0 + line_h - 3), (40, 40, 40), -1)
            cv2.rectangle(out, (x, y0), (x + int(round(bar_w * float(p))), y0 + line_h - 3),
                          colour, -1)
            cv2.putText(out, f"{name} {p:.2f}", (x + 2, y0 + line_h - 5),
                        cv2.FONT_HERSHEY_SIMPLEX, scale * 0.8, (255, 255, 255), 1,
                        cv2.LINE_AA)
    return out


class AnnotatedVideoWriter:
    """Write annotated frames to a video file at the input's frame rate and size.

    The size is the ``frame_size`` given, or the first frame's. Frames of another
    size (a folder of frames of mixed sizes) are resized to it (counted in
    ``n_resized``, the first one's number in ``first_resized``); unreadable frames
    are written black, so the video
    keeps the input's frame count. The codec follows the file ending
    (:data:`VIDEO_CODECS`: mp4v for .mp4/.m4v/.mov, Motion JPEG for .avi/.mkv).

    Examples
    --------
    >>> import numpy as np, tempfile, os, cv2
    >>> from skemotion.video import AnnotatedVideoWriter
    >>> path = os.path.join(tempfile.mkdtemp(), "out.avi")
    >>> with AnnotatedVideoWriter(path, fps=10) as writer:
    ...     for value in (0, 128, 255):
    ...         writer.write(np.full((48, 64, 3), value, np.uint8))
    >>> video = cv2.VideoCapture(path)
    >>> int(video.get(cv2.CAP_PROP_FRAME_COUNT)), int(video.get(cv2.CAP_PROP_FRAME_WIDTH))
    (3, 64)
    """

    def __init__(self, path, *, fps, frame_size=None, source_name="the input"):
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        if suffix not in VIDEO_CODECS:
            raise ValueError(f"{self.path}: write the annotated video as one of "
                             f"{', '.join(sorted(VIDEO_CODECS))}.")
        self.fourcc = cv2.VideoWriter_fourcc(*VIDEO_CODECS[suffix])
        self.fps = float(fps)
        self.frame_size = frame_size
        self.source_name = source_name
        self.n_frames = 0
        self.n_resized = 0
        self.first_resized = None
        self._writer = None

    def _open(self, size):
        self.frame_size = size
        writer = cv2.VideoWriter(os.fspath(self.path), self.fourcc, self.fps, size)
        if not writer.isOpened():
            raise OSError(f"Cannot write the video {self.path} (codec "
                          f"{VIDEO_CODECS[self.path.suffix.lower()]}, {size[0]}x{size[1]}).")
        self._writer = writer

    def write(self, image, name=None):
        """Append one BGR frame (None: a black frame of the video's size)."""
        if image is None:
            if self.frame_size is None:  # nothing seen yet: wait for a size
                self._pending = getattr(self, "_pending", 0) + 1
                return
            image = np.zeros((self.frame_size[1], self.frame_size[0], 3), np.uint8)
        size = (image.shape[1], image.shape[0])
        if self._writer is None:
            self._open(self.frame_size or size)
            for _ in range(getattr(self, "_pending", 0)):
                self._write(np.zeros((self.frame_size[1], self.frame_size[0], 3), np.uint8))
        if size != self.frame_size:
            if self.n_resized == 0:
                self.first_resized = name if name is not None else self.n_frames
            self.n_resized += 1
            image = cv2.resize(image, self.frame_size, interpolation=cv2.INTER_AREA)
        self._write(image)

    def _write(self, image):
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        self._writer.write(np.ascontiguousarray(image))
        self.n_frames += 1

    def close(self):
        if self._writer is not None:
            self._writer.release()
            self._writer = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
