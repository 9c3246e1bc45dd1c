"""End to end with the real pieces: FaceCropper in Pipelines, GridSearchCV over cascade
parameters with the detection cache, evaluate() on both protocols, learning curves, emotion
subsets and difficult images."""

from pathlib import Path

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.model_selection import GridSearchCV, cross_val_score, learning_curve
from sklearn.pipeline import Pipeline, make_pipeline

from skemotion import FaceCropper, FisherFaceClassifier
from skemotion.model_selection import (
    EmotionSubset,
    StratifiedGroupShuffleSplit,
    evaluate,
    find_difficult_images,
    write_difficult_images,
)
from skemotion.pipelines import PIPELINES

SIZE = 32


@pytest.fixture(scope="module")
def london_crops(london):
    """Real FaceCropper crops of the whole London set (32x32, float32, flat)."""
    X = FaceCropper(output_size=SIZE).fit_transform(london.images)
    return X, london.target, london.groups


def _cache_entries(location):
    """{cached result file: modification time}: one file per (image, detection setting)."""
    return {p: p.stat().st_mtime_ns for p in Path(location).rglob("output.pkl")}


@pytest.mark.slow
def test_cascade_parameter_search_with_detection_cache(london, tmp_path):
    # 20 subjects (40 photos) keep it quick; the pattern is the README's cascade search
    keep = np.isin(london.groups, np.unique(london.groups)[:20])
    images = [im for im, k in zip(london.images, keep) if k]
    y, groups = london.target[keep], london.groups[keep]
    cache = tmp_path / "detections"
    pipe = Pipeline([
        ("crop", FaceCropper(detector="haar", output_size=SIZE, memory=cache,
                             multiple_faces="largest", on_missing="full_image")),
        ("clf", FisherFaceClassifier()),
    ])
    grid = {"crop__min_neighbors": [3, 10], "crop__scale_factor": [1.1, 1.3]}
    cv = StratifiedGroupShuffleSplit(n_splits=2, random_state=0)
    search = GridSearchCV(pipe, grid, cv=cv, error_score="raise").fit(images, y, groups=groups)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_params_ in search.cv_results_["params"]
    # each image is detected once per detection setting, not once per split and refit:
    # 4 settings x 40 images, although the search ran 4 x 2 fits + 1 refit on them
    entries = _cache_entries(cache)
    assert len(entries) == 4 * len(images)
    again = GridSearchCV(pipe, grid, cv=cv).fit(images, y, groups=groups)
    assert _cache_entries(cache) == entries  # all answered from the cache: nothing rewritten
    np.testing.assert_array_equal(again.cv_results_["mean_test_score"],
                                  search.cv_results_["mean_test_score"])
    # the cached search scores exactly like an uncached pipeline on the same splits
    best = search.cv_results_["params"][search.best_index_]
    plain = Pipeline([("crop", FaceCropper(detector="haar", output_size=SIZE,
                                          multiple_faces="largest", on_missing="full_image")),
                      ("clf", FisherFaceClassifier())]).set_params(**best)
    scores = cross_val_score(plain, images, y, groups=groups, cv=cv)
    assert scores.mean() == pytest.approx(search.best_score_)


@pytest.mark.slow
def test_evaluate_both_protocols_real_models(london_crops):
    X, y, groups = london_crops
    # the package's named pipelines, taking FaceCropper output (detect=False)
    models = {name: PIPELINES[name](detect=False) for name in ("fisherface", "pca_lda")}
    models["sk_pca_lda"] = make_pipeline(PCA(n_components=30, random_state=0),
                                         LinearDiscriminantAnalysis())
    res = evaluate(models, X, y, groups=groups, n_splits=3, random_state=0)
    assert [(r["model"], r["protocol"]) for r in res.rows] == [
        ("fisherface", "tutorial"), ("fisherface", "grouped"),
        ("pca_lda", "tutorial"), ("pca_lda", "grouped"),
        ("sk_pca_lda", "tutorial"), ("sk_pca_lda", "grouped")]
    for row in res.rows:
        # clearly above chance (0.5), with per-class recall for both emotions
        assert row["balanced_accuracy_mean"] > 0.6
        assert set(row["recall"]) == {"happy", "neutral"}
    assert res["fisherface", "grouped"]["n_test"] == 40  # 20 whole subjects
    assert "fisherface" in res.to_markdown()


def test_learning_curve_and_emotion_subset_with_groups(london_crops):
    X, y, groups = london_crops
    cv = StratifiedGroupShuffleSplit(n_splits=2, random_state=0)
    sizes, _, test_scores = learning_curve(
        FisherFaceClassifier(), X, y, groups=groups, cv=cv, train_sizes=[0.3, 1.0]
    )
    assert list(sizes) == [int(0.3 * 164), 164] and test_scores.shape == (2, 2)
    # EmotionSubset over the real classifier inside GridSearchCV (London has 2 classes, so
    # the subset is both; the search still runs through sklearn and scores chance-adjusted)
    pipe = PIPELINES["fisherface"](detect=False)
    search = GridSearchCV(EmotionSubset(pipe),
                          {"emotions": [("happy", "neutral")],
                           "estimator__classifier__n_components": [1]},
                          cv=cv).fit(X, y, groups=groups)
    manual = [
        EmotionSubset(pipe, emotions=("happy", "neutral"))
        .fit(X[tr], y[tr]).score(X[te], y[te]) for tr, te in cv.split(X, y, groups)
    ]
    assert search.best_score_ == pytest.approx(np.mean(manual))
    assert search.best_score_ > 0.2  # chance-adjusted: 0 would be chance


def test_difficult_images_real_crops(london, london_crops, tmp_path):
    X, y, groups = london_crops
    res = find_difficult_images(FisherFaceClassifier(), X, y, groups=groups,
                                filenames=london.filenames,
                                cv=StratifiedGroupShuffleSplit(3, random_state=0))
    rows = res.records()
    assert rows and all(r["file"].endswith(".jpg") and r["subject"] for r in rows)
    csv_path = write_difficult_images(res, X, tmp_path / "difficult", min_error_rate=1.0)
    pngs = list(csv_path.parent.glob("*.png"))
    assert len(pngs) == len(res.records(min_error_rate=1.0))
    assert all(p.name.split("_")[0] in ("happy", "neutral") for p in pngs)
