"""EvaluationReport: the contents of ``skemotion evaluate --out``, built in the library."""

import json

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression

from skemotion.model_selection import EvaluationReport, evaluate, make_protocol


def _data(n=24):
    rng = np.random.default_rng(0)
    y = np.array(["neutral", "happy"] * (n // 2))
    X = rng.normal(size=(n, 6)) + (y == "happy")[:, None] * 3.0
    groups = np.repeat(np.arange(n // 2), 2)
    return X, y, groups


def _result(groups=True, cross=False):
    X, y, g = _data()
    protocols = {"tutorial": make_protocol("tutorial", n_splits=2)}
    if groups:
        protocols["grouped"] = make_protocol("grouped", n_splits=2)
    sources = None
    if cross:
        protocols["cross-dataset"] = make_protocol("cross-dataset")
        sources = np.where(np.arange(len(y)) < 12, "a", "b")
    return evaluate({"dummy": DummyClassifier(), "logreg": LogisticRegression()}, X, y,
                    groups=g if groups else None, protocols=protocols, sources=sources)


def _report(result, **kwargs):
    params = dict(data_name="blobs", n_images=26, n_splits=2, test_size=0.2, seed=3,
                  crop_sizes={"dummy": (2, 3), "logreg": (2, 3)})
    return EvaluationReport(result, **{**params, **kwargs})


@pytest.mark.slow
def test_best_pipeline_is_chosen_under_the_grouped_protocol_when_there_is_one():
    result = _result()
    report = _report(result)
    assert report.protocol == "grouped"
    grouped = {r["model"]: r["balanced_accuracy_mean"] for r in result.rows
               if r["protocol"] == "grouped"}
    assert report.best_pipeline == max(grouped, key=grouped.get) == "logreg"
    tutorial_only = _report(_result(groups=False))
    assert tutorial_only.protocol == "tutorial"
    assert "grouped protocol was skipped" in tutorial_only.to_markdown()
    assert "grouped protocol was skipped" not in report.to_markdown()


def test_best_pipeline_of_a_result_with_other_protocol_names():
    X, y, g = _data()
    cv = make_protocol("grouped", n_splits=2)
    result = evaluate({"dummy": DummyClassifier(), "logreg": LogisticRegression()}, X, y,
                      groups=g, protocols={"mine": cv})
    report = _report(result)
    assert (report.protocol, report.best_pipeline) == ("mine", "logreg")
    assert "Best pipeline (mine protocol, balanced accuracy): **logreg**." in (
        report.to_markdown())


def test_markdown_holds_the_data_summary_table_best_pipeline_figures_and_notes():
    result = _result()
    report = _report(result, no_face_left_out=["x.png", "y.png"],
                     unreadable_skipped=["bad.jpg"], figures={"Confusion": "cm.png"},
                     notes=["left out z: no faces"])
    md = report.to_markdown()
    assert md.startswith("# skemotion evaluation report\n\nData: blobs: 26 images, "
                         "24 with a face found (crops 2x3).")
    assert "No face found, left out: x.png, y.png." in md
    assert "Unreadable files skipped (--on-error skip): bad.jpg." in md
    assert "Splits: 2 per protocol, test size 0.2, seed 3." in md
    assert result.to_markdown() in md
    assert "Best pipeline (grouped protocol, balanced accuracy): **logreg**." in md
    assert "## Confusion\n\n![Confusion](cm.png)" in md
    assert "## Notes\n\n- left out z: no faces" in md


@pytest.mark.parametrize("kwargs, expected", [
    ({"face_detection": False}, "all used as face crops without face detection"),
    ({"no_face_whole_image": ["a.png", "b.png"]},
     "22 with a face found, 2 without, used whole"),
])
def test_markdown_says_how_the_faces_were_found(kwargs, expected):
    assert expected in _report(_result(), **kwargs).to_markdown()


def test_dict_has_the_settings_given_first_then_the_data_and_the_evaluation():
    result = _result()
    report = _report(result, settings={"command": "skemotion evaluate"},
                     no_face_left_out=["x.png"])
    data = report.to_dict()
    settings = data["settings"]
    assert next(iter(settings)) == "command"
    assert settings["n_images"] == 26 and settings["n_face_crops"] == 24
    assert settings["dropped_no_face"] == ["x.png"]
    assert settings["pipelines"] == ["dummy", "logreg"]
    assert settings["crop_size"] == {"dummy": [2, 3], "logreg": [2, 3]}
    assert settings["best_pipeline"] == {"protocol": "grouped", "name": "logreg"}
    assert data["evaluation"] == json.loads(json.dumps(result.to_dict()))
    assert json.loads(report.to_json()) == json.loads(json.dumps(data))


@pytest.mark.slow
def test_write_puts_both_reports_in_the_folder_and_removes_a_stale_cross_dataset_table(
        tmp_path):
    stale = tmp_path / "cross_dataset.md"
    stale.write_text("an earlier run's table")
    written = _report(_result()).write(tmp_path)
    assert written == [tmp_path / "report.md", tmp_path / "report.json"]
    assert not stale.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "report.md"]
    report = _report(_result(cross=True))
    written = report.write(tmp_path)
    assert stale in written
    assert stale.read_text() == report.result.cross_dataset_markdown() != ""
    assert json.loads((tmp_path / "report.json").read_text()) == json.loads(report.to_json())


def test_bad_input_gets_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match=r"crop_sizes has no size for pipeline\(s\) "
                                         r"\['logreg'\]"):
        _report(_result(), crop_sizes={"dummy": (2, 3)})
    with pytest.raises(FileNotFoundError, match="No such folder for the report"):
        _report(_result()).write(tmp_path / "missing")
    assert not (tmp_path / "missing").exists()
