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
