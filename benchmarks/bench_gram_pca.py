"""GramPCA against scikit-learn's PCA solvers on the pca_lda pipeline's 350x350 London crops.

The ``pca_lda`` pipeline fits PCA (50 components) on ~163 training crops of 122,500 pixels.
This times, side by side in one process, the PCA fits of ``GramPCA`` (exact, through the
163 x 163 Gram matrix; make_pca_lda's default), ``PCA(svd_solver=
"randomized")`` (scikit-learn's approximate solver) and ``PCA(svd_solver="full")`` (exact, LAPACK SVD) on
the training part of each of the grouped protocol's splits; checks that GramPCA's axes equal
the full SVD's; and scores ``make_pca_lda`` with each solver on the same subject-grouped
splits (balanced accuracy, mean +- std).

Uses the machine's BLAS threads as a user's run would (``--threads`` sets them). Run from the
repository root: ``python benchmarks/bench_gram_pca.py [--splits 10]``.
"""

import argparse
import os
import sys
import time
from pathlib import Path

from _run_info import positive_int


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", type=positive_int, default=10,
                        help="subject-grouped 80/20 splits (default 10)")
    parser.add_argument("--threads", type=positive_int, default=None,
                        help="BLAS/OpenMP threads (default: the machine's)")
    args = parser.parse_args(argv)
    if args.threads:
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[name] = str(args.threads)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

    import numpy as np
    from sklearn.decomposition import PCA
    from sklearn.metrics import balanced_accuracy_score

    from _pipeline_crops import crops_per_setting
    from _run_info import run_header
    from skemotion import GramPCA, make_pca_lda
    from skemotion.datasets import load_frl_london
    from skemotion.model_selection import make_protocol

    london = load_frl_london()
    y, groups = np.asarray(london.target), np.asarray(london.groups)
    crops, _ = crops_per_setting(["pca_lda"], london.images)
    X = crops["pca_lda"].reshape(len(y), -1).astype(np.float64)
    splits = list(make_protocol("grouped", n_splits=args.splits).split(X, y, groups))

    solvers = {
        "GramPCA (default)": lambda: GramPCA(n_components=50),
        'PCA(svd_solver="randomized")': lambda: PCA(50, svd_solver="randomized",
                                                    random_state=0),
        'PCA(svd_solver="full")': lambda: PCA(50, svd_solver="full"),
    }
    seconds = {name: [] for name in solvers}
    worst_axis = 0.0
    for train, _ in splits:
        fitted = {}
        for name, make in solvers.items():
            start = time.perf_counter()
            fitted[name] = make().fit(X[train])
            seconds[name].append(time.perf_counter() - start)
        gram, full = fitted["GramPCA (default)"], fitted['PCA(svd_solver="full")']
        worst_axis = max(worst_axis, float(np.abs(np.abs(gram.components_)
                                                  - np.abs(full.components_)).max()))
    scores = {}
    for solver in ("gram", "randomized", "full"):
        values = []
        for train, test in splits:
            model = make_pca_lda(svd_solver=solver).fit(X[train], y[train])
            values.append(balanced_accuracy_score(y[test], model.predict(X[test])))
        scores[solver] = values

    print(run_header(len(y), len(set(groups)), f"; {args.splits} subject-grouped splits; "
                     f"{len(splits[0][0])} training crops of {X.shape[1]} pixels; BLAS "
                     f"threads: {args.threads or 'the machine default'}"))
    print()
    print("| PCA of 50 components | fit s (mean over splits) | x GramPCA's time |")
    print("|---|---:|---:|")
    ref = np.mean(seconds["GramPCA (default)"])
    for name in solvers:
        print(f"| {name} | {np.mean(seconds[name]):.3f} | {np.mean(seconds[name]) / ref:.1f} |")
    print(f"\nGramPCA's axes against the full SVD's: largest difference of any entry, up to "
          f"sign, over all splits: {worst_axis:.1e} (unit-length axes)")
    print("\nmake_pca_lda, subject-grouped balanced accuracy on the same splits:")
    for solver, values in scores.items():
        print(f"  svd_solver={solver!r}: {np.mean(values):.3f} +- {np.std(values):.3f}")


if __name__ == "__main__":
    main()
