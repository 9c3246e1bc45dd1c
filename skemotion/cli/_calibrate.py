"""``skemotion calibrate``: save one person's neutral face for ``skemotion watch --reference``
(a thin layer over :func:`skemotion.video.capture_reference`)."""

import os
import sys
from pathlib import Path

from ._base import UsageError, _info, _one_line, add_command
from ._options import _positive_seconds

EXAMPLE = """\
  skemotion calibrate 0 --out me.png                 # webcam 0: keep a neutral face 3 s
  skemotion watch 0 --model calibrated.skops --reference me.png"""

_IMAGE_ENDINGS = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")


def add_parser(subparsers):
    p = add_command(
        subparsers, "calibrate", run,
        help="save a neutral reference face from a camera or a video",
        description="Look at the first seconds of SOURCE (a camera index, a video file or a "
        "folder of frames), take the clearest face found there and save it, with a border, "
        "as an image: the neutral reference a calibrated model ('skemotion train "
        "--calibrated') recognises that person's emotions against, with 'skemotion watch "
        "--reference'. Keep a neutral face, alone in front of the camera, while it runs.",
        example=EXAMPLE,
    )
    p.add_argument("source", metavar="SOURCE",
                   help="camera index, video file or folder of frames")
    p.add_argument("--out", metavar="IMAGE", type=Path, required=True,
                   help=f"the reference image to write ({', '.join(_IMAGE_ENDINGS)})")
    p.add_argument("--seconds", metavar="S", type=_positive_seconds, default=3.0,
                   help="how long to look (default: %(default)s)")
    p.add_argument("--quiet", "-q", action="store_true", help="no messages on stderr")
    return p


def run(args):
    """Run ``skemotion calibrate``; returns the exit code."""
    import cv2

    from ..video import capture_reference
    from ..video._source import source_kind

    if args.out.suffix.lower() not in _IMAGE_ENDINGS:
        raise UsageError(f"--out {args.out}: give an image file ({', '.join(_IMAGE_ENDINGS)})")
    if args.out.is_dir():
        raise UsageError(f"--out is a folder, give a file name: {args.out}")
    if not args.out.parent.is_dir():
        raise UsageError(f"--out: no such directory: {args.out.parent}")
    try:
        kind = source_kind(args.source)
    except (OSError, ValueError) as exc:
        raise UsageError(_one_line(exc)) from None
    if kind == "videos":
        raise UsageError(f"{args.source} is a folder of videos: give one video, a folder of "
                         "frames or a camera")
    source = int(args.source) if kind == "camera" else args.source
    if kind == "camera":
        _info(args, f"looking at camera {source} for {args.seconds:g} s: keep a neutral face")
    try:
        image, info = capture_reference(source, seconds=args.seconds)
    except (OSError, ValueError) as exc:
        raise UsageError(_one_line(exc)) from None
    if not cv2.imwrite(os.fspath(args.out), image):
        raise UsageError(f"--out {args.out}: cannot write this image")
    x, y, w, h = info["box"]
    extra = (f"; {info['n_faces']} faces were in that frame, the largest was taken"
             if info["n_faces"] > 1 else "")
    print(f"saved the face of frame {info['frame']} ({info['time_s']:.1f} s; a {w}x{h} px face "
          f"at x={x}, y={y}, score {info['score']:.2f}){extra} to {args.out}",
          file=sys.stderr, flush=True)
    return 0
