"""How far single-photo classical models are from 95% on London, and why.

The target here is >= 95% balanced accuracy (neutral vs happy) on the embedded London set
under subject-grouped splits. This script measures four things that bound what a
classifier seeing one photo at a time can reach, with several named pipelines
(``skemotion.pipelines.PIPELINES``, fixed default hyper-parameters):

1. out-of-fold (OOF) decision scores for every photo: ``cross_val_predict(...,
   method="decision_function")`` over ``StratifiedGroupKFold(10, shuffle=True)``, repeated
   with seeds 0, 1, 2 (``--repeats``); both photos of a subject are always in the same
   test fold, so they are scored by the same model;
2. per pipeline: the OOF balanced accuracy (prediction = sign of the score, exactly what
   ``predict`` returns); the ROC AUC; the balanced accuracy of the best single threshold
   chosen *with hindsight* on all OOF scores (an upper bound for any threshold on that
   score); and the within-subject pair accuracy, the fraction of subjects whose happy
   photo scores higher than their neutral photo. The last one is what a per-subject
   neutral reference photo would give: it is NOT available to a single-image classifier
   and is shown only to separate "the expression cue is missing" from "differences
   between people swamp it";
3. the photos wrong for all (and for all but one) of the pipelines, counting a photo as
   wrong for a pipeline when it is wrong in the majority of the repeats, and the
   balanced accuracy reachable if every other photo were right;
4. a learning curve for the pipeline with the best OOF balanced accuracy: the same 22
   held-out test subjects per repeat, trained on nested random sets of 20, 40, 60 and 80
   of the other 80 subjects (``--curve-repeats`` repeats, default 20; ``--curve-pipeline``
   for another pipeline); the gain over 20 subjects is measured on the same test subjects
   (paired), so it is less noisy than the accuracies themselves.

As in ``bench_accuracy.py``, FaceCropper is stateless, so crops are computed ONCE per
distinct cropper setting (``on_missing="full_image"``) and every pipeline runs as
``factory(detect=False)`` on them. Pipelines whose optional extra is missing (dlib for
``landmarks_hog_gabor_logreg``) are left out with a note. Single process, one BLAS/OpenMP
thread (``OMP_NUM_THREADS``/``OPENBLAS_NUM_THREADS`` default to 1 here).

``--figure PATH`` also draws the photos of step 3 (wrong for all or all but one pipeline), each
beside the same person's other photo, as the crops the best pipeline sees (``ImageGalleryDisplay``;
needs matplotlib): ``benchmarks/figures/hard_pairs.png`` in ``benchmarks/README.md``.

Run from the repository root: ``python benchmarks/bench_ceiling.py`` (a few minutes;
``--pipelines a,b`` for a subset).
"""

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from sklearn.metrics import balanced_accuracy_score, roc_auc_score, roc_curve  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GroupShuffleSplit,
    StratifiedGroupKFold,
    cross_val_predict,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# _pipeline_crops and _run_info: benchmarks/, the script's own folder
from _pipeline_crops import add_pipelines_option, crops_per_setting, pipeline_names  # noqa: E402
from _run_info import benchmark_parser, run_header  # noqa: E402

from skemotion.datasets import load_frl_london  # noqa: E402
from skemotion.pipelines import PIPELINES, missing_requirements  # noqa: E402

TARGET = 0.95
POSITIVE = "happy"
DEFAULT_PIPELINES = (
    "hog_logreg",
    "lbp_logreg",
    "lbp_fisherface",
    "lowerface_hog_fisherface",
    "lowerface_hog_gabor_logreg",
    "landmarks_hog_gabor_logreg",
)
CURVE_SIZES = (20, 40, 60, 80)
CURVE_TEST_SUBJECTS = 22


def _happy_scores(model, X, y, groups, cv, classes):
    """OOF decision scores oriented so that higher means ``POSITIVE``."""
    dec = cross_val_predict(model, X, y, groups=groups, cv=cv, method="decision_function",
                            n_jobs=1)
    # decision > 0 means classes[1] for both LogisticRegression and FisherFaceClassifier
    return dec if classes[1] == POSITIVE else -dec


def _predict_from_scores(scores, classes):
    """The labels ``predict`` gives: classes[1] iff the raw decision is > 0."""
    raw = scores if classes[1] == POSITIVE else -scores
    return np.where(raw > 0, classes[1], classes[0])


def _hindsight_threshold_bacc(is_pos, scores):
    """Best balanced accuracy of ``scores >= t`` over every threshold t (chosen on the test)."""
    fpr, tpr, _ = roc_curve(is_pos, scores)
    return float(np.max((tpr + 1 - fpr) / 2))


def _pair_wins(is_pos, scores, groups):
    """Subject -> whether its positive photo(s) outscore all its other photos."""
    wins = {}
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        pos, neg = scores[idx[is_pos[idx]]], scores[idx[~is_pos[idx]]]
        if len(pos) and len(neg):
            wins[g] = bool(pos.min() > neg.max())
    return wins


def _bacc_if_only(wrong_mask, is_pos):
    """Balanced accuracy if exactly the photos in ``wrong_mask`` were wrong."""
    return 0.5 * ((1 - wrong_mask[is_pos].mean()) + (1 - wrong_mask[~is_pos].mean()))


def _draw_hard_pairs(path, counts, k, crops, y, groups):
    """Save each photo wrong for at least ``k - 1`` of the ``k`` pipelines (``counts`` per
    photo) beside its subject's other photo(s) to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    from skemotion import ImageGalleryDisplay

    hard = counts >= max(k - 1, 1)
    subjects = sorted({groups[i] for i in np.flatnonzero(hard)})
    images, titles = [], []
    for g in subjects:
        for i in sorted(np.flatnonzero(groups == g), key=lambda i: y[i] != "neutral"):
            images.append(crops[i])
            titles.append(f"{g} {y[i]}" + (f": wrong {counts[i]}/{k}" if hard[i] else ""))
    if not images:
        print("figure: no photo is wrong for that many pipelines; nothing drawn")
        return
    disp = ImageGalleryDisplay.from_images(images, titles=titles,
                                           n_cols=2 * min(4, len(subjects)), normalize="none")
    disp.figure_.savefig(path, dpi=80, bbox_inches="tight")
    print(f"figure: wrote {path} ({len(subjects)} subjects)")


def _learning_curve(factory, X, y, groups, n_repeats):
    subjects = np.unique(groups)
    outer = GroupShuffleSplit(n_splits=n_repeats, test_size=CURVE_TEST_SUBJECTS,
                              random_state=0)
    rng = np.random.default_rng(0)
    scores = {n: [] for n in CURVE_SIZES}
    n_photos = {n: [] for n in CURVE_SIZES}
    for train, test in outer.split(X, y, groups):
        pool = rng.permutation(np.unique(groups[train]))
        for n in CURVE_SIZES:
            if n > len(pool):
                continue
            tr = np.flatnonzero(np.isin(groups, pool[:n]))  # nested: 20 within 40 within...
            model = factory(detect=False).fit(X[tr], y[tr])
            scores[n].append(balanced_accuracy_score(y[test], model.predict(X[test])))
            n_photos[n].append(len(tr))
    return scores, n_photos, len(subjects) - CURVE_TEST_SUBJECTS


def main(argv=None):
    parser = benchmark_parser(__doc__, "python benchmarks/bench_ceiling.py --figure "
                                       "benchmarks/figures/hard_pairs.png")
    add_pipelines_option(parser, DEFAULT_PIPELINES)
    parser.add_argument("--repeats", type=int, default=3,
                        help="StratifiedGroupKFold(10) repeats, seeds 0.. (default 3)")
    parser.add_argument("--curve-repeats", type=int, default=20,
                        help="learning-curve repeats (default 20)")
    parser.add_argument("--curve-pipeline", default=None,
                        help="pipeline of the learning curve (default: best OOF balanced accuracy)")
    parser.add_argument("--figure", type=Path, default=None,
                        help="save the photos wrong for all or all but one pipeline, each beside "
                             "the same person's other photo, to this PNG file (needs matplotlib)")
    args = parser.parse_args(argv)
    if args.figure is not None and not args.figure.parent.is_dir():
        parser.error(f"--figure: folder {args.figure.parent} does not exist")
    if args.curve_pipeline and args.curve_pipeline not in PIPELINES:
        parser.error(f"unknown pipeline {args.curve_pipeline!r}")
    if args.curve_pipeline and missing_requirements(args.curve_pipeline):
        parser.error(missing_requirements(args.curve_pipeline))
    names = pipeline_names(parser, args.pipelines, DEFAULT_PIPELINES)
    t_start = time.perf_counter()

    london = load_frl_london()
    y, groups = np.asarray(london.target), np.asarray(london.groups)
    classes = np.unique(y)
    is_pos = y == POSITIVE
    print(run_header(len(y), len(set(groups)), f"; positive class {POSITIVE!r}"))

    crops, settings = crops_per_setting(names, london.images)
    for cropper, seconds, _ in settings.values():
        p = cropper.get_params()
        print(f"crops {p['output_size']} align={p['align']}: {seconds:.1f} s")

    # 1-2. OOF scores per pipeline and repeat
    print(f"\n1-2. out-of-fold scores, StratifiedGroupKFold(10, shuffle=True) x {args.repeats} "
          f"(seeds 0..{args.repeats - 1}); mean +- std over the repeats")
    rows, wrong, pair_right = [], {}, {}
    for name in names:
        t0 = time.perf_counter()
        bacc, auc, hind, pair = [], [], [], []
        n_wrong = np.zeros(len(y), dtype=int)
        n_pair_wins = {}
        for seed in range(args.repeats):
            cv = StratifiedGroupKFold(n_splits=10, shuffle=True, random_state=seed)
            scores = _happy_scores(PIPELINES[name](detect=False), crops[name], y, groups, cv,
                                   classes)
            pred = _predict_from_scores(scores, classes)
            n_wrong += pred != y
            bacc.append(balanced_accuracy_score(y, pred))
            auc.append(roc_auc_score(is_pos, scores))
            hind.append(_hindsight_threshold_bacc(is_pos, scores))
            wins = _pair_wins(is_pos, scores, groups)
            pair.append(np.mean(list(wins.values())))
            for g, w in wins.items():
                n_pair_wins[g] = n_pair_wins.get(g, 0) + w
        wrong[name] = 2 * n_wrong > args.repeats  # wrong in the majority of the repeats
        pair_right[name] = {g: 2 * w > args.repeats for g, w in n_pair_wins.items()}
        rows.append((name, np.array(bacc), np.array(auc), np.array(hind), np.array(pair),
                     time.perf_counter() - t0))

    def pm(a):
        return f"{100 * a.mean():.1f} +- {100 * a.std():.1f}"

    n_pairs = len(_pair_wins(is_pos, np.zeros(len(y)), groups))
    print("\n| pipeline | OOF balanced accuracy % | ROC AUC % | best threshold with hindsight %"
          f" | happy > neutral within subject (of {n_pairs}) % | time |")
    print("|---|---|---|---|---|---|")
    for name, bacc, auc, hind, pair, t in rows:
        print(f"| {name} | {pm(bacc)} | {pm(auc)} | {pm(hind)} | {pm(pair)} | {t:.1f} s |")
    print("(best threshold with hindsight: an upper bound for any decision threshold on that "
          "score;\n within-subject pairs: needs the same person's neutral photo, which a "
          "single-photo classifier does not have)")

    # 3. photos wrong for (nearly) every pipeline
    k = len(names)
    other = "/".join(c for c in classes if c != POSITIVE)
    counts = np.sum([wrong[n] for n in names], axis=0)
    print(f"\n3. photos wrong (in the majority of the {args.repeats} repeats) for every / all "
          f"but one of the {k} pipelines; in brackets: for how many pipelines that subject's "
          f"{POSITIVE} photo still outscores the other one")
    for need, label in ((k, f"all {k}"), (k - 1, f"at least {k - 1}")):
        if need < 1:
            continue
        mask = counts >= need
        listed = ", ".join(
            f"{groups[i]} {y[i]} ({sum(pair_right[n].get(groups[i], False) for n in names)})"
            for i in sorted(np.flatnonzero(mask), key=lambda i: (groups[i], y[i])))
        print(f"wrong for {label}: {mask.sum()} photos "
              f"({np.sum(mask & is_pos)} {POSITIVE}, {np.sum(mask & ~is_pos)} {other}): "
              f"{listed or '-'}")
        print(f"  balanced accuracy if every other photo were right: "
              f"{100 * _bacc_if_only(mask, is_pos):.1f}%")
    best_single = max(rows, key=lambda r: r[1].mean())
    if args.figure is not None:
        _draw_hard_pairs(args.figure, counts, k, crops[best_single[0]], y, groups)
    print(f"photos wrong for at least one pipeline: {np.sum(counts >= 1)}; "
          f"target {100 * TARGET:.0f}% allows {int(np.floor((1 - TARGET) * len(y)))} wrong photos "
          f"of {len(y)} (balanced classes)")

    # 4. learning curve of the best pipeline
    name = args.curve_pipeline or best_single[0]
    if name not in crops:
        crops.update(crops_per_setting([name], london.images)[0])
    t0 = time.perf_counter()
    curve, n_photos, n_pool = _learning_curve(PIPELINES[name], crops[name], y, groups,
                                              args.curve_repeats)
    why = "chosen with --curve-pipeline" if args.curve_pipeline else "best OOF balanced accuracy"
    print(f"\n4. learning curve of {name} ({why}): "
          f"{CURVE_TEST_SUBJECTS} test subjects held out, nested training sets drawn from the "
          f"other {n_pool}, {args.curve_repeats} repeats; mean +- standard error "
          f"({time.perf_counter() - t0:.1f} s)")
    print(f"| training subjects | training photos | balanced accuracy % | gain over "
          f"{CURVE_SIZES[0]} subjects (same test subjects), points |")
    print("|---|---|---|---|")

    def mean_se(a):
        a = 100 * np.asarray(a)
        se = a.std(ddof=1) / np.sqrt(len(a)) if len(a) > 1 else 0.0
        return f"{a.mean():.1f} +- {se:.1f}"

    base = np.asarray(curve[CURVE_SIZES[0]])
    for n in CURVE_SIZES:
        s = np.asarray(curve[n])
        if len(s):
            print(f"| {n} | {np.mean(n_photos[n]):.0f} | {mean_se(s)} | {mean_se(s - base)} |")

    best_hind = max(rows, key=lambda r: r[3].mean())
    best_pair = max(rows, key=lambda r: r[4].mean())
    print(f"\nsummary: best OOF balanced accuracy {100 * best_single[1].mean():.1f}% "
          f"({best_single[0]}); best threshold with hindsight {100 * best_hind[3].mean():.1f}% "
          f"({best_hind[0]}), {'below' if best_hind[3].mean() < TARGET else 'reaching'} the "
          f"{100 * TARGET:.0f}% target; happy > neutral within subject up to "
          f"{100 * best_pair[4].mean():.1f}% ({best_pair[0]})")
    print(f"total time {time.perf_counter() - t_start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
