"""recognize_videos: every video of a folder on its own, in parallel or on a Dask cluster."""

import os
from pathlib import Path

from joblib import Parallel, delayed

from ._recognizer import VideoEmotionRecognizer
from ._source import video_files
from ._watch import VideoSummary, warn_summary, watch_video

__all__ = ["recognize_videos", "video_outputs"]


def video_outputs(video, out_dir, *, csv=True, annotated=True, plot=True):
    """The files :func:`recognize_videos` writes for one video: a dict with the keys
    ``csv``, ``video`` and ``plot`` (None where not asked for).

    ``OUT_DIR/<name>.csv``, ``OUT_DIR/<name>.annotated.mp4`` and
    ``OUT_DIR/<name>.timeline.png``, where ``<name>`` is the video's file name
    without its ending.

    Examples
    --------
    >>> from skemotion.video import video_outputs
    >>> sorted(video_outputs("recordings/a.mov", "results", plot=False).items())
    [('csv', 'results/a.csv'), ('plot', None), ('video', 'results/a.annotated.mp4')]
    """
    stem = Path(video).stem
    out = os.fspath(out_dir)
    return {
        "csv": os.path.join(out, f"{stem}.csv") if csv else None,
        "video": os.path.join(out, f"{stem}.annotated.mp4") if annotated else None,
        "plot": os.path.join(out, f"{stem}.timeline.png") if plot else None,
    }


def _watch_one(model, path, outputs, params):
    """One task: one video, its outputs written where :func:`video_outputs` says."""
    import warnings

    recognizer = VideoEmotionRecognizer(model, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # collected in the summary, warned by the caller
        try:
            return watch_video(recognizer, path, warn=False, **outputs)
        except (OSError, ValueError) as exc:  # not a video, no frame readable: go on
            return VideoSummary(path, error=" ".join(str(exc).split()))


def recognize_videos(model, videos, out_dir, *, csv=True, annotated=True, plot=True,
                     n_jobs=None, progress=None, **params):
    """Run a :class:`VideoEmotionRecognizer` on every video, each on its own.

    Each video is one joblib task, so ``n_jobs`` processes share them, and inside
    :func:`skemotion.model_selection.dask_backend` each video is one task on the
    Dask cluster (the workers then write the outputs: ``out_dir`` must be a folder
    they all see). A video's results do not depend on which worker ran it or on
    the other videos: the files are identical to a serial run's.

    Parameters
    ----------
    model : Pipeline or ReferenceCalibratedClassifier
        Fitted; first step a FaceCropper (or a calibrated model, with ``calibration``
        or ``reference`` in ``params``).
    videos : str, path-like or sequence of them
        A folder of videos (its video files, sorted by name) or a list of video files.
    out_dir : str or path-like
        An existing folder; see :func:`video_outputs` for the file names.
    csv, annotated, plot : bool, default=True
        Which files to write per video.
    n_jobs : int or None, default=None
        Videos processed at once (joblib; -1: all cores, or all of a Dask cluster).
    progress : callable or None, default=None
        Called as ``progress(summary)`` when a video is done (in input order).
    **params
        :class:`VideoEmotionRecognizer` parameters (``smoothing``, ``detect_every``,
        ...; not ``on_change``).

    Returns
    -------
    summaries : list of VideoSummary
        In input order. A video that cannot be processed (not a video, no frame
        readable) has ``error`` set, is warned about, and does not stop the others.

    Examples
    --------
    >>> import os, tempfile, cv2
    >>> from skemotion.datasets import load_frl_london
    >>> from skemotion.pipelines import make_named_pipeline
    >>> from skemotion.video import recognize_videos
    >>> london = load_frl_london()
    >>> model = make_named_pipeline("hog_logreg").fit(london.images[::5], london.target[::5])
    >>> folder, out = tempfile.mkdtemp(), tempfile.mkdtemp()
    >>> for name, image in [("a.avi", london.images[0]), ("b.avi", london.images[105])]:
    ...     writer = cv2.VideoWriter(os.path.join(folder, name),
    ...                              cv2.VideoWriter_fourcc(*"MJPG"), 10, (350, 350))
    ...     for _ in range(5):
    ...         _ = writer.write(image)  # True on OpenCV 5, None on 4.x
    ...     writer.release()
    >>> [(os.path.basename(s.source), s.n_frames, dict(s.track_labels[1]))
    ...  for s in recognize_videos(model, folder, out, plot=False)]
    [('a.avi', 5, {'neutral': 5}), ('b.avi', 5, {'happy': 5})]
    >>> sorted(os.listdir(out))
    ['a.annotated.mp4', 'a.csv', 'b.annotated.mp4', 'b.csv']
    """
    if "on_change" in params:
        raise TypeError("recognize_videos cannot call on_change (videos run in other "
                        "processes); read the CSV files, or use watch_video per video.")
    VideoEmotionRecognizer(model, **params)._check()  # bad parameters fail here, once
    if isinstance(videos, (str, bytes, os.PathLike)):
        folder = Path(os.fsdecode(videos))
        if not folder.is_dir():
            raise FileNotFoundError(f"No such folder of videos: {folder}")
        videos = video_files(folder)
        if not videos:
            raise ValueError(f"{folder} holds no video files.")
    videos = [Path(v) for v in videos]
    stems = {}
    for video in videos:
        if video.stem in stems:
            raise ValueError(f"{stems[video.stem].name} and {video.name} would write the same "
                             f"output files in {out_dir}: rename one.")
        stems[video.stem] = video
    if not Path(out_dir).is_dir():
        raise FileNotFoundError(f"No such output folder: {out_dir}")
    tasks = (delayed(_watch_one)(model, os.fspath(video),
                                 video_outputs(video, out_dir, csv=csv, annotated=annotated,
                                               plot=plot), params)
             for video in videos)
    try:  # summaries as each video finishes, for the progress callback
        parallel = Parallel(n_jobs=n_jobs, return_as="generator")
    except ValueError as error:  # joblib < 1.4's dask backend: all of them at the end
        if "return_as" not in str(error):
            raise
        parallel = Parallel(n_jobs=n_jobs)
    summaries = []
    for summary in parallel(tasks):
        warn_summary(summary)
        summaries.append(summary)
        if progress is not None:
            progress(summary)
    return summaries
