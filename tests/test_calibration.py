"""Tests of the calibrated models (skemotion.calibration) and the London stand-in references."""

import pickle
import re
import warnings
from pathlib import Path

import cv2
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_score
from threadpoolctl import threadpool_limits

from skemotion import ReferenceCalibratedClassifier, load_model, save_model
from skemotion.datasets import load_ckplus, load_frl_london, load_image_folder
from skemotion.datasets._london import _second_take
from skemotion.model_selection import StratifiedGroupShuffleSplit, evaluate
from skemotion.augment._pipelines import augmented_pipeline
from skemotion.pipelines import DEFAULT_PIPELINE, PIPELINES, make_named_pipeline

_ALL_EMOTIONS = ["anger", "contempt", "disgust", "fear", "happy", "sadness", "surprise"]


@pytest.fixture(autouse=True)
def _one_blas_thread():
    """Logistic regression on a few dozen faces: a BLAS thread pool only adds waiting
    (20 s instead of 1 s for the held-out check on a busy two-core machine)."""
    with threadpool_limits(1):
        yield


@pytest.fixture(scope="module")
def london_refs():
    """The London set with its stand-in references (perturbed second takes)."""
    return load_frl_london(references=True)


def _gray(image, size=32):
    return cv2.resize(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), (size, size),
                      interpolation=cv2.INTER_AREA)


@pytest.fixture(scope="module")
def crop_pairs(london_refs):
    """``(X, y, groups)``: 32 px centre crops of 40 London people as (face, reference) pairs."""
    keep = [i for i, g in enumerate(london_refs.groups) if g in sorted(set(london_refs.groups))[:40]]

    def centre(image):
        return _gray(image[60:300, 60:290])

    X = [(centre(london_refs.images[i]), centre(london_refs.references[i])) for i in keep]
    return X, london_refs.target[keep], london_refs.groups[keep]


# ----------------------------------------------------------------------------- London references


def test_london_references_are_stand_in_second_takes(london, london_refs):
    assert len(london_refs.references) == len(london_refs.images) == 204
    neutral = {g: img for img, t, g in zip(london.images, london.target, london.groups)
               if t == "neutral"}
    for image, ref, group in zip(london_refs.images, london_refs.references, london_refs.groups):
        assert ref.shape == image.shape and ref.dtype == np.uint8
        assert not np.array_equal(ref, image)  # never the sample itself
        # a perturbed copy of the person's neutral photo: close to it, not equal
        diff = np.abs(ref.astype(float) - neutral[group]).mean()
        assert 0 < diff < 60
    # the two photos of a person share one reference, one array
    by_person = {}
    for ref, group in zip(london_refs.references, london_refs.groups):
        assert by_person.setdefault(group, id(ref)) == id(ref)
    # seeded: the same stand-ins every time, other ones with another seed
    photos = [neutral[g] for g in sorted(neutral)[:3]]
    first, again = _second_take(photos, 0), _second_take(photos, 0)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(_second_take(photos, 1)[0], first[0])
    assert "references" not in london


# ----------------------------------------------------------------------------- the estimator


def test_calibrated_model_classifies_pairs_and_pins_a_reference(crop_pairs):
    X, y, groups = crop_pairs
    model = ReferenceCalibratedClassifier(make_named_pipeline("hog_logreg", detect=False))
    model.fit(X, y)
    assert model.cropper_ is None and model.classes_.tolist() == ["happy", "neutral"]
    n = model.n_reference_features_
    assert model.classifier_[-1].n_features_in_ == 2 * n
    assert model.predict_proba(X).shape == (len(X), 2)
    assert model.decision_function(X).shape == (len(X),)
    # a pinned reference gives the same answers as the pairs, without pairs
    face, ref = X[0]
    faces = np.stack([x for x, _ in X[:6]])
    pinned = model.with_reference(ref)
    np.testing.assert_allclose(pinned.predict_proba(faces),
                               model.predict_proba([(f, ref) for f in faces]))
    vec = model.reference_features([ref])[0]
    assert vec.shape == (n,)
    np.testing.assert_allclose(vec, model.crop_features(ref[None])[0])
    by_vec = model.with_reference(reference_features=vec)
    np.testing.assert_array_equal(by_vec.predict(faces), pinned.predict(faces))
    with pytest.raises(ValueError, match="exactly one of reference"):
        model.with_reference()
    with pytest.raises(ValueError, match="reference_features has shape"):
        model.with_reference(reference_features=vec[:-1])


def test_calibration_beats_the_plain_features_on_stand_in_takes(crop_pairs):
    X, y, groups = crop_pairs
    cv = StratifiedGroupShuffleSplit(n_splits=3, test_size=0.25, random_state=0)
    faces = np.stack([x for x, _ in X])
    plain = cross_val_score(make_named_pipeline("hog_logreg", detect=False), faces, y,
                            groups=groups, cv=cv, scoring="balanced_accuracy")
    calibrated = cross_val_score(make_named_pipeline("hog_logreg", detect=False,
                                                     calibrated=True),
                                 X, y, groups=groups, cv=cv, scoring="balanced_accuracy")
    assert calibrated.mean() > plain.mean()


def test_calibrated_model_is_cloneable_picklable_and_skops_savable(crop_pairs, tmp_path):
    X, y, _ = crop_pairs
    model = make_named_pipeline("hog_logreg_flip", detect=False, calibrated=True)
    assert isinstance(model, ReferenceCalibratedClassifier)
    unfitted = clone(model)
    assert unfitted.get_params()["estimator__classifier__estimator__classifier__C"] == 0.01
    assert not hasattr(unfitted, "classes_")
    model.fit(X[::2], y[::2])
    expected = model.predict_proba(X[:5])
    np.testing.assert_allclose(pickle.loads(pickle.dumps(model)).predict_proba(X[:5]), expected)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no untrusted type: save_model would warn
        path = save_model(model, tmp_path / "calibrated.skops")
        np.testing.assert_allclose(load_model(path).predict_proba(X[:5]), expected)


def test_augmentation_wrappers_apply_to_pairs(crop_pairs):
    X, y, _ = crop_pairs
    flip = make_named_pipeline("hog_logreg_flip", detect=False, calibrated=True).fit(X, y)
    # the mirrored pairs double the classifier's training rows
    assert flip.classifier_[-1].n_features_in_ == 2 * flip.n_reference_features_
    augmented = ReferenceCalibratedClassifier(
        augmented_pipeline(PIPELINES["hog_logreg"])(detect=False))
    augmented.fit(X[::3], y[::3])
    assert augmented.classifier_["scale"].n_samples_seen_ == len(X[::3]) * 3  # two copies
    assert flip.classifier_["scale"].n_samples_seen_ == len(X) * 2


def test_bad_input_is_named(crop_pairs):
    X, y, _ = crop_pairs
    model = make_named_pipeline("hog_logreg", detect=False, calibrated=True)
    faces = [x for x, _ in X]
    with pytest.raises(ValueError, match="sample 0 is an image or a path, not an"):
        model.fit(faces, y)
    with pytest.raises(ValueError, match="sample 1 has no reference"):
        model.fit([X[0], (X[1][0], None)], y[:2])
    with pytest.raises(ValueError, match="2 pairs but y has 3 labels"):
        model.fit(X[:2], y[:3])
    with pytest.raises(ValueError, match="at least 2 classes"):
        model.fit(X[:2], ["happy", "happy"])


def test_grid_search_with_subject_groups(crop_pairs):
    X, y, groups = crop_pairs
    search = GridSearchCV(make_named_pipeline("hog_logreg", detect=False, calibrated=True),
                          {"estimator__classifier__C": [0.001, 0.01]}, cv=GroupKFold(3),
                          scoring="balanced_accuracy")
    search.fit(X, y, groups=groups)
    assert search.best_params_["estimator__classifier__C"] in (0.001, 0.01)
    assert search.best_estimator_.classifier_[-1].C == search.best_params_[
        "estimator__classifier__C"]


# ----------------------------------------------------------------------------- the held-out check


def _jaffe_like_folder(root, london, london_refs, n_subjects=4):
    """JAFFE's layout from London: per person two neutral photos (the photo and its stand-in
    second take), one happy photo, named like JAFFE's ``KA.NE1.1.tiff``."""
    people = sorted(set(london.groups))[-n_subjects:]
    for k, person in enumerate(people):
        name = f"K{chr(65 + k)}"
        for image, ref, label, group in zip(london.images, london_refs.references,
                                            london.target, london.groups):
            if group != person:
                continue
            folder = root / label
            folder.mkdir(parents=True, exist_ok=True)
            code = "NE" if label == "neutral" else "HA"
            cv2.imwrite(str(folder / f"{name}.{code}1.{k}.png"), _gray(image, 96))
            if label == "neutral":
                cv2.imwrite(str(folder / f"{name}.NE2.{k}.png"), _gray(ref, 96))
    return root


def test_held_out_check_runs_on_ckplus_and_a_jaffe_folder(tmp_path, make_ckplus_tree, london,
                                                          london_refs):
    """The calibrated default, scored with subject groups on CK+ and applied to a JAFFE
    folder, as the check on data not shipped here runs it."""
    tree, _ = make_ckplus_tree(tmp_path / "ck", n_subjects=6, sequences_per_subject=2,
                               image_size=64)
    emotions = ["neutral", "anger", "disgust"]
    ck = load_ckplus(tree, emotions=emotions, references=True)
    cv = StratifiedGroupShuffleSplit(n_splits=2, test_size=0.34, random_state=0)
    # inside cross-validation no reference comes from a test subject into training
    ref_subjects = np.asarray([Path(p).parts[-3] for p in ck.reference_filenames])
    assert (ref_subjects == ck.groups).all()
    for train, test in cv.split(ck.images, ck.target, ck.groups):
        test_files = set(ck.filenames[test])
        assert not set(ck.reference_filenames[train]) & test_files
        assert not set(ref_subjects[train]) & set(ck.groups[test])
        assert set(ref_subjects[test]) <= set(ck.groups[test])

    def model():
        return make_named_pipeline(DEFAULT_PIPELINE, calibrated=True,
                                   cropper_params={"on_missing": "full_image"})

    X = list(zip(ck.images, ck.references))
    scores = cross_val_score(model(), X, ck.target, groups=ck.groups, cv=cv)
    assert scores.shape == (2,) and np.all((0 <= scores) & (scores <= 1))
    fitted = model().fit(X, ck.target)
    folder = _jaffe_like_folder(tmp_path / "jaffe", london, london_refs)
    jaffe = load_image_folder(folder, subject_pattern=r"^([A-Z]{2})\.", references=True)
    assert len(jaffe.images) == 12  # every photo has another neutral photo of its person
    proba = fitted.predict_proba(list(zip(jaffe.images, jaffe.references)))
    assert proba.shape == (12, len(emotions))
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    predicted = fitted.predict(list(zip(jaffe.images, jaffe.references)))
    # neutral photos against another neutral photo of the person look neutral
    neutral = jaffe.target == "neutral"
    assert (predicted[neutral] == "neutral").mean() >= 0.5


# ----------------------------------------------------------------------------- evaluate


def test_evaluate_reports_calibrated_rows_beside_the_plain_ones(crop_pairs):
    X, y, groups = crop_pairs
    faces, refs = [x for x, _ in X], [r for _, r in X]
    models = {"hog": make_named_pipeline("hog_logreg", detect=False),
              "lbp": make_named_pipeline("lbp_logreg", detect=False)}
    result = evaluate(models, faces, y, groups=groups, references=refs, n_splits=2,
                      protocols=("grouped",), inner_cv=None)
    assert [row["model"] for row in result.rows] == ["hog", "hog (calibrated)", "lbp",
                                                     "lbp (calibrated)"]
    calibrated = result["hog (calibrated)", "grouped"]
    expected = cross_val_score(
        make_named_pipeline("hog_logreg", detect=False, calibrated=True), X, y, groups=groups,
        cv=result_splits(result, groups, y), scoring="balanced_accuracy")
    np.testing.assert_allclose(calibrated["scores"]["balanced_accuracy"], expected)
    with pytest.raises(ValueError, match="references has 3"):
        evaluate(models, faces, y, groups=groups, references=refs[:3], n_splits=2)


def result_splits(result, groups, y):
    """The splits evaluate drew under "grouped" (same protocol, same seed)."""
    cv = StratifiedGroupShuffleSplit(n_splits=2, test_size=0.2, random_state=0)
    return list(cv.split(np.zeros(len(y)), y, groups))


# ----------------------------------------------------------------------------- command line


@pytest.fixture(scope="module")
def two_take_folder(tmp_path_factory, london_refs):
    """8 London people as a sorted folder: the neutral photo and its stand-in second take
    in neutral/, the smiling photo in happy/ (names ``<subject>_<n>.jpg``)."""
    root = tmp_path_factory.mktemp("two_takes")
    people = sorted(set(london_refs.groups))[:8]
    for image, ref, label, group in zip(london_refs.images, london_refs.references,
                                        london_refs.target, london_refs.groups):
        if group in people:
            (root / label).mkdir(exist_ok=True)
            cv2.imwrite(str(root / label / f"{group}_1.jpg"), image)
            if label == "neutral":
                cv2.imwrite(str(root / label / f"{group}_2.jpg"), ref)
    return root


@pytest.mark.slow
def test_cli_train_calibrated_and_predict_with_a_reference(two_take_folder, tmp_path, capsys):
    from skemotion.cli import main

    model = tmp_path / "calibrated.skops"
    data = ["--folder", str(two_take_folder), "--subject-pattern", r"^(\d+)_"]
    assert main(["train", "--out", str(model), "--calibrated", *data]) == 0
    assert "calibrated: predict needs --reference" in capsys.readouterr().out
    assert isinstance(load_model(model), ReferenceCalibratedClassifier)
    happy = sorted((two_take_folder / "happy").iterdir())[0]
    person = happy.name.split("_")[0]
    reference = two_take_folder / "neutral" / f"{person}_2.jpg"
    out = tmp_path / "predictions.csv"
    assert main(["predict", str(model), str(happy), str(two_take_folder / "neutral" /
                                                         f"{person}_1.jpg"),
                 "--reference", str(reference), "--out", str(out)]) == 0
    rows = out.read_text().splitlines()
    assert rows[0] == "file,label,score_happy,score_neutral,error"
    assert [row.split(",")[1] for row in rows[1:]] == ["happy", "neutral"]
    # a calibrated model needs --reference; a plain one refuses it
    assert main(["predict", str(model), str(happy)]) == 2
    assert "is a calibrated model: give --reference IMAGE" in capsys.readouterr().err
    plain = tmp_path / "plain.skops"
    assert main(["train", "--out", str(plain), "--pipeline", "hog_logreg", *data]) == 0
    assert main(["predict", str(plain), str(happy), "--reference", str(reference)]) == 2
    assert "--reference is for calibrated models" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_evaluate_calibrated_rows(two_take_folder, capsys):
    from skemotion.cli import main

    assert main(["evaluate", "--calibrated", "--folder", str(two_take_folder),
                 "--subject-pattern", r"^(\d+)_", "--pipelines", "hog_logreg",
                 "--splits", "2", "--test-size", "0.25"]) == 0
    out = capsys.readouterr().out
    models = [line.split("  ")[0] for line in out.splitlines()
              if line.startswith(("hog_logreg", "selected ")) and "picked" not in line]
    assert models == ["hog_logreg"] * 2 + ["hog_logreg (calibrated)"] * 2 + ["selected"] * 2


@pytest.mark.slow
def test_cli_evaluate_calibrated_across_datasets(tmp_path, london_refs, capsys):
    from skemotion.cli import main

    people = sorted(set(london_refs.groups))[8:16]
    for image, ref, label, group in zip(london_refs.images, london_refs.references,
                                        london_refs.target, london_refs.groups):
        if group in people:
            folder = tmp_path / ("a" if group in people[:4] else "b") / label
            folder.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(folder / f"{group}_1.jpg"), image)
            if label == "neutral":
                cv2.imwrite(str(folder / f"{group}_2.jpg"), ref)
    assert main(["evaluate", "--calibrated", "--cross-dataset", "--folder", str(tmp_path / "a"),
                 "--folder", str(tmp_path / "b"), "--subject-pattern", r"^(\d+)_",
                 "--pipelines", "hog_logreg", "--splits", "2", "--test-size", "0.25"]) == 0
    out = capsys.readouterr().out
    train_test = out[out.index("Train -> test"):]
    assert re.search(r"hog_logreg \(calibrated\) +folder \S+ -> folder \S+ +12 +12", train_test)


def test_concat_datasets_keeps_references_as_images(tmp_path, make_ckplus_tree):
    from skemotion.datasets import concat_datasets

    a, _ = make_ckplus_tree(tmp_path / "a", n_subjects=2, sequences_per_subject=2)
    b, _ = make_ckplus_tree(tmp_path / "b", n_subjects=2, sequences_per_subject=2, seed=1)
    first, second = load_ckplus(a, references=True), load_ckplus(b, references=True)
    both = concat_datasets(first, second, names=["a", "b"], duplicates="keep")
    assert isinstance(both.references, list) and len(both.references) == len(both.images)
    assert all(ref is orig for ref, orig in zip(both.references,
                                                first.references + second.references))
    assert list(both.reference_filenames) == list(first.reference_filenames) + list(
        second.reference_filenames)


@pytest.mark.parametrize("name", ["hog_logreg_flip", "hog_lbp_logreg"])
def test_fit_describes_a_shared_reference_once_with_the_same_result(crop_pairs, name,
                                                                    monkeypatch):
    X, y, groups = crop_pairs
    first = {}  # one reference array object per person, as the loaders give
    shared = [(face, first.setdefault(g, ref)) for (face, ref), g in zip(X, groups)]
    copied = [(face, ref.copy()) for face, ref in shared]  # the same pixels, no sharing
    rows = []
    describe = ReferenceCalibratedClassifier._describe
    monkeypatch.setattr(ReferenceCalibratedClassifier, "_describe",
                        lambda self, crops: rows.append(len(crops)) or describe(self, crops))
    once = make_named_pipeline(name, detect=False, calibrated=True).fit(shared, y)
    n_copies = 2 if name.endswith("_flip") else 1
    assert rows == [len(X) * n_copies, len(first) * n_copies]
    each = make_named_pipeline(name, detect=False, calibrated=True).fit(copied, y)
    np.testing.assert_array_equal(once.classifier_[-1].coef_, each.classifier_[-1].coef_)
    np.testing.assert_array_equal(once.predict_proba(shared), each.predict_proba(shared))
