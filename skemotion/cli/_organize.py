"""``skemotion organize``: CK+ copied into the tutorial's sorted ``OUT_DIR/<emotion>/`` folders."""

from pathlib import Path

from ._base import add_command, _one_line, UsageError
from ._paths import _check_dir


def add_parser(subparsers):
    p = add_command(
        subparsers, "organize", run,
        help="sort CK+ into the tutorial's OUT_DIR/<emotion>/ folders",
        description="Copy the labelled CK+ peak (and neutral) frames into the sorted layout "
        "OUT_DIR/<emotion>/<file> that the tutorial's sorted_set/ uses. Writes only inside "
        "OUT_DIR and refuses to overwrite different files.",
        example="  skemotion organize ~/CK+ sorted_set/ --neutral per_subject",
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


def run(args):
    import warnings

    from .._emotions import parse_emotions
    from ..datasets import organize_ckplus

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
