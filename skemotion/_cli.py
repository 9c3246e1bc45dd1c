"""The ``skemotion`` command line: a thin layer over the library.

Each subcommand is a function ``_cmd_<name>(args)``; user mistakes raise
:class:`UsageError`, which :func:`main` prints as one line and exits with code 2.
Optional dependencies (matplotlib, tqdm, skops, dask) are imported only by the
subcommands that use them, so the main job runs with none of the extras installed.
"""

import argparse
import contextlib
import functools
import inspect
import os
import re
import sys
import time
from pathlib import Path

from . import __version__
from .datasets._summary import plural as _plural


class UsageError(Exception):
    """A mistake in the command line or its inputs (bad path, unknown emotion...)."""


def _one_line(exc):
    """The text of an exception squeezed onto one line."""
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, KeyError) and text.startswith(("'", '"')):
        text = text[1:-1]
    return " ".join(text.split())


# ---------------------------------------------------------------------------
# Progress bars and messages
# ---------------------------------------------------------------------------


class _NullBar:
    def update(self, n=1):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _FallbackBar(_NullBar):
    """A minimal text progress bar on a stream, for when tqdm is not installed."""

    def __init__(self, total, desc, stream, *, min_interval=0.1):
        self.total, self.desc, self.stream = total, desc, stream
        self.n = 0
        self.min_interval = min_interval
        self.start = time.perf_counter()
        self._last = -float("inf")
        self._draw(force=True)

    def _draw(self, force=False):
        now = time.perf_counter()
        if not force and now - self._last < self.min_interval:
            return
        self._last = now
        width = 24
        done = int(width * self.n / self.total) if self.total else width
        pct = 100 * self.n / self.total if self.total else 100
        self.stream.write(
            f"\r{self.desc}: {pct:3.0f}% [{'#' * done}{'.' * (width - done)}] "
            f"{self.n}/{self.total} {now - self.start:.0f}s"
        )
        self.stream.flush()

    def update(self, n=1):
        self.n += n
        self._draw(force=self.n >= self.total)

    def close(self):
        self._draw(force=True)
        self.stream.write("\n")
        self.stream.flush()


def progress_bar(total, desc, *, enabled=True, stream=None):
    """A progress bar on stderr: tqdm when installed, else a minimal fallback.

    Returns an object with ``update(n)`` and ``close()`` (also a context
    manager); it draws nothing when ``enabled`` is false.
    """
    stream = sys.stderr if stream is None else stream
    if not enabled:
        return _NullBar()
    try:
        from tqdm import tqdm
    except ImportError:
        return _FallbackBar(total, desc, stream)
    columns, lines = _terminal_size(stream)
    return tqdm(total=total, desc=desc, file=stream, unit="", ncols=columns, nrows=lines)


def _terminal_size(stream):
    """(columns, lines) of the terminal ``stream`` is on; (80, 24) when unknown or 0.

    tqdm draws nothing on a terminal that reports 0 lines (some CI runners and
    ``pty.openpty()`` do), so the size is passed explicitly.
    """
    try:
        size = os.get_terminal_size(stream.fileno())
        columns, lines = size.columns, size.lines
    except (AttributeError, OSError, ValueError):
        columns = lines = 0
    return (columns if columns > 0 else 80), (lines if lines > 0 else 24)


def _bars_enabled(args):
    return not getattr(args, "quiet", False) and sys.stderr.isatty()


def _print_warning(command, text):
    """``skemotion COMMAND: warning: TEXT`` on stderr (also with ``--quiet``)."""
    print(f"skemotion {command}: warning: {text}", file=sys.stderr, flush=True)


def _listing(items, limit=5):
    """``a, b, c and 4 more``: the first ``limit`` items, and how many are not shown."""
    items = [str(item) for item in items]
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def _info(args, message):
    """A progress message on stderr (not with ``--quiet``)."""
    if not getattr(args, "quiet", False):
        print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Argument helpers
# ---------------------------------------------------------------------------


class _Once(argparse.Action):
    """An option that may be given once: a second one is an error, not silently the one
    that counts."""

    def __call__(self, parser, namespace, values, option_string=None):
        if getattr(namespace, self.dest, None) is not None:
            parser.error(f"{option_string} may be given once (merge one CK+ tree with "
                         "folders of other images through --folder)")
        setattr(namespace, self.dest, values)


def _converted(text, convert, what):
    """``convert(text)``, or the argparse error ``'TEXT' is not WHAT``."""
    try:
        return convert(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None


def _positive_int(text):
    value = _converted(text, int, "a whole number")
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not >= 1")
    return value


def _n_jobs(text):
    value = _converted(text, int, "a whole number")
    if value == 0:
        raise argparse.ArgumentTypeError("0 is not a valid number of jobs (use 1, 2, ... or -1)")
    return value


def _test_size(text):
    value = _converted(text, float, "a number")
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(
            f"{value:g} is not between 0 and 1 (a fraction of the data)")
    return value


def _rate(text):
    value = _converted(text, float, "a number")
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{value:g} is not between 0 and 1")
    return value


def _seed(text):
    """A random seed: a whole number from 0 to 2**32 - 1 (what scikit-learn accepts)."""
    value = _converted(text, int, "a whole number")
    if not 0 <= value <= 2**32 - 1:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and {2**32 - 1}")
    return value


def _cache_dir(text):
    """``--cache DIR``: a folder, or a path that does not exist yet (created when needed)."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(
            f"{text!r} exists and is not a folder (give a folder, or a path that does not "
            "exist yet)")
    return path


def _crop_size(text):
    """``64`` or ``64x48`` (height x width) -> (h, w)."""
    parts = text.lower().split("x")
    try:
        values = tuple(int(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not N or HxW (e.g. 64 or 96x80)") from None
    if len(values) == 1:
        values = values * 2
    from ._face_cropper import MAX_OUTPUT_SIDE

    if len(values) != 2 or min(values) < 8 or max(values) > MAX_OUTPUT_SIDE:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give N or HxW with sides from 8 to {MAX_OUTPUT_SIDE} pixels "
            "(FaceCropper's limit)")
    return values


def _name_list(text):
    return [p.strip() for p in text.split(",") if p.strip()]


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad command line gives one line on stderr (and exit code 2)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {_one_line(message)} (see '{self.prog} --help')\n")


def _data_parent():
    parent = argparse.ArgumentParser(add_help=False)
    g = parent.add_argument_group("data (default: the embedded London set, neutral vs happy)")
    g.add_argument("--ckplus", metavar="PATH", type=Path, action=_Once,
                   help="a CK+ root (cohn-kanade-images/ + Emotion/, or source_images/ + "
                        "source_emotion/)")
    g.add_argument("--folder", metavar="PATH", type=Path, action="append",
                   help="a sorted folder PATH/<emotion>/<images>; repeat to merge several, "
                        "combine with --ckplus to merge with CK+")
    g.add_argument("--neutral", choices=("first", "per_subject", "none"), default=None,
                   help="CK+ neutral images: one per labelled sequence (the tutorial), one per "
                        "subject, or none (default: first; only with --ckplus)")
    g.add_argument("--subject-pattern", metavar="REGEX",
                   help="--folder: regular expression finding the subject id in a file name "
                        r"(default: CK+ names, '^(S\d+)_'; 'none': no subject ids; only with "
                        "--folder)")
    g.add_argument("--emotions", metavar="LIST",
                   help="comma-separated emotions to keep, e.g. anger,happy,sadness (aliases "
                        "such as happiness are accepted)")
    g.add_argument("--on-error", choices=("raise", "skip"), default="raise",
                   help="--ckplus/--folder image files that cannot be read: stop with an error "
                        "naming the file, or skip them (listed in a warning, and in report.md "
                        "for evaluate --out) (default: %(default)s)")
    return parent


def _crop_parent(default_size=None):
    parent = argparse.ArgumentParser(add_help=False)
    g = parent.add_argument_group("face detection and cropping")
    g.add_argument("--crop-size", metavar="N|HxW", type=_crop_size, default=default_size,
                   help="size of the face crops (default: each pipeline's own, e.g. 350x350 "
                        "for fisherface; FaceCropper's 350x350 for 'crop')")
    g.add_argument("--on-missing", choices=("drop", "raise", "full_image"), default="drop",
                   help="images where no face is found: drop them (listed on stderr and in the "
                        "report), stop with an error, or use the whole image (for data that is "
                        "already cropped) (default: %(default)s)")
    g.add_argument("--cache", metavar="DIR", type=_cache_dir,
                   help="cache face detections in DIR (reused across runs and searches)")
    return parent


def _run_parent(cv=True):
    """``--n-jobs`` and ``--quiet``; ``cv=False``: for subcommands without cross-validation."""
    parent = argparse.ArgumentParser(add_help=False)
    g = parent.add_argument_group("running")
    if cv:
        n_jobs_help = ("parallel jobs for cropping and cross-validation (default: -1, all "
                       "cores; with --scheduler the cluster gets every job); 1: one thread, "
                       "numerical libraries and OpenCV included")
    else:
        n_jobs_help = ("parallel threads for face detection and cropping (default: -1, all "
                       "cores); 1: one thread, numerical libraries and OpenCV included")
    g.add_argument("--n-jobs", metavar="N", type=_n_jobs, default=None, help=n_jobs_help)
    g.add_argument("--quiet", "-q", action="store_true",
                   help="no progress bars or progress messages on stderr")
    return parent


def _cv_parent(splits_default=10):
    parent = argparse.ArgumentParser(add_help=False)
    g = parent.add_argument_group("cross-validation")
    g.add_argument("--splits", metavar="N", type=_positive_int, default=splits_default,
                   help="number of random train/test splits per protocol (default: %(default)s)")
    g.add_argument("--test-size", metavar="F", type=_test_size, default=0.2,
                   help="fraction of the images held out for testing in each split; grouped "
                        "splits move whole subjects, so close to it (default: %(default)s)")
    g.add_argument("--seed", metavar="N", type=_seed, default=0,
                   help="random seed of the splits, 0 to 2**32-1 (default: %(default)s)")
    g.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="run the cross-validation on a Dask cluster (needs the 'cluster' extra)")
    return parent


# ---------------------------------------------------------------------------
# Loading data
# ---------------------------------------------------------------------------


def _check_dir(path, option):
    if not path.exists():
        raise UsageError(f"{option}: no such directory: {path}")
    if not path.is_dir():
        raise UsageError(f"{option}: not a directory: {path}")


def _subset(data, mask):
    """The samples of a dataset Bunch where ``mask`` is true (every per-sample field)."""
    import numpy as np
    from sklearn.utils import Bunch

    mask = np.asarray(mask, dtype=bool)
    n = len(data.images)
    index = np.flatnonzero(mask)
    out = Bunch()
    for key, value in data.items():
        if (key in ("target_names", "skipped", "n_skipped") or isinstance(value, (str, bytes))
                or value is None):  # dataset-level fields, even if their length happens to be n
            out[key] = value
        elif isinstance(value, np.ndarray) and value.ndim >= 1 and len(value) == n:
            out[key] = value[index]
        elif isinstance(value, (list, tuple)) and len(value) == n:
            out[key] = [value[i] for i in index]
        else:
            out[key] = value
    out["target_names"] = np.asarray(sorted(set(np.asarray(out.target).tolist())), dtype=object)
    return out


def _select_emotions(data, emotions, neutral=None):
    """Keep only the emotions of ``--emotions``; errors name what is missing (and point
    at ``--neutral`` when it left CK+'s neutral images out)."""
    import numpy as np

    from ._emotions import parse_emotions

    if emotions is None:
        return data
    try:
        wanted = parse_emotions(emotions)
    except ValueError as exc:
        raise UsageError(f"--emotions: {_one_line(exc)}") from None
    present = sorted(set(np.asarray(data.target).tolist()))
    missing = [e for e in wanted if e not in present]
    if missing:
        hint = ("; --neutral none leaves out CK+'s neutral images: use --neutral first or "
                "per_subject" if "neutral" in missing and neutral == "none" else "")
        raise UsageError(
            f"--emotions: no images labelled {', '.join(missing)} in the data "
            f"(it has: {', '.join(present)}){hint}"
        )
    return _subset(data, np.isin(np.asarray(data.target), wanted))


def _load_folder(folder, pattern, on_error="raise"):
    from .datasets import load_image_folder

    kwargs = {"on_error": on_error}
    if pattern is not None:
        try:
            kwargs["subject_pattern"] = None if pattern.lower() == "none" else re.compile(pattern)
        except re.error as exc:
            raise UsageError(f"--subject-pattern: {pattern!r} is not a regular expression: "
                             f"{exc}") from None
    try:
        return load_image_folder(folder, **kwargs)
    except ValueError as exc:
        if "subject_pattern" in str(exc):
            raise UsageError(f"{_one_line(exc)} (on the command line: --subject-pattern REGEX, "
                             "or --subject-pattern none)") from None
        raise


def _load_data(args):
    """The dataset the data options name (London by default), as a Bunch, and its name."""
    ckplus, folders = getattr(args, "ckplus", None), getattr(args, "folder", None) or []
    on_error = getattr(args, "on_error", "raise")
    if getattr(args, "neutral", None) is not None and ckplus is None:
        raise UsageError("--neutral chooses CK+ neutral images: it needs --ckplus")
    if getattr(args, "subject_pattern", None) is not None and not folders:
        raise UsageError("--subject-pattern reads subject ids from --folder file names: it "
                         "needs --folder")
    from . import datasets

    parts, names = [], []
    try:
        if ckplus is not None:
            _check_dir(ckplus, "--ckplus")
            parts.append(datasets.load_ckplus(ckplus, neutral=args.neutral or "first",
                                              on_error=on_error))
            names.append(f"CK+ ({ckplus})")
        for folder in folders:
            _check_dir(folder, "--folder")
            parts.append(_load_folder(folder, getattr(args, "subject_pattern", None),
                                      on_error))
            names.append(f"folder {folder}")
        if not parts:
            parts.append(datasets.load_frl_london())
            names.append("Face Research Lab London Set")
        data = (parts[0] if len(parts) == 1  # duplicates: checked below, after --emotions
                else datasets.concat_datasets(*parts, names=[f"d{i}" for i in range(len(parts))],
                                              duplicates="keep"))
    except (OSError, ValueError) as exc:
        raise UsageError(_one_line(exc)) from None
    if not len(data.images):  # --on-error skip skipped every file
        skipped = list(data.get("skipped") or [])
        raise UsageError(f"no image could be read from {' + '.join(names)}: all "
                         f"{len(skipped)} image files were unreadable and skipped (first: "
                         f"{skipped[0] if skipped else '-'})")
    data = _select_emotions(data, getattr(args, "emotions", None),
                            getattr(args, "neutral", None))
    if len(parts) > 1:
        data["source_names"] = names  # of data.source's "d0", "d1"...
        _check_cross_dataset_duplicates(args, data, names)
    return data, " + ".join(names)


#: Commands that split the data into training and test sets.
_SPLITTING = ("evaluate", "search", "difficult")


def _check_cross_dataset_duplicates(args, data, names):
    """Images found pixel for pixel in two of the merged datasets (after --emotions): an
    error for the commands that split the data, a warning for the others."""
    from .datasets._concat import _cross_dataset_duplicates

    # datasets by position ("d0", "d1"... in the order of `names`): a --folder given twice
    # has the same name both times
    pairs = _cross_dataset_duplicates(zip(data.source, data.images, data.filenames))
    if not pairs:
        return

    def named(source):
        return names[int(str(source)[1:])]

    shown = "; ".join(f"{a} ({named(da)}) and {b} ({named(db)})"
                      for (da, a), (db, b) in pairs[:3])
    more = f"; and {len(pairs) - 3} more" if len(pairs) > 3 else ""
    text = (f"{len(pairs)} image(s) are in two of the datasets given, each copy with its own "
            f"subject id: {shown}{more}. A subject-grouped split could put such a photo in "
            "training and in test: remove one copy of each (the command line has no option "
            "to keep them).")
    if args.command in _SPLITTING:
        raise UsageError(text)
    _print_warning(args.command, text)


def _check_enough(data, *, grouped=True):
    """Refuse data that cannot be cross-validated: one class, or classes of 1 sample."""
    from collections import Counter

    counts = Counter(data.target.tolist() if hasattr(data.target, "tolist") else data.target)
    if len(counts) < 2:
        raise UsageError(
            f"too few classes: need at least two emotions, the data has only "
            f"{', '.join(counts) or 'none'} ({sum(counts.values())} images)"
        )
    small = {k: v for k, v in counts.items() if v < 2}
    if small:
        raise UsageError(
            "too few samples: "
            + ", ".join(f"{k} has {v} image" for k, v in small.items())
            + "; every emotion needs at least 2 images"
        )
    if grouped and data.get("groups") is None:
        raise UsageError(
            "the data has no subject ids, so subject-grouped splits are impossible "
            "(--subject-pattern REGEX finds them in --folder file names, e.g. the default "
            "for S005_001_00000011.png)"
        )


# ---------------------------------------------------------------------------
# Subcommands
# ---------------------------------------------------------------------------


def _cmd_describe(args):
    from .datasets import describe_dataset

    data, name = _load_data(args)
    print(describe_dataset(data, name=name))
    return 0


def _cmd_organize(args):
    import warnings

    from ._emotions import parse_emotions
    from .datasets import organize_ckplus

    _check_dir(args.ckplus_root, "CKPLUS_ROOT")
    emotions = None
    if args.emotions is not None:
        try:
            emotions = list(parse_emotions(args.emotions))
        except ValueError as exc:
            raise UsageError(f"--emotions: {_one_line(exc)}") from None
    try:
        with warnings.catch_warnings():
            if args.quiet:
                warnings.filterwarnings("ignore", message=".*this run did not write")
            result = organize_ckplus(args.ckplus_root, args.out_dir, neutral=args.neutral,
                                     emotions=emotions)
    except (OSError, ValueError) as exc:
        raise UsageError(_one_line(exc)) from None
    if not sum(result.counts.values()):
        # (organize_ckplus itself rejects an emotion list that selects nothing, and creates
        # no folder when it has nothing to copy: only a tree without labels gets here)
        raise UsageError(f"no images in {args.ckplus_root}: nothing to organize")
    counts = ", ".join(f"{k} {v}" for k, v in sorted(result.counts.items()))
    print(f"{result.out_dir}: {sum(result.counts.values())} images ({counts}); "
          f"{result.n_written} written, {result.n_unchanged} already there")
    return 0


from .pipelines import DEFAULT_PIPELINE  # noqa: E402  (train, search, difficult)


def _for_foreign_crops(factories, args):
    """With ``--no-detect`` the crops come from elsewhere: landmark pipelines find the
    face in each crop (``face_box="detect"``) instead of assuming FaceCropper's framing."""
    if not getattr(args, "no_detect", False):
        return factories
    return {name: (functools.partial(factory, face_box="detect")
                   if "face_box" in inspect.signature(factory).parameters else factory)
            for name, factory in factories.items()}


def _pipelines(names, args=None):
    """``{name: factory}`` of the named pipelines; errors list the known.

    ``names=None``: every pipeline that can run here; those needing a missing optional
    extra are left out with a note on stderr. A pipeline named explicitly whose extra
    is missing is an error saying what to install.
    """
    return _for_foreign_crops(_named_factories(names, args), args)


def _named_factories(names, args):
    from .pipelines import PIPELINES, missing_requirements

    if names is None:
        factories = {}
        for name, factory in PIPELINES.items():
            problem = missing_requirements(name)
            if problem is None:
                factories[name] = factory
            else:
                _info(args, f"skipped: {problem}")
        return factories
    unknown = [n for n in names if n not in PIPELINES]
    if unknown:
        raise UsageError(
            f"unknown pipeline {', '.join(map(repr, unknown))}; known pipelines: "
            f"{', '.join(PIPELINES)}"
        )
    if not names:
        raise UsageError("--pipelines: the list is empty")
    for name in names:
        problem = missing_requirements(name)
        if problem is not None:
            raise UsageError(problem)
    return {n: PIPELINES[n] for n in names}


def _pipeline(args):
    name = args.pipeline or DEFAULT_PIPELINE
    return name, _pipelines([name], args)[name]


def _make_cropper(args, template=None):
    """A FaceCropper with the command line's crop options (based on ``template``)."""
    from sklearn.base import clone

    from ._face_cropper import FaceCropper

    cropper = FaceCropper() if template is None else clone(template)
    params = {}
    if getattr(args, "crop_size", None):
        params["output_size"] = tuple(args.crop_size)
    if getattr(args, "cache", None) is not None:
        params["memory"] = str(args.cache)
    if "n_jobs" in cropper.get_params():
        params["n_jobs"] = args.n_jobs
    return cropper.set_params(**params)


def _chunk_size(args):
    """Images per progress-bar step: enough to keep every cropping thread busy."""
    from joblib import effective_n_jobs

    return 8 * max(2, effective_n_jobs(getattr(args, "n_jobs", 1) or 1))


def _chunks(n, size):
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


def _crop(args, cropper, images, names, *, desc="cropping faces"):
    """Crop ``images`` with a progress bar, handling images without a face per ``--on-missing``.

    Returns ``(X, kept, whole)``: the crops as (n_kept, h, w) float32 in [0, 255], the
    indices of the images they come from, and (with ``--on-missing full_image``) the
    indices of the images without a face, whose whole image was used. Faces are
    detected once per image, except in the (rare) chunks that hold an image without a
    face.
    """
    import joblib
    import numpy as np
    from sklearn.base import clone

    n = len(images)
    if getattr(args, "no_detect", False):
        return (*_resize_only(args, cropper, images, names, desc=desc), [])
    on_missing = getattr(args, "on_missing", "drop")
    cropper = clone(cropper).set_params(on_missing="full_image" if on_missing == "full_image"
                                 else "raise")
    chunk = _chunk_size(args)
    h, w = _output_shape(cropper)
    parts, kept, missing, whole = [], [], [], []
    # FaceCropper's threads stay local, also inside --scheduler's Dask backend
    with joblib.parallel_config(backend="threading"), \
            progress_bar(n, desc, enabled=_bars_enabled(args)) as bar:
        for part in _chunks(n, chunk):
            index = list(range(part.start, part.stop))
            batch = [images[i] for i in index]
            try:
                crops, detections = cropper._run(batch, crop=True)  # transform + detections
                parts.append(crops)
                kept += index
                whole += [i for i, d in zip(index, detections) if not d.found]
            except ValueError as exc:
                if on_missing == "full_image":
                    raise UsageError(_one_line(exc)) from None
                found = [d.found for d in cropper.detect(batch)]
                if all(found):  # not a missing face: a bad image
                    raise UsageError(_one_line(exc)) from None
                lost = [i for i, ok in zip(index, found) if not ok]
                if on_missing == "raise":
                    raise UsageError(
                        f"no face found in {names[lost[0]]} (--on-missing drop leaves such "
                        "images out, full_image uses the whole image)"
                    ) from None
                missing += lost
                ok = [i for i, f in zip(index, found) if f]
                if ok:
                    parts.append(cropper.transform([images[i] for i in ok]))
                    kept += ok
            bar.update(len(index))
    for lost, what in ((missing, "left out"), (whole, "whole image used")):
        if lost:
            _info(args, f"no face found in {len(lost)} of {n} images, {what}: "
                        f"{_listing(names[i] for i in lost)}")
    if not kept:
        raise UsageError(f"no face found in any of the {n} images")
    return np.concatenate(parts).reshape(-1, h, w), np.asarray(kept), whole


def _resize_only(args, cropper, images, names, *, desc):
    """``--no-detect``: every image, gray, resized to the cropper's output size."""
    import cv2
    import numpy as np

    from ._image_io import to_gray

    h, w = _output_shape(cropper)
    X = np.empty((len(images), h, w), dtype=np.float32)
    with progress_bar(len(images), desc.replace("cropping", "resizing"),
                      enabled=_bars_enabled(args)) as bar:
        for i, image in enumerate(images):
            try:
                gray = to_gray(image, source=names[i])
            except ValueError as exc:
                raise UsageError(_one_line(exc)) from None
            X[i] = cv2.resize(gray, (w, h), interpolation=cv2.INTER_AREA)
            bar.update()
    return X, np.arange(len(images))


def _output_shape(cropper):
    size = cropper.output_size
    return tuple(size) if isinstance(size, (tuple, list)) else (int(size), int(size))


def _splits(args, protocol, X, y, groups):
    """The protocol's splitter with its splits drawn once; too-few-samples -> UsageError."""
    from .model_selection import make_protocol

    cv = make_protocol(protocol, n_splits=args.splits, test_size=args.test_size,
                       random_state=args.seed)
    try:
        splits = list(cv.split(X, y, groups if protocol == "grouped" else None))
    except ValueError as exc:
        raise UsageError(f"too few samples for {_plural(args.splits, protocol + ' split')} "
                         f"with test size "
                         f"{args.test_size:g}: {_one_line(exc)}") from None
    for train, test in splits:
        if len(set(y[train].tolist())) < 2:
            raise UsageError(
                f"too few samples: a {protocol} training split holds only one emotion "
                f"({y[train][0]}); use more data or a larger --test-size"
            )
    return cv, splits


@contextlib.contextmanager
def _fit_errors(name, splits=(), test_size=None):
    """A pipeline that cannot be fitted on the user's data (too few images for its number
    of components, crops too small for its features...) is reported in one line; with the
    ``splits`` it was fitted on, the line says how small their training sets get."""
    try:
        yield
    except ValueError as exc:
        where = ""
        if len(splits):
            smallest = min(len(train) for train, _ in splits)
            where = (f" (its smallest training split holds {_plural(smallest, 'image')}, "
                     f"with --test-size {test_size:g})")
        raise UsageError(f"cannot fit {name} on this data{where}: {_one_line(exc)}") from None


class _Backend:
    """Context manager: joblib's Dask backend (``dask_backend``) when ``--scheduler`` is given."""

    def __init__(self, args):
        self.address = getattr(args, "scheduler", None)
        self.ctx = None

    def __enter__(self):
        if not self.address:
            return self
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise UsageError("--scheduler needs the 'cluster' extra: "
                             "pip install 'skemotion[cluster]'") from None
        from .model_selection import dask_backend

        self.ctx = dask_backend(self.address, timeout=5)
        try:
            self.ctx.__enter__()
        except (OSError, TimeoutError, ValueError) as exc:
            self.ctx = None
            raise UsageError(f"--scheduler: cannot connect to {self.address}: "
                             f"{_one_line(exc)}") from None
        return self

    def __exit__(self, *exc):
        if self.ctx is not None:
            self.ctx.__exit__(*exc)


def _prepare(args, *, grouped=True, template=None, templates=None):
    """Load the data named on the command line and crop its faces once per cropper setting.

    ``templates`` maps names (pipelines) to the FaceCropper each wants; pipelines
    wanting the same crops share one cropping pass. Images where some cropper
    finds no face are left out for all, so every pipeline sees the same samples.

    Returns a Bunch: ``X`` (n, h, w) crops (of ``template``, or of the first of
    ``templates``), ``Xs`` (name -> crops), ``y``, ``groups`` (None without subject
    ids), ``filenames``, ``data`` (the loaded Bunch), ``name``, ``cropper``,
    ``croppers`` (name -> FaceCropper), ``source`` (merged data: each crop's data option,
    else None), ``dropped`` (files without a face, left out)
    and ``whole_image`` (files without a face used whole, ``--on-missing full_image``).
    """
    import numpy as np
    from sklearn.utils import Bunch

    from ._face_cropper import _crop_settings_key

    data, name = _load_data(args)
    _check_enough(data, grouped=grouped)
    if hasattr(args, "splits"):  # refuse impossible splits before the slow cropping
        y = np.asarray(data.target, dtype=object)
        groups = None if data.get("groups") is None else np.asarray(data.groups, dtype=object)
        for protocol in ["tutorial"] + (["grouped"] if groups is not None else []):
            _splits(args, protocol, np.zeros((len(y), 1)), y, groups)
    _info(args, f"{name}: {len(data.images)} images")
    templates = templates if templates is not None else {"": template}
    croppers = {label: _make_cropper(args, t) for label, t in templates.items()}
    distinct = {}
    for label, cropper in croppers.items():
        distinct.setdefault(_crop_settings_key(cropper), cropper)
    names = np.asarray([str(f) for f in data.filenames], dtype=object)
    crops = {}
    for i, (key, cropper) in enumerate(distinct.items()):
        desc = "cropping faces" + (f" ({i + 1}/{len(distinct)})" if len(distinct) > 1 else "")
        crops[key] = _crop(args, cropper, data.images, names, desc=desc)
    kept = sorted(set.intersection(*(set(k.tolist()) for _, k, _ in crops.values())))
    if not kept:
        raise UsageError("no image has a face found by every pipeline's face cropper")
    whole = sorted(set().union(*(w for _, _, w in crops.values())) & set(kept))
    kept = np.asarray(kept)
    Xs = {}
    for label, cropper in croppers.items():
        X, k, _ = crops[_crop_settings_key(cropper)]
        Xs[label] = X[np.searchsorted(k, kept)]
    y = np.asarray(data.target, dtype=object)[kept]
    groups = None if data.get("groups") is None else np.asarray(data.groups, dtype=object)[kept]
    dropped = sorted(set(names.tolist()) - set(names[kept].tolist()))
    first = next(iter(croppers))
    out = Bunch(X=Xs[first], Xs=Xs, y=y, groups=groups, filenames=names[kept], data=data,
                name=name, cropper=croppers[first], croppers=croppers, dropped=dropped,
                whole_image=[str(names[i]) for i in whole])
    out.source = (None if data.get("source") is None else  # as named on the command line
                  np.asarray([data.source_names[int(s[1:])] for s in data.source])[kept])
    _check_enough(Bunch(images=out.X, target=y, groups=groups), grouped=grouped)
    if getattr(args, "no_detect", False):
        for label, X in Xs.items():
            pipeline = label or getattr(args, "pipeline", None) or DEFAULT_PIPELINE
            _landmark_fallbacks(args, pipeline, X, out.filenames)
    return out


def _landmark_fallbacks(args, pipeline, X, filenames):
    """With ``--no-detect`` the landmark pipeline finds the face in each crop with dlib's
    detector (``face_box="detect"``). Name the files where it finds none once, here,
    instead of a warning per transformer, split and fit that gives sample numbers within
    a training split. The landmarks are memoised per process, so in a single process
    (``--n-jobs 1``) the fits reuse them; worker processes compute their own."""
    import warnings

    import numpy as np

    from .pipelines import PIPELINES

    if "face_box" not in inspect.signature(PIPELINES[pipeline]).parameters:
        return  # not a landmark pipeline (the test _for_foreign_crops makes too)
    from ._landmarks import _DETECT_FALLBACK, _FALLBACK_WARNING, _landmarks_and_fallbacks

    # float64, as the transformers pass them, so that the memo keys are theirs
    _, undetected = _landmarks_and_fallbacks(np.asarray(X, dtype=np.float64), "detect", None)
    if undetected:
        files = [Path(filenames[i]).name for i in undetected]
        shown = ", ".join(files[:10]) + (", ..." if len(files) > 10 else "")
        _print_warning(args.command, f"{pipeline}: dlib's face detector found no face in "
                                     f"{_plural(len(files), 'crop')} ({shown}); their "
                                     f"landmarks use the rectangle {_DETECT_FALLBACK} inside "
                                     "each edge instead")
    # said once above: not again per transformer and split, here and in the worker
    # processes of --n-jobs, which start with this environment (recent scikit-learn also
    # hands them the filters; 1.6 does not). _one_line_warnings restores the variable.
    warnings.filterwarnings("ignore", message=re.escape(_FALLBACK_WARNING))
    os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [
        os.environ.get("PYTHONWARNINGS"), "ignore:" + _FALLBACK_WARNING.split(":")[0]]))


def _cmd_evaluate(args):
    from .model_selection import EvaluationResult, evaluate, make_protocol

    factories = _pipelines(args.pipelines, args)
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out: not a directory: {args.out}")
    _refuse_output_in_data(args, args.out, "--out")
    templates = {name: _crop_step(_full_pipeline(args, f), name) for name, f in factories.items()}
    if args.cross_dataset and (args.ckplus is not None) + len(args.folder or []) < 2:
        raise UsageError("--cross-dataset trains on every data source but one and tests on the "
                         "one left out: give two sources or more (--ckplus and --folder, or "
                         "--folder twice)")
    prep = _prepare(args, grouped=False, templates=templates)
    protocols, splits = {}, {}
    names = ["tutorial"] + (["grouped"] if prep.groups is not None else [])
    if prep.groups is None:
        _info(args, "no subject ids in the data: only the tutorial's protocol is possible")
    for protocol in names:
        # the splitters have fixed seeds: evaluate draws exactly the splits checked here
        protocols[protocol], splits[protocol] = _splits(args, protocol, prep.X, prep.y,
                                                        prep.groups)
    if args.cross_dataset:
        protocols["cross-dataset"] = make_protocol("cross-dataset")
        splits["cross-dataset"] = list(protocols["cross-dataset"].split(prep.X, prep.y,
                                                                        prep.source))
    models = {name: factory(detect=False) for name, factory in factories.items()}
    sizes = [f"{h}x{w}" for h, w in sorted({X.shape[1:] for X in prep.Xs.values()})]
    _info(args, f"evaluating {_plural(len(models), 'pipeline')} x "
                f"{_plural(len(protocols), 'protocol')} x {_plural(args.splits, 'split')} on "
                f"{len(prep.y)} face crops ({', '.join(sizes)})")
    # one pipeline at a time (the splits are the same for all: they depend on y, groups
    # and the seed only), so that one that cannot be fitted on this data is named and
    # left out, with a warning, instead of ending the run for all
    rows, result, left_out = {}, None, []
    with progress_bar(len(models) * len(protocols), "cross-validating",
                      enabled=_bars_enabled(args)) as bar:
        for name, model in models.items():
            done = []  # protocols finished for this pipeline (the bar counts each once)
            try:
                with _fit_errors(name, sum(splits.values(), []), args.test_size):
                    result = evaluate({name: model}, prep.Xs[name], prep.y,
                                      groups=prep.groups, protocols=protocols,
                                      sources=prep.source if args.cross_dataset else None,
                                      n_jobs=args.n_jobs,
                                      callback=lambda *a: (done.append(a), bar.update(1)))
            except UsageError as exc:
                if len(models) == 1:
                    raise
                left_out.append(f"left out {name}: {exc}")
                bar.update(len(protocols) - len(done))
                continue
            for row in result.rows:
                rows[row["model"], row["protocol"]] = row
    if result is None:
        raise UsageError(f"none of the {len(models)} pipelines could be fitted on this data: "
                         + "; ".join(note.removeprefix("left out ") for note in left_out))
    for note in left_out:
        _print_warning("evaluate", note)
    models = {name: model for name, model in models.items() if (name, names[0]) in rows}
    result = EvaluationResult(
        [rows[m, p] for m in models for p in protocols],
        classes=result.classes, class_counts=result.class_counts, n_samples=result.n_samples,
        n_groups=result.n_groups, protocols=result.protocols,
    )
    print(result)
    if args.out is not None:
        _write_report(args, prep, result, models, splits, notes=left_out)
    return 0


#: What the two protocols mean (printed in reports).
PROTOCOL_NOTE = (
    "The *tutorial* protocol (StratifiedShuffleSplit) splits images at random, so photos of "
    "the same person land in training and test: its score does not tell how the model does "
    "on someone new. It is often too high (several similar images per person and emotion, as "
    "in CK+ sequences) and can be too low (on the London set, where each person has one "
    "neutral and one happy photo, a test photo is pulled towards the label of the same "
    "person's other photo in training; see benchmarks/bench_protocols.py). The *grouped* "
    "protocol "
    "(StratifiedGroupShuffleSplit) keeps every subject on one side of every split: that is "
    "the number to expect on new people."
)


def _best_model(result, protocol):
    rows = [r for r in result.rows if r["protocol"] == protocol]
    return max(rows, key=lambda r: r["balanced_accuracy_mean"])["model"]


def _write_report(args, prep, result, models, splits, notes=()):
    """report.md, report.json and the plots in ``args.out``; ``notes``: lines for its Notes."""
    import json
    import shlex

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    protocol = "grouped" if "grouped" in splits else "tutorial"
    best = _best_model(result, protocol)
    settings = {
        "command": "skemotion " + " ".join(
            shlex.quote(a) for a in (sys.argv[1:] if args.argv is None else args.argv)),
        "data": prep.name,
        "neutral": (args.neutral or "first") if args.ckplus is not None else None,
        "emotions": args.emotions,
        "face_detection": not args.no_detect,
        "on_missing": args.on_missing,
        "n_images": len(prep.data.images),
        "n_face_crops": len(prep.y),
        "dropped_no_face": prep.dropped,
        "whole_image_no_face": prep.whole_image,
        "crop_size": {name: list(prep.Xs[name].shape[1:]) for name in models},
        "splits": args.splits,
        "test_size": args.test_size,
        "seed": args.seed,
        "pipelines": list(models),
        "best_pipeline": {"protocol": protocol, "name": best},
    }
    old_figures = _listed_figures(out)  # removed once the new ones are written
    X = prep.Xs[best]
    difficult = _find_difficult(args, models[best], X, prep, splits[protocol],
                                desc=f"difficult images ({best})")
    _write_difficult(difficult, X, out / "difficult")
    notes = list(notes)  # and what the plots could not show, in one line each
    figures = _write_plots(args, prep, models, best, splits[protocol], out, difficult, notes)
    for name in old_figures - set(figures.values()):  # stale: this run did not make it
        (out / name).unlink(missing_ok=True)
    report = {"skemotion_version": __version__, "settings": settings,
              "evaluation": result.to_dict(), "figures": figures,
              "notes": notes}
    (out / "report.json").write_text(json.dumps(report, indent=2, default=str) + "\n",
                                     encoding="utf-8")
    sizes = ", ".join(f"{h}x{w}" for h, w in sorted({prep.Xs[name].shape[1:]
                                                       for name in models}))
    if args.no_detect:
        found = f"all used as face crops without face detection (--no-detect), resized to {sizes}"
    elif prep.whole_image:
        found = (f"{len(prep.y) - len(prep.whole_image)} with a face found, "
                 f"{len(prep.whole_image)} without, used whole (--on-missing full_image; "
                 f"crops {sizes})")
    else:
        found = f"{len(prep.y)} with a face found (crops {sizes})"
    lines = [
        "# skemotion evaluation report",
        "",
        f"Data: {prep.name}: {len(prep.data.images)} images, {found}.",
    ]
    if prep.dropped:
        lines.append(f"No face found, left out: {', '.join(prep.dropped)}.")
    if prep.whole_image:
        lines.append(f"No face found, whole image used: {', '.join(prep.whole_image)}.")
    if prep.data.get("skipped"):
        lines.append(f"Unreadable files skipped (--on-error skip): "
                     f"{', '.join(map(str, prep.data.skipped))}.")
    lines += [
        f"Splits: {args.splits} per protocol, test size {args.test_size:g}, seed {args.seed}.",
        "",
        result.to_markdown(),
        PROTOCOL_NOTE,
        "",
    ]
    if prep.groups is None:
        lines += ["The data has no subject ids, so only the tutorial protocol was run: the "
                  "grouped protocol was skipped.", ""]
    lines += [
        f"Best pipeline ({protocol} protocol, balanced accuracy): **{best}**.",
        "",
    ]
    for title, fname in figures.items():
        lines += [f"## {title}", "", f"![{title}]({fname})", ""]
    if notes:
        lines += ["## Notes", "", *(f"- {note}" for note in notes), ""]
    (out / "report.md").write_text("\n".join(lines), encoding="utf-8")
    if result.cross_dataset:  # the train -> test table (also in report.md and report.json)
        (out / "cross_dataset.md").write_text(result.cross_dataset_markdown(), encoding="utf-8")
    _info(args, f"wrote {out / 'report.md'}, {out / 'report.json'} and {len(figures)} plots")


#: The figures ``evaluate --out`` may write; a re-run removes those its report.json lists.
FIGURE_FILES = ("confusion_matrix.png", "learning_curve.png", "difficult.png", "fisherfaces.png")


def _listed_figures(out):
    """The figure files an earlier ``evaluate --out`` wrote into ``out``, as its report.json
    lists them (only names in FIGURE_FILES). A re-run removes those it does not make again,
    after it has written its own, so a run that fails part-way leaves the old report whole."""
    import json

    try:
        old = json.loads((out / "report.json").read_text(encoding="utf-8"))
        names = set(old.get("figures", {}).values())
    except (OSError, ValueError, AttributeError):
        return set()
    return names & set(FIGURE_FILES)


def _write_difficult(result, X, folder, **kwargs):
    """``write_difficult_images`` (which first removes the crops an earlier run's
    difficult.csv in ``folder`` lists), with OS errors as one-line usage errors."""
    from .model_selection import write_difficult_images

    try:
        return write_difficult_images(result, X, folder, **kwargs)
    except OSError as exc:
        raise UsageError(_one_line(exc)) from None


def _write_plots(args, prep, models, best, splits, out, difficult, notes):
    """The report's figures; returns ``{title: file name}``, appends to ``notes`` what a
    figure leaves out."""
    try:
        import matplotlib
    except ImportError:
        _info(args, "matplotlib is not installed: the report has no plots "
                    "(pip install 'skemotion[plot]')")
        return {}
    matplotlib.use("Agg")  # files only, never a window
    import warnings

    import matplotlib.pyplot as plt
    import numpy as np
    from sklearn.base import clone
    from sklearn.exceptions import FitFailedWarning

    from ._gallery import FisherfaceGalleryDisplay
    from ._plotting import plot_confusion_matrix, plot_difficult_images, plot_learning_curve
    from .model_selection import StratifiedGroupShuffleSplit

    figures = {}
    model = models[best]
    grouped = prep.groups is not None
    steps = ["difficult", "learning"] + (["fisherfaces"] if "fisherface" in models else [])
    with progress_bar(len(steps), "plotting", enabled=_bars_enabled(args)) as bar:
        X = prep.Xs[best]
        display = plot_confusion_matrix(difficult)
        display.ax_.set_title(f"{best}: {display.ax_.get_title()}")
        _save(display.figure_, out / "confusion_matrix.png", plt)
        figures[f"Confusion matrix ({best})"] = "confusion_matrix.png"
        bar.update()

        cv = (StratifiedGroupShuffleSplit(min(args.splits, 5), test_size=args.test_size,
                                          random_state=args.seed) if grouped else None)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", FitFailedWarning)
            try:
                display = plot_learning_curve(model, X, prep.y, groups=prep.groups, cv=cv,
                                              scoring="balanced_accuracy", n_jobs=args.n_jobs,
                                              random_state=args.seed)
            except ValueError as exc:  # e.g. too few images per class for its splits
                display = None
                _note(notes, f"Learning curve: not drawn for {best}: {_one_line(exc)}")
        for w in caught:  # everything but the failed fits goes on as before
            if not issubclass(w.category, FitFailedWarning):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if display is not None:
            failed = np.isnan(np.asarray(display.test_scores, dtype=float))
            if failed.any():
                sizes = ", ".join(
                    f"{int(size)} ({int(n)} of {failed.shape[1]} splits)"
                    for size, n in zip(display.train_sizes, failed.sum(axis=1)) if n)
                _note(notes, f"Learning curve: {best} could not be fitted with these training "
                             f"sizes, left out of the plot: {sizes}"
                             f"{_fit_failure_reason(caught)}.")
            display.ax_.set_title(f"{best}: learning curve"
                                  + (" (subject-grouped splits)" if grouped else ""))
            _save(display.figure_, out / "learning_curve.png", plt)
            figures[f"Learning curve ({best})"] = "learning_curve.png"
        bar.update()

        if difficult.records():
            display = plot_difficult_images(difficult, X, n_images=16)
            display.figure_.suptitle(f"{best}: most often misclassified (true->predicted, "
                                     f"wrong/tested over {len(splits)} splits)")
            _save(display.figure_, out / "difficult.png", plt)
            figures[f"Difficult images ({best})"] = "difficult.png"

        if "fisherface" in models:
            fitted = clone(models["fisherface"]).fit(prep.Xs["fisherface"], prep.y)
            display = FisherfaceGalleryDisplay.from_estimator(fitted, include_mean=True,
                                                              n_components=8)
            display.figure_.suptitle("fisherface: mean face and Fisherfaces (all images)")
            _save(display.figure_, out / "fisherfaces.png", plt)
            figures["Fisherfaces"] = "fisherfaces.png"
            bar.update()
    return figures


def _note(notes, note):
    """A note for report.md, also printed on stderr (with -q too: the report misses something)."""
    notes.append(note)
    _print_warning("evaluate", note)


def _fit_failure_reason(caught):
    """``": <the error>"`` from scikit-learn's FitFailedWarning (its last error line)."""
    from sklearn.exceptions import FitFailedWarning

    for w in caught:
        if issubclass(w.category, FitFailedWarning):
            errors = [line for line in str(w.message).splitlines()
                      if re.match(r"^\w+(Error|Exception): ", line)]
            if errors:
                return ": " + errors[-1].split(": ", 1)[1].strip()
    return ""


def _save(figure, path, plt):
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)


def _image_files(paths, *, exclude=None, command=None):
    """Image files named on the command line: files as given, folders searched recursively.

    With ``command``, the other files of the searched folders (not hidden, not clutter
    such as Thumbs.db) are named in one warning: they are left out, not read.
    """
    from ._image_io import is_hidden_or_clutter, is_image_file

    files, ignored = [], []
    for path in paths:
        if not path.exists():
            raise UsageError(f"no such file or directory: {path}")
        if path.is_dir():
            candidates = [f for f in path.rglob("*")
                          if f.is_file()
                          and not any(is_hidden_or_clutter(part)
                                      for part in f.relative_to(path).parts)
                          and (exclude is None or not _is_inside(f, exclude))]
            ignored += [f for f in candidates if not is_image_file(f)]
            found = sorted((f for f in candidates if is_image_file(f)),
                           key=lambda f: str(f.relative_to(path)))
            if not found:
                if exclude is not None and _is_inside(path, exclude):
                    where = ("is OUT_DIR" if path.resolve() == Path(exclude).resolve()
                             else f"lies inside OUT_DIR {exclude}")
                    raise UsageError(
                        f"{path} {where}, whose files are never read as input (they may be "
                        "crops of an earlier run): give another OUT_DIR")
                raise UsageError(f"no image files in {path}")
            files += [(f, path) for f in found]
        else:
            files.append((path, path.parent))
    if ignored and command is not None:
        _print_warning(command, f"left out {len(ignored)} file(s) whose ending is not an "
                                f"image type OpenCV reads: {_listing(sorted(ignored))}")
    return files


def _refuse_output_in_data(args, out, option):
    """UsageError when an output (file or folder) lies inside a --ckplus/--folder root:
    what is written there could replace data files or be read as data by the next run."""
    for root in [getattr(args, "ckplus", None)] + list(getattr(args, "folder", None) or []):
        if out is not None and root is not None and _is_inside(out, root):
            raise UsageError(f"{option} {out} lies inside the data folder {root}: what is "
                             "written there could replace data files or be read as data "
                             "by the next run; write it elsewhere")


def _refuse_out_over_input(out, inputs, what="an input file"):
    """UsageError when ``--out`` would replace one of ``inputs`` (files read by the run)."""
    target = out.resolve()
    for path in inputs:
        if Path(path).resolve() == target:
            raise UsageError(f"--out {out} is {what} of this run: writing it would replace "
                             "that file; give another file name")


def _is_inside(path, folder):
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
    except ValueError:
        return False
    return True


def _to_png_uint8(crop):
    import numpy as np

    crop = np.asarray(crop, dtype=np.float32)
    if crop.size and crop.max() <= 1.0:
        crop = crop * 255.0
    return np.clip(np.rint(crop), 0, 255).astype(np.uint8)


def _write_png(path, image):
    import cv2

    ok, buf = cv2.imencode(".png", image)
    if not ok:  # pragma: no cover - PNG encoding of uint8 arrays does not fail
        raise OSError(f"could not encode {path}")
    path.write_bytes(buf.tobytes())


def _cmd_crop(args):
    import csv

    import numpy as np

    from ._image_io import read_image

    out = args.out_dir
    if out.exists() and not out.is_dir():
        raise UsageError(f"OUT_DIR is not a directory: {out}")
    files = _image_files([args.input], exclude=out, command=args.command)
    destinations = _crop_destinations(files, out)
    cropper = _make_cropper(args).set_params(on_missing="full_image")
    h, w = _output_shape(cropper)
    rows, n_written, unreadable = [], 0, []
    chunk = _chunk_size(args)
    with progress_bar(len(files), "cropping faces", enabled=_bars_enabled(args)) as bar:
        for part in _chunks(len(files), chunk):
            batch = files[part]
            images, errors = {}, {}  # by position in the batch
            for i, (f, _) in enumerate(batch):
                try:
                    images[i] = read_image(f)
                except (OSError, ValueError) as exc:
                    if args.on_error == "raise":
                        raise UsageError(_one_line(exc)) from None
                    errors[i] = _one_line(exc)
                    unreadable.append(f)
            readable = sorted(images)
            detections = (dict(zip(readable, cropper.detect([images[i] for i in readable])))
                          if readable else {})
            lost = [i for i in readable if not detections[i].found]
            if args.on_missing == "raise" and lost:
                raise UsageError(f"no face found in {batch[lost[0]][0]} (--on-missing drop skips "
                                 "such images, full_image keeps the whole image)")
            use = [i for i in readable
                   if detections[i].found or args.on_missing == "full_image"]
            crops = {}
            if use:
                crops = dict(zip(use, cropper.transform([images[i] for i in use])))
            for i, (f, base) in enumerate(batch):
                if i in errors:
                    rows.append({"file": str(f), "face_found": False, "error": errors[i]})
                    continue
                row = {"file": str(f), **_detection_row(detections[i])}
                if i in crops:
                    dest = destinations[part.start + i]
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    _write_png(dest, _to_png_uint8(np.reshape(crops[i], (h, w))))
                    row["crop"] = str(dest.relative_to(out))
                    n_written += 1
                rows.append(row)
            bar.update(len(batch))
    if unreadable and len(unreadable) == len(files):
        raise UsageError(f"none of the {len(files)} image files could be read (first: "
                         f"{unreadable[0]}: {rows[0]['error']})")
    if unreadable:
        _print_warning(args.command, f"skipped {len(unreadable)} image file(s) that could not "
                                     f"be read (--on-error skip): {_listing(unreadable)}")
    out.mkdir(parents=True, exist_ok=True)
    fields = ["file", "face_found", "cascade", "x", "y", "width", "height", "faces_per_cascade",
              "eyes", "crop"] + (["error"] if unreadable else [])
    with open(out / "detections.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields, restval="")
        writer.writeheader()
        writer.writerows(rows)
    n_found = sum(r["face_found"] for r in rows)
    n_read = len(rows) - len(unreadable)
    print(f"{out}: face found in {n_found} of {n_read} images, {n_written} crops written"
          + (f", {len(unreadable)} unreadable skipped" if unreadable else "")
          + f", report in {out / 'detections.csv'}")
    return 0


def _crop_destinations(files, out):
    """Where ``crop`` writes each input's crop: OUT_DIR/<path under INPUT>.png.

    Checked before anything is written: a crop never replaces an input file, and two
    inputs never share a crop (photo.jpg and photo.png in one folder).
    """
    dests = [(out / f.relative_to(base)).with_suffix(".png") for f, base in files]
    inputs = {f.resolve(): f for f, _ in files}
    seen = {}
    for (f, _), dest in zip(files, dests):
        key = dest.resolve()
        if key in inputs:
            raise UsageError(f"the crop of {f} would overwrite the input file {inputs[key]}: "
                             "give an OUT_DIR that holds no input images")
        if key in seen:
            raise UsageError(f"{seen[key]} and {f} would both be cropped to {dest}: rename one "
                             "of them (crops are named after the input with the suffix .png)")
        seen[key] = f
    return dests


def _detection_row(det):
    """One CSV row's detection fields from a :class:`FaceDetection`."""
    row = {"face_found": det.found, "cascade": det.cascade or "", "eyes": det.eyes or "",
           "faces_per_cascade": ";".join(f"{k}:{v}" for k, v in (det.face_counts or {}).items())}
    if det.box is not None:
        row.update(zip(("x", "y", "width", "height"), (int(v) for v in det.box)))
    return row


def _crop_step(pipe, name):
    """The FaceCropper step of a detect=True pipeline (its first step)."""
    from ._face_cropper import FaceCropper

    first = pipe.steps[0][1]
    if not isinstance(first, FaceCropper):
        raise UsageError(f"pipeline {name!r} does not start with a FaceCropper")
    return first


def _cmd_train(args):
    from ._persistence import save_model

    name, factory = _pipeline(args)
    if args.out.is_dir():
        raise UsageError(f"--out is a directory, give a file name: {args.out}")
    if not args.out.parent.is_dir():
        raise UsageError(f"--out: no such directory: {args.out.parent}")
    try:  # save_model writes skops files: check before the slow loading and fitting
        import skops.io  # noqa: F401
    except ImportError:
        raise UsageError("saving the model needs the 'skops' package: "
                         'pip install "skemotion[persist]"') from None
    _refuse_output_in_data(args, args.out, "--out")
    pipe = _full_pipeline(args, factory)
    template = _crop_step(pipe, name)
    prep = _prepare(args, grouped=False, template=template)
    # The cropper is stateless: crop once (with a progress bar), fit the rest on the crops.
    # the saved model raises on faceless images (predict reports them), unless the user
    # said the images are crops already
    on_missing = "full_image" if args.on_missing == "full_image" else "raise"
    cropper = _make_cropper(args, template).set_params(on_missing=on_missing)
    if "n_jobs" in cropper.get_params():
        cropper.set_params(n_jobs=None)
    if "memory" in cropper.get_params():  # --cache served the training run only: the
        cropper.set_params(memory=None)   # model must not write a cache where it predicts
    pipe.steps[0] = (pipe.steps[0][0], cropper.fit(prep.X[:1]))
    _info(args, f"training {name} on {len(prep.y)} face crops")
    with _fit_errors(name):
        pipe[1:].fit(prep.X.reshape(len(prep.X), -1), prep.y)
    try:
        save_model(pipe, args.out)
    except (OSError, ValueError, ImportError) as exc:
        raise UsageError(_one_line(exc)) from None
    classes = ", ".join(map(str, pipe.classes_))
    print(f"{args.out}: {name} trained on {len(prep.y)} images ({classes})")
    return 0


def _cmd_predict(args):
    import csv

    if not args.model.is_file():
        raise UsageError(f"{args.model} is a folder, not a model file" if args.model.is_dir()
                         else f"no such model file: {args.model}")
    if args.out is not None and (args.out.is_dir() or not args.out.parent.is_dir()):
        raise UsageError(f"--out must name a file in an existing folder: {args.out}")
    if args.out is not None:
        _refuse_out_over_input(args.out, [args.model], "the model file")
    model = _load_predict_model(args)
    files = [f for f, _ in _image_files(args.images, command=args.command)]
    if args.out is not None:
        _refuse_out_over_input(args.out, files, "an image file")
    steps = getattr(model, "steps", None)
    if steps and "n_jobs" in steps[0][1].get_params():  # crop with all the --n-jobs threads
        steps[0][1].set_params(n_jobs=args.n_jobs)
    classes = [str(c) for c in model.classes_]
    scorer = next((m for m in ("predict_proba", "decision_function") if hasattr(model, m)), None)
    rows = []
    with progress_bar(len(files), "predicting", enabled=_bars_enabled(args)) as bar:
        for part in _chunks(len(files), _chunk_size(args)):
            batch = [str(f) for f in files[part]]
            try:
                rows += _predict_rows(model, scorer, batch, classes)
            except ImportError as exc:  # e.g. a landmark pipeline without dlib
                raise UsageError(f"cannot run {args.model}: {_one_line(exc)}") from None
            except ValueError:
                for f in batch:  # find the image(s) at fault; keep the others
                    try:
                        rows += _predict_rows(model, scorer, [f], classes)
                    except ValueError as exc:
                        rows.append({"file": f, "label": "", "error": _predict_error(exc)})
            bar.update(len(batch))
    fields = ["file", "label"] + [f"score_{c}" for c in classes] + ["error"]
    if args.out is not None:
        stream = open(args.out, "w", newline="", encoding="utf-8")
    else:
        stream = sys.stdout
    try:
        writer = csv.DictWriter(stream, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    finally:
        if stream is not sys.stdout:
            stream.close()
    n_bad = sum(1 for r in rows if r.get("error"))
    if n_bad == len(rows):
        print(f"skemotion predict: no image could be classified ({len(rows)} of "
              f"{len(rows)} failed, see the error column)", file=sys.stderr)
        return 1
    if n_bad:
        _info(args, f"{n_bad} of {len(rows)} images could not be classified (see the error column)")
    return 0


def _load_predict_model(args):
    """The model of ``predict``: loaded, and checked to be a fitted classifier."""
    import zipfile

    from ._persistence import load_model

    try:
        model = load_model(args.model, format="joblib" if args.trust else None)
    except ImportError as exc:
        raise UsageError(_one_line(exc)) from None
    except (OSError, ValueError, TypeError, EOFError) as exc:
        is_skops = zipfile.is_zipfile(args.model)
        if args.trust or (is_skops and "not trust" not in str(exc)):
            hint = ""
        elif is_skops:  # a skops file: --trust cannot read it
            hint = (" (in Python, that is: the command line cannot trust more types, and "
                    "--trust does not read skops files)")
        else:
            hint = " (a joblib file you made yourself loads with --trust)"
        raise UsageError(f"cannot load {args.model}: {_one_line(exc)}{hint}") from None
    except Exception as exc:  # e.g. --trust on a file that is not a pickle
        kind = " as a joblib/pickle file" if args.trust else ""
        raise UsageError(f"cannot load {args.model}{kind}: "
                         f"{type(exc).__name__}: {_one_line(exc)}") from None
    if not (hasattr(model, "predict") and hasattr(model, "classes_")):
        raise UsageError(f"{args.model} holds a {type(model).__name__}, not a fitted classifier "
                         "(use a model file written by 'skemotion train')")
    if not _crops_faces(model):
        raise UsageError(
            f"{args.model} holds a model without a FaceCropper: it classifies face crops, "
            "while predict gives it image files (use a model written by 'skemotion train', "
            "or in Python a pipeline built with detect=True)")
    return model


def _crops_faces(model):
    """Whether ``model`` (or an estimator inside it) is a FaceCropper: one that reads
    image files and finds the faces itself."""
    from ._face_cropper import FaceCropper

    if isinstance(model, FaceCropper):
        return True
    try:
        params = model.get_params(deep=True)
    except Exception:  # not a scikit-learn estimator: let predict try it
        return True
    return any(isinstance(value, FaceCropper) for value in params.values())


def _predict_error(exc):
    text = _one_line(exc)
    if text.startswith("No face found"):
        return "no face found"
    return text.split("): ", 1)[-1] if text.startswith("sample ") else text


def _predict_rows(model, scorer, files, classes):
    import numpy as np

    labels = model.predict(files)
    scores = None if scorer is None else np.asarray(getattr(model, scorer)(files))
    if scores is not None and scores.ndim == 1:  # binary decision_function
        scores = np.column_stack([-scores, scores])
    rows = []
    for i, f in enumerate(files):
        row = {"file": f, "label": str(labels[i]), "error": ""}
        if scores is not None:
            row.update({f"score_{c}": f"{scores[i, j]:.6g}" for j, c in enumerate(classes)})
        rows.append(row)
    return rows


def _parse_subsets(text, present):
    """``"a,b;c,d,e;all"`` -> list of tuples of canonical names (None for all)."""
    from itertools import combinations

    from ._emotions import parse_emotions

    if text is None:
        subsets = [tuple(pair) for pair in combinations(present, 2)]
        return subsets + ([None] if len(present) > 2 else [])
    subsets = []
    for chunk in (c.strip() for c in text.split(";")):
        if not chunk:
            continue
        if chunk.lower() == "all":
            subsets.append(None)
            continue
        try:
            subset = parse_emotions(chunk)
        except ValueError as exc:
            raise UsageError(f"--subsets: {_one_line(exc)}") from None
        missing = [e for e in subset if e not in present]
        if missing:
            raise UsageError(f"--subsets: no images labelled {', '.join(missing)} in the data "
                             f"(it has: {', '.join(present)})")
        if len(subset) < 2:
            raise UsageError(f"--subsets: {chunk!r} has one emotion; a subset needs at least two")
        subsets.append(subset)
    if not subsets:
        raise UsageError("--subsets: no subsets given")
    return subsets


def _float_list(text, option):
    try:
        values = [float(v) for v in _name_list(text)]
    except ValueError:
        raise UsageError(f"{option}: {text!r} is not a comma-separated list of numbers") from None
    if not values:
        raise UsageError(f"{option}: the list is empty")
    return values


def _cmd_search(args):
    import numpy as np
    from sklearn.model_selection import GridSearchCV

    from .model_selection import EmotionSubset

    name, factory = _pipeline(args)
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out: not a directory: {args.out}")
    _refuse_output_in_data(args, args.out, "--out")
    if args.what == "cascade" and args.no_detect:
        raise UsageError("--no-detect: a cascade search needs face detection")
    if args.what == "cascade":
        scale_factors = _float_list(args.scale_factors, "--scale-factors")
        if any(v <= 1 for v in scale_factors):
            raise UsageError("--scale-factors: every scale factor must be greater than 1")
        neighbors = _float_list(args.min_neighbors, "--min-neighbors")
        if any(v != int(v) or v < 0 for v in neighbors):
            raise UsageError("--min-neighbors: give whole numbers >= 0, e.g. 3,5")
        neighbors = [int(v) for v in neighbors]
        data, _ = _load_data(args)
        _check_enough(data)
        pipe = _full_pipeline(args, factory)
        step = pipe.steps[0][0]
        cropper = _make_cropper(args, _crop_step(pipe, name)).set_params(on_missing="full_image")
        if "n_jobs" in cropper.get_params():
            cropper.set_params(n_jobs=None)
        pipe.steps[0] = (step, cropper)
        X, y = list(data.images), np.asarray(data.target, dtype=object)
        groups = np.asarray(data.groups, dtype=object)
        grid = {f"{step}__scale_factor": scale_factors, f"{step}__min_neighbors": neighbors}
        estimator, scoring = pipe, "balanced_accuracy"
        score_name = "balanced accuracy"
    else:
        prep = _prepare(args)
        X, y, groups = prep.X, prep.y, prep.groups
        present = sorted(set(y.tolist()))
        grid = {"emotions": _parse_subsets(args.subsets, present)}
        estimator, scoring = EmotionSubset(factory(detect=False)), None
        score_name = "chance-adjusted balanced accuracy"
    _, splits = _splits(args, "grouped", X, y, groups)
    n_candidates = int(np.prod([len(v) for v in grid.values()]))
    _info(args, f"searching {_plural(n_candidates, 'candidate')} x "
                f"{_plural(len(splits), 'subject-grouped split')} "
                f"({_plural(n_candidates * len(splits), 'fit')})")
    search = GridSearchCV(estimator, grid, cv=splits, scoring=scoring, n_jobs=args.n_jobs,
                          refit=False, error_score="raise")
    with _fit_errors(name, splits, args.test_size):
        search.fit(X, y, groups=groups)
    res = search.cv_results_
    order = np.argsort(res["rank_test_score"], kind="stable")
    keys = list(grid)
    table = []
    for i in order:
        params = {k: res["params"][i][k] for k in keys}
        shown = {k.split("__")[-1]: ("all" if v is None else ",".join(v) if isinstance(v, tuple)
                                     else v) for k, v in params.items()}
        table.append({"rank": int(res["rank_test_score"][i]), **shown,
                      "mean": float(res["mean_test_score"][i]),
                      "std": float(res["std_test_score"][i])})
    cols = list(table[0])
    cells = [[f"{r[c]:.3f}" if c in ("mean", "std") else str(r[c]) for c in cols]
             for r in table]
    widths = [max(len(c), *(len(row[j]) for row in cells)) for j, c in enumerate(cols)]
    print(f"{name}: {score_name}, {_plural(len(splits), 'subject-grouped split')}, test size "
          f"{args.test_size:g}")
    print("  ".join(c.ljust(w) for c, w in zip(cols, widths)).rstrip())
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())
    if args.out is not None:
        _write_table(args.out, "search", table, {"pipeline": name, "what": args.what,
                                                 "score": score_name, "splits": len(splits)})
    return 0


def _write_table(out, stem, table, meta):
    import csv
    import json

    out.mkdir(parents=True, exist_ok=True)
    with open(out / f"{stem}.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    (out / f"{stem}.json").write_text(json.dumps({**meta, "results": table}, indent=2) + "\n",
                                      encoding="utf-8")


def _cmd_difficult(args):
    name, factory = _pipeline(args)
    if args.out_dir.exists() and not args.out_dir.is_dir():
        raise UsageError(f"OUT_DIR is not a directory: {args.out_dir}")
    _refuse_output_in_data(args, args.out_dir, "OUT_DIR")
    prep = _prepare(args, template=_crop_step(_full_pipeline(args, factory), name))
    _, splits = _splits(args, "grouped", prep.X, prep.y, prep.groups)
    _info(args, f"{name}: {_plural(len(splits), 'subject-grouped split')} on "
                f"{len(prep.y)} face crops")
    with _fit_errors(name, splits, args.test_size):
        result = _find_difficult(args, factory(detect=False), prep.X, prep, splits)
    csv_path = _write_difficult(result, prep.X, args.out_dir,
                                min_error_rate=args.min_error_rate)
    print(result)
    print(f"wrote {csv_path} and the crops of the misclassified images")
    return 0


def _find_difficult(args, model, X, prep, splits, desc="difficult images"):
    """``find_difficult_images`` over ``splits``, a few splits at a time for the progress bar."""
    import numpy as np
    from joblib import effective_n_jobs

    from .model_selection import DifficultImages, find_difficult_images

    step = max(1, effective_n_jobs(args.n_jobs))
    parts = []
    with progress_bar(len(splits), desc, enabled=_bars_enabled(args)) as bar:
        for start in range(0, len(splits), step):
            chunk = splits[start:start + step]
            parts.append(find_difficult_images(model, X, prep.y, groups=prep.groups,
                                               filenames=prep.filenames, cv=chunk,
                                               n_jobs=args.n_jobs))
            bar.update(len(chunk))
    first = parts[0]
    offsets = np.cumsum([0] + [p.n_splits for p in parts[:-1]])
    return DifficultImages(
        y_true=first.y_true, groups=first.groups, filenames=first.filenames,
        split=np.concatenate([p.split + off for p, off in zip(parts, offsets)]),
        index=np.concatenate([p.index for p in parts]),
        predicted=np.concatenate([p.predicted for p in parts]),
        n_splits=len(splits),
    )


def _full_pipeline(args, factory):
    """A named pipeline with its FaceCropper, built for ``--crop-size`` when given.

    The size goes to the factory (not only to the cropper) because later steps may
    be built for it (e.g. a classifier's ``image_shape``).
    """
    size = getattr(args, "crop_size", None)
    return factory(detect=True, **({"output_size": tuple(size)} if size else {}))


# ---------------------------------------------------------------------------
# The parser
# ---------------------------------------------------------------------------

EPILOG = """\
examples:
  skemotion evaluate                         the main job on the embedded London set
  skemotion evaluate --ckplus ~/CK+ --emotions anger,happy,sadness --out report/
  skemotion describe --ckplus ~/CK+          classes, subjects and image sizes of CK+
  skemotion organize ~/CK+ sorted_set/       CK+ into the tutorial's sorted folders
  skemotion crop sorted_set/ crops/          face crops and a detection report
  skemotion train --out model.skops          train on London, save the model
  skemotion predict model.skops a.jpg b.png  a CSV of file, label, scores

Run 'skemotion COMMAND --help' for the options and an example of each command.
"""


def _add_no_detect(parser):
    parser.add_argument(
        "--no-detect", action="store_true",
        help="the images are face crops already (e.g. 48 or 128 px CK+ crops): no face "
             "detection, only gray and resized to the crop size (each pipeline's own, "
             "or --crop-size)")


def _add(sub, name, func, *, help, description, example, parents=()):
    p = sub.add_parser(
        name,
        help=help,
        description=description,
        epilog="example:\n" + example,
        formatter_class=_Formatter,
        parents=list(parents),
    )
    p.set_defaults(func=func)
    return p


def build_parser():
    """Return the argument parser of the ``skemotion`` command."""
    parser = _Parser(
        prog="skemotion",
        description="Facial emotion recognition with OpenCV face detection and Fisherfaces, "
        "evaluated without subject leakage.",
        epilog=EPILOG,
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"skemotion {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    data, run, run_no_cv = _data_parent(), _run_parent(), _run_parent(cv=False)

    _add(
        sub, "describe", _cmd_describe,
        help="summarise a dataset (classes, subjects, image sizes)",
        description="Summarise a dataset: images per class, subjects, images per subject, "
        "image sizes. Without data options: the embedded London set.",
        example="  skemotion describe --ckplus ~/CK+ --emotions anger,happy,surprise",
        parents=[data],
    )

    p = _add(
        sub, "organize", _cmd_organize,
        help="sort CK+ into the tutorial's OUT_DIR/<emotion>/ folders",
        description="Copy the labelled CK+ peak (and neutral) frames into the sorted layout "
        "OUT_DIR/<emotion>/<file> that the tutorial's sorted_set/ uses. Writes only inside "
        "OUT_DIR and refuses to overwrite different files.",
        example="  skemotion organize ~/CK+ sorted_set/ --neutral per_subject",
        parents=[],
    )
    p.add_argument("ckplus_root", metavar="CKPLUS_ROOT", type=Path, help="the CK+ root folder")
    p.add_argument("out_dir", metavar="OUT_DIR", type=Path,
                   help="where to write the sorted folders")
    p.add_argument("--neutral", choices=("first", "per_subject", "none"), default="first",
                   help="neutral images: one per labelled sequence (the tutorial), one per "
                        "subject, or none (default: %(default)s)")
    p.add_argument("--emotions", metavar="LIST", help="copy only these emotions, e.g. anger,happy")
    p.add_argument("--quiet", "-q", action="store_true",
                   help="no warning about files in OUT_DIR that this run did not write")

    crop = _crop_parent()
    p = _add(
        sub, "evaluate", _cmd_evaluate,
        help="the main job: compare all pipelines under both protocols",
        description="Load the data, crop the faces once, and evaluate every named pipeline "
        "(skemotion.pipelines.PIPELINES) under the tutorial's protocol (StratifiedShuffleSplit: "
        "the same person can be in training and test) and under subject-grouped splits "
        "(StratifiedGroupShuffleSplit: nobody is on both sides). Prints the table; with --out "
        "writes a Markdown and JSON report with plots.",
        example="  skemotion evaluate\n"
        "  skemotion evaluate --ckplus ~/CK+ --emotions anger,happy,sadness,surprise "
        "--n-jobs 2 --out report/",
        parents=[data, crop, _cv_parent(), run],
    )
    p.add_argument("--pipelines", metavar="LIST", type=_name_list,
                   help="comma-separated pipeline names (default: all of them)")
    _add_no_detect(p)
    p.add_argument("--out", metavar="DIR", type=Path,
                   help="write report.md, report.json and the plots into DIR")
    p.add_argument("--cross-dataset", action="store_true",
                   help="with several data sources: also train on all but one and test on the "
                        "one left out, for every source (a train -> test table)")

    p = _add(
        sub, "crop", _cmd_crop,
        help="write face crops of a folder of images and a detection report",
        description="Find the face in every image under INPUT (recursively) and write the "
        "gray crops as PNG under OUT_DIR, mirroring INPUT's folders, plus "
        "OUT_DIR/detections.csv (file, whether and where a face was found, which cascade). "
        "Images without a face are listed in the report and not written (with --on-missing "
        "full_image: written as the whole image). A crop is named after its image with the "
        "suffix .png (a/photo.jpg -> OUT_DIR/a/photo.png); inputs that would share a crop "
        "name (photo.jpg and photo.png) or a crop that would replace an input image are "
        "errors, found before anything is written.",
        example="  skemotion crop sorted_set/ dataset/ --crop-size 350",
        parents=[crop, run_no_cv],
    )
    p.add_argument("input", metavar="INPUT", type=Path, help="an image file or a folder of images")
    p.add_argument("out_dir", metavar="OUT_DIR", type=Path, help="where to write the crops")
    p.add_argument("--on-error", choices=("raise", "skip"), default="raise",
                   help="image files that cannot be read: stop with an error naming the file, "
                        "or skip them (listed in a warning and, with the reason, in the error "
                        "column of detections.csv) (default: %(default)s)")

    p = _add(
        sub, "train", _cmd_train,
        help="train a pipeline on all the data and save it as a model file",
        description="Fit a named pipeline (face detection included) on all the data and save "
        "it with skemotion.save_model (skops format), ready for 'skemotion predict'.",
        example="  skemotion train --out happy.skops --pipeline fisherface",
        parents=[data, crop, run_no_cv],
    )
    p.add_argument("--out", metavar="MODEL", type=Path, required=True,
                   help="the model file to write (e.g. model.skops)")
    p.add_argument("--pipeline", metavar="NAME", default=None,
                   help=f"pipeline name (default: {DEFAULT_PIPELINE})")

    p = _add(
        sub, "predict", _cmd_predict,
        help="predict the emotion of image files with a saved model",
        description="Load a model file written by 'skemotion train' and write a CSV with "
        "one row per image: file, label, one score column per class (the model's "
        "predict_proba, else decision_function: scores, not calibrated probabilities), and an "
        "error column for images that could not be used (e.g. no face found). Exit code 1 "
        "when no image could be classified (the CSV is still written), 2 for a usage error.",
        example="  skemotion predict happy.skops photos/*.jpg --out predictions.csv",
        parents=[run_no_cv],
    )
    p.add_argument("model", metavar="MODEL", type=Path, help="a model file from 'skemotion train'")
    p.add_argument("images", metavar="IMAGES", type=Path, nargs="+",
                   help="image files, or folders (searched recursively)")
    p.add_argument("--out", metavar="FILE", type=Path, help="write the CSV here (default: stdout)")
    p.add_argument("--trust", action="store_true",
                   help="load a joblib/pickle model file (runs code from the file: only for "
                        "files you made yourself)")

    p = _add(
        sub, "search", _cmd_search,
        help="grid searches over emotion subsets or face detection parameters",
        description="GridSearchCV with subject-grouped splits. 'emotions': which emotion "
        "subsets a pipeline separates best (EmotionSubset; scores are chance-adjusted "
        "balanced accuracy, 0 = chance, 1 = perfect, so subsets of different sizes compare). "
        "'cascade': the pipeline's FaceCropper scale factor and min neighbours on the raw "
        "images (where a setting finds no face the whole image is used, which costs accuracy); "
        "give --cache so each detection runs once across splits.",
        example="  skemotion search emotions --ckplus ~/CK+ "
        "--subsets 'anger,happy;happy,sadness,surprise;all'\n"
        "  skemotion search cascade --scale-factors 1.05,1.1,1.3 --min-neighbors 3,5 "
        "--cache cache/",
        parents=[data, crop, _cv_parent(splits_default=5), run],
    )
    p.add_argument("what", choices=("emotions", "cascade"), help="what to search over")
    _add_no_detect(p)
    p.add_argument("--pipeline", metavar="NAME", default=None,
                   help=f"pipeline name (default: {DEFAULT_PIPELINE})")
    p.add_argument("--subsets", metavar="A,B;C,D,E",
                   help="emotion subsets separated by ';' ('all': every emotion); default: "
                        "every pair of emotions in the data, and all of them")
    p.add_argument("--scale-factors", metavar="LIST", default="1.05,1.1,1.2",
                   help="cascade scale factors to try (default: %(default)s)")
    p.add_argument("--min-neighbors", metavar="LIST", default="3,5",
                   help="cascade min neighbours to try (default: %(default)s)")
    p.add_argument("--out", metavar="DIR", type=Path,
                   help="write search.csv and search.json (cv_results_) into DIR")

    p = _add(
        sub, "difficult", _cmd_difficult,
        help="find the images a pipeline gets wrong most often",
        description="Across repeated subject-grouped splits, count how often each image is "
        "misclassified and as what; write OUT_DIR/difficult.csv and the crops named "
        "<true>_<predicted>_<id>.png into OUT_DIR (the tutorial's difficult/ folder, "
        "aggregated over all splits).",
        example="  skemotion difficult difficult/ --pipeline fisherface --splits 10",
        parents=[data, crop, _cv_parent(), run],
    )
    p.add_argument("out_dir", metavar="OUT_DIR", type=Path, help="the folder to write into")
    p.add_argument("--pipeline", metavar="NAME", default=None,
                   help=f"pipeline name (default: {DEFAULT_PIPELINE})")
    _add_no_detect(p)
    p.add_argument("--min-error-rate", metavar="F", type=_rate, default=0.0,
                   help="write only images wrong in at least this share of the splits that "
                        "tested them (default: every image wrong at least once)")
    return parser


@contextlib.contextmanager
def _one_line_warnings(command):
    """Library warnings printed as ``skemotion COMMAND: warning: ...`` on one line.

    Python's default shows a warning with the file, line and source of the code that
    triggered it; on the command line that is the console script itself
    (``sys.exit(main())``), which tells the user nothing.
    """
    import warnings

    def show(message, category, filename, lineno, file=None, line=None):
        _print_warning(command, _one_line(message))

    environment = os.environ.get("PYTHONWARNINGS")  # for worker processes, see above
    try:
        with warnings.catch_warnings():
            warnings.showwarning = show
            yield
    finally:
        if environment is None:
            os.environ.pop("PYTHONWARNINGS", None)
        else:
            os.environ["PYTHONWARNINGS"] = environment


def _thread_limit(args):
    """``--n-jobs 1`` means one thread, in the numerical libraries (BLAS, OpenMP) and
    OpenCV too.

    BLAS and OpenMP start a thread per core by default; in a single process on a busy
    machine that made a logistic regression's fit up to 60 times slower (a helper's
    measurement, session 5). Worker processes (``--n-jobs 2`` or more) are capped by
    joblib already, and a Dask cluster's workers are not ours to limit.
    """
    if getattr(args, "n_jobs", None) != 1 or getattr(args, "scheduler", None):
        return contextlib.nullcontext()
    import cv2
    from threadpoolctl import threadpool_limits

    stack = contextlib.ExitStack()
    stack.enter_context(threadpool_limits(limits=1))
    stack.callback(cv2.setNumThreads, cv2.getNumThreads())  # OpenCV's own pool, restored
    cv2.setNumThreads(1)
    return stack


def main(argv=None):
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = None if argv is None else [str(a) for a in argv]
    if getattr(args, "func", None) is None:
        # a missing command is a usage mistake (exit 2, like argparse's own errors); the
        # help goes to stderr so that nothing lands in a pipe expecting a command's output
        parser.print_help(sys.stderr)
        print("skemotion: error: a command is required (see the list above)", file=sys.stderr)
        return 2
    if "n_jobs" in args and args.n_jobs is None:
        args.n_jobs = -1
    try:
        # connect to a Dask scheduler (--scheduler) first: a wrong address fails fast
        with _one_line_warnings(args.command), _Backend(args), _thread_limit(args):
            return args.func(args)
    except UsageError as exc:
        print(f"skemotion {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"skemotion {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. "skemotion predict ... | head": not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
