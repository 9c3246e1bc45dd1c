"""Honest model selection for :func:`~skemotion.model_selection.evaluate`: the "selected" rows.

Taking the best of several rows of an evaluation table is optimistic: the maximum of noisy
estimates is biased upwards, and the winner on one data set is not the winner on the next.
The selected row measures what "take the best" gives instead. Inside every outer training
part, an inner cross-validation (subject-grouped under the grouped protocols) scores every
candidate; the candidate with the highest mean inner balanced accuracy is picked (ties: the
first in model order), and the selected row's score on that outer split is the picked
candidate's outer test score, already computed for its own row. Nothing of the outer test
part is seen by the inner splits, fits or scores (``tests/test_selection.py`` proves it).

Speed: skemotion's image feature transformers (HOG, LBP, Gabor, face regions, landmarks) are
stateless and work image by image, so the leading run of them in a pipeline (also inside the
branches of a leading FeatureUnion) is computed once per image for all inner fits; only the
steps that learn something (scaler, PCA, LDA, logistic regression, Fisherfaces...) are fitted
per inner split. No state is learned by the shared steps, so sharing them leaks nothing.
"""

import time

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import StratifiedShuffleSplit
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.utils.parallel import Parallel, delayed

from ..features._base import _ImageFeatureTransformer
from ._split import StratifiedGroupShuffleSplit, _uses_groups

#: Name of the selected rows in the ``model`` column.
SELECTED = "selected"


class _Shared:
    """An array shared, not copied, by ``clone`` (which deep-copies parameters);
    ``features``: whether it holds computed features (not the samples themselves)."""

    def __init__(self, value, features=False):
        self.value = value
        self.features = features

    def __deepcopy__(self, memo):
        return self


class _Rows(TransformerMixin, BaseEstimator):
    """First step of a rewritten pipeline: sample indices in, those samples' rows out."""

    def __init__(self, data=None):
        self.data = data

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        index = np.asarray(X).reshape(-1)
        value = self.data.value
        if isinstance(value, np.ndarray):
            return value[index]
        return [value[i] for i in index]


def _per_sample(step):
    """Whether ``step`` is a stateless transformer working image by image: one of
    skemotion's image feature transformers, or a FeatureUnion or Pipeline of them only."""
    if isinstance(step, FeatureUnion):
        return all(_per_sample(t) for _, t in step.transformer_list if not
                   (isinstance(t, str) and t == "drop")) and any(
            not isinstance(t, str) for _, t in step.transformer_list)
    if isinstance(step, Pipeline):
        return all(_per_sample(s) for _, s in step.steps)
    return isinstance(step, _ImageFeatureTransformer) and not step.__sklearn_tags__().requires_fit


def _transform_one(step, X):
    """The output of a stateless ``step`` (see :func:`_per_sample`) on ``X``, no fit."""
    if isinstance(step, FeatureUnion):
        weights = step.transformer_weights or {}
        return np.hstack([_transform_one(t, X) * weights.get(n, 1)
                          for n, t in step.transformer_list if not isinstance(t, str)])
    if isinstance(step, Pipeline):
        return _transform(step.steps, X)
    return step.transform(X)


def _transform(steps, X):
    """The output of stateless ``steps`` (no fit needed) on ``X``."""
    for _, step in steps:
        X = _transform_one(step, X)
    return X


def _as_list_or_array(X):
    return X if isinstance(X, np.ndarray) else list(X)


def _share_stateless_steps(estimator, X):
    """``estimator`` rewritten to take sample indices (``(n, 1)`` ints) instead of ``X``.

    The leading per-sample stateless steps are replaced by a lookup of their output,
    computed here once for all of ``X``; the steps that learn are cloned unchanged.
    """
    if isinstance(estimator, Pipeline):
        steps = list(estimator.steps)
        shared = _lookup_leading_steps(steps, X, keep_last=True)
        if shared is not None:
            return shared
        name, first = steps[0]
        if isinstance(first, FeatureUnion):
            union = clone(first)
            union.transformer_list = [
                (n, t if isinstance(t, str) and t == "drop"
                 else _share_branch(t, X)) for n, t in first.transformer_list]
            return Pipeline([(name, union)] + [(n, clone(s)) for n, s in steps[1:]])
    return Pipeline([("rows", _Rows(_Shared(_as_list_or_array(X)))),
                     ("estimator", clone(estimator))])


def _share_branch(transformer, X):
    """A FeatureUnion branch rewritten to take sample indices."""
    if isinstance(transformer, str):  # "passthrough"
        return _Rows(_Shared(_as_list_or_array(X)))
    if _per_sample(transformer):
        return _Rows(_Shared(transformer.transform(X), True))
    if isinstance(transformer, Pipeline):
        shared = _lookup_leading_steps(list(transformer.steps), X, keep_last=False)
        if shared is not None:
            return shared
    return Pipeline([("rows", _Rows(_Shared(_as_list_or_array(X)))),
                     ("transformer", clone(transformer))])


def _lookup_leading_steps(steps, X, *, keep_last):
    """A Pipeline whose leading per-sample stateless ``steps`` are replaced by a lookup of
    their output on ``X`` (the other steps cloned), or None if the first step is not one.
    ``keep_last``: never replace the last step (a classifier's pipeline needs it)."""
    limit = len(steps) - 1 if keep_last else len(steps)
    k = 0
    while k < limit and _per_sample(steps[k][1]):
        k += 1
    if not k:
        return None
    features = _transform(steps[:k], X)
    return Pipeline([("shared_features", _Rows(_Shared(features, True)))]
                    + [(n, clone(s)) for n, s in steps[k:]])


def shares_features(rewritten):
    """Whether a model rewritten by :func:`_share_stateless_steps` looks up computed
    features (False: it only looks up the samples, nothing was shared)."""
    steps = rewritten.steps if isinstance(rewritten, Pipeline) else [("", rewritten)]
    for _, step in steps[:1]:
        if isinstance(step, _Rows):
            return step.data.features
        if isinstance(step, FeatureUnion):
            return any(shares_features(t) for _, t in step.transformer_list
                       if not isinstance(t, str))
    return False


def make_inner_cv(inner_cv, protocol, grouped, *, test_size, random_state):
    """The inner splitter of ``protocol``: ``inner_cv`` itself if it is a splitter; an int
    gives that many splits of the protocol's own kind (random per-image splits under
    ``"tutorial"``, subject-grouped ones otherwise when subject ids are known).

    Examples
    --------
    >>> from skemotion.model_selection._selection import make_inner_cv
    >>> make_inner_cv(3, "grouped", True, test_size=0.2, random_state=0)
    StratifiedGroupShuffleSplit(n_splits=3, random_state=0, test_size=0.2, train_size=None)
    >>> make_inner_cv(3, "tutorial", True, test_size=0.2, random_state=0)
    StratifiedShuffleSplit(n_splits=3, random_state=0, test_size=0.2, train_size=None)
    """
    if not isinstance(inner_cv, (int, np.integer)):
        return inner_cv
    if protocol == "tutorial" or not grouped:
        return StratifiedShuffleSplit(int(inner_cv), test_size=test_size,
                                      random_state=random_state)
    return StratifiedGroupShuffleSplit(int(inner_cv), test_size=test_size,
                                       random_state=random_state)


def inner_splits(inner_cv, X, y, groups, outer_splits):
    """For each outer split, the inner ``(train, test)`` pairs as indices into all samples,
    drawn from the outer training part only (the inner splitter never sees the rest).

    Returns ``(pairs, owner)``: the flat list of pairs and, per pair, its outer split.
    """
    pairs, owner = [], []
    for k, (train, _) in enumerate(outer_splits):
        train = np.asarray(train)
        sub_groups = groups[train] if groups is not None and _uses_groups(inner_cv) else None
        sub_X = np.zeros((len(train), 1))
        for inner_train, inner_test in inner_cv.split(sub_X, y[train], sub_groups):
            pairs.append((train[inner_train], train[inner_test]))
            owner.append(k)
    return pairs, np.asarray(owner, dtype=int)


def inner_scores(shared, y, pairs, owner, n_outer, *, n_jobs=None):
    """Mean inner balanced accuracy of ``model`` per outer split.

    ``shared`` is the model rewritten by :func:`_share_stateless_steps`. Fits that fail
    score NaN (never picked); returns ``(scores, n_failed, seconds)`` where ``scores`` holds
    None for an outer split whose inner fits all failed.
    """
    start = time.perf_counter()
    indices = np.arange(len(y)).reshape(-1, 1)
    values = np.asarray(Parallel(n_jobs=n_jobs)(
        delayed(_fit_and_score)(clone(shared), indices, y, train, test)
        for train, test in pairs), dtype=float)
    scores = []
    for k in range(n_outer):
        mine = values[owner == k]
        scores.append(None if mine.size == 0 or np.all(np.isnan(mine))
                      else float(np.nanmean(mine)))
    return scores, int(np.isnan(values).sum()), time.perf_counter() - start


def _fit_and_score(estimator, X, y, train, test):
    """Balanced accuracy of ``estimator`` fitted on ``train``, scored on ``test``; NaN if
    the fit or the prediction fails."""
    try:
        estimator.fit(X[train], y[train])
        return balanced_accuracy_score(y[test], estimator.predict(X[test]))
    except Exception:  # noqa: BLE001 - a failing candidate is never picked, and counted
        return np.nan


def selected_rows(rows, classes):
    """One selected row per protocol whose rows (two models or more) carry inner scores.

    Raises ValueError if those rows were not scored on the same splits (the pick compares
    inner scores split by split).
    """
    out = []
    protocols = []
    for row in rows:
        if row["protocol"] not in protocols:
            protocols.append(row["protocol"])
    for protocol in protocols:
        candidates = [r for r in rows if r["protocol"] == protocol
                      and r.get("inner_balanced_accuracy") is not None]
        if len(candidates) < 2:
            continue
        digests = {r["splits_digest"] for r in candidates}
        if len(digests) > 1:
            raise ValueError(
                f"The rows of protocol {protocol!r} were scored on different splits "
                f"({', '.join(r['model'] for r in candidates)}): the selected row compares "
                "the models split by split, so they need identical splits (the same "
                "random_state, or splits drawn once).")
        n_splits = candidates[0]["n_splits"]
        picked, acc, bacc, recall = [], [], [], {c: [] for c in classes}
        for k in range(n_splits):
            inner = [r["inner_balanced_accuracy"][k] for r in candidates]
            valid = [i for i, v in enumerate(inner) if v is not None]
            if not valid:
                raise ValueError(
                    f"Protocol {protocol!r}, split {k}: every candidate's inner fits failed, "
                    "so no model can be selected.")
            best = max(valid, key=lambda i: (inner[i], -i))  # ties: first in model order
            row = candidates[best]
            picked.append(row["model"])
            acc.append(row["scores"]["accuracy"][k])
            bacc.append(row["scores"]["balanced_accuracy"][k])
            for c in classes:
                recall[c].append(row["scores"]["recall"][c][k])
        counts = {r["model"]: picked.count(r["model"]) for r in candidates
                  if r["model"] in picked}
        counts = dict(sorted(counts.items(), key=lambda kv: -kv[1]))
        out.append({
            "model": SELECTED,
            "protocol": protocol,
            "n_splits": n_splits,
            "accuracy_mean": float(np.mean(acc)),
            "accuracy_std": float(np.std(acc)),
            "balanced_accuracy_mean": float(np.mean(bacc)),
            "balanced_accuracy_std": float(np.std(bacc)),
            "recall": {c: _nanmean_or_none(v) for c, v in recall.items()},
            "fit_time": None,
            "predict_time": None,
            "n_train": candidates[0]["n_train"],
            "n_test": candidates[0]["n_test"],
            "scores": {"accuracy": acc, "balanced_accuracy": bacc, "recall": recall},
            "picked": picked,
            "picks": counts,
            "candidates": [r["model"] for r in candidates],
            "inner_cv": candidates[0]["inner_cv"],
            "inner_time": float(sum(r["inner_time"] for r in candidates)),
            "inner_fit_failures": int(sum(r["inner_fit_failures"] for r in candidates)),
            "split_sources": candidates[0].get("split_sources"),
        })
    return out


def _nanmean_or_none(values):
    values = np.asarray([np.nan if v is None else v for v in values], dtype=float)
    return None if np.all(np.isnan(values)) else float(np.nanmean(values))


def selection_lines(selected, rows):
    """Footer lines: what was picked how often, and how; why a protocol has none."""
    lines = []
    skipped = {}
    for row in rows:
        if row.get("inner_cv_error"):
            skipped.setdefault(row["protocol"], (row["inner_cv"], row["inner_cv_error"]))
    for protocol, (inner, error) in skipped.items():
        lines.append(f"selected ({protocol}): not computed, {inner} cannot split an outer "
                     f"training part: {error}")
    for row in selected:
        picks = ", ".join(f"{name} {n}x" for name, n in row["picks"].items())
        failed = (f"; {row['inner_fit_failures']} inner fits failed (never picked)"
                  if row["inner_fit_failures"] else "")
        lines.append(
            f"selected ({row['protocol']}): picked {picks} in {row['n_splits']} splits, by "
            f"mean inner balanced accuracy (ties: first in model order) over "
            f"{row['inner_cv']} on each outer training part{failed}.")
    return lines
