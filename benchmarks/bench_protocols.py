"""Why the tutorial's protocol scores *lower* than subject-grouped splits on the London set.

On London every person has exactly one neutral and one happy photo, so under the tutorial's
random splits (StratifiedShuffleSplit, 10 x 80/20, seed 0) a test photo's *partner* - the same
person's other photo, with the other label - is in the training set for most test photos and
in the test set for the rest. This script measures, with the tutorial's pipeline (FaceCropper
350x350 + FisherFaceClassifier) on the tutorial's own splits:

1. accuracy of the test photos whose partner is in training against those whose partner is
   in the test set too: if identity leaks, a test photo is pulled towards its partner's label;
2. the same test sets with training restricted to complete pairs (people with both photos in
   training). As every person has two photos, this removes exactly the test photos' partners
   from training, so it measures the same thing as 1 from the training side;
3. why a "nearest training face is the same person" count cannot show it: how many distinct
   training photos are ever the nearest one, and the spread of the training projections
   (within each class) against the distance between the class means and the spread of the
   test projections. Fisherfaces keeps n_train - n_classes PCA components, so the training
   photos collapse onto their class means.

Then subject-grouped splits (StratifiedGroupShuffleSplit, same sizes) for comparison.

Run from the repository root: ``python benchmarks/bench_protocols.py`` (about 30 s,
single process).
"""

import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from sklearn.model_selection import StratifiedShuffleSplit  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# _run_info: benchmarks/, the script's own folder
from _run_info import benchmark_parser, run_header  # noqa: E402

from skemotion import FaceCropper, FisherFaceClassifier  # noqa: E402
from skemotion.datasets import load_frl_london  # noqa: E402
from skemotion.model_selection import StratifiedGroupShuffleSplit  # noqa: E402


def main(argv=None):
    benchmark_parser(__doc__, "python benchmarks/bench_protocols.py").parse_args(argv)
    london = load_frl_london()
    X = FaceCropper(detector="haar").fit_transform(london.images)
    X = X.reshape(len(london.images), 350, 350)
    y, groups = np.asarray(london.target), np.asarray(london.groups)
    print(run_header(len(y), len(set(groups))))

    acc_all, acc_pairs, n_train, n_train_pairs = [], [], [], []
    ok_partner_train, ok_partner_test = [], []
    same_nn, n_test, distinct_nn, spread_train, spread_test, between = 0, 0, [], [], [], []
    for train, test in StratifiedShuffleSplit(10, test_size=0.2, random_state=0).split(X, y):
        n_train.append(len(train))
        clf = FisherFaceClassifier().fit(X[train], y[train])
        ok = clf.predict(X[test]) == y[test]
        acc_all.append(np.mean(ok))
        # 1. is the test photo's partner (same person, other label) in training?
        partner_in_train = np.isin(groups[test], groups[train])
        ok_partner_train += list(ok[partner_in_train])
        ok_partner_test += list(ok[~partner_in_train])
        # 2. the same split, training on the subjects with both photos in training only
        subjects, counts = np.unique(groups[train], return_counts=True)
        pairs = train[np.isin(groups[train], subjects[counts == 2])]
        n_train_pairs.append(len(pairs))
        acc_pairs.append(np.mean(FisherFaceClassifier().fit(X[pairs], y[pairs]).predict(
            X[test]) == y[test]))
        # 3. the nearest training projection, and the geometry of the projections
        p_train, p_test = clf.transform(X[train])[:, 0], clf.transform(X[test])[:, 0]
        nearest = np.abs(p_test[:, None] - p_train[None, :]).argmin(1)
        same_nn += int(np.sum(groups[train][nearest] == groups[test]))
        n_test += len(test)
        distinct_nn.append(len(np.unique(nearest)))
        means = [p_train[y[train] == c].mean() for c in clf.classes_]
        between.append(abs(means[1] - means[0]))
        spread_train.append(np.mean([p_train[y[train] == c].std() for c in clf.classes_]))
        spread_test.append(np.mean([p_test[y[test] == c].std() for c in clf.classes_]))

    acc_grouped, n_train_grouped = [], []
    cv = StratifiedGroupShuffleSplit(10, test_size=0.2, random_state=0)
    for train, test in cv.split(X, y, groups):
        n_train_grouped.append(len(train))
        clf = FisherFaceClassifier().fit(X[train], y[train])
        acc_grouped.append(np.mean(clf.predict(X[test]) == y[test]))

    print("Fisherfaces on London, 350x350 crops, 10 splits, test size 0.2, seed 0\n")
    print(f"{'protocol / training set / test photos':<60}{'n_train':>8}{'n_test':>8}"
          f"{'accuracy':>16}")
    rows = [
        ("tutorial splits, all training photos", np.mean(n_train), n_test, acc_all),
        ("  test photos whose partner is in training", np.mean(n_train),
         len(ok_partner_train), None),
        ("  test photos whose partner is in the test set too", np.mean(n_train),
         len(ok_partner_test), None),
        ("tutorial splits, complete pairs only (same tests)", np.mean(n_train_pairs), n_test,
         acc_pairs),
        ("subject-grouped splits", np.mean(n_train_grouped), n_test, acc_grouped),
    ]
    pooled = iter([np.mean(ok_partner_train), np.mean(ok_partner_test)])
    for name, n_tr, n_te, acc in rows:
        score = (f"{np.mean(acc):>9.3f} ± {np.std(acc):.3f}" if acc is not None
                 else f"{next(pooled):>9.3f} (pooled)")
        print(f"{name:<60}{n_tr:>8.0f}{n_te:>8}{score}")
    print(f"\nnearest training projection is the same person: {same_nn} of {n_test} test "
          f"predictions; distinct training photos ever nearest, per split: "
          f"{min(distinct_nn)}-{max(distinct_nn)} of {min(n_train)}")
    print(f"Fisher projections (mean over splits): class means {np.mean(between):.0f} apart; "
          f"spread within a class {np.mean(spread_train):.0f} (training photos) vs "
          f"{np.mean(spread_test):.0f} (test photos)")


if __name__ == "__main__":
    main()
