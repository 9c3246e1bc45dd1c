"""Evaluation table on the embedded London set: every named pipeline, both protocols.

Each pipeline's own FaceCropper settings crop the 204 photos once (pipelines that share
settings share the crops); then ``skemotion.model_selection.evaluate`` fits every pipeline
(``detect=False``) on the same 10 random 80/20 splits per protocol:

- ``tutorial``: StratifiedShuffleSplit, the 2016 tutorial's random per-image splits
  (a person's neutral and happy photo can be on opposite sides);
- ``grouped``: StratifiedGroupShuffleSplit, every subject on one side only.

Prints the table (Markdown) with the *selected* rows (per protocol: inside each outer training
part, 3 inner splits of the protocol's own kind pick the pipeline with the best mean inner
balanced accuracy; its outer test score is the selected row's), then per pipeline the ratio
grouped/tutorial accuracy, the fit time relative to Fisherfaces and the time of its inner
selection. With ``--naive-inner`` the grouped protocol's inner selection is also run without
sharing the stateless feature steps (every inner fit computes its features again, as plain
nested cross-validation does), side by side, and the inner scores of both are compared.
With ``--naive-outer`` the grouped protocol's outer fits are timed twice side by side: plain
``cross_validate`` (every fit and prediction computes its features again, as before session
8) and ``evaluate(..., inner_cv=None)`` (the stateless feature steps computed once per image),
and their per-split scores are compared.

Single process with one BLAS/OpenMP thread (``OMP_NUM_THREADS``/``OPENBLAS_NUM_THREADS``
default to 1 here), so that the fit-time ratios do not depend on what else the machine runs.

Run from the repository root: ``python benchmarks/bench_evaluation.py [--splits 10]``.
"""

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# _pipeline_crops and _run_info: benchmarks/, the script's own folder
from _pipeline_crops import add_pipelines_option, crops_per_setting, pipeline_names  # noqa: E402
from _run_info import add_splits_option, benchmark_parser, run_header  # noqa: E402

from skemotion import detect_faces  # noqa: E402
from skemotion.datasets import load_frl_london  # noqa: E402
from skemotion.model_selection import EvaluationResult, evaluate  # noqa: E402
from skemotion.pipelines import PIPELINES  # noqa: E402


def main(argv=None):
    parser = benchmark_parser(__doc__, "python benchmarks/bench_evaluation.py --splits 3 "
                                       "--pipelines fisherface,hog_logreg")
    add_splits_option(parser, "random splits per protocol")
    parser.add_argument("--seed", type=int, default=0, help="seed of the splits (default 0)")
    add_pipelines_option(parser)
    parser.add_argument("--naive-inner", action="store_true",
                        help="also time the grouped inner selection without shared features")
    parser.add_argument("--naive-outer", action="store_true",
                        help="also time the grouped outer fits with and without shared "
                             "features, side by side")
    args = parser.parse_args(argv)
    names = pipeline_names(parser, args.pipelines)

    london = load_frl_london()
    images, y, groups = london.images, london.target, london.groups
    crops, settings = crops_per_setting(names, images)

    rows, result = {}, None
    start = time.perf_counter()
    for _, _, batch in settings.values():
        models = {n: PIPELINES[n](detect=False) for n in batch}
        result = evaluate(models, crops[batch[0]], y, groups=groups, n_splits=args.splits,
                          random_state=args.seed)
        for row in result.rows:
            rows[row["model"], row["protocol"]] = row
    total = time.perf_counter() - start
    naive = _naive_inner(names, crops, y, groups, args) if args.naive_inner else {}
    outer = _naive_outer(names, crops, y, groups, args) if args.naive_outer else {}
    merged = EvaluationResult(
        [rows[n, p] for n in names for p in ("tutorial", "grouped")],
        classes=result.classes, class_counts=result.class_counts, n_samples=result.n_samples,
        n_groups=result.n_groups, protocols=result.protocols,
    )

    print(run_header(len(y), len(set(groups)), f"; {args.splits} splits per protocol, "
                                                  f"seed {args.seed}"))
    for cropper, seconds, users in settings.values():
        found = [d.found for d in detect_faces(images, **cropper.get_params())]
        size = crops[users[0]].shape[1]
        print(f"# crops for {', '.join(users)}: {size} px values each, {seconds:.1f} s, "
              f"{len(found) - sum(found)} photo(s) without a detected face (used whole)")
    print()
    print(merged.to_markdown())
    ref = rows.get(("fisherface", "grouped"))
    print("| pipeline | grouped / tutorial accuracy | fit time / Fisherfaces' (grouped) "
          "| inner selection s (both protocols) |" + (" naive inner s (grouped) | naive / "
                                                      "shared, grouped |" if naive else ""))
    print("|---|---|---|---|" + ("---|---|" if naive else ""))
    for n in names:
        g, t = rows[n, "grouped"], rows[n, "tutorial"]
        rel = f"{g['fit_time'] / ref['fit_time']:.2f}" if ref else "n/a"
        line = (f"| {n} | {g['accuracy_mean'] / t['accuracy_mean']:.2f} | {rel} | "
                f"{g['inner_time'] + t['inner_time']:.1f} |")
        if naive:
            line += f" {naive[n][0]:.1f} | {naive[n][0] / naive[n][1]:.2f} |"
        print(line)
    inner = sum(row["inner_time"] for row in rows.values())
    print(f"\nEvaluation time (excluding cropping): {total:.1f} s, of which the inner selection "
          f"(all pipelines, both protocols) {inner:.1f} s")
    if naive:
        plain, shared = (sum(t[i] for t in naive.values()) for i in (0, 1))
        print(f"Grouped inner selection, measured again side by side in one process: "
              f"{shared:.1f} s with shared feature steps (their computation included), "
              f"{plain:.1f} s without ({plain / shared:.2f}x); the inner scores agree to "
              "1e-9 for every pipeline (checked)")
    if outer:
        print("\nGrouped outer fits, side by side in one process (seconds for all splits, "
              "fits and predictions):\n")
        print("| pipeline | plain cross_validate s | evaluate, shared features s | plain / "
              "shared |")
        print("|---|---:|---:|---:|")
        for n, (plain, shared) in outer.items():
            print(f"| {n} | {plain:.1f} | {shared:.1f} | {plain / shared:.2f} |")
        plain, shared = (sum(t[i] for t in outer.values()) for i in (0, 1))
        print(f"| all | {plain:.1f} | {shared:.1f} | {plain / shared:.2f} |")
        print("\nEvery split's balanced accuracy is equal in both (checked, 1e-12).")
    best = max(names, key=lambda n: rows[n, "grouped"]["accuracy_mean"])
    print(f"Best under subject-grouped splits: {best} "
          f"({rows[best, 'grouped']['accuracy_mean']:.3f} ± "
          f"{rows[best, 'grouped']['accuracy_std']:.3f}); chance {merged.chance_accuracy:.3f}")


def _naive_outer(names, crops, y, groups, args):
    """Seconds of each pipeline's grouped outer fits and predictions: (plain
    cross_validate, evaluate with its shared feature steps), after checking that every
    split's balanced accuracy is the same in both."""
    import numpy as np
    from sklearn.model_selection import cross_validate

    from skemotion.model_selection import make_protocol

    cv = make_protocol("grouped", n_splits=args.splits, random_state=args.seed)
    seconds = {}
    for n in names:
        X, model = crops[n], PIPELINES[n](detect=False)
        start = time.perf_counter()
        plain = cross_validate(model, X, y, groups=groups, cv=cv, scoring="balanced_accuracy")
        plain_seconds = time.perf_counter() - start
        start = time.perf_counter()
        shared = evaluate({n: model}, X, y, groups=groups, protocols={"grouped": cv},
                          inner_cv=None)
        shared_seconds = time.perf_counter() - start
        np.testing.assert_allclose(shared[n, "grouped"]["scores"]["balanced_accuracy"],
                                   plain["test_score"], atol=1e-12)
        seconds[n] = (plain_seconds, shared_seconds)
    return seconds


def _naive_inner(names, crops, y, groups, args):
    """Seconds of each pipeline's grouped inner selection without shared feature steps,
    after checking that its inner scores equal the shared ones (same splits)."""
    import numpy as np
    from sklearn.pipeline import Pipeline

    from skemotion.model_selection._selection import (
        _Rows,
        _share_stateless_steps,
        _Shared,
        inner_scores,
        inner_splits,
        make_inner_cv,
    )
    from skemotion.model_selection import make_protocol

    y, groups = np.asarray(y), np.asarray(groups)
    outer = list(make_protocol("grouped", n_splits=args.splits, random_state=args.seed)
                 .split(crops[names[0]], y, groups))
    inner = make_inner_cv(3, "grouped", True, test_size=0.2, random_state=args.seed)
    pairs, owner = inner_splits(inner, crops[names[0]], y, groups, outer)
    seconds = {}
    for n in names:
        X, model = crops[n], PIPELINES[n](detect=False)
        plain = Pipeline([("rows", _Rows(_Shared(X))), ("model", model)])
        naive_scores, _, seconds[n] = inner_scores(plain, y, pairs, owner, len(outer))
        start = time.perf_counter()
        shared = _share_stateless_steps(model, X)
        sharing = time.perf_counter() - start
        shared_scores, _, shared_seconds = inner_scores(shared, y, pairs, owner, len(outer))
        shared_seconds += sharing
        np.testing.assert_allclose(np.array(naive_scores, dtype=float),
                                   np.array(shared_scores, dtype=float), atol=1e-9)
        seconds[n] = (seconds[n], shared_seconds)
    return seconds


if __name__ == "__main__":
    main()
