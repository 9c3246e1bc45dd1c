"""evaluate()'s cross-dataset protocol: train on every source but one, test on the one
left out. Two sources are built from the London set: disjoint halves of its people, the
second half under other capture conditions (darker gamma, blur, half resolution)."""

import re

import cv2
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import accuracy_score, balanced_accuracy_score
from sklearn.model_selection import LeaveOneGroupOut
from sklearn.utils import Bunch

from skemotion import FaceCropper
from skemotion.datasets import concat_datasets
from skemotion.model_selection import evaluate
from skemotion.pipelines import PIPELINES


def other_camera(image):
    """The same photo from a worse camera: gamma 0.6, Gaussian blur, half resolution."""
    lut = np.clip(255.0 * (np.arange(256) / 255.0) ** (1 / 0.6), 0, 255).astype(np.uint8)
    image = cv2.GaussianBlur(cv2.LUT(image, lut), (5, 5), 1.5)
    return cv2.resize(image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)


def london_halves(london, perturb=other_camera):
    """Two dataset Bunches: the first half of London's people as they are, the second
    half through ``perturb``."""
    subjects = np.unique(london.groups)
    first = np.isin(london.groups, subjects[: len(subjects) // 2])
    parts = []
    for mask, change in ((first, None), (~first, perturb)):
        index = np.flatnonzero(mask)
        images = [london.images[i] if change is None else change(london.images[i])
                  for i in index]
        parts.append(Bunch(images=images, filenames=[london.filenames[i] for i in index],
                           target=london.target[index], groups=london.groups[index]))
    return parts


@pytest.fixture(scope="module")
def two_sources(london):
    studio, webcam = london_halves(london)
    data = concat_datasets(studio, webcam, names=["studio", "webcam"])
    X = FaceCropper(output_size=64, on_missing="full_image").fit_transform(data.images)
    return data, X


def _models():
    return {"hog_logreg": PIPELINES["hog_logreg"](detect=False),
            "fisherface": PIPELINES["fisherface"](detect=False)}


def test_the_second_source_has_other_capture_conditions(london):
    studio, webcam = london_halves(london)
    assert not set(studio.groups) & set(webcam.groups)
    assert len(studio.images) == len(webcam.images) == 102
    assert webcam.images[0].shape[:2] == (175, 175) and studio.images[0].shape[:2] == (350, 350)
    original = london.images[list(london.filenames).index(webcam.filenames[0])]
    assert np.mean(webcam.images[0]) < np.mean(original) - 10  # darker than the photo


@pytest.mark.slow
def test_train_test_table_equals_manual_fits(two_sources):
    data, X = two_sources
    y, groups, source = np.asarray(data.target), np.asarray(data.groups), data.source
    models = _models()
    result = evaluate(models, X, y, groups=groups, sources=source,
                      protocols=["cross-dataset"])
    entries = result.cross_dataset
    assert [(e["model"], e["train"], e["test"]) for e in entries] == [
        (m, ["webcam"], "studio") for m in [*models, "selected"]] + [
        (m, ["studio"], "webcam") for m in [*models, "selected"]]
    for e in entries:
        train, test = source != e["test"], source == e["test"]
        assert not set(groups[train]) & set(groups[test])  # subjects never shared
        assert (e["n_train"], e["n_test"]) == (102, 102)
        model = e["picked"] if e["model"] == "selected" else e["model"]
        pred = clone(models[model]).fit(X[train], y[train]).predict(X[test])
        assert e["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(y[test], pred))
        assert e["accuracy"] == pytest.approx(accuracy_score(y[test], pred))
    # the rows hold the same numbers, split by split, and the table is printed
    row = result["hog_logreg", "cross-dataset"]
    assert row["scores"]["balanced_accuracy"] == [e["balanced_accuracy"] for e in entries
                                                  if e["model"] == "hog_logreg"]
    text = str(result)
    assert "Train -> test (cross-dataset):" in text
    assert re.search(r"^hog_logreg +webcam -> studio +102 +102 ", text, re.M)
    assert re.search(r"^selected: \w+ +studio -> webcam +102 +102 ", text, re.M)
    md = result.cross_dataset_markdown()
    assert md.startswith("| model | train -> test | n train | n test | accuracy |")
    assert "| studio -> webcam | 102 | 102 |" in md
    assert md in result.to_markdown()
    assert result.to_dict()["cross_dataset"] == entries


@pytest.mark.slow
def test_selection_in_the_training_source_only(two_sources):
    """Under the cross-dataset protocol the selected row picks by a subject-grouped inner
    cross-validation inside the training source: the held-out source is never seen."""
    data, X = two_sources
    y, groups, source = np.asarray(data.target), np.asarray(data.groups), data.source
    result = evaluate(_models(), X, y, groups=groups, sources=source,
                      protocols=["grouped", "cross-dataset"], n_splits=3)
    sel = result["selected", "cross-dataset"]
    assert "StratifiedGroupShuffleSplit" in sel["inner_cv"]
    from skemotion.model_selection._selection import inner_splits, make_inner_cv

    inner = make_inner_cv(3, "cross-dataset", True, test_size=0.2, random_state=0)
    outer = list(LeaveOneGroupOut().split(X, y, source))
    pairs, owner = inner_splits(inner, X, y, groups, outer)
    for (a, b), k in zip(pairs, owner):
        held_out = source[outer[k][1]][0]
        assert set(source[a]) == set(source[b]) == {"studio", "webcam"} - {held_out}
    # the grouped protocol mixes both sources in every split: no train -> test line for it
    assert {e["protocol"] for e in result.cross_dataset} == {"cross-dataset"}
    assert result["hog_logreg", "grouped"]["split_sources"][0]["test"] == ["studio", "webcam"]


def test_cross_dataset_needs_two_sources_and_separate_subjects(two_sources):
    data, X = two_sources
    y, groups = np.asarray(data.target), np.asarray(data.groups)
    one = np.full(len(y), "studio", dtype=object)
    with pytest.raises(ValueError, match=r"at least 2 sources, but sources= holds only "
                                         r"'studio' \(204 samples\)"):
        evaluate(_models(), X, y, groups=groups, sources=one, protocols=["cross-dataset"])
    with pytest.raises(ValueError, match="needs sources="):
        evaluate(_models(), X, y, groups=groups, protocols=["cross-dataset"])
    # without the source prefixes the two halves' subject ids would collide
    bare = np.array([g.split(":")[1] for g in groups], dtype=object)
    bare[len(bare) // 2:] = bare[: len(bare) // 2]
    with pytest.raises(ValueError, match=r"Subject '\d+' is in two sources \('studio' and "
                                         r"'webcam'\)"):
        evaluate(_models(), X, y, groups=bare, sources=data.source,
                 protocols=["cross-dataset"])
    with pytest.raises(ValueError, match="sources has 3 entries"):
        evaluate(_models(), X, y, groups=groups, sources=["a", "b", "c"],
                 protocols=["cross-dataset"])
