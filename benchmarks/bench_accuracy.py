"""Accuracy of every named pipeline on the London set, subject-grouped (issue 6 targets).

Protocol: StratifiedGroupShuffleSplit, 10 splits, test size 0.2, random_state=0 (no
subject in both the training and the test part of a split); balanced accuracy and
accuracy, mean +- std over the splits. Hyper-parameters are the pipelines' fixed
defaults: nothing is chosen on these test splits.

FaceCropper is stateless (each crop depends on its own image only), so the crops are
computed ONCE per distinct cropper setting outside the CV loop and each pipeline is
evaluated as ``factory(detect=False)`` on them; the time column is fit + predict
over the 10 splits (cropping time is printed separately). ``on_missing="full_image"``
keeps every image (the whole photo is used where no face is found, as reported).

Targets: best pipeline >= 95%; best Fisherface-based pipeline >= 88% (balanced accuracy).

Run from the repository root: ``python benchmarks/bench_accuracy.py [--n-jobs 1]``
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import cross_validate

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _run_info import run_header  # noqa: E402 (benchmarks/, the script's own folder)

from skemotion import FaceCropper, FisherFaceClassifier, detect_faces  # noqa: E402
from skemotion.datasets import load_frl_london  # noqa: E402
from skemotion.model_selection import StratifiedGroupShuffleSplit  # noqa: E402

TARGET_BEST = 0.95
TARGET_FISHERFACE = 0.88


def _named_pipelines():
    try:
        from skemotion.pipelines import PIPELINES
    except ImportError:  # skemotion.pipelines not there yet: issue 6 pipelines only
        from skemotion._feature_pipelines import FEATURE_PIPELINES as PIPELINES
    return dict(PIPELINES)


def _uses_fisherfaces(estimator):
    if isinstance(estimator, FisherFaceClassifier):
        return True
    params = estimator.get_params(deep=True).values()
    return any(isinstance(v, FisherFaceClassifier) for v in params)


def _cropper_key(cropper):
    return repr(sorted((k, v) for k, v in cropper.get_params().items() if k != "n_jobs"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-jobs", type=int, default=1, help="parallel CV splits (default 1)")
    parser.add_argument("--pipelines", default=None, help="comma-separated subset of names")
    args = parser.parse_args(argv)

    london = load_frl_london()
    y = np.asarray(london.target)
    groups = np.asarray(london.groups)
    factories = _named_pipelines()
    if args.pipelines:
        factories = {n: factories[n] for n in args.pipelines.split(",")}
    cv = StratifiedGroupShuffleSplit(n_splits=10, test_size=0.2, random_state=0)

    print(run_header(len(y), len(set(groups))))
    crops, crop_times = {}, {}
    for name, factory in factories.items():
        cropper = factory(detect=True).steps[0][1]
        assert isinstance(cropper, FaceCropper), name
        cropper = cropper.set_params(on_missing="full_image")
        key = _cropper_key(cropper)
        if key not in crops:
            t0 = time.perf_counter()
            crops[key] = cropper.transform(london.images)
            crop_times[key] = time.perf_counter() - t0
            found = detect_faces(london.images, **cropper.get_params())
            n_aligned = sum(getattr(d, "eyes", None) == "aligned" for d in found)
            p = cropper.get_params()
            print(f"crops {p['output_size']} align={p['align']} equalize={p['equalize']}: "
                  f"{crop_times[key]:.1f} s, face found in {sum(d.found for d in found)}/{len(y)}"
                  + (f", eyes aligned in {n_aligned}" if p["align"] else ""))
        factories[name] = (factory, key)

    rows = []
    for name, (factory, key) in factories.items():
        model = factory(detect=False)
        t0 = time.perf_counter()
        res = cross_validate(model, crops[key], y, groups=groups, cv=cv, n_jobs=args.n_jobs,
                             scoring=("balanced_accuracy", "accuracy"))
        wall = time.perf_counter() - t0
        rows.append((name, _uses_fisherfaces(model), res["test_balanced_accuracy"],
                     res["test_accuracy"], res["fit_time"].sum() + res["score_time"].sum(),
                     wall))

    print()
    print("| pipeline | Fisherface-based | balanced accuracy | accuracy | fit+predict, 10 splits |")
    print("|---|---|---|---|---|")
    for name, ff, bacc, acc, t, wall in rows:
        print(f"| {name} | {'yes' if ff else 'no'} | {100 * bacc.mean():.1f} +- "
              f"{100 * bacc.std():.1f} % | {100 * acc.mean():.1f} +- {100 * acc.std():.1f} % "
              f"| {t:.1f} s (wall {wall:.1f} s) |")
    best = max(rows, key=lambda r: r[2].mean())
    ff_rows = [r for r in rows if r[1]]
    print()
    print(f"target best pipeline >= {100 * TARGET_BEST:.0f}%: {best[0]} "
          f"{100 * best[2].mean():.1f}% -> {'MET' if best[2].mean() >= TARGET_BEST else 'NOT MET'}")
    if ff_rows:
        ff_best = max(ff_rows, key=lambda r: r[2].mean())
        met = ff_best[2].mean() >= TARGET_FISHERFACE
        print(f"target best Fisherface-based >= {100 * TARGET_FISHERFACE:.0f}%: {ff_best[0]} "
              f"{100 * ff_best[2].mean():.1f}% -> {'MET' if met else 'NOT MET'}")
    else:
        print("target best Fisherface-based: no Fisherface-based pipeline -> NOT MET")
    slow = [r[0] for r in rows if r[4] >= 60]
    print(f"every pipeline's 10-split evaluation under 60 s: {'yes' if not slow else slow}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
