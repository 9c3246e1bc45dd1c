"""Difficult images: counts over repeated splits, and a CSV + crops written only inside out_dir."""

import csv

import cv2
import numpy as np
import pytest
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.dummy import DummyClassifier
from sklearn.model_selection import StratifiedShuffleSplit

from skemotion.model_selection import (
    DIFFICULT_COLUMNS,
    StratifiedGroupShuffleSplit,
    find_difficult_images,
    write_difficult_images,
)


def _data(seed=0, n_subjects=30):
    rng = np.random.RandomState(seed)
    y = np.tile(["happy", "neutral"], n_subjects)
    groups = np.repeat([f"S{i:02d}" for i in range(n_subjects)], 2)
    X = rng.normal(size=(len(y), 3)) + (y == "happy")[:, None] * 4
    X[[0, 2]] -= 8  # two happy faces that look neutral
    files = np.array([f"/data/{lab}/{i:03d}.png" for i, lab in enumerate(y)])
    crops = rng.randint(0, 256, size=(len(y), 12, 10)).astype(np.uint8)
    return X, y, groups, files, crops


def test_counts_match_a_manual_loop():
    X, y, groups, files, _ = _data()
    cv = StratifiedGroupShuffleSplit(6, random_state=0)
    res = find_difficult_images(LinearDiscriminantAnalysis(), X, y, groups=groups,
                                filenames=files, cv=cv)
    tested = np.zeros(len(y), int)
    wrong = np.zeros(len(y), int)
    preds = []
    for train, test in cv.split(X, y, groups):
        p = LinearDiscriminantAnalysis().fit(X[train], y[train]).predict(X[test])
        tested[test] += 1
        wrong[test] += p != y[test]
        preds.append(p)
    rows = {r["id"]: r for r in res.records()}
    assert set(rows) == set(np.flatnonzero(wrong))
    for i, r in rows.items():
        assert (r["n_tested"], r["n_wrong"]) == (tested[i], wrong[i])
        assert r["error_rate"] == pytest.approx(wrong[i] / tested[i])
        assert r["file"] == files[i] and r["subject"] == groups[i] and r["true"] == y[i]
    hardest = res.records()[0]
    assert hardest["id"] in (0, 2) and hardest["predicted_as"] == "neutral"
    assert hardest["error_rate"] == 1.0 and hardest["wrong_as"] == f"neutral:{hardest['n_wrong']}"
    assert res.accuracy() == pytest.approx(1 - wrong.sum() / tested.sum())
    cm = res.confusion_matrix()
    assert cm.sum() == tested.sum() and cm[0, 1] + cm[1, 0] == wrong.sum()
    assert "misclassified at least once over 6 splits" in str(res)
    # never-misclassified images only with include_correct
    everyone = res.records(include_correct=True)
    assert len(everyone) == len(y)
    assert [r["id"] for r in res.records(min_error_rate=1.0)] == sorted(
        i for i in rows if wrong[i] == tested[i])
    assert list(res.to_frame().columns) == list(DIFFICULT_COLUMNS[:-1])


def test_default_cv_and_parallel(tmp_path):
    X, y, groups, _, _ = _data()
    a = find_difficult_images(LinearDiscriminantAnalysis(), X, y, groups=groups, n_jobs=2)
    b = find_difficult_images(LinearDiscriminantAnalysis(), X, y, groups=groups)
    assert a.n_splits == 10
    assert a.records() == b.records()
    # grouped default: every photo of a test subject is in the test part of its split
    # (the subject's partner photo is never in training)
    for k in range(a.n_splits):
        test_idx = a.index[a.split == k]
        assert np.isin(groups, groups[test_idx]).sum() == len(test_idx), k
    c = find_difficult_images(DummyClassifier(), X, y, cv=StratifiedShuffleSplit(3, random_state=0))
    assert c.n_splits == 3 and c.groups is None


def test_write_csv_and_crops(tmp_path):
    X, y, groups, files, crops = _data()
    res = find_difficult_images(LinearDiscriminantAnalysis(), X, y, groups=groups,
                                filenames=files, cv=StratifiedGroupShuffleSplit(6, random_state=0))
    out = tmp_path / "difficult"
    csv_path = write_difficult_images(res, crops, out)
    assert csv_path == (out / "difficult.csv").resolve()
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["id"] for r in rows] == [str(r["id"]) for r in res.records()]
    assert rows[0]["image"] == f"happy_neutral_{int(rows[0]['id']):04d}.png"
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == sorted(r["image"] for r in rows)
    for r in rows:
        img = cv2.imread(str(out / r["image"]), cv2.IMREAD_UNCHANGED)
        np.testing.assert_array_equal(img, crops[int(r["id"])])  # lossless, right crop
    # flat float crops in [0, 1] with an explicit shape
    flat = crops.reshape(len(crops), -1) / 255.0
    write_difficult_images(res, flat, tmp_path / "flat", image_shape=(12, 10), min_error_rate=1.0)
    assert all(cv2.imread(str(p)).shape[:2] == (12, 10) for p in (tmp_path / "flat").glob("*.png"))
    assert len(list((tmp_path / "flat").glob("*.png"))) == len(res.records(min_error_rate=1.0))


def test_rewrite_removes_only_the_previous_results_crops(tmp_path):
    X, y, groups, files, crops = _data()
    cv = StratifiedGroupShuffleSplit(6, random_state=0)
    always_happy = find_difficult_images(DummyClassifier(strategy="constant", constant="happy"),
                                         X, y, groups=groups, filenames=files, cv=cv)
    res = find_difficult_images(LinearDiscriminantAnalysis(), X, y, groups=groups,
                                filenames=files, cv=cv)
    out = tmp_path / "difficult"
    write_difficult_images(always_happy, crops, out)
    first = {p.name for p in out.glob("*.png")}
    # a write that fails on a bad crop removes nothing: the first result stays whole
    with pytest.raises(ValueError, match="not a square image"):
        write_difficult_images(res, crops.reshape(len(crops), -1), out)
    assert {p.name for p in out.glob("*.png")} == first
    # the user's own files, one of them named like a crop but not listed in difficult.csv
    (out / "neutral_happy_9999.png").write_bytes(b"mine")
    (out / "notes.txt").write_text("mine")
    write_difficult_images(res, crops, out)
    with open(out / "difficult.csv", newline="", encoding="utf-8") as f:
        second = {r["image"] for r in csv.DictReader(f)}
    assert len(first - second) > 10  # crops of the first result that must now be gone
    assert {p.name for p in out.glob("*.png")} == second | {"neutral_happy_9999.png"}
    assert (out / "notes.txt").read_text() == "mine"


def test_hostile_labels_stay_inside(tmp_path):
    y = np.array(["../../evil", "a/b\\c"] * 6, dtype=object)
    X = np.zeros((12, 4))
    res = find_difficult_images(DummyClassifier(strategy="constant", constant="../../evil"), X, y,
                                groups=np.arange(12),
                                cv=StratifiedGroupShuffleSplit(2, random_state=0))
    out = tmp_path / "out"
    write_difficult_images(res, np.zeros((12, 4, 4), np.uint8), out)
    written = {p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()}
    assert written and all(p.parts[0] == "out" and len(p.parts) == 2 for p in written)
    assert any(p.name.startswith("a-b-c_evil_") for p in written)


def test_errors(tmp_path):
    X, y, groups, files, crops = _data()
    with pytest.raises(ValueError, match="filenames has 3 entries"):
        find_difficult_images(DummyClassifier(), X, y, filenames=files[:3])
    res = find_difficult_images(DummyClassifier(), X, y, groups=groups)
    with pytest.raises(ValueError, match="crops has 5 images"):
        write_difficult_images(res, crops[:5], tmp_path / "x")
    (tmp_path / "file").write_text("")
    with pytest.raises(NotADirectoryError, match="not a folder"):
        write_difficult_images(res, crops, tmp_path / "file")
    with pytest.raises(ValueError, match="not a square image; pass image_shape"):
        write_difficult_images(res, crops.reshape(len(crops), -1), tmp_path / "y")
    assert not (tmp_path / "y").exists()  # checked before the folder is made


def test_parameter_validation_and_int_cv(tmp_path):
    X, y, groups, _, crops = _data()
    with pytest.raises(ValueError, match="'estimator' parameter of find_difficult_images"):
        find_difficult_images("not a model", X, y)
    res = find_difficult_images(DummyClassifier(), X, y, cv=3)  # StratifiedKFold(3)
    assert res.n_splits == 3
    assert sorted(res.index.tolist()) == list(range(len(y)))  # K-fold: each image tested once
    with pytest.raises(ValueError, match="'min_error_rate' parameter of write_difficult_images"):
        write_difficult_images(res, crops, tmp_path, min_error_rate=2)
    with pytest.raises(ValueError, match="'result' parameter of write_difficult_images"):
        write_difficult_images({"rows": []}, crops, tmp_path)
