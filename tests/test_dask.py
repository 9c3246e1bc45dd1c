"""A real two-process Dask LocalCluster runs a grid search and an evaluation like the local run."""

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skemotion.model_selection import (
    EmotionSubset,
    StratifiedGroupShuffleSplit,
    dask_backend,
    evaluate,
)

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
        dashboard_address=":0",
    ) as cluster:
        yield cluster


def _data(seed=0, n_subjects=20):
    rng = np.random.RandomState(seed)
    emotions = np.array(["anger", "happy", "neutral", "surprise"])
    y = np.tile(emotions, n_subjects)
    groups = np.repeat(np.arange(n_subjects), len(emotions))
    centres = rng.normal(scale=2, size=(4, 12))
    X = rng.normal(size=(len(y), 12)) + centres[np.searchsorted(emotions, y)]
    return X, y, groups


def _search(n_jobs):
    pipe = make_pipeline(PCA(random_state=0), LinearDiscriminantAnalysis())
    return GridSearchCV(
        EmotionSubset(pipe),
        {"emotions": [("anger", "happy"), ("happy", "neutral", "surprise")],
         "estimator__pca__n_components": [3, 8]},
        cv=StratifiedGroupShuffleSplit(n_splits=3, random_state=0),
        n_jobs=n_jobs,
    )


@pytest.mark.slow
def test_grid_search_on_local_cluster_equals_local_run(cluster):
    X, y, groups = _data()
    local = _search(None).fit(X, y, groups=groups)
    with dask_backend(cluster.scheduler_address) as client:
        with distributed.get_task_stream(client) as stream:
            remote = _search(-1).fit(X, y, groups=groups)
            ev = evaluate({"lda": LinearDiscriminantAnalysis()}, X, y, groups=groups,
                          n_splits=3, n_jobs=-1)
        workers = {t["worker"] for t in stream.data}
    assert client.status == "closed"  # the helper closed the client it opened
    # the jobs really ran on the cluster's worker processes
    assert len(stream.data) >= 4 * 3 and workers <= set(cluster.scheduler_info["workers"])
    keys = ["params", "mean_test_score", "split0_test_score", "split2_test_score",
            "rank_test_score"]
    for key in keys:
        np.testing.assert_array_equal(remote.cv_results_[key], local.cv_results_[key])
    assert remote.best_params_ == local.best_params_
    local_ev = evaluate({"lda": LinearDiscriminantAnalysis()}, X, y, groups=groups, n_splits=3)
    for a, b in zip(ev.rows, local_ev.rows):
        assert a["scores"] == b["scores"]


def test_unreachable_scheduler_fails_fast():
    with pytest.raises(OSError):
        with dask_backend("tcp://127.0.0.1:9", timeout=1):
            pass
