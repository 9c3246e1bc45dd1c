"""Live and recorded video: track faces, recognise their emotion, smooth it over time.

:class:`VideoEmotionRecognizer` applies a trained face pipeline (first step a
:class:`~skemotion.FaceCropper`) to a camera, a video file, a folder of frames or
any iterable of images, and yields one :class:`FrameResult` per frame;
:func:`watch_video` also writes the timeline CSV, the annotated video and the
:class:`EmotionTimelineDisplay`; :func:`recognize_videos` does that for every
video of a folder, in parallel or on a Dask cluster. With a calibrated model, each
face is recognised against the same person's neutral face: its first seconds
(``calibration``) or a saved one (:func:`capture_reference`, ``reference``).
``skemotion watch`` and ``skemotion calibrate`` are the command line for all of it.

Examples
--------
>>> from skemotion.datasets import load_frl_london
>>> from skemotion.pipelines import make_named_pipeline
>>> from skemotion.video import VideoEmotionRecognizer
>>> london = load_frl_london()
>>> model = make_named_pipeline("hog_logreg").fit(london.images[::5], london.target[::5])
>>> changes = []
>>> recognizer = VideoEmotionRecognizer(model, on_change=changes.append)
>>> frames = [london.images[3]] * 10 + [london.images[105]] * 10  # subject 004, then smiling
>>> results = list(recognizer.process(frames, fps=10))
>>> [(c.time_s, c.previous, c.label) for c in changes]
[(0.0, None, 'neutral'), (1.1, 'neutral', 'happy')]
"""

from ._batch import recognize_videos, video_outputs
from ._recognizer import EmotionChange, FaceResult, FrameResult, VideoEmotionRecognizer
from ._reference import capture_reference
from ._source import DEFAULT_FPS, VIDEO_EXTENSIONS, VideoSource, open_video_source
from ._timeline import EmotionTimelineDisplay
from ._watch import VideoSummary, watch_video
from ._writers import AnnotatedVideoWriter, TimelineCSVWriter, annotate_frame

__all__ = [
    "DEFAULT_FPS",
    "VIDEO_EXTENSIONS",
    "AnnotatedVideoWriter",
    "EmotionChange",
    "EmotionTimelineDisplay",
    "FaceResult",
    "FrameResult",
    "TimelineCSVWriter",
    "VideoEmotionRecognizer",
    "VideoSource",
    "VideoSummary",
    "annotate_frame",
    "capture_reference",
    "open_video_source",
    "recognize_videos",
    "video_outputs",
    "watch_video",
]
