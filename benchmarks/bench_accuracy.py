"""Accuracy of every named pipeline on the London set, subject-grouped, against its targets.

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

Runs single process with one BLAS/OpenMP thread (``OMP_NUM_THREADS`` and
``OPENBLAS_NUM_THREADS`` default to 1 here): on a shared machine the default thread per core
made a logistic regression's fit many times slower, and noisily so.

Run from the repository root: ``python benchmarks/bench_accuracy.py [--n-jobs 1]
[--pipelines hog_logreg,lbp_fisherface]``
"""

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from sklearn.model_selection import cross_validate  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _pipeline_crops import crops_per_setting, pipeline_names  # noqa: E402
from _run_info import run_header  # noqa: E402 (benchmarks/, the script's own folder)

from skemotion import FisherFaceClassifier, detect_faces  # noqa: E402
from skemotion.datasets import load_frl_london  # noqa: E402
from skemotion.model_selection import StratifiedGroupShuffleSplit  # noqa: E402
from skemotion.pipelines import PIPELINES  # noqa: E402

TARGET_BEST = 0.95
TARGET_FISHERFACE = 0.88


def _uses_fisherfaces(estimator):
    if isinstance(estimator, FisherFaceClassifier):
        return True
    params = estimator.get_params(deep=True).values()
    return any(isinstance(v, FisherFaceClassifier) for v in params)


def _n_jobs(text):
    value = int(text)
    if value == 0:  # joblib's meaning otherwise: -1 all cores, -2 all but one...
        raise argparse.ArgumentTypeError("must not be 0 (1: one job, -1: all cores)")
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="example: python benchmarks/bench_accuracy.py --pipelines hog_logreg,lbp_fisherface")
    parser.add_argument("--n-jobs", type=_n_jobs, default=1,
                        help="parallel CV splits (default 1)")
    parser.add_argument("--pipelines", default=None,
                        help="comma-separated subset of names (default: all)")
    args = parser.parse_args(argv)
    names = pipeline_names(parser, args.pipelines)

    london = load_frl_london()
    y = np.asarray(london.target)
    groups = np.asarray(london.groups)
    cv = StratifiedGroupShuffleSplit(n_splits=10, test_size=0.2, random_state=0)

    print(run_header(len(y), len(set(groups))))
    crops, settings = crops_per_setting(names, london.images)
    for cropper, seconds, _ in settings.values():
        found = detect_faces(london.images, **cropper.get_params())
        n_aligned = sum(getattr(d, "eyes", None) == "aligned" for d in found)
        p = cropper.get_params()
        print(f"crops {p['output_size']} align={p['align']} equalize={p['equalize']}: "
              f"{seconds:.1f} s, face found in {sum(d.found for d in found)}/{len(y)}"
              + (f", eyes aligned in {n_aligned}" if p["align"] else ""))

    rows = []
    for name in names:
        model = PIPELINES[name](detect=False)
        t0 = time.perf_counter()
        res = cross_validate(model, crops[name], y, groups=groups, cv=cv, n_jobs=args.n_jobs,
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
