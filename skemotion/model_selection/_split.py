"""Subject-grouped, class-stratified repeated random splits.

The tutorial's "10 x 80/20" without subject leakage.
"""

import numbers

import numpy as np
from sklearn.model_selection import BaseShuffleSplit
from sklearn.model_selection._split import GroupsConsumerMixin, _validate_shuffle_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import _num_samples, check_array, column_or_1d


def _uses_groups(cv):
    """Whether ``cv.split`` takes ``groups`` (sklearn marks such splitters with a mixin)."""
    return isinstance(cv, GroupsConsumerMixin)


class StratifiedGroupShuffleSplit(GroupsConsumerMixin, BaseShuffleSplit):
    """Repeated random train/test splits that keep subjects apart and classes balanced.

    Every group (subject) lands wholly in the training set or wholly in the
    test set, and the test set holds each class in about the share it has in
    the whole data, as closely as the groups allow. This is the tutorial's
    "shuffle, take 80/20, repeat" protocol without subject leakage: with a
    plain :class:`~sklearn.model_selection.StratifiedShuffleSplit` the same
    person's neutral and happy photos fall on both sides and the score
    measures how well the model recognises people, not emotions.
    scikit-learn has :class:`~sklearn.model_selection.GroupShuffleSplit`
    (no stratification) and :class:`~sklearn.model_selection.StratifiedGroupKFold`
    (no repeated random splits of a chosen size); this splitter combines them.

    Parameters
    ----------
    n_splits : int, default=10
        Number of re-shuffling and splitting iterations.
    test_size : float or int, default=0.2
        Float in (0, 1): share of the *samples* wanted in the test set. Int: number of
        test samples wanted. Whole groups are moved, so the achieved size is close to,
        not exactly, this value.
    train_size : float or int or None, default=None
        Share (or number) of samples wanted in the training set; ``None`` uses every
        sample that is not in the test set.
    random_state : int, RandomState instance or None, default=None
        Controls the shuffling; pass an int for reproducible splits.

    See Also
    --------
    sklearn.model_selection.StratifiedShuffleSplit : The tutorial's protocol (leaks subjects).
    sklearn.model_selection.GroupShuffleSplit : Grouped, not stratified.
    sklearn.model_selection.StratifiedGroupKFold : Grouped and stratified K folds.

    Notes
    -----
    Each split shuffles the groups, then walks through them once and puts a group in
    the test set when that brings the per-class test counts closer to their targets
    (``test_size`` times each class count; squared error weighted by ``1 / class
    count`` so rare classes matter as much as common ones). A second pass swaps test
    and training groups while a swap lowers that error. Test sets therefore hold
    close to ``test_size`` of every class. On the London set (102 subjects with one
    neutral and one happy photo each) every test set holds exactly 20 subjects, 40
    images, half of each class. With few, large or lopsided groups the achieved
    proportions can only be approximate; the tests in ``tests/test_model_selection.py``
    state the tolerance checked on an unbalanced synthetic set.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.model_selection import StratifiedGroupShuffleSplit
    >>> y = np.array(["happy", "neutral"] * 10)
    >>> groups = np.repeat(np.arange(10), 2)   # 10 subjects, one photo of each class
    >>> cv = StratifiedGroupShuffleSplit(n_splits=3, test_size=0.2, random_state=0)
    >>> for train, test in cv.split(np.zeros((20, 1)), y, groups):
    ...     print(len(train), len(test), sorted(set(groups[test]) & set(groups[train])))
    16 4 []
    16 4 []
    16 4 []
    """

    def __init__(self, n_splits=10, *, test_size=0.2, train_size=None, random_state=None):
        super().__init__(
            n_splits=n_splits,
            test_size=test_size,
            train_size=train_size,
            random_state=random_state,
        )
        self._default_test_size = 0.2

    def split(self, X, y, groups=None):
        """Generate indices to split data into training and test set.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...) or list of images
            Only its length is used.
        y : array-like of shape (n_samples,)
            Class labels used for stratification.
        groups : array-like of shape (n_samples,)
            Subject ids; required.

        Yields
        ------
        train : ndarray
            Training set indices for that split.
        test : ndarray
            Test set indices for that split.
        """
        return super().split(X, y, groups)

    def _iter_indices(self, X, y, groups):
        if groups is None:
            raise ValueError(
                "StratifiedGroupShuffleSplit needs groups= (one subject id per sample); "
                "got groups=None."
            )
        if y is None:
            raise ValueError("StratifiedGroupShuffleSplit needs y (class labels); got y=None.")
        if not isinstance(self.n_splits, numbers.Integral) or self.n_splits < 1:
            raise ValueError(f"n_splits must be a positive integer; got {self.n_splits!r}.")
        n_samples = _num_samples(X)
        y = column_or_1d(check_array(y, input_name="y", ensure_2d=False, dtype=None))
        groups = column_or_1d(check_array(groups, input_name="groups", ensure_2d=False, dtype=None))
        if len(y) != n_samples or len(groups) != n_samples:
            raise ValueError(
                f"X has {n_samples} samples but y has {len(y)} and groups {len(groups)}."
            )
        n_train, n_test = _validate_shuffle_split(
            n_samples, self.test_size, self.train_size, default_test_size=self._default_test_size
        )
        _, y_idx = np.unique(y, return_inverse=True)
        group_names, g_idx = np.unique(groups, return_inverse=True)
        n_groups = len(group_names)
        if n_groups < 2:
            raise ValueError(
                f"StratifiedGroupShuffleSplit needs at least 2 groups; got {n_groups} "
                f"({', '.join(map(str, group_names))})."
            )
        # counts[g, c]: samples of class c in group g
        counts = np.zeros((n_groups, y_idx.max() + 1), dtype=np.int64)
        np.add.at(counts, (g_idx, y_idx), 1)
        class_counts = counts.sum(axis=0)
        weight = 1.0 / class_counts
        test_target = n_test * class_counts / n_samples
        rng = check_random_state(self.random_state)
        for _ in range(self.n_splits):
            order = rng.permutation(n_groups)
            in_test = _pick_groups(counts, order, test_target, weight)
            if in_test.all():
                raise ValueError(
                    f"test_size={self.test_size!r} puts all {n_groups} groups in the test set; "
                    "use a smaller test_size or more groups."
                )
            rest = np.flatnonzero(~in_test)
            if self.train_size is None:
                in_train = ~in_test
            else:
                train_target = n_train * class_counts / n_samples
                sub = _pick_groups(counts[rest], rng.permutation(len(rest)), train_target, weight)
                in_train = np.zeros(n_groups, dtype=bool)
                in_train[rest[sub]] = True
            train = np.flatnonzero(in_train[g_idx])
            test = np.flatnonzero(in_test[g_idx])
            yield rng.permutation(train), rng.permutation(test)


def _cost(total, target, weight):
    return float(np.sum(weight * (total - target) ** 2))


def _pick_groups(counts, order, target, weight):
    """Choose groups (visited in ``order``) whose summed class counts approach ``target``.

    Greedy pass, then swap pass; always at least one group.
    """
    chosen = np.zeros(len(counts), dtype=bool)
    total = np.zeros(counts.shape[1], dtype=float)
    for g in order:
        if _cost(total + counts[g], target, weight) < _cost(total, target, weight):
            chosen[g] = True
            total += counts[g]
    if not chosen.any():  # every single group overshoots: take the least bad one
        costs = [_cost(counts[g], target, weight) for g in order]
        g = order[int(np.argmin(costs))]
        chosen[g] = True
        total = counts[g].astype(float)
    # swap pass: exchange a chosen and an unchosen group while it lowers the error
    for _ in range(3):
        improved = False
        current = _cost(total, target, weight)
        for g_in in order[chosen[order]]:
            outside = order[~chosen[order]]
            if len(outside) == 0:
                break
            new_totals = total - counts[g_in] + counts[outside]
            new_costs = np.sum(weight * (new_totals - target) ** 2, axis=1)
            best = int(np.argmin(new_costs))
            if new_costs[best] < current - 1e-12:
                g_out = outside[best]
                chosen[g_in], chosen[g_out] = False, True
                total = new_totals[best]
                current = float(new_costs[best])
                improved = True
        if not improved:
            break
    return chosen
