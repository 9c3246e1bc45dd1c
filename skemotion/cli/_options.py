"""Argument types (checked by argparse: one-line errors) and the option groups that
several commands share (data, face cropping, running, cross-validation)."""

import argparse
from pathlib import Path


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


def _positive_seconds(text):
    value = _converted(text, float, "a number of seconds")
    if not (value > 0 and value < float("inf")):
        raise argparse.ArgumentTypeError(f"{text} is not a number of seconds > 0")
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
    from ..faces._cropper import MAX_OUTPUT_SIDE

    if len(values) != 2 or min(values) < 8 or max(values) > MAX_OUTPUT_SIDE:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give N or HxW with sides from 8 to {MAX_OUTPUT_SIDE} pixels "
            "(FaceCropper's limit)")
    return values


def _name_list(text):
    return [p.strip() for p in text.split(",") if p.strip()]


def _data_parent():
    parent = argparse.ArgumentParser(add_help=False)
    g = parent.add_argument_group("data (default: the embedded London set, neutral vs happy)")
    g.add_argument("--ckplus", metavar="PATH", type=Path, action=_Once,
                   help="a CK+ root (cohn-kanade-images/ + Emotion/, or source_images/ + "
                        "source_emotion/)")
    g.add_argument("--folder", metavar="PATH", type=Path, action="append",
                   help="a sorted folder PATH/<emotion>/<images>; repeat to merge several, "
                        "combine with --ckplus to merge with CK+")
    g.add_argument("--london", action="store_true",
                   help="also use the embedded London set as a data source, beside --ckplus "
                        "or --folder (e.g. evaluate --ckplus PATH --london --emotions "
                        "neutral,happy --cross-dataset: trained on CK+, tested on London and "
                        "the other way round); without them it is the default data anyway")
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
    _add_detector(g)
    return parent


def _add_detector(group, default_help="each pipeline's own: YuNet, the tutorial's Haar "
                                      "cascades for fisherface and pca_lda; YuNet for "
                                      "'crop'"):
    """``--detector {yunet,haar}``: the face detector (None: keep the cropper's own)."""
    group.add_argument("--detector", choices=("yunet", "haar"), default=None,
                       help="face detector: YuNet (OpenCV's CNN: faces from ~40 px, turned "
                            "heads) or the tutorial's Haar cascades (default: "
                            f"{default_help})")


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


def _add_no_detect(parser):
    parser.add_argument(
        "--no-detect", action="store_true",
        help="the images are face crops already (e.g. 48 or 128 px CK+ crops): no face "
             "detection, only gray and resized to the crop size (each pipeline's own, "
             "or --crop-size)")
