"""What a benchmark run was: skemotion version and commit, Python, machine (one line)."""

import argparse
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
    """``skemotion X (commit abc1234), Python 3.x, arch; London set: N images, M subjects``."""
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
    if commit and dirty:
        commit += " + uncommitted changes"
    return (f"skemotion {skemotion.__version__} (commit {commit or '?'}), Python "
            f"{platform.python_version()}, {platform.machine()}; London set: {n_images} "
            f"images, {n_subjects} subjects{extra}")
