"""evaluate()'s selected rows: an inner, subject-grouped selection inside each outer
training part, whose picks are scored on the outer test parts."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.dummy import DummyClassifier
from sklearn.metrics import balanced_accuracy_score
from sklearn.neighbors import KNeighborsClassifier

from skemotion.model_selection._selection import _Rows, _share_stateless_steps
from skemotion.model_selection import EvaluationResult, StratifiedGroupShuffleSplit, evaluate
from skemotion.pipelines import PIPELINES

from _london_crops import london_crops
from test_evaluate import _people  # 3 emotions, 2 images each per subject


class _SpyClassifier(ClassifierMixin, BaseEstimator):
    """Nearest class mean on X[:, 1:]; column 0 holds the sample's index, and every fit and
    predict records the indices it saw (class-level log; runs in-process)."""

    log = []

    def __init__(self, shift=0.0):
        self.shift = shift

    def fit(self, X, y):
        X = np.asarray(X)
        type(self).log.append(("fit", frozenset(X[:, 0].astype(int).tolist())))
        self.classes_ = np.unique(y)
        self.means_ = np.stack([X[y == c, 1:].mean(axis=0) for c in self.classes_])
        return self

    def predict(self, X):
        X = np.asarray(X)
        type(self).log.append(("predict", frozenset(X[:, 0].astype(int).tolist())))
        d = ((X[:, None, 1:] + self.shift - self.means_[None]) ** 2).sum(axis=2)
        return self.classes_[np.argmin(d, axis=1)]


class _SpySplitter(StratifiedGroupShuffleSplit):
    """The inner splitter, recording the subject ids of every part it is asked to split."""

    seen = []

    def split(self, X, y, groups=None):
        type(self).seen.append(np.asarray(groups).copy())
        return super().split(X, y, groups)


def test_inner_selection_never_sees_outer_test_subjects():
    X, y, groups = _people()
    X = np.column_stack([np.arange(len(y)), X])  # column 0: the sample's index
    outer = StratifiedGroupShuffleSplit(1, test_size=0.25, random_state=3)
    (train, test), = outer.split(X, y, groups)
    _SpyClassifier.log = []
    result = evaluate({"a": _SpyClassifier(), "b": _SpyClassifier(shift=0.5)}, X, y,
                      groups=groups, protocols={"one": outer}, inner_cv=3)
    train_set, test_set = set(train.tolist()), set(test.tolist())
    fits = [seen for kind, seen in _SpyClassifier.log if kind == "fit"]
    predicts = [seen for kind, seen in _SpyClassifier.log if kind == "predict"]
    assert len(fits) == 2 * (1 + 3)  # per model: the outer fit and 3 inner fits
    for seen in fits:
        assert seen <= train_set and not seen & test_set
    # the only calls that see an outer test sample are the outer scorings of the 2 models
    touching = [seen for seen in predicts if seen & test_set]
    assert touching == [test_set, test_set]
    inner = [seen for seen in predicts if not seen & test_set]
    assert len(inner) == 2 * 3 and all(seen <= train_set for seen in inner)
    test_subjects = set(groups[test].tolist())
    for seen in fits + inner:
        assert not {groups[i] for i in seen} & test_subjects
    assert result["selected", "one"]["n_splits"] == 1


def test_inner_splitter_gets_only_the_outer_training_subjects():
    X, y, groups = _people()
    _SpySplitter.seen = []
    inner = _SpySplitter(3, test_size=0.2, random_state=0)
    result = evaluate({"lda": LinearDiscriminantAnalysis(), "knn": KNeighborsClassifier(3)},
                      X, y, groups=groups, protocols=("grouped",), n_splits=4, inner_cv=inner)
    outer = list(StratifiedGroupShuffleSplit(4, test_size=0.2, random_state=0)
                 .split(X, y, groups))
    assert len(_SpySplitter.seen) == 4  # drawn once per outer split, shared by the models
    for seen, (train, test) in zip(_SpySplitter.seen, outer):
        assert set(seen.tolist()) == set(groups[train].tolist())
        assert not set(seen.tolist()) & set(groups[test].tolist())
    assert "_SpySplitter" in result["selected", "grouped"]["inner_cv"]


def test_selected_row_is_the_outer_score_of_the_inner_pick():
    X, y, groups = _people(seed=1)
    models = {"lda": LinearDiscriminantAnalysis(), "knn1": KNeighborsClassifier(1),
              "knn15": KNeighborsClassifier(15), "dummy": DummyClassifier()}
    result = evaluate(models, X, y, groups=groups, n_splits=5, random_state=0)
    for protocol in ("tutorial", "grouped"):
        sel = result["selected", protocol]
        assert sel["candidates"] == list(models)
        outer = list(result.rows[0]["scores"]["balanced_accuracy"])  # only its length
        assert len(sel["picked"]) == len(outer) == 5
        for k, picked in enumerate(sel["picked"]):
            inner = [result[m, protocol]["inner_balanced_accuracy"][k] for m in models]
            assert picked == list(models)[int(np.argmax(inner))]  # argmax: first of ties
            for key in ("accuracy", "balanced_accuracy"):
                assert sel["scores"][key][k] == result[picked, protocol]["scores"][key][k]
        assert sel["balanced_accuracy_mean"] == pytest.approx(
            np.mean(sel["scores"]["balanced_accuracy"]))
        assert sum(sel["picks"].values()) == 5
        assert sel["picks"] == {m: sel["picked"].count(m) for m in sel["picks"]}
    # never better than the best row on every split, never worse than the worst one
    sel = result["selected", "grouped"]
    per_split = np.array([result[m, "grouped"]["scores"]["balanced_accuracy"] for m in models])
    assert np.all(sel["scores"]["balanced_accuracy"] <= per_split.max(axis=0))
    assert np.all(sel["scores"]["balanced_accuracy"] >= per_split.min(axis=0))
    assert "dummy" not in sel["picks"]


def test_inner_scores_are_a_grouped_cross_validation_of_the_outer_training_part():
    X, y, groups = _people(seed=2)
    model = KNeighborsClassifier(5)
    result = evaluate({"knn": model, "lda": LinearDiscriminantAnalysis()}, X, y,
                      groups=groups, protocols=("grouped",), n_splits=3, random_state=7)
    outer = StratifiedGroupShuffleSplit(3, test_size=0.2, random_state=7)
    inner = StratifiedGroupShuffleSplit(3, test_size=0.2, random_state=7)
    for k, (train, _) in enumerate(outer.split(X, y, groups)):
        scores = []
        for inner_train, inner_test in inner.split(X[train], y[train], groups[train]):
            a, b = train[inner_train], train[inner_test]
            pred = clone(model).fit(X[a], y[a]).predict(X[b])
            scores.append(balanced_accuracy_score(y[b], pred))
        assert result["knn", "grouped"]["inner_balanced_accuracy"][k] == pytest.approx(
            np.mean(scores))


def test_ties_go_to_the_first_model_and_the_table_shows_the_picks():
    X, y, groups = _people()
    result = evaluate({"first": DummyClassifier(), "second": DummyClassifier()}, X, y,
                      groups=groups, n_splits=3)
    assert result["selected", "grouped"]["picks"] == {"first": 3}
    text = str(result)
    assert "selected  grouped " in text
    assert ("selected (grouped): picked first 3x in 3 splits, by mean inner balanced "
            "accuracy (ties: first in model order) over StratifiedGroupShuffleSplit(n_splits=3"
            in text)
    assert "selected (tutorial): picked first 3x" in text
    md = result.to_markdown()
    assert "| selected | grouped | 0.333 ± 0.000 | 0.333 ± 0.000 |" in md
    frame = result.to_frame()
    assert frame.loc[("selected", "grouped"), "balanced_accuracy_mean"] == pytest.approx(1 / 3)
    assert result.to_dict()["selected"][1]["picks"] == {"first": 3}


def test_results_merged_from_separate_calls_select_like_one_call():
    """The command line evaluates one pipeline per call and merges the rows."""
    X, y, groups = _people(seed=3)
    models = {"lda": LinearDiscriminantAnalysis(), "knn": KNeighborsClassifier(3)}
    together = evaluate(models, X, y, groups=groups, n_splits=3)
    parts = [evaluate({m: est}, X, y, groups=groups, n_splits=3) for m, est in models.items()]
    assert all(part.selected == [] for part in parts)  # one model: nothing to select
    merged = EvaluationResult([row for part in parts for row in part.rows],
                              classes=together.classes, class_counts=together.class_counts,
                              n_samples=together.n_samples, n_groups=together.n_groups,
                              protocols=together.protocols)
    for protocol in ("tutorial", "grouped"):
        a, b = together["selected", protocol], merged["selected", protocol]
        assert a["picked"] == b["picked"]
        assert a["scores"]["balanced_accuracy"] == b["scores"]["balanced_accuracy"]
    other = evaluate({"knn": models["knn"]}, X, y, groups=groups, n_splits=3, random_state=1)
    with pytest.raises(ValueError, match="scored on different splits"):
        EvaluationResult(parts[0].rows + other.rows, classes=together.classes,
                         class_counts=together.class_counts, n_samples=together.n_samples,
                         n_groups=together.n_groups, protocols=together.protocols)


class _NeedsManySamples(ClassifierMixin, BaseEstimator):
    """Fails to fit on fewer than ``minimum`` samples (the outer training parts have enough,
    the smaller inner ones do not)."""

    def __init__(self, minimum=100):
        self.minimum = minimum

    def fit(self, X, y):
        if len(X) < self.minimum:
            raise ValueError(f"needs {self.minimum} samples, got {len(X)}")
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_failed_inner_fits_are_never_picked_and_counted():
    X, y, groups = _people()  # 180 samples: outer training parts of 144
    result = evaluate({"fragile": _NeedsManySamples(130), "lda": LinearDiscriminantAnalysis()},
                      X, y, groups=groups, protocols=("grouped",), n_splits=2)
    sel = result["selected", "grouped"]
    assert sel["picks"] == {"lda": 2}
    assert result["fragile", "grouped"]["inner_balanced_accuracy"] == [None, None]
    assert sel["inner_fit_failures"] == 2 * 3
    assert "6 inner fits failed (never picked)" in str(result)


def test_no_selection_when_an_outer_training_part_cannot_be_split_or_it_is_off():
    X, y, groups = _people(n_subjects=4)
    # 4 subjects, test size 0.75: one subject to train on, no inner grouped split possible
    result = evaluate({"a": DummyClassifier(), "b": LinearDiscriminantAnalysis()}, X, y,
                      groups=groups, protocols=("grouped",), n_splits=2, test_size=0.75)
    assert result.selected == []
    assert "selected (grouped): not computed, StratifiedGroupShuffleSplit" in str(result)
    assert "needs at least 2 groups" in str(result)
    with pytest.warns(UserWarning, match="fewer than 2 test samples"):  # 4 people: tiny parts
        off = evaluate({"a": DummyClassifier(), "b": LinearDiscriminantAnalysis()}, X, y,
                       groups=groups, n_splits=2, inner_cv=None)
    assert off.selected == [] and "inner_balanced_accuracy" not in off.rows[0]
    assert "selected" not in str(off)
    with pytest.raises(ValueError, match="named 'selected'"):
        evaluate({"selected": DummyClassifier(), "b": DummyClassifier()}, X, y, groups=groups)


def _crop_size(name):
    return PIPELINES[name](detect=True).named_steps["crop"].output_size


#: Named pipelines without a leading stateless feature step (nothing to share; the
#: augmentation meta-classifiers perturb the crops, so their features cannot be shared).
_NOTHING_TO_SHARE = {"fisherface", "pca_lda", "hog_logreg_flip",
                     "lowerface_hog_logreg_augmented", "hog_logreg_augmented_mild_perface"}


@pytest.mark.parametrize("name", list(PIPELINES))
@pytest.mark.slow
def test_sharing_the_stateless_steps_changes_no_prediction(name):
    """The inner fits compute each image's features once; the rewritten pipeline must
    predict exactly what the pipeline itself predicts."""
    # the crop size only matters to the feature steps (64 px: quicker for the others)
    size = 64 if name in _NOTHING_TO_SHARE else _crop_size(name)[0]
    X, y, groups = london_crops(size)
    keep = np.isin(groups, np.unique(groups)[:40])  # 40 people, a neutral and a happy photo
    X, y = X[keep], y[keep]
    assert len(y) == 80 and set(y) == {"happy", "neutral"}
    model = PIPELINES[name](detect=False)
    shared = _share_stateless_steps(model, X)
    first = shared.steps[0][1]
    if name in _NOTHING_TO_SHARE:
        assert shared.steps[0][0] == "rows"
    elif hasattr(first, "transformer_list"):  # a FeatureUnion: every branch shared
        for _, branch in first.transformer_list:  # a lookup, or a pipeline starting with one
            assert isinstance(branch, _Rows) or branch.steps[0][0] == "shared_features", name
    else:
        assert shared.steps[0][0] == "shared_features", name
    index = np.arange(len(y)).reshape(-1, 1)
    test = np.arange(0, 80, 4)
    train = np.setdiff1d(np.arange(80), test)
    a = clone(model).fit(X[train], y[train])
    b = clone(shared).fit(index[train], y[train])
    assert np.array_equal(a.predict(X[test]), b.predict(index[test]))
    method = "decision_function" if hasattr(a, "decision_function") else "predict_proba"
    # float32 features computed in a batch of a different size round differently in the
    # last bits (matrix products block by size): equal to float32 precision, not bitwise
    np.testing.assert_allclose(getattr(b, method)(index[test]), getattr(a, method)(X[test]),
                               rtol=1e-4, atol=1e-4)


def test_outer_fits_compute_the_features_once_and_score_as_the_pipeline_itself(monkeypatch):
    """evaluate's outer fits use the shared features too: each image's HOG is computed once
    for all splits, and every split scores what the pipeline itself scores there."""
    from sklearn.model_selection import cross_validate

    from skemotion.features._hog import HOGTransformer

    X, y, groups = london_crops(_crop_size("hog_logreg")[0])
    keep = np.isin(groups, np.unique(groups)[:30])
    X, y, groups = X[keep], y[keep], groups[keep]
    model = PIPELINES["hog_logreg"](detect=False)
    cv = StratifiedGroupShuffleSplit(4, test_size=0.25, random_state=0)
    splits = list(cv.split(X, y, groups))
    expected = cross_validate(model, X, y, cv=splits, scoring="balanced_accuracy")
    seen = []
    original = HOGTransformer._transform
    monkeypatch.setattr(HOGTransformer, "_transform",
                        lambda self, X, shape: seen.append(len(X)) or original(self, X, shape))
    result = evaluate({"hog_logreg": model}, X, y, groups=groups, protocols={"one": cv},
                      inner_cv=None)
    assert sum(seen) == len(y)  # once per image, not once per split and part
    np.testing.assert_allclose(result["hog_logreg", "one"]["scores"]["balanced_accuracy"],
                               expected["test_score"])
