"""EmotionSubset: emotion subsets as a hyper-parameter of sklearn's own search classes."""

import cv2
import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, balanced_accuracy_score
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.pipeline import make_pipeline

from skemotion.model_selection import (
    EmotionSubset,
    StratifiedGroupShuffleSplit,
    make_subset_scorer,
)

EMOTIONS = ["anger", "disgust", "fear", "happy", "neutral", "sadness", "surprise"]


def _multiclass(seed=0, n_subjects=24, separable=("happy", "surprise")):
    """Every subject shows all 7 emotions; only the ``separable`` ones differ in X."""
    rng = np.random.RandomState(seed)
    y = np.tile(EMOTIONS, n_subjects)
    groups = np.repeat([f"S{i:02d}" for i in range(n_subjects)], len(EMOTIONS))
    X = rng.normal(size=(len(y), 6))
    for k, e in enumerate(separable):
        X[y == e, k] += 4.0
    return X, y, groups


def test_fit_keeps_only_subset_and_predicts_its_labels():
    X, y, groups = _multiclass()
    est = EmotionSubset(LogisticRegression(), emotions=("happy", "surprise", "neutral")).fit(X, y)
    assert est.classes_.tolist() == ["happy", "neutral", "surprise"]
    assert est.emotions_.tolist() == ["happy", "neutral", "surprise"]
    assert set(est.predict(X)) <= {"happy", "neutral", "surprise"}
    assert est.estimator_.n_features_in_ == 6 and est.n_features_in_ == 6
    # the inner model saw exactly the subset's samples
    Xs, ys = est.subset(X, y)
    assert len(ys) == 3 * 24 and set(ys) == {"happy", "neutral", "surprise"}
    np.testing.assert_array_equal(est.estimator_.predict(Xs), est.predict(Xs))
    assert est.predict_proba(X).shape == (len(y), 3)
    # comma-separated string form
    est2 = EmotionSubset(LogisticRegression(), emotions="happy,surprise").fit(X, y)
    assert est2.classes_.tolist() == ["happy", "surprise"]
    # aliases select their canonical emotion's samples (duplicates collapse)
    est3 = EmotionSubset(LogisticRegression(), emotions="Happiness,surprised,happy").fit(X, y)
    assert est3.classes_.tolist() == ["happy", "surprise"]


def test_fit_params_are_subset_and_routed():
    """sample_weight reaches the inner model for the kept samples only, with and without
    scikit-learn's metadata routing (where the inner model must request it)."""
    import sklearn
    from sklearn.model_selection import GroupKFold, cross_validate

    X, y, groups = _multiclass()
    weights = np.linspace(0.1, 5.0, len(y))
    keep = np.isin(y, ["happy", "surprise"])
    expected = LogisticRegression().fit(X[keep], y[keep], sample_weight=weights[keep]).coef_
    plain = EmotionSubset(LogisticRegression(), emotions="happy,surprise")
    np.testing.assert_allclose(plain.fit(X, y, sample_weight=weights).estimator_.coef_,
                               expected, rtol=1e-6)
    with sklearn.config_context(enable_metadata_routing=True):
        inner = LogisticRegression().set_fit_request(sample_weight=True)
        routed = EmotionSubset(inner, emotions="happy,surprise").set_score_request(
            sample_weight=False)
        np.testing.assert_allclose(routed.fit(X, y, sample_weight=weights).estimator_.coef_,
                                   expected, rtol=1e-6)
        res = cross_validate(routed, X, y, cv=GroupKFold(3),
                             params={"groups": groups, "sample_weight": weights})
        assert np.all(res["test_score"] > 0.9)
        with pytest.raises(ValueError, match=r"\[sample_weight\] are passed but are not"):
            EmotionSubset(LogisticRegression(), emotions="happy,surprise").fit(
                X, y, sample_weight=weights)


def test_score_is_chance_adjusted_on_subset_only():
    X, y, groups = _multiclass()
    est = EmotionSubset(LogisticRegression(), emotions=("happy", "surprise")).fit(X, y)
    keep = np.isin(y, ["happy", "surprise"])
    expected = balanced_accuracy_score(y[keep], est.predict(X[keep]), adjusted=True)
    assert est.score(X, y) == pytest.approx(expected)
    assert est.score(X, y) > 0.9  # separable pair
    # a constant predictor is at chance: 0 whatever the number of classes
    for emotions in (("anger", "fear"), ("anger", "fear", "sadness", "neutral")):
        dummy = EmotionSubset(DummyClassifier(strategy="most_frequent"), emotions=emotions)
        assert dummy.fit(X, y).score(X, y) == pytest.approx(0.0)
    # no test sample of the subset: NaN, not a crash
    assert np.isnan(est.score(X[~keep], y[~keep]))


def test_none_is_pass_through():
    X, y, _ = _multiclass()
    est = EmotionSubset(LinearDiscriminantAnalysis()).fit(X, y)
    ref = LinearDiscriminantAnalysis().fit(X, y)
    np.testing.assert_array_equal(est.predict(X), ref.predict(X))
    assert est.classes_.tolist() == sorted(EMOTIONS)


def test_errors_name_the_problem():
    X, y, _ = _multiclass()
    with pytest.raises(ValueError, match=r"'pride' not among the training labels"):
        EmotionSubset(LogisticRegression(), emotions=["happy", "pride"]).fit(X, y)
    with pytest.raises(ValueError, match="at least 2 emotions"):
        EmotionSubset(LogisticRegression(), emotions=["happy"]).fit(X, y)
    with pytest.raises(ValueError, match="X has"):
        EmotionSubset(LogisticRegression()).fit(X, y[:-1])


def test_grid_search_over_subsets_identical_splits():
    X, y, groups = _multiclass(seed=1)
    subsets = [("happy", "surprise"), ("anger", "fear", "sadness"), tuple(EMOTIONS)]
    cv = StratifiedGroupShuffleSplit(n_splits=3, test_size=0.25, random_state=0)
    search = GridSearchCV(EmotionSubset(LogisticRegression()), {"emotions": subsets}, cv=cv)
    search.fit(X, y, groups=groups)
    scores = search.cv_results_["mean_test_score"]
    # separable pair near 1, indistinguishable triple near 0 (chance), all-7 in between
    assert scores[0] > 0.8
    assert abs(scores[1]) < 0.3
    assert scores[1] < scores[2] < scores[0]
    assert search.best_params_ == {"emotions": ("happy", "surprise")}
    assert search.best_estimator_.classes_.tolist() == ["happy", "surprise"]
    # identical splits: scoring one candidate by hand on cv's splits reproduces its scores
    for k, (train, test) in enumerate(cv.split(X, y, groups)):
        est = EmotionSubset(LogisticRegression(), emotions=subsets[1]).fit(X[train], y[train])
        expected = est.score(X[test], y[test])
        assert search.cv_results_[f"split{k}_test_score"][1] == pytest.approx(expected)


def test_multimetric_subset_scorers_and_randomized_search():
    X, y, groups = _multiclass(seed=2)
    scoring = {
        "adjusted": make_subset_scorer(balanced_accuracy_score, adjusted=True),
        "accuracy": make_subset_scorer(accuracy_score),
    }
    cv = StratifiedGroupShuffleSplit(n_splits=2, random_state=0)
    search = RandomizedSearchCV(
        EmotionSubset(LogisticRegression()),
        {"emotions": [("happy", "surprise"), ("anger", "fear", "sadness")]},
        n_iter=2, scoring=scoring, refit="adjusted", cv=cv, random_state=0,
    ).fit(X, y, groups=groups)
    res = search.cv_results_
    for i in range(2):
        est = EmotionSubset(LogisticRegression(), **res["params"][i])
        for k, (train, test) in enumerate(cv.split(X, y, groups)):
            est.fit(X[train], y[train])
            assert res[f"split{k}_test_adjusted"][i] == pytest.approx(est.score(X[test], y[test]))
            keep = np.isin(y[test], est.emotions_)
            acc = accuracy_score(y[test][keep], est.predict(X[test][keep]))
            assert res[f"split{k}_test_accuracy"][i] == pytest.approx(acc)
    with pytest.raises(TypeError, match="fitted EmotionSubset"):
        scoring["accuracy"](LogisticRegression().fit(X, y), X, y)


def test_london_images_and_nested_params(london):
    # images as a list (not an array) go through _safe_indexing; nested params are searchable
    imgs = [cv2.resize(cv2.cvtColor(im, cv2.COLOR_BGR2GRAY), (16, 16)).ravel().astype(np.float32)
            for im in london.images]
    y, groups = london.target, london.groups
    pipe = make_pipeline(PCA(n_components=10, random_state=0), LinearDiscriminantAnalysis())
    search = GridSearchCV(
        EmotionSubset(pipe, emotions=("happy", "neutral")),
        {"estimator__pca__n_components": [5, 20]},
        cv=StratifiedGroupShuffleSplit(n_splits=2, random_state=0),
    ).fit(imgs, y, groups=groups)
    assert search.best_estimator_.classes_.tolist() == ["happy", "neutral"]
    assert np.all(search.cv_results_["mean_test_score"] > 0.5)  # better than chance (0.5)
    est = EmotionSubset(pipe, emotions=["happy", "neutral"]).fit(imgs, y)
    assert est.predict(imgs[:3]).shape == (3,)


def test_mixed_label_types_are_named():
    X = np.random.default_rng(0).uniform(size=(6, 16))
    y = np.array([1, "happy", 1, "happy", 2, "neutral"], dtype=object)
    with pytest.raises(ValueError, match=r"y mixes labels of different types \(str and int\)"):
        EmotionSubset(DummyClassifier()).fit(X, y)
    # numpy strings among Python strings are all names (np.str_ subclasses str)
    names = np.array(list(np.array(["happy", "neutral"] * 2)) + ["happy", "neutral"],
                     dtype=object)
    assert {type(v) for v in names} == {np.str_, str}
    fitted = EmotionSubset(DummyClassifier()).fit(X, names)
    assert list(fitted.classes_) == ["happy", "neutral"]
