"""What a benchmark run was: skemotion version and commit, the library versions, the machine
(one line), so that every recorded run in benchmarks/README.md says what produced it."""

import argparse
import os
import platform
import subprocess
from pathlib import Path


def positive_int(text):
    """argparse type: a whole number >= 1 (``--splits``, ``--threads``)."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be a positive integer")
    return value


def benchmark_parser(doc, example):
    """The argument parser of a benchmark script: the first line of its docstring ``doc``
    as the description, ``example`` (a whole command line) shown under the options."""
    return argparse.ArgumentParser(description=doc.splitlines()[0], epilog=f"example: {example}")


def add_splits_option(parser, what):
    """``--splits``: how many splits (``what``, e.g. "subject-grouped 80/20 splits"),
    a positive whole number, 10 by default."""
    parser.add_argument("--splits", type=positive_int, default=10, help=f"{what} (default 10)")


def run_header(n_images, n_subjects, extra=""):
    """``skemotion X (commit <hash>), Python 3.x, numpy, scikit-learn, OpenCV versions, arch,
    cores, load average at the start; London set: N images, M subjects``."""
    import cv2
    import numpy
    import sklearn

    import skemotion

    root = Path(__file__).resolve().parents[1]  # pathspecs below are relative to it
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, cwd=root).stdout.strip()
        # edited code anywhere in the repository (not edited docs or results) makes the
        # commit an incomplete record
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--",
                                "*.py", "pyproject.toml"],
                               capture_output=True, text=True, cwd=root).stdout.strip()
    except OSError:
        commit, dirty = "", ""
    load = (f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "")
    if commit and dirty:
        commit += " + uncommitted changes"
    return (f"skemotion {skemotion.__version__} (commit {commit or '?'}), Python "
            f"{platform.python_version()}, numpy {numpy.__version__}, scikit-learn "
            f"{sklearn.__version__}, OpenCV {cv2.__version__}, {platform.machine()}, "
            f"{os.cpu_count()} cores{load}; London set: {n_images} images, {n_subjects} "
            f"subjects{extra}")
