"""VideoEmotionRecognizer: a trained face pipeline applied to video, frame by frame."""

import numbers
import time
from dataclasses import dataclass

import cv2
import numpy as np
from sklearn import config_context
from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import Interval, validate_parameter_constraints
from sklearn.utils.validation import check_is_fitted

from ..faces._cropper import FaceCropper
from ..utils._validation import to_gray
from ..utils._warnings import warn_caller
from ._smoothing import EmotionSmoother
from ._source import open_video_source
from ._tracking import FaceTracker

__all__ = ["EmotionChange", "FaceResult", "FrameResult", "VideoEmotionRecognizer"]


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields, not objects
class FaceResult:
    """One tracked face in one frame.

    Attributes
    ----------
    track_id : int
        Stays with the face while it is tracked (1, 2, ... in order of appearance).
    box : tuple of int
        ``(x, y, width, height)`` in frame pixels.
    raw_label : object
        This frame's prediction on its own (the arg-max of ``raw_proba``).
    raw_proba : ndarray of shape (n_classes,)
        This frame's class probabilities (``predict_proba`` of the model; a one-hot
        vector for models without it).
    label : object
        The smoothed label (see :class:`VideoEmotionRecognizer`'s ``min_duration``).
    proba : ndarray of shape (n_classes,)
        The smoothed probabilities (exponential moving average over ``smoothing``
        seconds).
    """

    track_id: int
    box: tuple
    raw_label: object
    raw_proba: np.ndarray
    label: object
    proba: np.ndarray


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields, not objects
class FrameResult:
    """What the recognizer saw in one frame.

    Attributes
    ----------
    index : int
        Frame number, from 0 (unreadable frames keep their number).
    time_s : float
        Time of the frame in seconds (``index / fps`` for files and folders; since
        the start for cameras).
    faces : tuple of FaceResult
        The faces tracked in the frame, in track id order (empty for none).
    image : ndarray or None
        The frame as read (BGR or gray), None if it could not be read.
    problem : str or None
        Why the frame could not be read.
    latency_s : float
        Seconds spent on the frame (tracking, cropping, classifying; not reading).
    """

    index: int
    time_s: float
    faces: tuple
    image: object = None
    problem: str = None
    latency_s: float = 0.0


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields, not objects
class EmotionChange:
    """Passed to ``on_change`` when a tracked face's smoothed label changes.

    Attributes
    ----------
    track_id : int
    frame_index : int
    time_s : float
    previous : object or None
        The label before; None when the face has just appeared.
    label : object
        The new smoothed label.
    proba : ndarray of shape (n_classes,)
        The smoothed probabilities at the change.
    """

    track_id: int
    frame_index: int
    time_s: float
    previous: object
    label: object
    proba: np.ndarray


def check_video_model(model, name="model"):
    """Check that ``model`` is a fitted Pipeline whose first step is a FaceCropper.

    Returns ``(cropper, rest)``: the FaceCropper and the rest of the pipeline.

    Raises
    ------
    TypeError
        If it is not such a pipeline (the message names ``name``).
    """
    if not isinstance(model, Pipeline):
        raise TypeError(
            f"{name} is a {type(model).__name__}, not a skemotion pipeline: the video "
            "recognizer needs a Pipeline whose first step is a FaceCropper (as 'skemotion "
            "train' writes, or make_named_pipeline(name) fitted).")
    if len(model.steps) < 2 or not isinstance(model.steps[0][1], FaceCropper):
        first = type(model.steps[0][1]).__name__ if model.steps else "nothing"
        raise TypeError(
            f"{name} is a Pipeline that starts with {first}, not a FaceCropper (followed by "
            "a classifier): the video recognizer crops each tracked face with the model's "
            "own FaceCropper settings, so it needs one (build the pipeline with detect=True).")
    rest = model[1:]
    try:
        check_is_fitted(model.steps[-1][1])
        classes = model.classes_
    except Exception:
        raise TypeError(f"{name} is not fitted: fit it (or train it with 'skemotion train') "
                        "first.") from None
    if not hasattr(rest, "predict"):
        raise TypeError(f"{name} does not end with a classifier (no predict method).")
    return model.steps[0][1], rest, np.asarray(classes)


class VideoEmotionRecognizer:
    """Recognise the emotion of every face in a video, live or recorded.

    A fitted face pipeline (a :class:`~sklearn.pipeline.Pipeline` whose first step
    is a :class:`~skemotion.FaceCropper`, as ``skemotion train`` writes) applied to
    video: faces are found with the model's own cascade settings, followed from
    frame to frame, cropped with its own crop settings (output size, margin, eye
    alignment, equalisation), classified by the rest of the pipeline, and their
    probabilities smoothed over time per face.

    Parameters
    ----------
    model : Pipeline
        Fitted; first step a FaceCropper.
    smoothing : float, default=0.5
        Time constant in seconds of the exponential moving average of each face's
        probabilities (a frame ``dt`` seconds later moves the average a share
        ``1 - exp(-dt / smoothing)`` of the way). 0 turns averaging off.
    min_duration : float, default=0.3
        Seconds another class must lead the smoothed probabilities, without
        interruption, before a face's reported label changes (hysteresis). 0
        reports the smoothed arg-max of every frame.
    detect_every : int, default=10
        Frames between full face detections (1: every frame). In between, each face
        is looked for only near its last box (see Notes).
    max_faces : int, default=4
        Most faces followed at once (the largest ones when there are more).
    lost_after : float, default=1.0
        Seconds a face that is no longer found keeps its track: a face found again
        by a full detection near its last box within this time gets its old track id
        back.
    on_change : callable or None, default=None
        Called as ``on_change(change)`` with an :class:`EmotionChange` whenever a
        face's smoothed label changes, and when a new face appears
        (``change.previous is None``): the hook for a player that follows the mood.

    Attributes
    ----------
    classes_ : ndarray
        The model's classes, the order of every probability vector.
    n_detections_ : int
        Full detections run so far (since the last :meth:`reset`).

    See Also
    --------
    watch_video : Run it on a source and write the CSV, annotated video and plot.
    recognize_videos : Every video of a folder, in parallel or on a Dask cluster.

    Notes
    -----
    *Tracking instead of re-detection.* A full detection (the model's cascades over
    the frame's downscaled copy, then the eye cascade in each face for eye-aligned
    models) costs about as much as everything else together. It runs every
    ``detect_every`` frames (also while there is no face) and in the frame where a
    face is lost; in between, each face is looked for only in a window half a box wide
    around its last box, by normalised cross-correlation with its appearance at the
    last detection, on the same downscaled copy (a fraction of a millisecond), and
    its eye positions move with the box. The price: a new face is noticed up to
    ``detect_every - 1`` frames late, and a box keeps the size it had at the last
    detection until the next one (at 30 fps and the default 10, a third of a
    second). A face whose match drops below 0.6 counts as lost and triggers a full
    detection at once. A face a full detection misses (a compressed frame, a turned
    head) is followed on its appearance for up to ``lost_after`` seconds.

    Raw labels are the arg-max of ``predict_proba`` (the same as ``predict`` for
    skemotion's classifiers; a Fisherface ``threshold``'s unknown label is not used).

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.datasets import load_frl_london
    >>> from skemotion.pipelines import make_named_pipeline
    >>> from skemotion.video import VideoEmotionRecognizer
    >>> london = load_frl_london()
    >>> model = make_named_pipeline("hog_logreg").fit(london.images[::5], london.target[::5])
    >>> frames = [london.images[1]] * 3 + [london.images[105]] * 3   # a face, then a smile
    >>> recognizer = VideoEmotionRecognizer(model, smoothing=0, min_duration=0)
    >>> [(r.index, [f.track_id for f in r.faces], r.faces[0].label)
    ...  for r in recognizer.process(frames)][::3]
    [(0, [1], 'neutral'), (3, [1], 'happy')]
    """

    _parameter_constraints = {
        "model": "no_validation",  # check_video_model says what is wrong
        "smoothing": [Interval(numbers.Real, 0, None, closed="left")],
        "min_duration": [Interval(numbers.Real, 0, None, closed="left")],
        "detect_every": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_faces": [Interval(numbers.Integral, 1, None, closed="left")],
        "lost_after": [Interval(numbers.Real, 0, None, closed="left")],
        "on_change": [callable, None],
    }

    def __init__(self, model, *, smoothing=0.5, min_duration=0.3, detect_every=10,
                 max_faces=4, lost_after=1.0, on_change=None):
        self.model = model
        self.smoothing = smoothing
        self.min_duration = min_duration
        self.detect_every = detect_every
        self.max_faces = max_faces
        self.lost_after = lost_after
        self.on_change = on_change

    def _check(self):
        validate_parameter_constraints(
            self._parameter_constraints,
            {name: getattr(self, name) for name in self._parameter_constraints},
            caller_name=type(self).__name__,
        )
        for name in ("smoothing", "min_duration", "lost_after"):
            if not np.isfinite(getattr(self, name)):
                raise ValueError(f"The '{name}' parameter of {type(self).__name__} must be "
                                 f"finite, got {getattr(self, name)!r}.")
        return check_video_model(self.model)

    def reset(self):
        """Start afresh: validate the parameters, forget every face (ids restart at 1).

        :meth:`process` calls it; call it yourself before feeding frames to
        :meth:`process_frame`.

        Returns
        -------
        self : VideoEmotionRecognizer
        """
        cropper, self._rest, self.classes_ = self._check()
        self._tracker = FaceTracker(cropper, detect_every=int(self.detect_every),
                                    max_faces=int(self.max_faces),
                                    lost_after=float(self.lost_after))
        self._scorer = getattr(self._rest, "predict_proba", None)
        self._smoothers = {}
        self._crop_shape = self._tracker.output_size
        return self

    @property
    def n_detections_(self):
        return self._tracker.n_detections

    def _raw(self, crops):
        X = np.stack(crops).reshape(len(crops), -1).astype(np.float32)
        # crops are finite by construction and the fitted steps' parameters were
        # checked when they were fitted: skip both checks on every frame
        with config_context(assume_finite=True, skip_parameter_validation=True):
            if self._scorer is not None:
                return np.asarray(self._scorer(X), dtype=float)
            labels = self._rest.predict(X)
        return (labels[:, None] == self.classes_[None, :]).astype(float)

    def process_frame(self, image, time_s, index=0):
        """Recognise the faces of the next frame (after :meth:`reset`).

        Parameters
        ----------
        image : ndarray
            BGR, BGRA or gray frame, or None for a frame that could not be read.
        time_s : float
            Its time in seconds (increasing from frame to frame).
        index : int, default=0
            Its frame number (reported back).

        Returns
        -------
        result : FrameResult
        """
        if not hasattr(self, "_tracker"):
            raise RuntimeError("Call reset() before process_frame() (process() does it).")
        start = time.perf_counter()
        if image is None:
            return FrameResult(index, time_s, (), None, "unreadable frame", 0.0)
        if image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3:
            gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        else:
            gray = to_gray(image, source=f"frame {index}")
        tracks = self._tracker.update(gray, time_s)
        live = {t.track_id for t in self._tracker.tracks}
        for gone in set(self._smoothers) - live:
            del self._smoothers[gone]
        faces = []
        if tracks:
            raw = self._raw([self._tracker.crop(gray, t) for t in tracks])
            for track, proba in zip(tracks, raw):
                smoother = self._smoothers.get(track.track_id)
                new = smoother is None
                if new:
                    smoother = self._smoothers[track.track_id] = EmotionSmoother(
                        self.smoothing, self.min_duration)
                previous = smoother.label
                smooth, label, changed = smoother.update(proba, time_s)
                face = FaceResult(track.track_id, tuple(int(v) for v in track.box),
                                  self.classes_[int(np.argmax(proba))], proba,
                                  self.classes_[label], smooth)
                faces.append(face)
                if self.on_change is not None and (new or changed):
                    self.on_change(EmotionChange(
                        track.track_id, index, time_s,
                        None if new else self.classes_[previous], face.label, smooth))
        return FrameResult(index, time_s, tuple(faces), image, None,
                           time.perf_counter() - start)

    def process(self, source, *, fps=None):
        """Yield one :class:`FrameResult` per frame of a source.

        Parameters
        ----------
        source : int, str, path-like, VideoSource or iterable of ndarray
            A camera index, a video file, a folder of frames (sorted by name), or
            an iterable of images (see :func:`open_video_source`).
        fps : float or None, default=None
            Frame rate for a folder of frames or an iterable (default 30), or to
            override a file's.

        Yields
        ------
        result : FrameResult
            In frame order; unreadable frames are yielded too (no faces, with
            ``problem`` set), so frame numbers never skip.
        """
        with open_video_source(source, fps=fps) as video:
            yield from self._results(video)
            for note in video.notes:
                warn_caller(note + ".")

    def _results(self, video):
        """The results of an open :class:`VideoSource` (its notes are left to the caller)."""
        self.reset()
        for frame in video.frames():
            if frame.image is None:
                yield FrameResult(frame.index, frame.time_s, (), None, frame.problem)
            else:
                yield self.process_frame(frame.image, frame.time_s, frame.index)
