"""StratifiedGroupShuffleSplit: no subject crosses a split, classes stay balanced."""

import cv2
import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.model_selection import (
    GridSearchCV,
    cross_val_score,
    cross_validate,
    learning_curve,
)
from sklearn.pipeline import make_pipeline

from skemotion.model_selection import StratifiedGroupShuffleSplit

# Stated tolerance: |share of a class in the test set - its share in the data| <= 0.03 on
# these sets (London is exact; the synthetic set has 7 classes and groups of 1-5 images).
PROPORTION_TOLERANCE = 0.03


@pytest.fixture(scope="module")
def london_small(london):
    X = np.array(
        [cv2.resize(cv2.cvtColor(im, cv2.COLOR_BGR2GRAY), (24, 24), interpolation=cv2.INTER_AREA)
         for im in london.images], dtype=np.float32
    ).reshape(len(london.images), -1)
    return X, london.target, london.groups


def _unbalanced(seed=0, n_subjects=120):
    """7 classes with shares 30:20:10:8:6:4:2, subjects holding 1-5 images each."""
    rng = np.random.RandomState(seed)
    classes = np.array(["anger", "contempt", "disgust", "fear", "happy", "sadness", "surprise"])
    p = np.array([30, 20, 10, 8, 6, 4, 2.0])
    y, groups = [], []
    for s in range(n_subjects):
        k = rng.randint(1, 6)
        y += list(rng.choice(classes, size=k, p=p / p.sum()))
        groups += [f"S{s:03d}"] * k
    return np.array(y), np.array(groups)


def _check_splits(cv, y, groups, test_size):
    classes, counts = np.unique(y, return_counts=True)
    n = 0
    for train, test in cv.split(np.zeros((len(y), 1)), y, groups):
        n += 1
        assert len(np.intersect1d(train, test)) == 0
        assert not set(groups[train]) & set(groups[test]), "a subject crosses the split"
        assert len(train) + len(test) == len(y)  # train_size=None: everything else trains
        assert abs(len(test) / len(y) - test_size) <= PROPORTION_TOLERANCE
        test_share = np.array([(y[test] == c).sum() for c in classes]) / len(test)
        assert np.abs(test_share - counts / len(y)).max() <= PROPORTION_TOLERANCE
    assert n == cv.get_n_splits()


def test_london_no_subject_crosses_and_classes_balanced(london):
    cv = StratifiedGroupShuffleSplit(n_splits=10, test_size=0.2, random_state=0)
    _check_splits(cv, london.target, london.groups, 0.2)
    for _, test in cv.split(london.images, london.target, london.groups):
        # 102 subjects x (neutral, happy): 20 whole subjects, exactly half of each class
        assert len(test) == 40
        assert (london.target[test] == "happy").sum() == 20


@pytest.mark.parametrize("test_size", [0.2, 0.3])
@pytest.mark.parametrize("seed", [0, 1])
def test_unbalanced_synthetic(seed, test_size):
    y, groups = _unbalanced(seed)
    cv = StratifiedGroupShuffleSplit(n_splits=10, test_size=test_size, random_state=seed)
    _check_splits(cv, y, groups, test_size)


def test_splits_are_random_but_reproducible():
    y, groups = _unbalanced(0)
    X = np.zeros((len(y), 1))
    def tests(seed):
        cv = StratifiedGroupShuffleSplit(5, random_state=seed)
        return [te.tolist() for _, te in cv.split(X, y, groups)]

    a, b, c = tests(3), tests(3), tests(4)
    assert a == b
    assert a != c
    test_sets = {frozenset(groups[te]) for te in a}
    assert len(test_sets) == 5  # five different test sets of subjects


def test_train_size_subsamples_whole_groups():
    y, groups = _unbalanced(2)
    cv = StratifiedGroupShuffleSplit(4, test_size=0.2, train_size=0.5, random_state=0)
    for train, test in cv.split(np.zeros((len(y), 1)), y, groups):
        assert not set(groups[train]) & set(groups[test])
        assert abs(len(train) / len(y) - 0.5) <= PROPORTION_TOLERANCE
        # every subject of the training set is complete
        for g in set(groups[train]):
            assert set(np.flatnonzero(groups == g)) <= set(train)


def test_errors():
    y = np.array(["a", "b"] * 5)
    X = np.zeros((10, 1))
    cv = StratifiedGroupShuffleSplit(3, random_state=0)
    with pytest.raises(ValueError, match="needs groups="):
        next(cv.split(X, y))
    with pytest.raises(ValueError, match="at least 2 groups"):
        next(cv.split(X, y, np.zeros(10)))
    with pytest.raises(ValueError, match="needs y"):
        next(cv.split(X, None, np.arange(10)))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        next(cv.split(X, y, np.arange(9)))
    with pytest.raises(ValueError, match="test_size"):
        next(StratifiedGroupShuffleSplit(3, test_size=1.5).split(X, y, np.arange(10)))
    with pytest.raises(ValueError, match="all 2 groups in the test set"):
        next(StratifiedGroupShuffleSplit(3, test_size=0.9).split(X, y, np.repeat([0, 1], 5)))


@pytest.mark.slow
def test_works_with_sklearn_tools(london_small):
    X, y, groups = london_small
    pipe = make_pipeline(PCA(n_components=20, random_state=0), LinearDiscriminantAnalysis())
    cv = StratifiedGroupShuffleSplit(n_splits=3, random_state=0)
    scores = cross_val_score(pipe, X, y, groups=groups, cv=cv)
    assert scores.shape == (3,) and np.all((scores > 0.5) & (scores <= 1))
    res = cross_validate(pipe, X, y, groups=groups, cv=cv, return_indices=True)
    for train, test in zip(res["indices"]["train"], res["indices"]["test"]):
        assert not set(groups[train]) & set(groups[test])
    search = GridSearchCV(pipe, {"pca__n_components": [5, 20]}, cv=cv).fit(X, y, groups=groups)
    assert search.cv_results_["split2_test_score"].shape == (2,)
    sizes, train_scores, test_scores = learning_curve(
        pipe, X, y, groups=groups, cv=cv, train_sizes=[0.5, 1.0]
    )
    assert test_scores.shape == (2, 3)
    # without groups sklearn's tools surface our error
    with pytest.raises(ValueError, match="needs groups="):
        cross_val_score(pipe, X, y, cv=cv)


def test_repr_and_get_n_splits():
    cv = StratifiedGroupShuffleSplit(n_splits=4, test_size=0.25, random_state=1)
    assert cv.get_n_splits() == 4
    assert "StratifiedGroupShuffleSplit(n_splits=4" in repr(cv)


def _sibling_imports(path, package):
    """Modules of ``package`` that the module at ``path`` imports, at its top or inside a
    function (``from ._x import y``, ``from . import _x``)."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(f"{package}.{node.module.split('.')[0]}")
            else:
                found.update(f"{package}.{alias.name}" for alias in node.names)
    return found


def test_model_selection_modules_import_each_other_without_a_circle():
    """No import circle among the model_selection modules (not even a late import that
    dodges it): every helper has one home that the others import at their top."""
    from pathlib import Path

    import skemotion.model_selection as ms

    folder = Path(ms.__file__).parent
    graph = {f"{ms.__name__}.{f.stem}": _sibling_imports(f, ms.__name__)
             for f in folder.glob("_*.py") if f.stem != "__init__"}
    graph = {m: deps & set(graph) for m, deps in graph.items()}
    assert graph[f"{ms.__name__}._evaluate"]  # the walk sees its imports

    def reaches(start, target, seen=()):
        return any(d == target or (d not in seen and reaches(d, target, (*seen, d)))
                   for d in graph[start])

    circles = sorted(m for m in graph if reaches(m, m))
    assert circles == [], circles
