"""The ``skemotion`` command line: a thin layer over the library.

Each subcommand is a function ``_cmd_<name>(args)``; user mistakes raise
:class:`UsageError`, which :func:`main` prints as one line and exits with code 2.
"""

import argparse
import sys

from . import __version__


class UsageError(Exception):
    """A mistake in the command line or its inputs (bad path, unknown emotion...)."""


EPILOG = """\
examples:
  skemotion describe                 summarise the embedded London set
"""


def _cmd_describe(args):
    from .datasets import describe_dataset, load_frl_london

    print(describe_dataset(load_frl_london(), name="Face Research Lab London Set"))
    return 0


def build_parser():
    """Return the argument parser of the ``skemotion`` command."""
    parser = argparse.ArgumentParser(
        prog="skemotion",
        description="Facial emotion recognition with OpenCV face detection and Fisherfaces.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"skemotion {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "describe",
        help="summarise a dataset (classes, subjects, image sizes)",
        description="Summarise a dataset: counts per class, subjects, image sizes.",
        epilog="example:\n  skemotion describe",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(func=_cmd_describe)
    return parser


def main(argv=None):
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"skemotion {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
