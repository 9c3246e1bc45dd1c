"""save_model / load_model: skops by default, joblib only on request, untrusted types refused."""

import operator
import pickle
import warnings
import zipfile

import numpy as np
import pytest
import skops.io as sio
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from _london_crops import london_crops
from skemotion import FaceCropper, FisherFaceClassifier, load_model, save_model
from skemotion.pipelines import (
    PIPELINES,
    make_fisherface_pipeline,
    make_named_pipeline,
    missing_requirements,
)


@pytest.fixture(scope="module")
def crops():
    X, y, _ = london_crops(32)
    idx = np.r_[np.flatnonzero(y == "happy")[:15], np.flatnonzero(y == "neutral")[:15]]
    return X[idx], y[idx]


def test_round_trip_fisherface_alone(tmp_path, crops):
    X, y = crops
    clf = FisherFaceClassifier(threshold=1e3).fit(X, y)
    path = save_model(clf, tmp_path / "fisher.skops")
    assert path == tmp_path / "fisher.skops" and zipfile.is_zipfile(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fisher.skops"]
    loaded = load_model(path)
    assert type(loaded) is FisherFaceClassifier and loaded is not clf
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
    np.testing.assert_array_equal(loaded.fisherfaces_, clf.fisherfaces_)
    assert loaded.get_params() == clf.get_params()


def test_round_trip_pipeline_with_face_cropper(tmp_path, london):
    idx = [i for i in range(len(london.target))][:16] + list(range(len(london.target)))[-16:]
    images = [london.images[i] for i in idx]
    y = london.target[idx]
    assert set(y) == {"happy", "neutral"}
    pipe = make_fisherface_pipeline(output_size=(48, 48)).fit(images, y)
    assert isinstance(pipe.named_steps["crop"], FaceCropper)
    path = save_model(pipe, tmp_path / "pipe.skops")
    loaded = load_model(path)
    test_files = list(london.filenames[40:60])  # paths work through the cropper
    np.testing.assert_array_equal(loaded.predict(test_files), pipe.predict(test_files))
    np.testing.assert_allclose(loaded.predict_proba(images), pipe.predict_proba(images))


def test_untrusted_types_refused(tmp_path, crops):
    X, y = crops
    pipe = make_pipeline(FunctionTransformer(operator.pos), FisherFaceClassifier()).fit(X, y)
    path = tmp_path / "untrusted.skops"
    with pytest.warns(UserWarning, match=r"load_model will refuse it .*_operator.pos"):
        save_model(pipe, path)  # said when saving, not only on the machine that loads it
    with pytest.raises(ValueError, match=r"Refusing to load .*untrusted.skops.*_operator.pos"):
        load_model(path)
    # explicit trust is the escape hatch
    loaded = load_model(path, trusted=sio.get_untrusted_types(file=path))
    np.testing.assert_array_equal(loaded.predict(X), pipe.predict(X))


def test_path_parameters_warn_when_saving(tmp_path, crops):
    # FaceCropper takes path-likes; a pathlib.Path parameter saves fine but is not trusted
    # when loading: the warning comes at save time and says how to avoid it
    X, y = crops
    pipe = make_pipeline(FaceCropper(memory=tmp_path / "cache", output_size=32),
                         FisherFaceClassifier())
    # pathlib.PosixPath, or pathlib._local.PosixPath from Python 3.13
    with pytest.warns(UserWarning, match=r"trust pathlib\.(_local\.)?\w*Path.*memory and cascades"):
        save_model(pipe, tmp_path / "path.skops")
    with pytest.raises(ValueError, match="pathlib"):
        load_model(tmp_path / "path.skops")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the same model with a str parameter: silent
        save_model(pipe.set_params(facecropper__memory=str(tmp_path / "cache")),
                   tmp_path / "str.skops")
    assert load_model(tmp_path / "str.skops")[0].memory == str(tmp_path / "cache")


def test_joblib_is_opt_in_and_warns(tmp_path, crops):
    X, y = crops
    clf = FisherFaceClassifier().fit(X, y)
    path = tmp_path / "model.joblib"
    with pytest.warns(UserWarning, match="runs arbitrary code") as record:
        save_model(clf, path, format="joblib")
    assert record[0].filename == __file__  # points at the caller, through validate_params
    with pytest.raises(ValueError, match="not a skops model file.*format='joblib'"):
        load_model(path)
    with pytest.warns(UserWarning, match="runs arbitrary code") as record:
        loaded = load_model(path, format="joblib")
    assert record[0].filename == __file__
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))


def test_plain_pickle_refused(tmp_path):
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(ValueError, match="not a skops model file"):
        load_model(path)


def test_bad_paths(tmp_path, crops):
    X, y = crops
    clf = FisherFaceClassifier().fit(X, y)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save_model(clf, tmp_path / "missing" / "m.skops")
    assert not (tmp_path / "missing").exists()
    with pytest.raises(IsADirectoryError):
        save_model(clf, tmp_path)
    with pytest.raises(FileNotFoundError, match="Model file not found"):
        load_model(tmp_path / "nope.skops")
    with pytest.raises(ValueError, match="format"):
        save_model(clf, tmp_path / "m.bin", format="pickle")


def test_joblib_format_on_a_skops_file_says_so(tmp_path, crops):
    X, y = crops
    path = save_model(FisherFaceClassifier().fit(X, y), tmp_path / "model.skops")
    with pytest.raises(ValueError, match=r"model.skops is a skops model file.*without format"):
        load_model(path, format="joblib")


def test_type_that_cannot_be_imported_names_the_file(tmp_path, crops, monkeypatch):
    """A trusted type whose module is gone (e.g. a class of a script): the error names
    the file and says what is missing, instead of a bare AttributeError/ImportError."""
    import importlib
    import sys

    X, y = crops
    X = X.reshape(len(X), -1)
    folder = tmp_path / "code"
    folder.mkdir()
    (folder / "skemotion_test_gone_module.py").write_text(
        "from sklearn.preprocessing import StandardScaler\n\n\n"
        "class GoneScaler(StandardScaler):\n    pass\n")
    monkeypatch.syspath_prepend(str(folder))
    module = importlib.import_module("skemotion_test_gone_module")
    pipe = make_pipeline(module.GoneScaler(), FisherFaceClassifier()).fit(X, y)
    with pytest.warns(UserWarning, match="GoneScaler"):
        path = save_model(pipe, tmp_path / "custom.skops")
    name = "skemotion_test_gone_module.GoneScaler"
    np.testing.assert_array_equal(load_model(path, trusted=[name]).predict(X), pipe.predict(X))
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p != str(folder)])
    monkeypatch.delitem(sys.modules, "skemotion_test_gone_module")
    with pytest.raises(ValueError, match=r"Cannot rebuild the model in .*custom.skops.*"
                                         r"skemotion_test_gone_module.*importable"):
        load_model(path, trusted=[name])


@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_every_named_pipeline_round_trips(tmp_path, name):
    """Every named pipeline (on crops, detect=False) loads back with the same labels and
    probabilities equal to float precision."""
    if missing_requirements(name):
        pytest.skip(missing_requirements(name))
    X, y, groups = london_crops(128)
    subjects = sorted(set(groups))
    train = np.isin(groups, subjects[:12])
    test = np.isin(groups, subjects[12:20])
    params = {"n_components": 8} if name == "pca_lda" else {}
    pipe = make_named_pipeline(name, detect=False, output_size=(128, 128), **params)
    pipe.fit(X[train], y[train])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no type that load_model would refuse
        loaded = load_model(save_model(pipe, tmp_path / f"{name}.skops"))
    np.testing.assert_array_equal(loaded.predict(X[test]), pipe.predict(X[test]))
    np.testing.assert_allclose(loaded.predict_proba(X[test]), pipe.predict_proba(X[test]),
                               rtol=1e-4, atol=1e-5)
