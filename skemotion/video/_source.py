"""Where frames come from: a camera, a video file, a folder of frames, or any iterable."""

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ..utils._image_io import IMAGE_EXTENSIONS, is_hidden_or_clutter, read_image

#: File endings taken as videos in a folder of videos (lower case).
VIDEO_EXTENSIONS = frozenset(
    {".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv", ".flv",
     ".ts", ".mts", ".3gp", ".ogv"}
)

#: Frame rate assumed for a folder of frames (and for a video that does not say).
DEFAULT_FPS = 30.0

# After a failed read, how many more reads are tried before the video is taken to
# have ended: a decoder that skips a damaged frame goes on after one or two.
_RETRIES = 5


@dataclass(frozen=True, eq=False)  # holds an image
class Frame:
    """One frame of a source: ``image`` is None when it could not be read (``problem`` says why)."""

    index: int
    time_s: float
    image: object = None
    problem: str = None


def _entries(folder):
    return sorted(p for p in Path(folder).iterdir()
                  if p.is_file() and not is_hidden_or_clutter(p.name))


def frame_files(folder):
    """The image files of a folder of frames, sorted by name."""
    return [p for p in _entries(folder) if p.suffix.lower() in IMAGE_EXTENSIONS]


def video_files(folder):
    """The video files of a folder of videos, sorted by name."""
    return [p for p in _entries(folder) if p.suffix.lower() in VIDEO_EXTENSIONS]


def source_kind(source):
    """``"camera"``, ``"file"``, ``"frames"`` or ``"videos"`` for a source given by the user.

    A camera is an int (or a string of digits that is not an existing file); a folder
    holding image files is a folder of frames, one holding video files a folder of
    videos (one holding both is an error).

    Raises
    ------
    FileNotFoundError
        If the file or folder does not exist.
    ValueError
        If a folder holds neither frames nor videos, or both.
    """
    if isinstance(source, (int, np.integer)) and not isinstance(source, bool):
        return "camera"
    text = os.fspath(source)
    if text.isdigit() and not os.path.exists(text):
        return "camera"
    path = Path(text)
    if path.is_file():
        return "file"
    if not path.is_dir():
        raise FileNotFoundError(f"No such video file or folder: {path}")
    frames, videos = frame_files(path), video_files(path)
    if frames and videos:
        raise ValueError(
            f"{path} holds both image files ({len(frames)}, e.g. {frames[0].name}) and "
            f"videos ({len(videos)}, e.g. {videos[0].name}): a folder is either the frames "
            "of one video or a folder of videos; move one kind elsewhere.")
    if frames:
        return "frames"
    if videos:
        return "videos"
    raise ValueError(
        f"{path} holds no image frames ({', '.join(sorted(IMAGE_EXTENSIONS)[:4])}...) and no "
        f"videos ({', '.join(sorted(VIDEO_EXTENSIONS)[:4])}...).")


@contextlib.contextmanager
def _quiet_opencv():
    """OpenCV's own log lines (``[ WARN:0] ... can't open camera``) off, for a clean error."""
    logging = getattr(getattr(cv2, "utils", None), "logging", None)
    if logging is None:  # pragma: no cover - every OpenCV 4 build has it
        yield
        return
    level = logging.getLogLevel()
    logging.setLogLevel(logging.LOG_LEVEL_SILENT)
    try:
        yield
    finally:
        logging.setLogLevel(level)


class VideoSource:
    """Frames from a camera, a video file, a folder of frames, or an iterable of images.

    Use :func:`open_video_source`; iterate :meth:`frames` once.

    Attributes
    ----------
    name : str
        What to call it in messages (the path, ``camera 0``, ``frames``).
    kind : {"camera", "file", "frames", "iterable"}
    fps : float
        Frames per second (of the file; :data:`DEFAULT_FPS` for frames, iterables and
        files that do not say; what the camera reports).
    frame_count : int or None
        Frames announced (None for cameras and iterables).
    frame_size : tuple of (int, int) or None
        ``(width, height)`` of the frames, when the file says.
    notes : list of str
        Problems met while reading (e.g. a video that ended before the frame count
        its header announces), filled in as the frames are read.
    """

    def __init__(self, name, kind, fps, frame_count, frame_size, reader, close=None,
                 notes=None):
        self.name, self.kind, self.fps = name, kind, float(fps)
        self.frame_count, self.frame_size = frame_count, frame_size
        self._reader, self._close = reader, close
        self.notes = [] if notes is None else notes

    def frames(self):
        """Yield :class:`Frame` objects in order; unreadable frames have ``image=None``."""
        return self._reader()

    def close(self):
        """Release the camera or file."""
        if self._close is not None:
            self._close()
            self._close = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _capture_reader(capture, name, fps, announced, live, notes):
    start = time.perf_counter()

    def read():
        index = 0
        while True:
            ok, image = capture.read()
            now = time.perf_counter() - start if live else index / fps
            if ok:
                yield Frame(index, now, image)
                index += 1
                continue
            if live:
                return
            # a failed read: a damaged frame the decoder can skip, or the end
            recovered = None
            for attempt in range(_RETRIES):
                ok, image = capture.read()
                if ok:
                    recovered = attempt + 1
                    break
            if recovered is None:
                if announced and index < announced:
                    notes.append(f"{name}: the video ended after {index} of the {announced} "
                                 "frames its header announces (cut short or damaged)")
                return
            for _ in range(recovered):
                yield Frame(index, index / fps, None, "unreadable frame")
                index += 1
            yield Frame(index, index / fps, image)
            index += 1

    return read


def _folder_reader(files, fps, name):
    def read():
        for index, path in enumerate(files):
            try:
                image = read_image(path)
            except (OSError, ValueError) as exc:
                yield Frame(index, index / fps, None, f"{path.name}: {exc}")
                continue
            yield Frame(index, index / fps, image)

    return read


def _iterable_reader(images, fps):
    def read():
        for index, image in enumerate(images):
            if image is None:
                yield Frame(index, index / fps, None, "no image")
            else:
                yield Frame(index, index / fps, np.asarray(image))

    return read


def open_video_source(source, *, fps=None):
    """Open a camera index, a video file, a folder of frames, or an iterable of images.

    Parameters
    ----------
    source : int, str, path-like, VideoSource or iterable of ndarray
        A camera index (``0``), a video file (anything OpenCV's FFmpeg backend reads),
        a folder of image frames (sorted by name), an open :class:`VideoSource`
        (returned as is), or an iterable of BGR or gray images (``None`` items count
        as unreadable frames).
    fps : float or None, default=None
        Frame rate of a folder of frames or an iterable (default :data:`DEFAULT_FPS`);
        overrides a file's own rate when given.

    Returns
    -------
    source : VideoSource

    Raises
    ------
    FileNotFoundError
        If the file or folder does not exist.
    ValueError
        If the file is not a video OpenCV can read, a folder holds no frames (or holds
        videos: process those with :func:`recognize_videos`), or a camera cannot be
        opened.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.video import open_video_source
    >>> with open_video_source([np.zeros((4, 6), np.uint8), None], fps=5) as source:
    ...     [(f.index, f.time_s, f.problem) for f in source.frames()]
    [(0, 0.0, None), (1, 0.2, 'no image')]
    """
    if isinstance(source, VideoSource):
        return source
    if fps is not None and not fps > 0:
        raise ValueError(f"fps must be > 0, got {fps!r}.")
    if not isinstance(source, (str, bytes, os.PathLike, int, np.integer)):
        try:
            images = iter(source)
        except TypeError:
            raise ValueError(f"Cannot read frames from a {type(source).__name__}: give a "
                             "camera index, a video file, a folder of frames or an iterable "
                             "of images.") from None
        rate = fps or DEFAULT_FPS
        return VideoSource("frames", "iterable", rate, None, None,
                           _iterable_reader(images, rate))
    kind = source_kind(source)
    if kind == "videos":
        raise ValueError(f"{os.fspath(source)} is a folder of videos: process them with "
                         "recognize_videos (each video on its own).")
    if kind == "frames":
        files = frame_files(source)
        rate = fps or DEFAULT_FPS
        return VideoSource(os.fspath(source), "frames", rate, len(files), None,
                           _folder_reader(files, rate, os.fspath(source)))
    if kind == "camera":
        index = int(source)
        name = f"camera {index}"
        with _quiet_opencv():
            capture = cv2.VideoCapture(index)
            opened = capture.isOpened()
        if not opened:
            capture.release()
            raise ValueError(f"Cannot open {name}: no such camera, or it is busy or not "
                             "allowed.")
        rate = fps or capture.get(cv2.CAP_PROP_FPS) or DEFAULT_FPS
        notes = []
        return VideoSource(name, "camera", rate, None, None,
                           _capture_reader(capture, name, rate, None, True, notes),
                           capture.release, notes)
    path = os.fspath(source)
    with _quiet_opencv():
        capture = cv2.VideoCapture(path, cv2.CAP_FFMPEG)
        opened = capture.isOpened()
    if not opened:
        capture.release()
        raise ValueError(f"Cannot read {path} as a video: not a video file OpenCV's FFmpeg "
                         "backend can open.")
    announced = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0) or None
    own_fps = capture.get(cv2.CAP_PROP_FPS)
    notes = []
    if fps is None and not (own_fps and 0 < own_fps < 1000):
        notes.append(f"{path} does not give its frame rate: assumed {DEFAULT_FPS:g} fps")
        own_fps = DEFAULT_FPS
    rate = fps or own_fps
    size = (int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    return VideoSource(path, "file", rate, announced, size if min(size) > 0 else None,
                       _capture_reader(capture, path, rate, announced, False, notes),
                       capture.release, notes)
