"""Named end-to-end pipelines and the PCA+LDA baseline."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.pipeline import Pipeline

from _london_crops import london_crops, subject_split
from skemotion import FaceCropper, FisherFaceClassifier, GramPCA, ImageFlattener, make_pca_lda
from skemotion.pipelines import (
    PIPELINES,
    face_pipeline,
    make_named_pipeline,
    register_pipeline,
)


def test_registry_contents_and_contract():
    assert {"fisherface", "pca_lda"} <= set(PIPELINES)
    for name, factory in PIPELINES.items():
        for detect in (True, False):
            pipe = factory(detect=detect)
            assert isinstance(pipe, Pipeline), name
            assert pipe.steps[-1][0] == "classifier", name
            assert isinstance(pipe.steps[0][1], FaceCropper) == detect, name
            clone(pipe)  # unfitted, clonable
    with pytest.raises(ValueError, match="Unknown pipeline 'nope'; available: .*fisherface"):
        make_named_pipeline("nope")


def test_register_pipeline_makes_adding_easy():
    @register_pipeline("_test_only")
    def make_test(*, detect=True, output_size=(350, 350), cropper_params=None, **params):
        return face_pipeline([("classifier", FisherFaceClassifier(**params))], detect=detect,
                             output_size=output_size, cropper_params=cropper_params)

    try:
        pipe = make_named_pipeline("_test_only", output_size=40, n_components=1)
        assert pipe.named_steps["crop"].output_size == (40, 40)
        assert pipe.named_steps["classifier"].n_components == 1
        with pytest.raises(ValueError, match="already registered"):
            register_pipeline("_test_only")(make_test)
    finally:
        PIPELINES.pop("_test_only")


def test_factory_parameters():
    pipe = make_named_pipeline("fisherface", output_size=(40, 30), threshold=5.0,
                               cropper_params={"on_missing": "full_image"})
    assert pipe.named_steps["crop"].output_size == (40, 30)
    assert pipe.named_steps["crop"].on_missing == "full_image"
    assert pipe.named_steps["classifier"].threshold == 5.0
    assert pipe.named_steps["classifier"].image_shape == (40, 30)
    # a square crop leaves the shape to the classifier, so that a search over
    # crop__output_size does not break on a stale image_shape
    square = make_named_pipeline("fisherface", output_size=40)
    assert square.named_steps["classifier"].image_shape is None
    with pytest.raises(ValueError, match="cropper_params is only used with detect=True"):
        make_named_pipeline("fisherface", detect=False, cropper_params={"margin": 0.1})
    with pytest.raises(ValueError, match="output_size as its own argument"):
        make_named_pipeline("pca_lda", cropper_params={"output_size": 3})
    lda = make_named_pipeline("pca_lda", detect=False, n_components=7)
    assert [n for n, _ in lda.steps] == ["flatten", "pca", "classifier"]
    assert lda.named_steps["pca"].n_components == 7


@pytest.mark.parametrize("name", ["fisherface", "pca_lda"])
@pytest.mark.slow
def test_end_to_end_on_raw_london_images(london, name):
    groups = london.groups
    train, test = subject_split(groups, 0)
    train_idx = np.flatnonzero(train)
    images = london.images
    pipe = make_named_pipeline(name, output_size=(40, 40))
    pipe.fit([images[i] for i in train_idx], london.target[train_idx])
    test_idx = np.flatnonzero(test)
    score = pipe.score([london.filenames[i] for i in test_idx], london.target[test_idx])
    assert score > 0.6  # neutral vs happy from raw photos, subject-grouped
    if name == "fisherface":  # the crop size can change after construction (searches)
        assert pipe.named_steps["classifier"].fisherfaces_.shape == (1, 40, 40)
        small = train_idx[::4]
        pipe.set_params(crop__output_size=(32, 32))
        pipe.fit([images[i] for i in small], london.target[small])
        assert pipe.named_steps["classifier"].fisherfaces_.shape == (1, 32, 32)


def _first_image_steps(estimator):
    """The fitted estimators that receive the cropper's output directly."""
    from sklearn.pipeline import FeatureUnion

    from skemotion import FlipAugmentedClassifier

    if isinstance(estimator, Pipeline):
        return _first_image_steps(estimator.steps[0][1])
    if isinstance(estimator, FeatureUnion):
        return [s for _, t in estimator.transformer_list for s in _first_image_steps(t)]
    if isinstance(estimator, FlipAugmentedClassifier):
        return [estimator, *_first_image_steps(estimator.estimator_)]
    return [estimator]


@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_non_square_crops(london, name):
    """Every named pipeline takes output_size=(h, w) with h != w: its image transformers are
    told the crop shape (a flat non-square crop cannot be read as a square image)."""
    from skemotion.pipelines import missing_requirements

    if missing_requirements(name):
        pytest.skip(missing_requirements(name))
    groups = np.asarray(london.groups)
    subjects = sorted(set(groups))  # both photos of 8 people to train, of 2 others to test
    train_idx = np.flatnonzero(np.isin(groups, subjects[:8]))
    test_idx = np.flatnonzero(np.isin(groups, subjects[8:10]))
    params = {"n_components": 4} if name == "pca_lda" else {}
    pipe = make_named_pipeline(name, output_size=(72, 56), **params)
    pipe.fit([london.images[i] for i in train_idx], london.target[train_idx])
    assert pipe.named_steps["crop"].transform(london.images[:1]).shape == (1, 72 * 56)
    # every step that reads the crops as images read them as 72 rows x 56 columns
    shapes = [step.image_shape_ for step in _first_image_steps(pipe.steps[1][1])
              if getattr(step, "image_shape_", None) is not None]
    assert shapes == [(72, 56)] * len(shapes) and (shapes or name == "pca_lda"), shapes
    predicted = pipe.predict([london.images[i] for i in test_idx])
    assert set(predicted) <= {"happy", "neutral"} and len(predicted) == 4


@pytest.mark.parametrize("name", ["fisherface", "pca_lda"])
def test_detect_false_takes_crops_2d_and_3d(name):
    X, y, groups = london_crops(32)
    train, test = subject_split(groups, 1)
    params = {"n_components": 20} if name == "pca_lda" else {}
    flat = make_named_pipeline(name, detect=False, **params).fit(X[train].reshape(-1, 1024),
                                                                 y[train])
    cube = make_named_pipeline(name, detect=False, **params).fit(X[train], y[train])
    np.testing.assert_array_equal(flat.predict(X[test].reshape(-1, 1024)), cube.predict(X[test]))


def test_make_pca_lda_defaults_and_difference_to_fisherfaces():
    pipe = make_pca_lda()
    pca, lda = pipe.named_steps["pca"], pipe.named_steps["lda"]
    assert isinstance(pca, GramPCA) and isinstance(lda, LinearDiscriminantAnalysis)
    assert pca.n_components == 50 and not pca.whiten
    randomized = make_pca_lda(svd_solver="randomized", random_state=3).named_steps["pca"]
    assert isinstance(randomized, PCA) and randomized.random_state == 3
    assert make_pca_lda(0.9, svd_solver="full").named_steps["pca"].n_components == 0.9
    assert make_pca_lda(0.9).named_steps["pca"].n_components == 0.9
    with pytest.raises(ValueError, match="needs svd_solver='gram' or 'full'"):
        make_pca_lda(0.9, svd_solver="randomized")
    with pytest.raises(ValueError, match="svd_solver"):
        make_pca_lda(svd_solver="covariance_eigh")
    assert make_pca_lda(shrinkage="auto").named_steps["lda"].solver == "lsqr"

    # same projection family, different decision rule: on the same crops both learn
    # neutral vs happy but they do not make identical predictions
    X, y, groups = london_crops(32)
    X = X.reshape(len(X), -1)
    agree, acc_lda, acc_ff = [], [], []
    for seed in range(3):
        train, test = subject_split(groups, seed)
        base = make_pca_lda().fit(X[train], y[train])
        ff = FisherFaceClassifier().fit(X[train], y[train])
        agree.append(np.mean(base.predict(X[test]) == ff.predict(X[test])))
        acc_lda.append(base.score(X[test], y[test]))
        acc_ff.append(ff.score(X[test], y[test]))
    assert np.mean(acc_lda) > 0.65 and np.mean(acc_ff) > 0.6
    assert np.mean(agree) < 1.0
    assert base.transform(X[:3]).shape == (3, 1)  # one discriminant axis like Fisherfaces


@pytest.mark.parametrize("shape", [(30, 400), (60, 8)])  # fewer samples than features, more
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_components", [5, 0.8])
def test_gram_pca_is_scikit_learns_exact_pca(shape, dtype, n_components):
    rng = np.random.default_rng(0)
    X = (rng.normal(size=shape) * np.linspace(3, 0.1, shape[1])).astype(dtype)
    gram = GramPCA(n_components=n_components).fit(X)
    full = PCA(n_components=n_components, svd_solver="full").fit(X)
    tol = 1e-3 if dtype == np.float32 else 1e-8
    assert gram.n_components_ == full.n_components_
    assert gram.components_.dtype == dtype and gram.transform(X).dtype == dtype
    for name in ("components_", "mean_", "explained_variance_", "explained_variance_ratio_",
                 "singular_values_"):
        np.testing.assert_allclose(getattr(gram, name), getattr(full, name), rtol=tol,
                                   atol=tol, err_msg=name)
    np.testing.assert_allclose(gram.transform(X), full.transform(X), rtol=tol, atol=tol * 10)
    white = GramPCA(n_components=n_components, whiten=True).fit(X).transform(X)
    np.testing.assert_allclose(white.var(axis=0, ddof=1), 1.0, rtol=tol * 10)


def test_gram_pca_refuses_more_components_than_the_data_has():
    with pytest.raises(ValueError, match=r"n_components=11 must be at most min\(n_samples, "
                                         r"n_features\) = 10 \(got 10 samples of 50"):
        GramPCA(n_components=11).fit(np.random.default_rng(0).normal(size=(10, 50)))


def test_image_flattener():
    flat = ImageFlattener().fit(np.zeros((4, 3, 5)))
    assert flat.image_shape_ == (3, 5) and flat.n_features_in_ == 15
    assert flat.transform([np.ones((3, 5))] * 2).shape == (2, 15)
    with pytest.raises(ValueError, match="X has 16 features, but ImageFlattener is expecting 15"):
        flat.transform(np.zeros((2, 4, 4)))
    with pytest.raises(ValueError, match="Sample 1 of X has shape"):
        ImageFlattener().fit([np.zeros((3, 5)), np.zeros((3, 4))])
    assert list(flat.get_feature_names_out()[:2]) == ["pixel0", "pixel1"]
