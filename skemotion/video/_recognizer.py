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
from ._smoothing import EmotionFilter
from ._source import open_video_source
from ._tracking import FaceTracker

__all__ = ["EmotionChange", "FaceResult", "FrameResult", "VideoEmotionRecognizer"]

#: Exponent on the model's probabilities in the emotion filter (see EmotionFilter).
EVIDENCE = 0.5
#: Share of the filtered probability of a new emotion and the current label together that
#: the new emotion must reach before a face's label changes to it.
CHANGE_PROBABILITY = 0.9
#: Seconds a face must have been seen before half the ``adaptation`` share is taken off
#: (see EmotionFilter).
ADAPTATION_TIME = 2.0
#: A model that says this much for a new emotion of two, frame after frame, changes a
#: settled label within a second at any dwell and frame rate (EmotionFilter's
#: ``follow``): a label never stays stuck against steady evidence.
FOLLOW = 0.6
#: The label (and raw label) of a face whose neutral reference is being collected.
CALIBRATING = "calibrating"


def emotion_filter(smoothing, min_duration, adaptation):
    """One face's :class:`EmotionFilter` as the recognizer makes it: these parameters
    and the fixed :data:`EVIDENCE`, :data:`CHANGE_PROBABILITY`,
    :data:`ADAPTATION_TIME` and :data:`FOLLOW`."""
    return EmotionFilter(smoothing, EVIDENCE, min_duration,
                         change_probability=CHANGE_PROBABILITY, adaptation=adaptation,
                         adaptation_time=ADAPTATION_TIME, follow=FOLLOW)


def _fast_steps(estimator):
    """The chain of fitted steps a crop goes through in ``estimator.predict_proba``, with
    the wrappers that only pass the crops on taken apart: a Pipeline's steps, and the
    inner model of a training-time augmentation wrapper (which predicts on the crops as
    given). The wrappers' per-call checks and tag look-ups (about as costly as the
    features themselves for one crop) are skipped; :func:`_fast_scorer` skips the checks
    of the steps it can compute directly. None when there is nothing to take apart."""
    from .._meta_estimators import _TrainingAugmentationMixin

    if isinstance(estimator, Pipeline):
        steps = []
        for _, step in estimator.steps:
            if step is None or step == "passthrough":
                continue
            inner = _fast_steps(step)
            steps.extend(inner if inner is not None else [step])
        return steps
    if isinstance(estimator, _TrainingAugmentationMixin) and hasattr(estimator, "estimator_"):
        inner = _fast_steps(estimator.estimator_)
        return inner if inner is not None else [estimator.estimator_]
    return None


def _direct_transform(step):
    """``step.transform`` without its per-call input checks, for the steps whose
    ``transform`` is arithmetic on fitted attributes (skemotion's image features, an
    exact StandardScaler), or None. The checks (validation, feature names, output
    wrapping) cost about 0.2 ms per step and call, several times the arithmetic itself
    for one crop."""
    from sklearn.preprocessing import StandardScaler

    from ..features._base import _ImageFeatureTransformer

    if (isinstance(step, _ImageFeatureTransformer)
            and type(step).transform is _ImageFeatureTransformer.transform
            and getattr(step, "image_shape_", None) is not None):
        shape = tuple(step.image_shape_)

        def features(X):
            if X.shape[1] != shape[0] * shape[1]:
                return step.transform(X)  # says what is wrong
            return step._transform(X, shape)

        return features
    if type(step) is StandardScaler and hasattr(step, "n_features_in_"):

        def scaled(X):
            X = np.array(X, dtype=X.dtype if X.dtype in (np.float32, np.float64) else float)
            if step.with_mean:
                X -= step.mean_
            if step.with_std:
                X /= step.scale_
            return X

        return scaled
    return None


def _direct_probabilities(step):
    """``step.predict_proba`` without its per-call input checks, for an exact
    LogisticRegression (two classes, or a multinomial model), or None."""
    from scipy.special import expit, softmax
    from sklearn.linear_model import LogisticRegression

    if type(step) is not LogisticRegression or not hasattr(step, "coef_"):
        return None
    if len(step.classes_) <= 2:

        def binary(X):
            p = expit(X @ step.coef_.T + step.intercept_)[:, 0]
            return np.column_stack([1 - p, p])

        return binary
    if step.solver == "liblinear" or getattr(step, "multi_class", "auto") == "ovr":
        return None  # one-vs-rest probabilities are normalised differently
    return lambda X: softmax(X @ step.coef_.T + step.intercept_, axis=1)


def _fast_scorer(rest):
    """``rest.predict_proba`` through :func:`_fast_steps`, or None (then it is called as
    is); a step :func:`_direct_transform` or :func:`_direct_probabilities` knows is
    computed directly from its fitted attributes."""
    steps = _fast_steps(rest)
    if not steps or not hasattr(steps[-1], "predict_proba") or not all(
            hasattr(step, "transform") for step in steps[:-1]):
        return None
    *transforms, last = steps
    transforms = [_direct_transform(step) or step.transform for step in transforms]
    probabilities = _direct_probabilities(last) or last.predict_proba

    def scorer(X):
        for transform in transforms:
            X = transform(X)
        return probabilities(X)

    return scorer


def _pinned(calibrated, features):
    from ..calibration._classifier import ReferencePinnedClassifier

    return ReferencePinnedClassifier(calibrated, reference_features=features).fit()


def check_calibrated_model(model, calibration, reference):
    """Check a calibrated model for video; return ``(cropper, model, classes)``."""
    try:
        check_is_fitted(model)
        classes = model.classes_
    except Exception:
        raise TypeError("the calibrated model is not fitted: fit it on (image, reference) "
                        "pairs (or train it with 'skemotion train --calibrated') first.") from None
    if getattr(model, "cropper_", None) is None:
        raise TypeError("the calibrated model takes crops (it has no FaceCropper): the video "
                        "recognizer needs one that finds faces (a named pipeline with "
                        "detect=True).")
    if calibration is None and reference is None:
        raise ValueError("a calibrated model classifies each face against the same person's "
                         "neutral face: give calibration=S (the first S seconds of each face) "
                         "or reference=IMAGE.")
    if calibration is not None and reference is not None:
        raise ValueError("give calibration or reference, not both.")
    return model.cropper_, model, np.asarray(classes)


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
        The smoothed label: the arg-max of ``proba`` (held for ``min_duration``).
    proba : ndarray of shape (n_classes,)
        The filtered probabilities: each class's probability given this face's frames
        so far (see :class:`VideoEmotionRecognizer`'s ``smoothing``).
    calibrating : bool
        True while the face's first seconds are taken as its neutral reference
        (``calibration``): then both labels are ``"calibrating"`` and both probability
        vectors are NaN.
    """

    track_id: int
    box: tuple
    raw_label: object
    raw_proba: np.ndarray
    label: object
    proba: np.ndarray
    calibrating: bool = False


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
    smoothing : float, default=2.0
        Dwell time in seconds of the emotion filter: how long an emotion is expected
        to last. Each face's emotion is filtered as a hidden Markov chain that keeps
        its state from one frame to the next with probability ``exp(-dt /
        smoothing)`` (see Notes). It is not a delay: a clear change of expression
        changes the label within a few frames at any value, and a steady 0.6 for a new
        emotion of two within a second (up to 4 s at 5 frames/s or more; beyond, as
        soon as the filter's own arg-max changes). 0 reports each frame's own label:
        the better choice for clips made of short recordings (a second per expression,
        as stitched from a data set's sequences), where the filter's few frames to
        change cost more than it gains (``benchmarks/bench_live_recordings.py``).
    min_duration : float, default=0.0
        Seconds another class must lead the filtered probabilities, without
        interruption, before a face's reported label changes (extra hysteresis on top
        of the filter; it adds that much lag).
    adaptation : float, default=0.5
        Largest share, in [0, 1), of a face's own running average of the model's
        log-probabilities taken off each of its frames before they enter the filter
        (person-specific normalisation, see Notes); half of it after
        ``ADAPTATION_TIME`` (2 s) of the face. 0: the model's probabilities as they
        are. Not used with ``smoothing=0`` (raw labels), nor with a calibrated model,
        which classifies each face against its own neutral face already.
    detect_every : int, default=10
        Frames between full face detections (1: every frame). In between, each face
        is looked for only near its last box (see Notes).
    max_faces : int, default=4
        Most faces followed at once (the largest ones when there are more).
    lost_after : float, default=0.5
        Seconds a face that no detection confirms keeps its track, unreported: the
        same face found again at the same place within this time gets its old track
        id (and filter state) back. A face is never reported in a frame where it was
        not found.
    on_change : callable or None, default=None
        Called as ``on_change(change)`` with an :class:`EmotionChange` whenever a
        face's smoothed label changes, and when a new face appears
        (``change.previous is None``; after its calibration, if any): the hook for a
        player that follows the mood.
    calibration : float or None, default=None
        With a calibrated model (``make_named_pipeline(name, calibrated=True)``, a
        :class:`~skemotion.calibration.ReferenceCalibratedClassifier`): seconds at
        the start of each new track taken as that person's neutral face. Their crops'
        features are averaged into the track's reference, which it keeps; those
        frames are reported as ``"calibrating"``. A new person (a new track) starts a
        new calibration.
    reference : image, path or None, default=None
        With a calibrated model: one neutral face (e.g. saved by ``skemotion
        calibrate``) used as the reference of every track, for a single person in
        front of the camera; no calibration frames.

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
    *Finding and following faces.* A full detection finds every face with the
    model's own detector: YuNet on a copy of the frame 320 pixels wide, each face then
    found again in a window around it at up to 160 pixels per face width, and in the
    mirrored window, for the landmarks the model's crop needs: the two sets of points
    are averaged (a flip test), since one detection's points stay in every crop until
    the next (a ``detector="haar"`` model uses its cascades, since its crops follow
    their boxes). It runs every ``detect_every`` frames (also
    while there is no face); in between, each face is looked for only near its last
    box, by normalised cross-correlation with its appearance at the last detection
    on a 160 pixel wide copy (a fraction of a millisecond), and its landmarks move
    with the box. A new face is noticed up to ``detect_every - 1`` frames late.

    *Tracks stay one person's.* At each full detection a track continues only if a
    detected face overlaps its box and looks like it (a normalised 12x12 grey
    thumbnail, correlation at least 0.8); a track no detection confirms is no longer
    reported; a different person at the same place starts a new track. In every
    frame, a face that no longer matches itself one frame earlier (normalised
    cross-correlation below 0.9 near its last box: someone else is there, or no one)
    ends its track at once; one person moving or changing expression scores 0.97 or
    more from frame to frame on the benchmark clips. So does a photo of a face swapped
    for another photo. Between detections, a failed match, a thumbnail that stops
    looking like the track's, or
    a cut (the whole frame's thumbnail changes) triggers a full detection in that
    very frame. Each track has its own filter, dropped when the track ends, so no
    label is carried from one person to the next.

    *The emotion filter.* Each frame's ``predict_proba``, adapted to the person (below),
    floored at 0.02 and raised to the power 0.5, is the likelihood of each emotion (the
    classes are taken as equally likely a priori); the filtered probability is the
    forward pass of the hidden Markov chain described under ``smoothing``. A class other
    than the current one never drops far below the chance of a switch, so a few frames
    of clear evidence change the label while weak or alternating evidence does not. The
    label changes only once the new emotion has 0.9 of the filtered probability it and
    the current label share (other classes do not count, so a class the model confuses
    with the new one, at 0.30 beside its 0.35 of seven, does not hold the change back:
    0.17 s): at 30 frames/s a constant 0.6 for a new emotion of two changes the label in
    0.53 s, a clear change (0.95) in 0.07 s, while two confidently wrong frames (0.95) do
    not. With a shorter ``smoothing``, or fewer frames per second, the filtered
    probability of a new emotion under weak evidence settles below 0.9; there the 0.9 is
    lowered to what a constant 0.6 reaches within a second, so that no label stays stuck
    against steady evidence (at 10 frames/s with the defaults: 0.80).

    *Adaptation to the person.* A model trained on other people is often biased on a
    new one for as long as that person is there (a neutral face read as a little
    happy), which no filter that follows a change within a fraction of a second can
    tell from a real change. Each face's frames therefore have a share of the face's
    own running average of the model's log-probabilities taken off before they enter
    the filter (person-specific normalisation; see
    :class:`~skemotion.video._smoothing.EmotionFilter`): none on its first frame, half
    of ``adaptation`` after 2 s. A face that keeps one expression keeps its label, with
    at least half of the model's log-odds for it; a face that varies is read against
    its own average. On the benchmark's clips this raised the steady accuracy of the
    smoothed labels well above the raw ones', with as many spurious changes.

    The dwell time 2 s, the weight 0.5 of each frame's probabilities, the 0.9 and the
    adaptation (0.5, half at 2 s) were chosen together on five benchmark clips of 30
    people the model was not trained on (``benchmarks/bench_live.py``: among the
    settings with a median lag at most 0.4 s, a rate of spurious changes shown to be
    under one per minute (the 90% upper confidence bound of the clips' count: about
    five steady minutes allow one such change), a change within 1 s under a constant
    0.6 and none from two frames at 0.95, those within one standard error of the
    highest steady accuracy, and of these the fewest spurious changes; adaptation
    shares up to 0.5), and are fixed, not tuned per video.

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
    >>> frames = [london.images[3]] * 3 + [london.images[105]] * 3   # a face, then its smile
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
        "adaptation": [Interval(numbers.Real, 0, 1, closed="left")],
        "on_change": [callable, None],
        "calibration": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "reference": "no_validation",
    }

    def __init__(self, model, *, smoothing=2.0, min_duration=0.0, adaptation=0.5,
                 detect_every=10, max_faces=4, lost_after=0.5, on_change=None,
                 calibration=None, reference=None):
        self.model = model
        self.smoothing = smoothing
        self.min_duration = min_duration
        self.adaptation = adaptation
        self.detect_every = detect_every
        self.max_faces = max_faces
        self.lost_after = lost_after
        self.on_change = on_change
        self.calibration = calibration
        self.reference = reference

    def _check(self):
        validate_parameter_constraints(
            self._parameter_constraints,
            {name: getattr(self, name) for name in self._parameter_constraints},
            caller_name=type(self).__name__,
        )
        for name in ("smoothing", "min_duration", "adaptation", "lost_after", "calibration"):
            value = getattr(self, name)
            if value is not None and not np.isfinite(value):
                raise ValueError(f"The '{name}' parameter of {type(self).__name__} must be "
                                 f"finite, got {value!r}.")
        from ..calibration import ReferenceCalibratedClassifier

        if isinstance(self.model, ReferenceCalibratedClassifier):
            return check_calibrated_model(self.model, self.calibration, self.reference)
        if self.calibration is not None or self.reference is not None:
            what = "calibration" if self.calibration is not None else "reference"
            raise TypeError(
                f"{what} needs a calibrated model (make_named_pipeline(name, "
                "calibrated=True), or 'skemotion train --calibrated'), which classifies each "
                f"face against a neutral one; the model is a {type(self.model).__name__}.")
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
        from ..calibration import ReferenceCalibratedClassifier

        self._calibrated = (self.model if isinstance(self.model, ReferenceCalibratedClassifier)
                            else None)
        self._references = {}  # track id -> pinned classifier, or list of crop features
        self._shared = None
        if self._calibrated is not None and self.reference is not None:
            self._shared = _pinned(self._calibrated, self._calibrated.reference_features(
                [self.reference])[0])
        self._tracker = FaceTracker(cropper, detect_every=int(self.detect_every),
                                    max_faces=int(self.max_faces),
                                    lost_after=float(self.lost_after))
        self._scorer = getattr(self._rest, "predict_proba", None)
        if self._scorer is not None and self._calibrated is None:
            self._scorer = _fast_scorer(self._rest) or self._scorer
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

    def _calibrated_raw(self, tracks, crops, time_s):
        """Per track, its probabilities against its reference, or None while its
        reference is being collected."""
        out = []
        for track, crop in zip(tracks, crops):
            pinned = self._shared or self._references.get(track.track_id)
            if isinstance(pinned, list):  # collecting: (start time, features so far)
                started, collected = pinned
                if time_s - started >= float(self.calibration) - 1e-9:
                    pinned = self._references[track.track_id] = _pinned(
                        self._calibrated, np.mean(collected, axis=0))
            if pinned is None or isinstance(pinned, list):
                with config_context(assume_finite=True, skip_parameter_validation=True):
                    features = self._calibrated.crop_features(crop[None])[0]
                if pinned is None:
                    self._references[track.track_id] = [time_s, [features]]
                else:
                    pinned[1].append(features)
                out.append(None)
                continue
            X = crop.reshape(1, -1).astype(np.float32)
            with config_context(assume_finite=True, skip_parameter_validation=True):
                out.append(np.asarray(pinned.predict_proba(X), dtype=float)[0])
        return out

    def reference_of(self, track_id):
        """The reference features a track is classified against (None while it is
        calibrating, or for a plain model)."""
        pinned = self._shared or getattr(self, "_references", {}).get(track_id)
        return getattr(pinned, "reference_features_", None)

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
        for gone in set(self._references) - live:
            del self._references[gone]
        faces = []
        if tracks:
            crops = [self._tracker.crop(gray, t) for t in tracks]
            if self._calibrated is None:
                raw = self._raw(crops)
            else:
                raw = self._calibrated_raw(tracks, crops, time_s)
            for track, proba in zip(tracks, raw):
                if proba is None:  # calibrating
                    nan = np.full(len(self.classes_), np.nan)
                    faces.append(FaceResult(track.track_id, tuple(int(v) for v in track.box),
                                            CALIBRATING, nan, CALIBRATING, nan, True))
                    continue
                smoother = self._smoothers.get(track.track_id)
                new = smoother is None
                if new:
                    smoother = self._smoothers[track.track_id] = emotion_filter(
                        self.smoothing, self.min_duration,
                        0.0 if self._calibrated is not None else float(self.adaptation))
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
