"""``skemotion watch``: live and recorded video (a thin layer over :mod:`skemotion.video`).

One self-contained command module: :func:`add_parser` adds the subcommand to the
``skemotion`` parser, :func:`run` runs it. All the work is in
:mod:`skemotion.video`; this module parses, checks paths, loads (or trains) the model,
shows progress and writes the summary.
"""

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path

from ._base import UsageError, _bars_enabled, _Formatter, _info, _one_line, progress_bar
from ._data import _detector_of, _with_detector
from ._options import _add_detector, _converted, _n_jobs, _positive_int, _positive_seconds
from ._paths import _is_inside
from ._predict import _load_predict_model

EXAMPLE = """\
  skemotion watch 0                                   # webcam 0, live window with labels
  skemotion watch clip.mp4 --model m.skops --out annotated.mp4 --csv timeline.csv \\
      --plot timeline.png
  skemotion watch 0 --model calibrated.skops --calibrate 3  # each face's first 3 s: neutral
  skemotion watch ~/CK+/cohn-kanade-images/S005/001   # a folder of frames is a video too
  skemotion watch recordings/ --model m.skops --out results/ --n-jobs 4
  skemotion watch recordings/ --model m.skops --out results/ --scheduler tcp://host:8786"""


def _seconds(text):
    value = _converted(text, float, "a number of seconds")
    if not (value >= 0 and value < float("inf")):
        raise argparse.ArgumentTypeError(f"{text} is not a number of seconds >= 0")
    return value


def _adaptation_share(text):
    value = _converted(text, float, "a share")
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a share in [0, 1)")
    return value


def _fps(text):
    value = _converted(text, float, "a frame rate")
    if not (0 < value < 10000):
        raise argparse.ArgumentTypeError(f"{text} is not a frame rate > 0")
    return value


def add_parser(subparsers, *, formatter_class=_Formatter):
    """Add ``watch`` to the ``skemotion`` subcommands; returns its parser."""
    p = subparsers.add_parser(
        "watch",
        help="emotions of the faces in a camera, a video, a folder of frames or of videos",
        description="Track every face in a video source and recognise its emotion with a "
        "model from 'skemotion train' (its own face cropping settings on each tracked "
        "face), smoothed over time per face. SOURCE is a camera index (0), a video file, a "
        "folder of image frames (sorted by name) or a folder of videos (each processed on "
        "its own: --out DIR gets DIR/<name>.csv, <name>.annotated.mp4 and "
        "<name>.timeline.png). A short summary goes to stderr. Ctrl-C stops a camera and "
        "still writes what was asked for. Without --model, the default pipeline is trained "
        "on the embedded London set first (a neutral-vs-happy smile detector, seconds).",
        epilog="example:\n" + EXAMPLE,
        formatter_class=formatter_class,
    )
    p.set_defaults(func=run)
    p.add_argument("source", metavar="SOURCE",
                   help="camera index, video file, folder of frames, or folder of videos")
    g = p.add_argument_group("model")
    g.add_argument("--model", metavar="FILE", type=Path,
                   help="a model file from 'skemotion train' (default: train the default "
                        "pipeline on the London set)")
    g.add_argument("--trust", action="store_true",
                   help="load a joblib/pickle model file (runs code from the file: only for "
                        "files you made yourself)")
    _add_detector(g, default_help="the model's own; YuNet for the default pipeline")
    g = p.add_argument_group("outputs")
    g.add_argument("--out", metavar="PATH", type=Path,
                   help="the annotated video (.mp4, .avi, .mov, .mkv, .m4v) at the input's "
                        "frame rate and size; for a folder of videos, the folder to write "
                        "every video's CSV, annotated video and plot into")
    g.add_argument("--csv", metavar="FILE", type=Path,
                   help="one row per face per frame: frame,time_s,track,x,y,w,h,label,"
                        "raw_label,score_<class>... (smoothed scores; a frame without a face "
                        "is one row with empty face fields)")
    g.add_argument("--plot", metavar="FILE", type=Path,
                   help="a PNG timeline of each face's smoothed probabilities")
    g.add_argument("--show", action="store_true",
                   help="show the annotated frames in a window (q or Esc quits; the default "
                        "for a camera without --out/--csv/--plot)")
    g = p.add_argument_group("tracking and smoothing")
    g.add_argument("--smoothing", metavar="S", type=_seconds, default=2.0,
                   help="dwell time in seconds of each face's emotion filter (how long an "
                        "emotion is expected to last; a clear change still shows within a "
                        "few frames); 0: every frame's own label, the better choice for "
                        "clips made of one-second recordings (default: %(default)s)")
    g.add_argument("--min-duration", metavar="S", type=_seconds, default=0.0,
                   help="extra seconds a new emotion must lead before a face's label "
                        "changes (adds that much lag; default: %(default)s)")
    g.add_argument("--adaptation", metavar="SHARE", type=_adaptation_share, default=None,
                   help="largest share in [0, 1) of each face's own average evidence taken "
                        "off its frames, so a person the model reads as a little happy (or "
                        "sad) all along is classified against their own average; 0: off "
                        "(default: the recognizer's, see the README)")
    g.add_argument("--detect-every", metavar="N", type=_positive_int, default=None,
                   help="frames between full face detections; in between each face is "
                        "followed near its last box (default: the recognizer's, see the "
                        "README; 1: detect in every frame)")
    g.add_argument("--max-faces", metavar="N", type=_positive_int, default=4,
                   help="most faces followed at once (default: %(default)s)")
    g = p.add_argument_group("calibration (a model from 'skemotion train --calibrated')")
    g.add_argument("--calibrate", metavar="S", type=_positive_seconds, default=None,
                   help="take the first S seconds of each new face as that person's neutral "
                        "face (shown as 'calibrating' in the video and the CSV); each face is "
                        "then recognised against it. Without --model, a calibrated default "
                        "pipeline is trained on the London set")
    g.add_argument("--reference", metavar="IMAGE", type=Path, default=None,
                   help="a neutral face saved by 'skemotion calibrate' (or any photo of one "
                        "face), used as the reference for a single person")
    g = p.add_argument_group("source")
    g.add_argument("--fps", metavar="F", type=_fps, default=None,
                   help="frame rate of a folder of frames (default: 30), or to override a "
                        "video's")
    g = p.add_argument_group("running")
    g.add_argument("--n-jobs", metavar="N", type=_n_jobs, default=None,
                   help="a folder of videos: videos processed at once (default: -1, all "
                        "cores); 1: one thread, numerical libraries and OpenCV included")
    g.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="a folder of videos: one task per video on this Dask cluster (the "
                        "workers write into --out, which they must all see)")
    g.add_argument("--quiet", "-q", action="store_true",
                   help="no progress bars or progress messages on stderr")
    return p


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------


def _check_outputs(args, kind, source):
    """Refuse outputs that are the input, lie inside an input folder, or cannot be written."""
    from ..video._writers import VIDEO_CODECS

    outputs = [(opt, path) for opt, path in
               (("--out", args.out), ("--csv", args.csv), ("--plot", args.plot))
               if path is not None]
    if kind == "videos":
        for opt in ("--csv", "--plot", "--show"):
            if getattr(args, opt[2:]):
                raise UsageError(f"{opt} is for one video; for a folder of videos, --out DIR "
                                 "gets every video's CSV, annotated video and plot")
        if args.out is None:
            raise UsageError("a folder of videos needs --out DIR (where each video's CSV, "
                             "annotated video and plot go)")
        if args.out.exists() and not args.out.is_dir():
            raise UsageError(f"--out must be a folder for a folder of videos: {args.out} is "
                             "a file")
        if not args.out.exists() and not args.out.parent.is_dir():
            raise UsageError(f"--out: no such directory: {args.out.parent}")
    else:
        if args.scheduler:
            raise UsageError("--scheduler is for a folder of videos (one task per video)")
        if args.out is not None and args.out.suffix.lower() not in VIDEO_CODECS:
            raise UsageError(f"--out {args.out}: the annotated video must end in "
                             f"{', '.join(sorted(VIDEO_CODECS))}")
        if args.plot is not None and args.plot.suffix.lower() not in (".png", ".pdf", ".svg"):
            raise UsageError(f"--plot {args.plot}: give a .png (or .pdf, .svg) file")
        for opt, path in outputs:
            if path.is_dir():
                raise UsageError(f"{opt} is a folder, give a file name: {path}")
            if not path.parent.is_dir():
                raise UsageError(f"{opt}: no such directory: {path.parent}")
        seen = {}
        for opt, path in outputs:
            key = path.resolve()
            if key in seen:
                raise UsageError(f"{seen[key]} and {opt} name the same file: {path}")
            seen[key] = opt
    if kind != "camera":
        for opt, path in outputs:
            if kind == "file" and path.resolve() == Path(source).resolve():
                raise UsageError(f"{opt} {path} is the input video: it would be overwritten")
            if kind in ("frames", "videos") and _is_inside(path, source):
                what = "frames" if kind == "frames" else "videos"
                raise UsageError(f"{opt} {path} lies inside the input folder of {what} "
                                 f"{source}: the next run would read it as input; write it "
                                 "elsewhere")


def _model(args):
    """The model file's pipeline (calibrated or not, as --calibrate / --reference ask), or
    the default pipeline trained on London."""
    from ..calibration import ReferenceCalibratedClassifier
    from ..video._recognizer import check_video_model

    calibrated = args.calibrate is not None or args.reference is not None
    if args.calibrate is not None and args.reference is not None:
        raise UsageError("give --calibrate S or --reference IMAGE, not both")
    if args.reference is not None and not args.reference.is_file():
        raise UsageError(f"--reference: no such image file: {args.reference}")
    if args.model is None:
        model = _default_model(args, calibrated)
    else:
        if not args.model.is_file():
            raise UsageError(f"{args.model} is a folder, not a model file" if args.model.is_dir()
                             else f"no such model file: {args.model}")
        model = _load_predict_model(args)
        is_calibrated = isinstance(model, ReferenceCalibratedClassifier)
        if calibrated and not is_calibrated:
            option = "--calibrate" if args.calibrate is not None else "--reference"
            raise UsageError(f"{option} needs a calibrated model, which recognises each face "
                             f"against the same person's neutral face: {args.model} is not one "
                             "(train one with 'skemotion train --calibrated')")
        if is_calibrated and not calibrated:
            raise UsageError(f"{args.model} is a calibrated model: it recognises each face "
                             "against the same person's neutral face, so give --calibrate S "
                             "(each face's first S seconds) or --reference IMAGE")
        if calibrated:
            _with_detector(model.cropper_, getattr(args, "detector", None))  # its fitted cropper
        else:
            _detector_of(model, args)
    if calibrated:
        return model
    try:
        check_video_model(model, name=str(args.model) if args.model else "the model")
    except TypeError as exc:
        raise UsageError(_one_line(exc)) from None
    return model


def _default_model(args, calibrated):
    """The default pipeline (calibrated or not) trained on the embedded London set."""
    from ..datasets import load_frl_london
    from ..pipelines import DEFAULT_PIPELINE, make_named_pipeline

    kind = ", calibrated," if calibrated else ""
    what = "neutral vs happy" if calibrated else "neutral vs happy: a smile detector"
    _info(args, f"no --model: training the default pipeline {DEFAULT_PIPELINE!r}{kind} on the "
                f"embedded London set ({what}) ...")
    start = time.perf_counter()
    london = load_frl_london(references=calibrated)
    model = make_named_pipeline(DEFAULT_PIPELINE, calibrated=calibrated)
    _detector_of(model.estimator if calibrated else model, args)
    if calibrated:
        model.fit(list(zip(london.images, london.references)), london.target)
    else:
        model.fit(london.images, london.target)
    _info(args, f"trained {DEFAULT_PIPELINE}{' (calibrated)' if calibrated else ''} on "
                f"{len(london.target)} photos in {time.perf_counter() - start:.1f} s")
    return model


def _recognizer_params(args):
    params = {"smoothing": args.smoothing, "min_duration": args.min_duration,
              "max_faces": args.max_faces}
    if args.adaptation is not None:
        params["adaptation"] = args.adaptation
    if args.detect_every is not None:
        params["detect_every"] = args.detect_every
    if args.calibrate is not None:
        params["calibration"] = args.calibrate
    if args.reference is not None:
        params["reference"] = os.fspath(args.reference)
    return params


def _ready_recognizer(model, args):
    """A VideoEmotionRecognizer, its model and reference checked before any frame."""
    from ..video import VideoEmotionRecognizer

    recognizer = VideoEmotionRecognizer(model, **_recognizer_params(args))
    try:
        recognizer.reset()
    except (TypeError, ValueError) as exc:
        where = f"--reference {args.reference}: " if args.reference is not None else ""
        raise UsageError(where + _one_line(exc)) from None
    return recognizer


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------


@contextlib.contextmanager
def _ffmpeg_quiet():
    """FFmpeg's own log lines ("moov atom not found") off: our errors say it in one line.

    FFmpeg reads ``OPENCV_FFMPEG_LOGLEVEL`` once, when OpenCV first uses it, so the
    variable is set for the whole run (worker processes inherit it), and stderr is
    silenced at the file-descriptor level while a source is opened.
    """
    previous = os.environ.get("OPENCV_FFMPEG_LOGLEVEL")
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("OPENCV_FFMPEG_LOGLEVEL", None)


@contextlib.contextmanager
def _stderr_silenced():
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def run(args):
    """Run ``skemotion watch``; returns the exit code."""
    from ..video._source import source_kind

    try:
        kind = source_kind(args.source)
    except (OSError, ValueError) as exc:
        raise UsageError(_one_line(exc)) from None
    _check_outputs(args, kind, args.source)
    with _ffmpeg_quiet():
        if kind == "videos":
            return _run_folder(args)
        return _run_one(args, kind)


def _run_one(args, kind):
    from ..video import open_video_source, watch_video
    from ..video._watch import _check_display

    show = args.show or (kind == "camera" and not (args.out or args.csv or args.plot))
    if show:
        try:
            _check_display()
        except RuntimeError as exc:
            raise UsageError(_one_line(exc)) from None
    try:  # a bad source fails before a default model is trained
        with _stderr_silenced():
            source = open_video_source(int(args.source) if kind == "camera" else args.source,
                                       fps=args.fps)
    except (OSError, ValueError) as exc:
        raise UsageError(_one_line(exc)) from None
    try:
        model = _model(args)
        recognizer = _ready_recognizer(model, args)
        bar = _FrameBar(args, kind)
        try:
            summary = watch_video(recognizer, source, csv=args.csv, video=args.out,
                                  plot=args.plot, show=show, progress=bar.update)
        except RuntimeError as exc:  # no window could be opened after all
            raise UsageError(_one_line(exc)) from None
        except ValueError as exc:  # e.g. not a single frame readable
            raise UsageError(_one_line(exc)) from None
        finally:
            bar.close()
    finally:
        source.close()
    print(summary.text(), file=sys.stderr, flush=True)
    for path in summary.outputs:
        _info(args, f"wrote {path}")
    if summary.interrupted and kind != "camera":
        print("skemotion watch: stopped early; the outputs hold the frames up to then",
              file=sys.stderr)
        return 130
    return 0


class _FrameBar:
    """Progress over frames: a bar (or plain lines) when the frame count is known, a counter
    else."""

    def __init__(self, args, kind):
        self.enabled = _bars_enabled(args)
        self.kind = kind
        self.bar = None

    def update(self, result, source):
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = progress_bar(source.frame_count, os.path.basename(source.name)
                                    or source.name, unit="frame")
        self.bar.update(1)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def _run_folder(args):
    from ..video import recognize_videos
    from ..video._source import video_files

    videos = video_files(args.source)
    model = _model(args)
    _ready_recognizer(model, args)
    args.out.mkdir(exist_ok=True)
    n_jobs = -1 if args.scheduler else args.n_jobs
    bar = progress_bar(len(videos), "videos", enabled=_bars_enabled(args))
    try:
        summaries = recognize_videos(model, videos, args.out, n_jobs=n_jobs,
                                     progress=lambda summary: bar.update(1),
                                     **_recognizer_params(args))
    finally:
        bar.close()
    for summary in summaries:
        print(summary.text(), file=sys.stderr)
    failed = [s for s in summaries if s.error is not None]
    frames = sum(s.n_frames for s in summaries)
    print(f"{len(summaries) - len(failed)} of {len(summaries)} videos processed "
          f"({frames} frames) into {args.out}", file=sys.stderr, flush=True)
    return 1 if failed else 0
