"""Shared pieces of the dataset loaders: the data home and the Bunch they return."""

from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

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
