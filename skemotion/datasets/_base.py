"""Shared pieces of the dataset loaders: the data home and the Bunch they return."""

import os
import re
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ..utils._image_io import is_hidden_or_clutter, read_image
from ..utils._warnings import warn_caller

#: Folder inside the package that holds the embedded datasets.
DATA_HOME = Path(__file__).resolve().parent / "data"


def make_dataset_bunch(*, images, filenames, target, groups, descr, return_X_y=False, **extra):
    """Build the Bunch every loader returns (or ``(images, target)`` with ``return_X_y``).

    ``target`` and ``groups`` become object arrays of strings, ``filenames`` an
    array of strings; ``target_names`` is the sorted set of labels. Extra keyword
    arguments (``sequences``, ``frames``...) are stored as they are.
    """
    n = len(images)
    for name, values in (("filenames", filenames), ("target", target)):
        if len(values) != n:
            raise ValueError(f"{name} has {len(values)} entries for {n} images.")
    if groups is not None and len(groups) != n:
        raise ValueError(f"groups has {len(groups)} entries for {n} images.")
    target = np.asarray(list(target), dtype=object)
    if return_X_y:
        return list(images), target
    return Bunch(
        images=list(images),
        filenames=np.asarray([str(f) for f in filenames], dtype=object),
        target=target,
        target_names=np.asarray(sorted(set(target.tolist())), dtype=object),
        groups=None if groups is None else np.asarray([str(g) for g in groups], dtype=object),
        DESCR=descr,
        **extra,
    )


def natural_key(name):
    """Sort key that orders ``"S5" < "S10"`` and ``"img2" < "img10"`` (digits as numbers)."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part.lower())
            for part in re.split(r"(\d+)", str(name)) if part]


def scan_folder(path, *, sort=True):
    """List a folder once: ``(subfolders, files)`` as lists of ``(name, path)``.

    Hidden entries and clutter files (``.DS_Store``, ``Thumbs.db``, ``desktop.ini``)
    are left out. Names are sorted with :func:`natural_key` unless ``sort=False``
    (directory order, for callers that sort by something else).
    """
    dirs, files = [], []
    with os.scandir(path) as it:
        for entry in it:
            if is_hidden_or_clutter(entry.name):
                continue
            (dirs if entry.is_dir() else files).append((entry.name, entry.path))
    if sort:
        dirs.sort(key=lambda item: natural_key(item[0]))
        files.sort(key=lambda item: natural_key(item[0]))
    return dirs, files


def check_emotions_found(wanted, labels, source):
    """Error when no image has a requested emotion, warning when some requested emotions
    have none; ``labels`` are the labels available before the emotion filter."""
    present = sorted(set(labels))
    missing = [e for e in wanted if e not in present]
    if not missing:
        return
    has = f" (it has: {', '.join(present) or 'no images'})"
    if len(missing) == len(wanted):
        raise ValueError(f"No images labelled {', '.join(missing)} in {source}{has}.")
    warn_caller(f"No images labelled {', '.join(missing)} in {source}{has}; "
                f"keeping only {', '.join(e for e in wanted if e not in missing)}.")


def check_root(root, *, what):
    """Return ``root`` as an absolute :class:`~pathlib.Path`, or raise naming it.

    ``what`` describes the expected folder in the message (``"CK+ root folder"``).
    """
    path = Path(os.fspath(root)).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"{what} not found: {path}")
    if not path.is_dir():
        raise NotADirectoryError(f"{what} is not a folder: {path}")
    return path.resolve()


def read_images(paths, *, on_error="raise"):
    """Decode image files with :func:`skemotion.read_image`.

    Parameters
    ----------
    paths : sequence of path-like
    on_error : {"raise", "skip"}
        ``"raise"``: the first file that cannot be decoded raises ``ValueError``
        naming it. ``"skip"``: such files are left out; one ``UserWarning`` lists
        every skipped file with the reason.

    Returns
    -------
    images : list of ndarray
        The decoded images, in order, without the skipped ones.
    kept : list of int
        Index in ``paths`` of each returned image.
    skipped : list of str
        The skipped files.
    """
    images, kept, skipped, reasons = read_images_quietly(paths, on_error=on_error)
    warn_skipped(reasons)
    return images, kept, skipped


def read_images_quietly(paths, *, on_error="raise"):
    """:func:`read_images` without the warning: also returns the reasons, one per
    skipped file, for one :func:`warn_skipped` after several reads."""
    images, kept, skipped, reasons = [], [], [], []
    for i, path in enumerate(paths):
        try:
            images.append(read_image(path))
        except (ValueError, OSError) as exc:
            if on_error == "raise":
                raise
            skipped.append(str(path))
            reasons.append(str(exc))
            continue
        kept.append(i)
    return images, kept, skipped, reasons


def warn_skipped(reasons):
    """The one ``UserWarning`` listing the files skipped with ``on_error="skip"``, one
    reason each (none: no warning)."""
    if reasons:
        listing = "\n".join(f"  {reason}" for reason in reasons)
        warn_caller(
            f"Skipped {len(reasons)} image file(s) that could not be read "
            f"(on_error='skip'):\n{listing}"
        )


def keep_referenced(found, *, none_found):
    """The samples that have a neutral reference (the loaders' ``references=True``).

    Parameters
    ----------
    found : sequence
        Per sample, its ``(reference_image, reference_path)``, or, where it has none, a
        line naming the sample and why.
    none_found : str
        The ``ValueError`` message when no sample has a reference.

    Returns
    -------
    kept : list of int
        Index in ``found`` of each sample with a reference; the others are left out
        with one ``UserWarning`` listing them.
    references, reference_paths : list
        Their reference images and paths, in the same order.
    """
    kept, references, reference_paths, without = [], [], [], []
    for i, item in enumerate(found):
        if isinstance(item, str):
            without.append(f"  {item}")
            continue
        kept.append(i)
        references.append(item[0])
        reference_paths.append(item[1])
    if without:
        warn_caller(f"Left out {len(without)} sample(s) without a neutral reference "
                    "(references=True):\n" + "\n".join(without))
    if not kept:
        raise ValueError(none_found)
    return kept, references, reference_paths
