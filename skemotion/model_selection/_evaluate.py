"""Compare several models on identical splits, under the tutorial's and the grouped protocol."""

import hashlib
import json
import numbers
import time

import numpy as np
from sklearn.base import clone
from sklearn.metrics import make_scorer, recall_score
from sklearn.model_selection import (
    LeaveOneGroupOut,
    StratifiedShuffleSplit,
    check_cv,
    cross_validate,
)
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import _num_samples, column_or_1d

from ..utils._warnings import warn_caller
from . import _cross_dataset, _selection
from ._split import StratifiedGroupShuffleSplit, _uses_groups

#: Protocol names understood by :func:`evaluate` and :func:`make_protocol`.
PROTOCOLS = {
    "tutorial": "StratifiedShuffleSplit: random per-image splits, as in the 2016 tutorial "
    "(the same person can be on both sides)",
    "grouped": "StratifiedGroupShuffleSplit: every subject on one side only",
    "cross-dataset": "LeaveOneGroupOut on the sources: train on every source but one, test "
    "on the one left out (subjects never shared)",
}


_SPLIT_CONSTRAINTS = {
    "n_splits": [Interval(numbers.Integral, 1, None, closed="left")],
    "test_size": [
        Interval(numbers.Real, 0, 1, closed="neither"),
        Interval(numbers.Integral, 1, None, closed="left"),
    ],
    "random_state": ["random_state"],
}


@validate_params(
    {"name": [StrOptions(set(PROTOCOLS))], **_SPLIT_CONSTRAINTS},
    prefer_skip_nested_validation=True,
)
def make_protocol(name, *, n_splits=10, test_size=0.2, random_state=0):
    """Return the cross-validation splitter of a named protocol.

    Parameters
    ----------
    name : {"tutorial", "grouped", "cross-dataset"}
        ``"tutorial"``: :class:`~sklearn.model_selection.StratifiedShuffleSplit`, the
        2016 tutorial's random 80/20 splits repeated (subjects leak across the split).
        ``"grouped"``: :class:`StratifiedGroupShuffleSplit` (needs ``groups``).
        ``"cross-dataset"``: :class:`~sklearn.model_selection.LeaveOneGroupOut`, split
        by the samples' sources (one split per source; ``n_splits``, ``test_size`` and
        ``random_state`` do not apply).
    n_splits : int, default=10
        Number of random splits.
    test_size : float or int, default=0.2
        Test share (or number of test samples).
    random_state : int, RandomState or None, default=0
        Seed of the splits.

    Returns
    -------
    cv : cross-validation splitter

    Examples
    --------
    >>> from skemotion.model_selection import make_protocol
    >>> make_protocol("grouped", n_splits=5)
    StratifiedGroupShuffleSplit(n_splits=5, random_state=0, test_size=0.2, train_size=None)
    """
    if name == "tutorial":
        return StratifiedShuffleSplit(n_splits, test_size=test_size, random_state=random_state)
    if name == "grouped":
        return StratifiedGroupShuffleSplit(n_splits, test_size=test_size, random_state=random_state)
    if name == "cross-dataset":
        return LeaveOneGroupOut()
    raise ValueError(f"Unknown protocol {name!r}; known protocols: {', '.join(PROTOCOLS)}.")


def _recall_for(label):
    return make_scorer(recall_score, labels=[label], average="macro", zero_division=np.nan)


class EvaluationResult:
    """The table :func:`evaluate` returns: one row per (model, protocol).

    Attributes
    ----------
    rows : list of dict
        One dict per (model, protocol): ``model``, ``protocol``, ``n_splits``,
        ``accuracy_mean``/``_std``, ``balanced_accuracy_mean``/``_std``,
        ``recall`` (class -> mean recall over splits), ``fit_time`` and
        ``predict_time`` (mean seconds per split; predict time includes scoring; the
        leading stateless feature steps, computed once per image for all splits, count
        in proportion to each part's images),
        ``n_train`` and ``n_test`` (mean sizes), ``scores`` (per-split
        ``accuracy``, ``balanced_accuracy`` and ``recall`` per class). With the inner
        selection on: ``inner_balanced_accuracy`` (per outer split, the model's mean
        score over the inner splits of that split's training part), ``inner_cv``,
        ``inner_time`` and ``inner_fit_failures``. With ``sources``:
        ``split_sources`` (per split, the sources of its training and test parts).
    selected : list of dict
        The honest estimate of "take the best": per protocol with two models or more
        carrying inner scores, a row ``model="selected"`` whose score on each split is
        the outer test score of the model that the inner selection picked on that split's
        training part; ``picked`` (the model per split) and ``picks`` (model -> count).
        Printed under the model rows; ``result["selected", protocol]`` finds one.
    cross_dataset : list of dict
        The train -> test table of a ``"cross-dataset"`` protocol: one dict per held-out
        source and model (``train``, ``test``, ``n_train``, ``n_test``, ``accuracy``,
        ``balanced_accuracy``, ``recall``, ``picked`` for the selected row). Empty
        without such a protocol.
    classes : list of str
        The class set, sorted.
    class_counts : dict
        Samples per class.
    chance_accuracy : float
        Accuracy of always answering the most frequent class.
    chance_balanced_accuracy : float
        ``1 / n_classes``: balanced accuracy of any constant or random answer.
    n_samples, n_groups : int
        Data size (``n_groups`` is None without groups).
    protocols : dict
        Protocol name -> ``repr`` of its splitter.

    Examples
    --------
    Returned by :func:`evaluate`:

    >>> import numpy as np
    >>> from sklearn.dummy import DummyClassifier
    >>> from skemotion.model_selection import evaluate
    >>> y = np.array(["happy", "neutral"] * 10)
    >>> result = evaluate({"dummy": DummyClassifier()}, np.zeros((20, 4)), y,
    ...                   groups=np.repeat(np.arange(10), 2))
    >>> [(row["model"], row["protocol"]) for row in result.rows]
    [('dummy', 'tutorial'), ('dummy', 'grouped')]
    >>> result.rows[1]["balanced_accuracy_mean"]
    0.5
    """

    def __init__(self, rows, *, classes, class_counts, n_samples, n_groups, protocols):
        self.rows = rows
        self.classes = list(classes)
        self.class_counts = dict(class_counts)
        self.n_samples = n_samples
        self.n_groups = n_groups
        self.protocols = dict(protocols)
        self.selected = _selection.selected_rows(self.rows, self.classes)
        self.cross_dataset = _cross_dataset.cross_dataset_rows(self.rows + self.selected,
                                                               self.classes)
        self.chance_accuracy = max(self.class_counts.values()) / n_samples
        self.chance_balanced_accuracy = 1.0 / len(self.classes)

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, key):
        """Row for ``(model, protocol)`` (``model="selected"``: the selected row)."""
        for row in self.rows + self.selected:
            if (row["model"], row["protocol"]) == tuple(key):
                return row
        raise KeyError(key)

    def to_dict(self):
        """Everything as plain JSON-able Python types.

        Returns
        -------
        dict
            ``rows``, ``selected``, ``cross_dataset``, the data summary and chance
            levels.
        """
        return {
            "classes": self.classes,
            "class_counts": self.class_counts,
            "n_samples": self.n_samples,
            "n_groups": self.n_groups,
            "chance_accuracy": self.chance_accuracy,
            "chance_balanced_accuracy": self.chance_balanced_accuracy,
            "protocols": self.protocols,
            "rows": self.rows,
            "selected": self.selected,
            "cross_dataset": self.cross_dataset,
        }

    def to_json(self, **kwargs):
        """:meth:`to_dict` as a JSON string (``kwargs`` go to :func:`json.dumps`).

        Returns
        -------
        str
        """
        kwargs.setdefault("indent", 2)
        return json.dumps(self.to_dict(), **kwargs)

    def _flat_rows(self):
        out = []
        for row in self.rows + self.selected:
            flat = {k: v for k, v in row.items() if k in _FLAT_KEYS}
            for c in self.classes:
                flat[f"recall_{c}"] = row["recall"][c]
            out.append(flat)
        return out

    def to_frame(self):
        """The table as a :class:`pandas.DataFrame` indexed by (model, protocol).

        The selected rows are included (model ``"selected"``); lists per split are not.

        Requires pandas.

        Returns
        -------
        pandas.DataFrame
        """
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - pandas is in the test extras
            raise ImportError(
                "EvaluationResult.to_frame() needs pandas: pip install pandas"
            ) from exc
        return pd.DataFrame(self._flat_rows()).set_index(["model", "protocol"])

    def _table(self):
        header = ["model", "protocol", "accuracy", "balanced acc."]
        header += [f"recall {c}" for c in self.classes]
        header += ["fit s", "predict s"]
        body = []
        for row in self.rows + self.selected:
            line = [
                row["model"],
                row["protocol"],
                f"{row['accuracy_mean']:.3f} ± {row['accuracy_std']:.3f}",
                f"{row['balanced_accuracy_mean']:.3f} ± {row['balanced_accuracy_std']:.3f}",
            ]
            line += [_fmt(row["recall"][c]) for c in self.classes]
            line += [_fmt(row["fit_time"]), _fmt(row["predict_time"])]
            body.append(line)
        return header, body

    def _footer(self):
        groups = "" if self.n_groups is None else f", {self.n_groups} subjects"
        counts = ", ".join(f"{c} {n}" for c, n in self.class_counts.items())
        splits = sorted({row["n_splits"] for row in self.rows})
        return [
            f"{self.n_samples} images{groups} ({counts}); "
            f"{'/'.join(map(str, splits))} splits per protocol.",
            f"Chance level: accuracy {self.chance_accuracy:.3f} (always the most frequent class), "
            f"balanced accuracy {self.chance_balanced_accuracy:.3f} "
            f"(1/{len(self.classes)} classes).",
        ] + [f"{name}: {desc}" for name, desc in self.protocols.items()] + (
            _selection.selection_lines(self.selected, self.rows))

    def cross_dataset_markdown(self):
        """The train -> test table in Markdown ('' without a cross-dataset protocol).

        Returns
        -------
        str
        """
        if not self.cross_dataset:
            return ""
        header, body = _cross_dataset.cross_dataset_table(self.cross_dataset, self.classes)
        return _markdown(header, body)

    def to_markdown(self):
        """The table in Markdown (mean ± standard deviation over splits).

        Returns
        -------
        str
        """
        header, body = self._table()
        text = _markdown(header, body) + "\n" + "".join(
            f"{line}  \n" for line in self._footer()).rstrip() + "\n"
        if self.cross_dataset:
            text += "\nTrain -> test (cross-dataset):\n\n" + self.cross_dataset_markdown()
        return text

    def __str__(self):
        text = "\n".join(_aligned(*self._table()) + self._footer())
        if self.cross_dataset:
            header, body = _cross_dataset.cross_dataset_table(self.cross_dataset,
                                                              self.classes)
            text += "\n\nTrain -> test (cross-dataset):\n" + "\n".join(_aligned(header, body))
        return text

    def __repr__(self):
        return f"<EvaluationResult: {len(self.rows)} rows, classes {self.classes}>"


#: Row fields of :meth:`EvaluationResult.to_frame` (the per-split lists are left out).
_FLAT_KEYS = ("model", "protocol", "n_splits", "accuracy_mean", "accuracy_std",
              "balanced_accuracy_mean", "balanced_accuracy_std", "fit_time", "predict_time",
              "n_train", "n_test", "inner_cv", "inner_time", "inner_fit_failures")


def _markdown(header, body):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(line) + " |" for line in body]) + "\n"


def _aligned(header, body):
    """Plain-text table lines, columns padded, a dashed line under the header."""
    widths = [max(len(r[i]) for r in [header] + body) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip()
             for r in [header] + body]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def _warn_small_test_parts(protocol, splits, y, classes):
    """Warn when a test part holds fewer than 2 samples of a class: its recall can only be
    0 or 1, and the mean and spread over splits say next to nothing."""
    small = []
    for i, (_, test) in enumerate(splits):
        counts = dict(zip(*np.unique(y[test], return_counts=True)))
        small += [(i, c, int(counts.get(c, 0))) for c in classes if counts.get(c, 0) < 2]
    if small:
        i, c, n = small[0]
        n_bad = len({s[0] for s in small})
        warn_caller(
            f"Protocol {protocol!r}: the test part of split {i + 1} holds {n} sample(s) of "
            f"class {str(c)!r} ({n_bad} of {len(splits)} splits have a class with fewer than "
            "2 test samples): the scores are too noisy to compare; use more data or larger "
            "test parts."
        )


def _with_calibrated(named_models, X, references, n_samples):
    """``(name, model, input)`` per row: each model on ``X`` and, with ``references``, its
    calibrated version on ``(sample, reference)`` pairs right after it."""
    if references is None:
        return [(name, model, X) for name, model in named_models]
    from ..calibration import ReferenceCalibratedClassifier

    references = list(references)
    if len(references) != n_samples:
        raise ValueError(f"X has {n_samples} samples but references has {len(references)}.")
    missing = [i for i, r in enumerate(references) if r is None]
    if missing:
        raise ValueError(f"references has no reference (None) for {len(missing)} sample(s), "
                         f"the first {missing[:5]}: every sample needs one.")
    pairs = list(zip(list(X), references))
    out = []
    for name, model in named_models:
        out.append((name, model, X))
        out.append((f"{name} (calibrated)", ReferenceCalibratedClassifier(model), pairs))
    return out


def _fmt(value):
    return "n/a" if value is None or value != value else f"{value:.3f}"


def _digest(splits):
    """A short fingerprint of a list of (train, test) index arrays."""
    h = hashlib.sha256()
    for train, test in splits:
        h.update(np.asarray(train, dtype=np.int64).tobytes() + b"|")
        h.update(np.asarray(test, dtype=np.int64).tobytes() + b"/")
    return h.hexdigest()[:16]


def _nan_to_none(value):
    value = float(value)
    return None if value != value else value


def _as_named(items, what):
    if isinstance(items, dict):
        named = list(items.items())
    else:
        named = []
        for item in items:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
                named.append(item)
            elif isinstance(item, str):
                named.append((item, item))
            else:
                named.append((type(item).__name__, item))
    names = [n for n, _ in named]
    if not named:
        raise ValueError(f"No {what} given.")
    if len(set(names)) != len(names):
        raise ValueError(f"Duplicate {what} names: {names}.")
    return named


@validate_params(
    {
        "models": [dict, list, tuple],
        "X": ["array-like", list],
        "y": ["array-like"],
        "groups": ["array-like", None],
        "sources": ["array-like", None],
        "references": ["array-like", list, None],
        "protocols": [list, tuple, dict],
        **_SPLIT_CONSTRAINTS,
        "inner_cv": [Interval(numbers.Integral, 2, None, closed="left"), "cv_object", None],
        "n_jobs": [numbers.Integral, None],
        "callback": [callable, None],
    },
    prefer_skip_nested_validation=False,
)
def evaluate(
    models,
    X,
    y,
    *,
    groups=None,
    sources=None,
    references=None,
    protocols=("tutorial", "grouped"),
    n_splits=10,
    test_size=0.2,
    random_state=0,
    inner_cv=3,
    n_jobs=None,
    callback=None,
):
    """Evaluate several models on identical splits under one or more protocols.

    For every protocol the splits are drawn once and every model is fitted and
    scored on exactly those splits (through
    :func:`~sklearn.model_selection.cross_validate`, so ``n_jobs`` and a
    joblib backend such as Dask apply). A pipeline's leading stateless image feature
    steps (skemotion's HOG, LBP, Gabor, face regions, landmarks: they learn nothing)
    are computed once per image for all of its fits; the steps that learn are fitted
    on each training part only. The default compares the 2016
    tutorial's random per-image splits (``"tutorial"``) with subject-grouped
    splits (``"grouped"``): the gap between the two rows of a model is the
    subject leakage of the tutorial's numbers.

    Reading the best row of such a table is optimistic (the maximum of noisy
    estimates), so with two models or more every protocol also gets a **selected**
    row: inside each outer training part an inner cross-validation (``inner_cv``,
    subject-grouped except under ``"tutorial"``) picks the model with the highest mean
    inner balanced accuracy (ties: the first in model order), and the selected row
    scores the picked model on that split's outer test part. That is the number to
    expect from "take the best"; ``picks`` says which model was picked how often.

    With data from several sources (``sources=``, e.g. ``concat_datasets``' ``source``
    field) the ``"cross-dataset"`` protocol trains on every source but one and tests
    on the one left out, and the result gets a train -> test table.

    Parameters
    ----------
    models : dict or list
        ``{name: estimator}`` or a list of ``(name, estimator)`` pairs (or bare
        estimators, named by class). Estimators are cloned.
    X : array-like or list of images
        Samples, in whatever form the models take (for speed, crop faces once
        with ``FaceCropper`` and pass pipelines built with ``detect=False``).
    y : array-like of shape (n_samples,)
        Labels.
    groups : array-like of shape (n_samples,), default=None
        Subject ids; required by the ``"grouped"`` protocol.
    sources : array-like of shape (n_samples,), default=None
        The dataset each sample comes from; required by the ``"cross-dataset"``
        protocol (at least 2 sources, no subject id in two of them).
    references : array-like or list of shape (n_samples,), default=None
        For each sample, the same person's neutral face, in the form ``X`` takes (e.g.
        ``load_ckplus(..., references=True).references``; never the sample itself).
        Given, every model also gets a calibrated row, ``"<name> (calibrated)"``, right
        after its own: :class:`~skemotion.calibration.ReferenceCalibratedClassifier`
        around it, fitted and scored on ``(sample, reference)`` pairs on the same splits.
    protocols : sequence or dict, default=("tutorial", "grouped")
        Names from :data:`PROTOCOLS`, or ``{name: cv}`` with any splitter (or a list of
        ``(name, cv)``). Without ``groups``, the default uses ``"tutorial"`` only. A
        protocol named ``"cross-dataset"`` splits by ``sources``, any other by ``groups``
        (if its splitter takes groups).
    n_splits : int, default=10
        Splits of the named protocols.
    test_size : float or int, default=0.2
        Test share of the named protocols.
    random_state : int, RandomState or None, default=0
        Seed of the named protocols' splits.
    inner_cv : int, cross-validation splitter or None, default=3
        The inner splits of the selected rows, drawn from each outer training part
        only. An int: that many random splits with ``test_size`` and ``random_state``,
        subject-grouped (:class:`StratifiedGroupShuffleSplit`) when ``groups`` is given,
        except under ``"tutorial"`` (its own per-image splits). A splitter is used as
        is under every protocol. ``None``: no inner selection and no selected rows
        (one model: the inner scores are still computed, for merging results of
        separate calls; pass ``None`` to save that time). Inner fits that fail score
        NaN and are never picked.
    n_jobs : int or None, default=None
        Parallel fits (passed to ``cross_validate``).
    callback : callable or None, default=None
        Called as ``callback(model_name, protocol_name, row)`` after each
        (model, protocol) finishes, e.g. to advance a progress bar.

    Returns
    -------
    result : EvaluationResult
        Printable table; ``to_frame()``, ``to_markdown()``, ``to_dict()``, ``to_json()``.

    See Also
    --------
    make_protocol : The named protocols' splitters.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    >>> from sklearn.dummy import DummyClassifier
    >>> from skemotion.model_selection import evaluate
    >>> rng = np.random.RandomState(0)
    >>> y = np.tile(["happy", "neutral"], 40)
    >>> groups = np.repeat(np.arange(40), 2)
    >>> X = rng.normal(size=(80, 4)) + (y == "happy")[:, None]
    >>> result = evaluate({"lda": LinearDiscriminantAnalysis(), "dummy": DummyClassifier()},
    ...                   X, y, groups=groups, n_splits=3)
    >>> [(row["model"], row["protocol"]) for row in result.rows]
    [('lda', 'tutorial'), ('lda', 'grouped'), ('dummy', 'tutorial'), ('dummy', 'grouped')]
    >>> result["dummy", "grouped"]["balanced_accuracy_mean"]
    0.5
    >>> result["selected", "grouped"]["picks"]
    {'lda': 3}
    >>> print(result)  # doctest: +ELLIPSIS
    model     protocol  accuracy       balanced acc.  recall happy  recall neutral  fit s  predict s
    --------  --------  ...
    lda       tutorial  0... ± 0...
    ...
    selected  grouped   0... ± 0...  n/a    n/a
    ...
    Chance level: accuracy 0.500 (always the most frequent class), balanced accuracy 0.500 ...
    ...
    selected (grouped): picked lda 3x in 3 splits, ...
    """
    named_models = _as_named(models, "model")
    n_samples = _num_samples(X)
    model_inputs = _with_calibrated(named_models, X, references, n_samples)
    y = column_or_1d(np.asarray(y))
    if len(y) != n_samples:
        raise ValueError(f"X has {n_samples} samples but y has {len(y)} labels.")
    if groups is not None:
        groups = column_or_1d(np.asarray(groups))
        if len(groups) != n_samples:
            raise ValueError(f"X has {n_samples} samples but groups has {len(groups)} entries.")
        missing = [i for i, g in enumerate(groups)
                   if g is None or (isinstance(g, (float, np.floating)) and g != g)]
        if missing:
            raise ValueError(
                f"groups has no subject id (None or NaN) for {len(missing)} sample(s), the "
                f"first {missing[:5]}: every sample needs one.")
    if groups is None and not isinstance(protocols, dict) and tuple(protocols) == (
        "tutorial",
        "grouped",
    ):
        protocols = ("tutorial",)
    if inner_cv is not None and _selection.SELECTED in dict(named_models):
        raise ValueError(f"A model is named {_selection.SELECTED!r}, the name of the selected "
                         "rows: rename it, or pass inner_cv=None.")
    named_protocols = []
    for name, cv in _as_named(protocols, "protocol"):
        if isinstance(cv, str):
            if cv not in PROTOCOLS:
                raise ValueError(
                    f"Unknown protocol {cv!r}; known protocols: {', '.join(PROTOCOLS)}."
                )
            if cv == "grouped" and groups is None:
                raise ValueError(
                    "The 'grouped' protocol needs groups= (subject ids); got groups=None."
                )
            cv = make_protocol(
                cv, n_splits=n_splits, test_size=test_size, random_state=random_state
            )
        elif isinstance(cv, numbers.Integral):
            cv = check_cv(cv, y, classifier=True)
        # a protocol named "cross-dataset" (also {"cross-dataset": cv}) splits by source
        by_source = name == "cross-dataset"
        if by_source and sources is None:
            raise ValueError(
                "The 'cross-dataset' protocol needs sources= (the dataset of each "
                "sample, e.g. concat_datasets' source field); got sources=None."
            )
        named_protocols.append((name, cv, by_source))
    if sources is not None:
        sources = _cross_dataset.check_sources(sources, groups, n_samples)

    classes, counts = np.unique(y, return_counts=True)
    if len(classes) < 2:
        raise ValueError(f"evaluate needs at least 2 classes; y only holds {classes.tolist()}.")
    class_list = [str(c) for c in classes]
    scoring = {"accuracy": "accuracy", "balanced_accuracy": "balanced_accuracy"}
    recall_keys = {}
    for i, c in enumerate(classes):
        recall_keys[class_list[i]] = f"recall_{i}"
        scoring[f"recall_{i}"] = _recall_for(c)

    rows = []
    protocol_desc = {}
    split_cache, inner_cache = {}, {}
    for p_name, cv, by_source in named_protocols:
        # draw the splits once: every model sees exactly the same ones
        split_groups = sources if by_source else (groups if _uses_groups(cv) else None)
        split_cache[p_name] = list(cv.split(X, y, split_groups))
        _warn_small_test_parts(p_name, split_cache[p_name], y, classes)
        cv_repr = " ".join(repr(cv).split())
        known = p_name in PROTOCOLS
        protocol_desc[p_name] = f"{PROTOCOLS[p_name]}; {cv_repr}" if known else cv_repr
        if inner_cv is not None:
            inner = _selection.make_inner_cv(inner_cv, p_name, groups is not None,
                                             test_size=test_size, random_state=random_state)
            try:
                inner_cache[p_name] = (" ".join(repr(inner).split()), *_selection.inner_splits(
                    inner, X, y, groups, split_cache[p_name]))
            except ValueError as exc:  # e.g. too few subjects in an outer training part
                inner_cache[p_name] = (" ".join(repr(inner).split()), exc, None)
    indices = np.arange(n_samples).reshape(-1, 1)
    for m_name, model, model_X in model_inputs:
        # the model with its leading stateless feature steps (HOG, Gabor, landmarks...)
        # computed once for every image, for all outer and inner fits: they learn nothing,
        # so this leaks nothing and changes no prediction (tests/test_selection.py)
        sharing = time.perf_counter()
        shared = _selection._share_stateless_steps(model, model_X)
        sharing = time.perf_counter() - sharing
        use_shared = _selection.shares_features(shared)
        for p_name, _, _ in named_protocols:
            splits = split_cache[p_name]
            res = cross_validate(
                clone(shared) if use_shared else clone(model),
                indices if use_shared else model_X,
                y, cv=splits, scoring=scoring, n_jobs=n_jobs, error_score="raise",
            )
            if use_shared:  # each part's share of the feature time, as if computed per fit
                res["fit_time"] = res["fit_time"] + sharing * np.array(
                    [len(tr) for tr, _ in splits]) / n_samples
                res["score_time"] = res["score_time"] + sharing * np.array(
                    [len(te) for _, te in splits]) / n_samples
            acc = res["test_accuracy"]
            bacc = res["test_balanced_accuracy"]
            recall, recall_splits = {}, {}
            for c, key in recall_keys.items():
                values = res[f"test_{key}"]
                recall[c] = None if np.all(np.isnan(values)) else _nan_to_none(np.nanmean(values))
                recall_splits[c] = [_nan_to_none(v) for v in values]
            row = {
                "model": m_name,
                "protocol": p_name,
                "n_splits": len(splits),
                "accuracy_mean": float(np.mean(acc)),
                "accuracy_std": float(np.std(acc)),
                "balanced_accuracy_mean": float(np.mean(bacc)),
                "balanced_accuracy_std": float(np.std(bacc)),
                "recall": recall,
                "fit_time": float(np.mean(res["fit_time"])),
                "predict_time": float(np.mean(res["score_time"])),
                "n_train": float(np.mean([len(tr) for tr, _ in splits])),
                "n_test": float(np.mean([len(te) for _, te in splits])),
                "scores": {"accuracy": acc.tolist(), "balanced_accuracy": bacc.tolist(),
                           "recall": recall_splits},
                "splits_digest": _digest(splits),
            }
            if sources is not None:
                row["split_sources"] = _cross_dataset.split_sources(splits, sources)
            if inner_cv is not None:
                inner_repr, pairs, owner = inner_cache[p_name]
                if owner is None:
                    row.update(inner_balanced_accuracy=None, inner_cv=inner_repr,
                               inner_cv_error=" ".join(str(pairs).split()))
                else:
                    scores, failed, seconds = _selection.inner_scores(
                        shared, y, pairs, owner, len(splits), n_jobs=n_jobs)
                    row.update(inner_balanced_accuracy=scores, inner_cv=inner_repr,
                               inner_time=seconds, inner_fit_failures=failed)
            rows.append(row)
            if callback is not None:
                callback(m_name, p_name, row)
    return EvaluationResult(
        rows,
        classes=class_list,
        class_counts={c: int(n) for c, n in zip(class_list, counts)},
        n_samples=n_samples,
        n_groups=None if groups is None else len(np.unique(groups)),
        protocols=protocol_desc,
    )
