"""Why the tutorial's protocol scores *lower* than subject-grouped splits on the London set.

On London every person has exactly one neutral and one happy photo. Two explanations were on
the table; this script measures both on the tutorial's own splits (StratifiedShuffleSplit,
10 x 80/20, seed 0) with the tutorial's pipeline (FaceCropper 350x350 + FisherFaceClassifier):

1. identity matching: a test photo is classified like the same person's other photo in the
   training set (the opposite emotion). Measured: how often the nearest training projection in
   Fisher space - the one that decides the prediction - is the same person.
2. unpaired training photos: grouped splits train on complete neutral/happy pairs, whose class
   difference is the expression with identity cancelled out; random splits leave ~20% of the
   training photos without their partner. Measured: accuracy on the *same* test sets when the
   training set keeps complete pairs only (fewer images).

Run from the repository root: ``python benchmarks/bench_protocols.py`` (about 20 s).
"""

import numpy as np
from sklearn.model_selection import StratifiedShuffleSplit

from skemotion import FaceCropper, FisherFaceClassifier
from skemotion.datasets import load_frl_london
from skemotion.model_selection import StratifiedGroupShuffleSplit


def main():
    london = load_frl_london()
    X = FaceCropper().fit_transform(london.images).reshape(len(london.images), 350, 350)
    y, groups = np.asarray(london.target), np.asarray(london.groups)

    acc_all, acc_pairs, same_nn, n_test, n_train, n_train_pairs = [], [], 0, 0, [], []
    for train, test in StratifiedShuffleSplit(10, test_size=0.2, random_state=0).split(X, y):
        n_train.append(len(train))
        clf = FisherFaceClassifier().fit(X[train], y[train])
        acc_all.append(np.mean(clf.predict(X[test]) == y[test]))
        # 1. the nearest training projection decides the label: is it the same person?
        dist = ((clf.transform(X[test])[:, None, :]
                 - clf.transform(X[train])[None, :, :]) ** 2).sum(-1)
        same_nn += int(np.sum(groups[train][dist.argmin(1)] == groups[test]))
        n_test += len(test)
        # 2. the same split, training on the subjects with both photos in training only
        subjects, counts = np.unique(groups[train], return_counts=True)
        pairs = train[np.isin(groups[train], subjects[counts == 2])]
        n_train_pairs.append(len(pairs))
        clf = FisherFaceClassifier().fit(X[pairs], y[pairs])
        acc_pairs.append(np.mean(clf.predict(X[test]) == y[test]))

    acc_grouped, n_train_grouped = [], []
    cv = StratifiedGroupShuffleSplit(10, test_size=0.2, random_state=0)
    for train, test in cv.split(X, y, groups):
        n_train_grouped.append(len(train))
        clf = FisherFaceClassifier().fit(X[train], y[train])
        acc_grouped.append(np.mean(clf.predict(X[test]) == y[test]))

    print("Fisherfaces on London, 350x350 crops, 10 splits, test size 0.2, seed 0")
    print(f"{'protocol / training set':<52}{'n_train':>8}{'accuracy':>16}")
    rows = [
        ("tutorial splits, all training photos", np.mean(n_train), acc_all),
        ("tutorial splits, complete pairs only (same tests)", np.mean(n_train_pairs), acc_pairs),
        ("subject-grouped splits", np.mean(n_train_grouped), acc_grouped),
    ]
    for name, n_train, acc in rows:
        print(f"{name:<52}{n_train:>8.0f}{np.mean(acc):>9.3f} ± {np.std(acc):.3f}")
    print(f"nearest training face is the same person: {same_nn} of {n_test} test predictions")


if __name__ == "__main__":
    main()
