"""watch_video: one source through the recognizer, into a CSV, an annotated video and a plot."""

import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

from ..utils._warnings import warn_caller
from ._source import open_video_source
from ._timeline import TimelineRecorder
from ._writers import AnnotatedVideoWriter, TimelineCSVWriter, annotate_frame

__all__ = ["VideoSummary", "watch_video"]

#: Name of the live window of ``show=True``.
WINDOW_NAME = "skemotion watch (q or Esc quits)"


@dataclass
class VideoSummary:
    """What a :func:`watch_video` run saw (also what ``skemotion watch`` prints).

    Attributes
    ----------
    source : str
        The source's name.
    n_frames : int
        Frames read, unreadable ones included.
    unreadable : list of str
        ``"frame N: why"`` per frame that could not be read.
    n_face_frames : int
        Frames with at least one face.
    n_faces : int
        Face rows (a face in a frame counts once).
    track_labels : dict of int -> Counter
        Per track id, how many frames it had each smoothed label.
    track_times : dict of int -> tuple of float
        Per track id, ``(first, last)`` time seen in seconds.
    seconds : float
        Wall time of the run (reading included).
    interrupted : bool
        The run was stopped early (Ctrl-C, or q/Esc in the live window).
    notes : list of str
        Warnings about the source or the outputs.
    outputs : list of str
        Files written.
    error : str or None
        Why the source could not be processed at all (:func:`recognize_videos` goes on
        with the other videos), None when it was.

    Examples
    --------
    >>> from collections import Counter
    >>> from skemotion.video import VideoSummary
    >>> s = VideoSummary("clip.mp4", n_frames=100, n_face_frames=100, n_faces=100,
    ...                  track_labels={1: Counter(neutral=60, happy=40)},
    ...                  track_times={1: (0.0, 3.96)}, seconds=0.5)
    >>> print(s.text())
    clip.mp4: 100 frames, a face in 100 (100 faces), 1 track, 200.0 frames/s
      face #1 (0.0-4.0 s): neutral 60%, happy 40%
    """

    source: str
    n_frames: int = 0
    unreadable: list = field(default_factory=list)
    n_face_frames: int = 0
    n_faces: int = 0
    track_labels: dict = field(default_factory=dict)
    track_times: dict = field(default_factory=dict)
    seconds: float = 0.0
    interrupted: bool = False
    notes: list = field(default_factory=list)
    outputs: list = field(default_factory=list)
    error: str = None

    @property
    def frames_per_second(self):
        """Frames processed per second of wall time."""
        return self.n_frames / self.seconds if self.seconds > 0 else float("nan")

    def add(self, result):
        """Count one :class:`FrameResult`."""
        self.n_frames += 1
        if result.problem is not None:
            self.unreadable.append(f"frame {result.index}: {result.problem}")
        if result.faces:
            self.n_face_frames += 1
            self.n_faces += len(result.faces)
        for face in result.faces:
            self.track_labels.setdefault(face.track_id, Counter())[str(face.label)] += 1
            first = self.track_times.get(face.track_id, (result.time_s,))[0]
            self.track_times[face.track_id] = (first, result.time_s)

    def text(self):
        """The summary as lines of text."""
        if self.error is not None:
            return f"{self.source}: not processed: {self.error}"
        tracks = len(self.track_labels)
        head = (f"{self.source}: {self.n_frames} frames"
                + (f" ({len(self.unreadable)} unreadable)" if self.unreadable else "")
                + f", a face in {self.n_face_frames} ({self.n_faces} faces), "
                f"{tracks} track{'s' if tracks != 1 else ''}, "
                f"{self.frames_per_second:.1f} frames/s"
                + (" (stopped early)" if self.interrupted else ""))
        lines = [head]
        for track in sorted(self.track_labels):
            counts = self.track_labels[track]
            total = sum(counts.values())
            shares = ", ".join(f"{label} {100 * n / total:.0f}%"
                               for label, n in counts.most_common())
            first, last = self.track_times[track]
            lines.append(f"  face #{track} ({first:.1f}-{last:.1f} s): {shares}")
        return "\n".join(lines)


def _check_display():
    """Raise RuntimeError (one line) where no window can be opened."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY")
                                                 or os.environ.get("WAYLAND_DISPLAY")):
        raise RuntimeError("cannot open a live window: no display (DISPLAY is not set); "
                           "write the annotated video with --out instead")


def _show(image):
    """Show a frame; True when the user pressed q or Esc."""
    import cv2

    try:
        cv2.imshow(WINDOW_NAME, image)
        key = cv2.waitKey(1) & 0xFF
    except cv2.error as exc:  # an OpenCV built without GUI (opencv-python-headless)
        raise RuntimeError("cannot open a live window: this OpenCV has no GUI support "
                           f"({' '.join(str(exc).split())[:120]})") from None
    return key in (ord("q"), 27)


def watch_video(recognizer, source, *, csv=None, video=None, plot=None, show=False,
                fps=None, progress=None, warn=True):
    """Run a :class:`VideoEmotionRecognizer` on a source and write what was asked for.

    Ctrl-C (KeyboardInterrupt), and q or Esc in the live window, stop the run
    cleanly: the CSV, video and plot of the frames so far are still written, and
    the summary says ``interrupted``.

    Parameters
    ----------
    recognizer : VideoEmotionRecognizer
    source : int, str, path-like, VideoSource or iterable of ndarray
        See :func:`open_video_source`.
    csv : str or path-like or None, default=None
        Write the timeline CSV here: one row per face per frame,
        ``frame,time_s,track,x,y,w,h,label,raw_label,score_<class>...`` (smoothed
        scores); a frame without a face (or unreadable) is one row with empty face
        fields, so every frame number appears once or more.
    video : str or path-like or None, default=None
        Write the annotated video here (.mp4, .avi, ...), at the input's frame rate
        and size (see :class:`AnnotatedVideoWriter`).
    plot : str or path-like or None, default=None
        Write the :class:`EmotionTimelineDisplay` of the run here (PNG).
    show : bool, default=False
        Show the annotated frames in a window (q or Esc quits).
    fps : float or None, default=None
        Frame rate of a folder of frames or an iterable (default 30).
    progress : callable or None, default=None
        Called as ``progress(result, source)`` after every frame (e.g. to move a
        progress bar; ``source.frame_count`` is the total, None for cameras).
    warn : bool, default=True
        Warn about the summary's notes and unreadable frames at the end.

    Returns
    -------
    summary : VideoSummary

    Raises
    ------
    ValueError
        If not a single frame could be read (nothing is written then).
    RuntimeError
        If ``show`` is asked for where no window can be opened.

    Examples
    --------
    >>> import os, tempfile
    >>> from skemotion.datasets import load_frl_london
    >>> from skemotion.pipelines import make_named_pipeline
    >>> from skemotion.video import VideoEmotionRecognizer, watch_video
    >>> london = load_frl_london()
    >>> model = make_named_pipeline("hog_logreg").fit(london.images[::5], london.target[::5])
    >>> out = tempfile.mkdtemp()
    >>> summary = watch_video(VideoEmotionRecognizer(model), [london.images[1]] * 4,
    ...                       csv=os.path.join(out, "t.csv"))
    >>> summary.n_frames, dict(summary.track_labels[1])
    (4, {'neutral': 4})
    """
    if show:
        _check_display()
    summary = VideoSummary("")
    start = time.perf_counter()
    csv_writer = video_writer = recorder = None
    classes = None
    with open_video_source(source, fps=fps) as stream:
        summary.source = stream.name
        results = recognizer._results(stream)
        try:
            for result in results:
                if classes is None:  # the first frame: open the outputs
                    classes = [str(c) for c in recognizer.classes_]
                    if csv is not None:
                        csv_writer = TimelineCSVWriter(csv, classes)
                    if video is not None:
                        video_writer = AnnotatedVideoWriter(
                            video, fps=stream.fps, frame_size=stream.frame_size,
                            source_name=stream.name)
                    if plot is not None:
                        recorder = TimelineRecorder()
                summary.add(result)
                if csv_writer is not None:
                    csv_writer.write(result)
                if recorder is not None:
                    recorder.add(result)
                if video_writer is not None or show:
                    annotated = (None if result.image is None
                                 else annotate_frame(result.image, result, classes))
                    if video_writer is not None:
                        video_writer.write(annotated, name=result.index)
                    if show and annotated is not None and _show(annotated):
                        summary.interrupted = True
                        break
                if progress is not None:
                    progress(result, stream)
        except KeyboardInterrupt:
            summary.interrupted = True
        finally:
            results.close()
            if csv_writer is not None:
                csv_writer.close()
            if video_writer is not None:
                video_writer.close()
                if video_writer.n_resized:
                    width, height = video_writer.frame_size
                    summary.notes.append(
                        f"{video_writer.n_resized} frame(s) of {stream.name} differ in size "
                        f"from the first ({width}x{height}), from frame "
                        f"{video_writer.first_resized} on: they were processed at their own "
                        f"size and resized for the annotated video {video}")
            if show:
                import cv2

                cv2.destroyAllWindows()
        summary.notes[:0] = stream.notes
    summary.seconds = time.perf_counter() - start
    if summary.n_frames == 0:
        raise ValueError(f"{summary.source}: no frame could be read.")
    if recorder is not None:
        import matplotlib.pyplot as plt

        display = recorder.display(classes).plot(
            title=os.path.basename(os.fspath(summary.source)) or str(summary.source))
        display.figure_.savefig(plot, dpi=100)
        plt.close(display.figure_)
    summary.outputs = [os.fspath(p) for p in (csv, video, plot) if p is not None]
    if warn:
        warn_summary(summary)
    return summary


def warn_summary(summary):
    """Warn about a summary's notes and unreadable frames (one warning each kind)."""
    if summary.error is not None:
        warn_caller(f"{summary.source}: not processed: {summary.error}")
    for note in summary.notes:
        warn_caller(note + ".")
    if summary.unreadable:
        more = (f" and {len(summary.unreadable) - 3} more" if len(summary.unreadable) > 3
                else "")
        warn_caller(f"{summary.source}: {len(summary.unreadable)} unreadable frame(s), kept "
                    f"in the frame numbering without faces: "
                    f"{'; '.join(summary.unreadable[:3])}{more}.")
