"""Difficult images: which images are misclassified how often over repeated splits, and as what."""

import csv
import numbers
import os
import re
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.model_selection import StratifiedShuffleSplit, check_cv
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import HasMethods, Interval, validate_params
from sklearn.utils.validation import _num_samples, column_or_1d

from ..utils._validation import to_uint8
from ._split import StratifiedGroupShuffleSplit, _uses_groups

#: Columns of the per-image table (``DifficultImages.records()`` and the CSV).
DIFFICULT_COLUMNS = (
    "id",
    "file",
    "subject",
    "true",
    "predicted_as",
    "n_tested",
    "n_wrong",
    "error_rate",
    "wrong_as",
    "image",
)


def _fit_predict(estimator, X, y, train, test):
    est = clone(estimator).fit(_safe_indexing(X, train), y[train])
    return np.asarray(est.predict(_safe_indexing(X, test)))


class DifficultImages:
    """Per-image misclassification counts over repeated splits (from :func:`find_difficult_images`).

    Attributes
    ----------
    y_true : ndarray of shape (n_samples,)
        True labels.
    groups : ndarray or None
        Subject ids.
    filenames : ndarray or None
        Source files.
    split, index, predicted : ndarray
        Long format, one entry per (split, test image): the split number, the
        sample index and the predicted label.
    classes : list
        Sorted class set.

    Examples
    --------
    Returned by :func:`find_difficult_images`:

    >>> import numpy as np
    >>> from sklearn.dummy import DummyClassifier
    >>> from skemotion.model_selection import find_difficult_images
    >>> y = np.array(["happy"] * 6 + ["neutral"] * 4)
    >>> result = find_difficult_images(DummyClassifier(), np.zeros((10, 2)), y,
    ...                                groups=np.arange(10))
    >>> {row["true"] for row in result.records()}   # the minority class is always wrong
    {'neutral'}
    >>> result.records()[0]["error_rate"]
    1.0
    """

    def __init__(self, *, y_true, groups, filenames, split, index, predicted, n_splits):
        self.y_true = y_true
        self.groups = groups
        self.filenames = filenames
        self.split = split
        self.index = index
        self.predicted = predicted
        self.n_splits = n_splits
        self.classes = np.unique(np.concatenate([y_true, predicted])).tolist()

    def records(self, *, min_error_rate=0.0, include_correct=False):
        """Per-image rows, hardest first.

        Parameters
        ----------
        min_error_rate : float, default=0.0
            Keep images misclassified in at least this share of the splits that tested them.
        include_correct : bool, default=False
            Also list images that were never misclassified (and images never tested).

        Returns
        -------
        list of dict
            Keys as :data:`DIFFICULT_COLUMNS` except ``image``: ``id`` (sample index),
            ``file``, ``subject``, ``true``, ``predicted_as`` (most frequent wrong label,
            "" if none), ``n_tested``, ``n_wrong``, ``error_rate`` (``n_wrong / n_tested``)
            and ``wrong_as`` (``"label:count;..."``).
        """
        n = len(self.y_true)
        n_tested = np.bincount(self.index, minlength=n)
        wrong = self.predicted != self.y_true[self.index]
        n_wrong = np.bincount(self.index[wrong], minlength=n)
        wrong_as = [Counter() for _ in range(n)]
        for i, p in zip(self.index[wrong], self.predicted[wrong]):
            wrong_as[i][str(p)] += 1
        rows = []
        for i in range(n):
            rate = n_wrong[i] / n_tested[i] if n_tested[i] else float("nan")
            if not include_correct and n_wrong[i] == 0:
                continue
            if n_tested[i] and rate < min_error_rate:
                continue
            common = sorted(wrong_as[i].items(), key=lambda kv: (-kv[1], kv[0]))
            rows.append(
                {
                    "id": i,
                    "file": "" if self.filenames is None else str(self.filenames[i]),
                    "subject": "" if self.groups is None else str(self.groups[i]),
                    "true": str(self.y_true[i]),
                    "predicted_as": common[0][0] if common else "",
                    "n_tested": int(n_tested[i]),
                    "n_wrong": int(n_wrong[i]),
                    "error_rate": float(rate),
                    "wrong_as": ";".join(f"{k}:{v}" for k, v in common),
                }
            )
        # hardest first; never-tested images (error_rate NaN) last
        rows.sort(key=lambda r: (-np.nan_to_num(r["error_rate"], nan=-1.0), -r["n_wrong"], r["id"]))
        return rows

    def to_frame(self, **kwargs):
        """:meth:`records` as a :class:`pandas.DataFrame` (requires pandas).

        Parameters
        ----------
        **kwargs
            Passed to :meth:`records`.

        Returns
        -------
        pandas.DataFrame
        """
        import pandas as pd

        return pd.DataFrame(self.records(**kwargs), columns=list(DIFFICULT_COLUMNS[:-1]))

    def confusion_matrix(self, *, normalize=None):
        """Confusion matrix summed over every (split, test image) prediction.

        Parameters
        ----------
        normalize : {"true", "pred", "all"} or None, default=None
            As in :func:`sklearn.metrics.confusion_matrix`.

        Returns
        -------
        cm : ndarray of shape (n_classes, n_classes)
            Rows are true labels, columns predicted labels, in :attr:`classes` order.
        """
        from sklearn.metrics import confusion_matrix

        return confusion_matrix(
            self.y_true[self.index], self.predicted, labels=self.classes, normalize=normalize
        )

    def accuracy(self):
        """Share of all (split, test image) predictions that are right.

        Returns
        -------
        float
        """
        return float(np.mean(self.predicted == self.y_true[self.index]))

    def __str__(self):
        rows = self.records()
        lines = [
            f"{len(rows)} of {len(self.y_true)} images misclassified at least once "
            f"over {self.n_splits} splits (overall accuracy {self.accuracy():.3f})."
        ]
        for r in rows[:10]:
            where = r["file"] or f"sample {r['id']}"
            lines.append(
                f"  {r['n_wrong']}/{r['n_tested']}  {r['true']} -> {r['predicted_as']}"
                f"  subject {r['subject'] or '-'}  {where}"
            )
        if len(rows) > 10:
            lines.append(f"  ... {len(rows) - 10} more")
        return "\n".join(lines)

    def __repr__(self):
        return f"<DifficultImages: {len(self.y_true)} images, {self.n_splits} splits>"


@validate_params(
    {
        "estimator": [HasMethods(["fit", "predict"])],
        "X": ["array-like", list],
        "y": ["array-like"],
        "groups": ["array-like", None],
        "filenames": ["array-like", None],
        "cv": ["cv_object", "array-like"],
        "n_jobs": [numbers.Integral, None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=False,
)
def find_difficult_images(
    estimator, X, y, *, groups=None, filenames=None, cv=None, n_jobs=None, random_state=0
):
    """Find the images a model gets wrong, aggregated over repeated splits.

    The tutorial wrote each misclassified test image of one run to a
    ``difficult/`` folder; this counts, for every image, how many of the
    splits that tested it got it wrong and what they answered instead.

    Parameters
    ----------
    estimator : classifier
        Unfitted model (cloned for every split).
    X : array-like or list of images
        Samples.
    y : array-like of shape (n_samples,)
        Labels.
    groups : array-like of shape (n_samples,), default=None
        Subject ids: used by the default splitter and reported per image.
    filenames : array-like of shape (n_samples,), default=None
        Source files, reported per image.
    cv : splitter or iterable of (train, test), default=None
        ``None``: ``StratifiedGroupShuffleSplit(10, test_size=0.2)`` when ``groups``
        is given, else ``StratifiedShuffleSplit(10, test_size=0.2)``.
    n_jobs : int or None, default=None
        Splits fitted in parallel through joblib (a Dask backend applies).
    random_state : int or None, default=0
        Seed of the default splitter.

    Returns
    -------
    result : DifficultImages
        ``records()``, ``to_frame()``, ``confusion_matrix()``; write it out with
        :func:`write_difficult_images`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    >>> from skemotion.model_selection import find_difficult_images
    >>> rng = np.random.RandomState(0)
    >>> y = np.tile(["happy", "neutral"], 30)
    >>> X = rng.normal(size=(60, 3)) + (y == "happy")[:, None] * 3
    >>> X[0] -= 6                                 # a happy face that looks neutral
    >>> result = find_difficult_images(LinearDiscriminantAnalysis(), X, y,
    ...                                groups=np.repeat(np.arange(30), 2))
    >>> hardest = result.records()[0]
    >>> hardest["id"], hardest["true"], hardest["predicted_as"], hardest["error_rate"]
    (0, 'happy', 'neutral', 1.0)
    """
    n = _num_samples(X)
    y = column_or_1d(np.asarray(y))
    if len(y) != n:
        raise ValueError(f"X has {n} samples but y has {len(y)} labels.")
    for name, values in (("groups", groups), ("filenames", filenames)):
        if values is not None and len(values) != n:
            raise ValueError(f"X has {n} samples but {name} has {len(values)} entries.")
    groups = None if groups is None else np.asarray([str(g) for g in groups], dtype=object)
    filenames = None if filenames is None else np.asarray([str(f) for f in filenames], dtype=object)
    if cv is None:
        if groups is not None:
            cv = StratifiedGroupShuffleSplit(10, test_size=0.2, random_state=random_state)
        else:
            cv = StratifiedShuffleSplit(10, test_size=0.2, random_state=random_state)
    if isinstance(cv, numbers.Integral):
        cv = check_cv(cv, y, classifier=True)
    if hasattr(cv, "split"):
        splits = list(cv.split(X, y, groups if _uses_groups(cv) else None))
    else:
        splits = list(cv)
    preds = Parallel(n_jobs=n_jobs)(
        delayed(_fit_predict)(estimator, X, y, train, test) for train, test in splits
    )
    return DifficultImages(
        y_true=y,
        groups=groups,
        filenames=filenames,
        split=np.concatenate([np.full(len(te), k) for k, (_, te) in enumerate(splits)]),
        index=np.concatenate([np.asarray(te, dtype=np.intp) for _, te in splits]),
        predicted=np.concatenate(preds),
        n_splits=len(splits),
    )


_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def _safe_name_part(text):
    """File-name-safe version of a label: letters, digits, '-' and '_' only."""
    part = _UNSAFE.sub("-", str(text)).strip("-_")
    return part or "x"


#: The names write_difficult_images gives its crops: <true>_<predicted>_<id, 4+ digits>.png.
_CROP_NAME = re.compile(r"[A-Za-z0-9_-]+_[A-Za-z0-9_-]+_\d{4,}\.png")


def _remove_listed_crops(out_dir):
    """Remove the crops an earlier :func:`write_difficult_images` wrote into ``out_dir``:
    the files its ``difficult.csv`` lists whose names have the crops' form. Nothing else."""
    out = Path(out_dir)
    try:
        with open(out / "difficult.csv", newline="", encoding="utf-8") as f:
            names = {row.get("image") or "" for row in csv.DictReader(f)}
    except (OSError, ValueError, csv.Error):
        return
    for name in names:
        if _CROP_NAME.fullmatch(name):
            (out / name).unlink(missing_ok=True)


@validate_params(
    {
        "result": [DifficultImages],
        "crops": ["array-like", list],
        "out_dir": [str, os.PathLike],
        "min_error_rate": [Interval(numbers.Real, 0, 1, closed="both")],
        "image_shape": [tuple, list, None],
    },
    prefer_skip_nested_validation=True,
)
def write_difficult_images(result, crops, out_dir, *, min_error_rate=0.0, image_shape=None):
    """Write a CSV of the difficult images and their crops as ``<true>_<predicted>_<id>.png``.

    Everything goes into ``out_dir`` (created if missing) and nowhere else:
    labels are reduced to ``[A-Za-z0-9_-]`` before they become file names and
    every path is checked to stay inside ``out_dir``. Writing again into the same
    folder first removes the crops that the folder's previous ``difficult.csv``
    lists (files named ``<true>_<predicted>_<id>.png`` only), so that the folder
    never mixes two results; no other file is touched.

    Parameters
    ----------
    result : DifficultImages
        From :func:`find_difficult_images`.
    crops : array-like or list of images
        One image per sample, in the order of ``result`` (e.g. ``FaceCropper``
        output): 2-D/3-D arrays, or flat rows reshaped with ``image_shape``.
        uint8, or float in [0, 1] or [0, 255].
    out_dir : str or Path
        Folder to write into.
    min_error_rate : float, default=0.0
        Write only images misclassified in at least this share of their splits
        (every image misclassified at least once by default).
    image_shape : tuple of int or None, default=None
        ``(h, w)`` of flat crops; default: square crops.

    Returns
    -------
    csv_path : Path
        ``out_dir / "difficult.csv"``; its rows are :data:`DIFFICULT_COLUMNS`, with the
        written PNG's name in ``image``.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> from sklearn.dummy import DummyClassifier
    >>> from skemotion.model_selection import find_difficult_images, write_difficult_images
    >>> y = np.array(["happy"] * 6 + ["neutral"] * 4)
    >>> crops = np.zeros((10, 8 * 8), dtype=np.float32)
    >>> result = find_difficult_images(DummyClassifier(), crops, y, groups=np.arange(10))
    >>> with tempfile.TemporaryDirectory() as out:
    ...     path = write_difficult_images(result, crops, out)
    ...     sorted(p.name for p in path.parent.iterdir())[:2]
    ['difficult.csv', 'neutral_happy_0006.png']
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"Output path {out} exists and is not a folder.")
    n = len(result.y_true)
    if _num_samples(crops) != n:
        raise ValueError(f"crops has {_num_samples(crops)} images but the result has {n} samples.")
    root = out.resolve()
    width = max(4, len(str(n - 1)))
    rows = result.records(min_error_rate=min_error_rate)
    encoded = []  # every crop is checked and encoded before anything is removed or written
    for row in rows:
        name = (
            f"{_safe_name_part(row['true'])}_{_safe_name_part(row['predicted_as'])}_"
            f"{row['id']:0{width}d}.png"
        )
        path = (root / name).resolve()
        if path.parent != root:  # defence in depth: _safe_name_part leaves no separators
            raise ValueError(f"Refusing to write {path}: outside {root}.")
        where = row["file"] or f"sample {row['id']}"
        image = _as_image(crops[row["id"]], image_shape, source=where)
        ok, buf = cv2.imencode(".png", image)
        if not ok:  # pragma: no cover - PNG encoding of uint8 does not fail
            raise ValueError(f"Could not encode the crop of sample {row['id']} as PNG.")
        encoded.append((path, buf.tobytes()))
        row["image"] = name
    out.mkdir(parents=True, exist_ok=True)
    _remove_listed_crops(root)
    for path, data in encoded:
        path.write_bytes(data)
    csv_path = root / "difficult.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(DIFFICULT_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    return csv_path


def _as_image(crop, image_shape, *, source):
    img = np.asarray(crop)
    if img.ndim == 1:
        if image_shape is None:
            side = int(round(np.sqrt(img.size)))
            if side * side != img.size:
                raise ValueError(
                    f"Crop of {source} has {img.size} values, not a square image; "
                    "pass image_shape=(h, w)."
                )
            image_shape = (side, side)
        if int(np.prod(image_shape)) != img.size:
            raise ValueError(
                f"Crop of {source} has {img.size} values; image_shape={tuple(image_shape)} needs "
                f"{int(np.prod(image_shape))}."
            )
        img = img.reshape(image_shape)
    return to_uint8(img, source=source)
