"""The parser and :func:`main`: every command's subparser, one-line errors and
warnings, ``--n-jobs 1`` as one thread, ``--scheduler``'s Dask backend."""

import argparse
import contextlib
import os
import sys

from .. import __version__
from . import (_calibrate, _crop, _describe, _difficult, _evaluate, _organize, _predict,
               _search, _train, _watch)
from ..faces._cascades import OpenCVFeatureMissingError
from ._base import _Formatter, _one_line, _print_warning, UsageError


#: The commands, in the order ``skemotion --help`` lists them.
COMMANDS = (_describe, _organize, _evaluate, _crop, _train, _predict, _search, _difficult,
            _watch, _calibrate)

EPILOG = """\
examples:
  skemotion evaluate                         the main job on the embedded London set
  skemotion evaluate --ckplus ~/CK+ --emotions anger,happy,sadness --out report/
  skemotion describe --ckplus ~/CK+          classes, subjects and image sizes of CK+
  skemotion organize ~/CK+ sorted_set/       CK+ into the tutorial's sorted folders
  skemotion crop sorted_set/ crops/          face crops and a detection report
  skemotion train --out model.skops          train on London, save the model
  skemotion predict model.skops a.jpg b.png  a CSV of file, label, scores
  skemotion watch 0 --model model.skops      live emotions of the faces on webcam 0

Run 'skemotion COMMAND --help' for the options and an example of each command.
"""


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad command line gives one line on stderr (and exit code 2)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {_one_line(message)} (see '{self.prog} --help')\n")


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
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(subparsers)
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
    machine that made a logistic regression's fit up to 60 times slower (measured on
    the 2-core development machine). Worker processes (``--n-jobs 2`` or more) are capped by
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
        from ..model_selection import dask_backend

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
    except OpenCVFeatureMissingError as exc:  # an OpenCV without cascade files: what to install
        print(f"skemotion {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"skemotion {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. "skemotion predict ... | head": not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
