"""evaluate(): several models on identical splits, both protocols, a printable table."""

import json

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.dummy import DummyClassifier
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut, StratifiedShuffleSplit
from sklearn.neighbors import KNeighborsClassifier

from skemotion.model_selection import (
    PROTOCOLS,
    EvaluationResult,
    StratifiedGroupShuffleSplit,
    evaluate,
    make_protocol,
)


class _RecordingClassifier(ClassifierMixin, BaseEstimator):
    """Majority-class classifier that records the training sets it saw (runs in-process)."""

    seen = []

    def fit(self, X, y):
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        type(self).seen.append(np.ascontiguousarray(X).tobytes())
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


def _people(seed=0, n_subjects=30):
    """Each subject has a strong personal offset and 2 images per emotion: 1-NN memorises people."""
    rng = np.random.RandomState(seed)
    emotions = np.array(["happy", "neutral", "sadness"])
    y = np.tile(np.repeat(emotions, 2), n_subjects)
    groups = np.repeat(np.arange(n_subjects), 6)
    person = rng.normal(scale=5.0, size=(n_subjects, 8))[groups]
    emotion = rng.normal(scale=1.0, size=(3, 8))[np.searchsorted(emotions, y)]
    X = person + emotion + rng.normal(scale=0.3, size=(len(y), 8))
    return X, y, groups


def test_rows_columns_and_chance():
    X, y, groups = _people()
    res = evaluate({"knn": KNeighborsClassifier(1), "dummy": DummyClassifier()}, X, y,
                   groups=groups, n_splits=4, random_state=0)
    assert isinstance(res, EvaluationResult)
    assert [(r["model"], r["protocol"]) for r in res.rows] == [
        ("knn", "tutorial"), ("knn", "grouped"), ("dummy", "tutorial"), ("dummy", "grouped")]
    assert res.classes == ["happy", "neutral", "sadness"]
    assert res.chance_accuracy == pytest.approx(1 / 3)
    assert res.chance_balanced_accuracy == pytest.approx(1 / 3)
    assert res.n_samples == 180 and res.n_groups == 30
    for row in res.rows:
        assert row["n_splits"] == 4
        assert len(row["scores"]["accuracy"]) == 4
        assert row["accuracy_mean"] == pytest.approx(np.mean(row["scores"]["accuracy"]))
        assert row["accuracy_std"] == pytest.approx(np.std(row["scores"]["accuracy"]))
        assert set(row["recall"]) == set(res.classes)
        assert row["fit_time"] >= 0 and row["predict_time"] > 0
        assert row["n_test"] == pytest.approx(36, abs=6)
    dummy = res["dummy", "grouped"]
    assert dummy["balanced_accuracy_mean"] == pytest.approx(1 / 3)
    # a constant prediction recalls exactly one class fully
    assert sorted(dummy["recall"].values()) == [0.0, 0.0, 1.0]
    # subject leakage: 1-NN finds the same person's other image under the tutorial protocol
    assert res["knn", "tutorial"]["accuracy_mean"] > res["knn", "grouped"]["accuracy_mean"] + 0.2


def test_balanced_accuracy_and_chance_on_imbalanced_classes():
    """With unequal classes, balanced accuracy is not accuracy and chance is the majority
    share: both checked against scikit-learn on the same splits."""
    from sklearn.base import clone
    from sklearn.metrics import accuracy_score, balanced_accuracy_score

    X, y, groups = _people(n_subjects=30)
    first = np.r_[True, np.diff(groups) != 0] | (np.r_[True, y[1:] != y[:-1]])  # 1st per pair
    keep = (y == "happy") | ((y == "neutral") & first) | ((y == "sadness") & (groups < 10))
    X, y, groups = X[keep], y[keep], groups[keep]
    assert {c: int(np.sum(y == c)) for c in np.unique(y)} == {
        "happy": 60, "neutral": 30, "sadness": 20}
    models = {"knn": KNeighborsClassifier(3), "dummy": DummyClassifier()}
    res = evaluate(models, X, y, groups=groups, n_splits=3, random_state=0)
    assert res.chance_accuracy == pytest.approx(60 / 110)
    assert res.chance_balanced_accuracy == pytest.approx(1 / 3)
    for protocol in ("tutorial", "grouped"):
        cv = make_protocol(protocol, n_splits=3, random_state=0)
        for name, model in models.items():
            expected_bal, expected_acc = [], []
            split_groups = groups if protocol == "grouped" else None
            for train, test in cv.split(X, y, split_groups):
                pred = clone(model).fit(X[train], y[train]).predict(X[test])
                expected_bal.append(balanced_accuracy_score(y[test], pred))
                expected_acc.append(accuracy_score(y[test], pred))
            row = res[name, protocol]
            np.testing.assert_allclose(row["scores"]["balanced_accuracy"], expected_bal)
            np.testing.assert_allclose(row["scores"]["accuracy"], expected_acc)
    # the majority-class dummy: accuracy is the majority share, balanced accuracy 1/3
    dummy = res["dummy", "grouped"]
    assert dummy["balanced_accuracy_mean"] == pytest.approx(1 / 3)
    assert dummy["accuracy_mean"] > 0.45


def test_models_see_identical_splits():
    X, y, groups = _people()
    _RecordingClassifier.seen = []
    evaluate([("a", _RecordingClassifier()), ("b", _RecordingClassifier())], X, y,
             groups=groups, protocols=("grouped",), n_splits=3, random_state=None,
             inner_cv=None)  # the outer fits only (the inner selection: test_selection.py)
    seen = _RecordingClassifier.seen
    assert len(seen) == 6
    assert seen[:3] == seen[3:]  # even with random_state=None both models got the same splits


def test_printing_and_serialisation():
    X, y, groups = _people()
    res = evaluate([LinearDiscriminantAnalysis()], X, y, groups=groups, n_splits=2)
    text = str(res)
    assert "LinearDiscriminantAnalysis" in text and "tutorial" in text and "grouped" in text
    assert "Chance level: accuracy 0.333" in text
    md = res.to_markdown()
    assert md.startswith("| model | protocol | accuracy | balanced acc. | recall happy |")
    assert md.count("\n| LinearDiscriminantAnalysis |") == 2
    data = json.loads(res.to_json())
    assert data["rows"][0]["recall"]["sadness"] == res.rows[0]["recall"]["sadness"]
    assert data["class_counts"] == {"happy": 60, "neutral": 60, "sadness": 60}
    frame = res.to_frame()
    assert list(frame.index.names) == ["model", "protocol"]
    assert frame.loc[("LinearDiscriminantAnalysis", "grouped"), "recall_happy"] == pytest.approx(
        res.rows[1]["recall"]["happy"])


def test_custom_protocols_and_callback():
    X, y, groups = _people()
    calls = []
    res = evaluate({"lda": LinearDiscriminantAnalysis()}, X, y, groups=groups,
                   protocols={"gkf": GroupKFold(3),
                              "sss": StratifiedShuffleSplit(2, random_state=0)},
                   callback=lambda m, p, row: calls.append((m, p, row["n_splits"])))
    assert calls == [("lda", "gkf", 3), ("lda", "sss", 2)]
    assert "GroupKFold" in res.protocols["gkf"]


def test_without_groups_default_is_tutorial_only_and_errors():
    X, y, groups = _people()
    res = evaluate({"d": DummyClassifier()}, X, y, n_splits=2)
    assert [r["protocol"] for r in res.rows] == ["tutorial"]
    assert res.n_groups is None
    with pytest.raises(ValueError, match="'grouped' protocol needs groups="):
        evaluate({"d": DummyClassifier()}, X, y, protocols=["grouped"])
    with pytest.raises(ValueError, match="Unknown protocol 'leaky'"):
        evaluate({"d": DummyClassifier()}, X, y, groups=groups, protocols=["leaky"])
    with pytest.raises(ValueError, match="at least 2 classes"):
        evaluate({"d": DummyClassifier()}, X, np.full(len(y), "happy"))
    with pytest.raises(ValueError, match="groups has 5 entries"):
        evaluate({"d": DummyClassifier()}, X, y, groups=groups[:5])
    with pytest.raises(ValueError, match="Duplicate model names"):
        evaluate([("a", DummyClassifier()), ("a", DummyClassifier())], X, y)


def test_warns_when_a_test_part_holds_fewer_than_two_samples_of_a_class():
    import warnings

    X, y, groups = _people(n_subjects=4)  # 24 samples, 6 per subject: 2 per emotion
    # grouped, 1 test subject: 2 samples of each class, no warning; 3 tutorial test
    # samples: 1 of each class
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        evaluate({"d": DummyClassifier()}, X, y, groups=groups, n_splits=3, test_size=0.25,
                 protocols=["grouped"], inner_cv=None)
    assert not [w for w in caught if "test samples" in str(w.message)]
    with warnings.catch_warnings(record=True) as small:
        warnings.simplefilter("always")
        evaluate({"d": DummyClassifier()}, X, y, groups=groups, n_splits=3, test_size=3,
                 protocols=["tutorial"], inner_cv=None)
    messages = [str(w.message) for w in small if "test samples" in str(w.message)]
    assert len(messages) == 1, messages  # one line for the protocol, not one per split
    assert messages[0].startswith("Protocol 'tutorial': the test part of split 1 holds 1 "
                                  "sample(s) of class 'happy' (3 of 3 splits have a class "
                                  "with fewer than 2 test samples)")


def test_make_protocol():
    assert isinstance(make_protocol("tutorial"), StratifiedShuffleSplit)
    cv = make_protocol("grouped", n_splits=3, test_size=0.3, random_state=1)
    assert isinstance(cv, StratifiedGroupShuffleSplit)
    assert (cv.n_splits, cv.test_size, cv.random_state) == (3, 0.3, 1)
    assert set(PROTOCOLS) == {"tutorial", "grouped", "cross-dataset"}
    assert isinstance(make_protocol("cross-dataset"), LeaveOneGroupOut)


def test_parameter_validation_names_the_argument():
    X, y, groups = _people()
    with pytest.raises(ValueError, match="'n_splits' parameter of evaluate"):
        evaluate({"d": DummyClassifier()}, X, y, groups=groups, n_splits=0)
    with pytest.raises(ValueError, match="'test_size' parameter of evaluate"):
        evaluate({"d": DummyClassifier()}, X, y, groups=groups, test_size=1.5)
    with pytest.raises(ValueError, match="'name' parameter of make_protocol"):
        make_protocol("leaky")


def test_missing_subject_ids_are_named():
    X, y, groups = _people(n_subjects=6)
    groups = groups.astype(object)
    groups[[0, 7]] = None, float("nan")
    with pytest.raises(ValueError, match=r"no subject id \(None or NaN\) for 2 sample\(s\), "
                                         r"the first \[0, 7\]"):
        evaluate({"d": DummyClassifier()}, X, y, groups=groups, n_splits=2)
    floats = np.arange(len(y), dtype=np.float32)
    floats[3] = np.nan
    with pytest.raises(ValueError, match=r"for 1 sample\(s\), the first \[3\]"):
        evaluate({"d": DummyClassifier()}, X, y, groups=floats, n_splits=2)
