"""Evaluation table on the embedded London set: every named pipeline, both protocols.

Each pipeline's own FaceCropper settings crop the 204 photos once (pipelines that share
settings share the crops); then ``skemotion.model_selection.evaluate`` fits every pipeline
(``detect=False``) on the same 10 random 80/20 splits per protocol:

- ``tutorial``: StratifiedShuffleSplit, the 2016 tutorial's random per-image splits
  (a person's neutral and happy photo can be on opposite sides);
- ``grouped``: StratifiedGroupShuffleSplit, every subject on one side only.

Prints the table (Markdown), then per pipeline the ratio grouped/tutorial accuracy and the
fit time relative to Fisherfaces, all measured in this one run.

Run from the repository root: ``python benchmarks/bench_evaluation.py [--splits 10]``.
"""

import argparse
import platform
import time

from sklearn.base import clone

from skemotion.datasets import load_frl_london
from skemotion.model_selection import EvaluationResult, evaluate
from skemotion.pipelines import PIPELINES


def _crop_key(cropper):
    return repr(sorted(cropper.get_params().items(), key=lambda kv: kv[0]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pipelines", default=",".join(PIPELINES))
    args = parser.parse_args()
    names = [n for n in args.pipelines.split(",") if n]

    london = load_frl_london()
    images, y, groups = london.images, london.target, london.groups
    croppers = {}
    for name in names:
        croppers[name] = PIPELINES[name](detect=True).steps[0][1]
    crops, crop_seconds = {}, {}
    for name, cropper in croppers.items():
        key = _crop_key(cropper)
        if key not in crops:
            start = time.perf_counter()
            # keep every photo: a photo without a detected face is used whole (none on London
            # with the default cascades; counted below)
            found = [d.found for d in cropper.detect(images)]
            crops[key] = clone(cropper).set_params(on_missing="full_image").transform(images)
            crop_seconds[key] = (time.perf_counter() - start, len(found) - sum(found))

    batches = {}
    for name in names:
        batches.setdefault(_crop_key(croppers[name]), []).append(name)
    rows, result = {}, None
    start = time.perf_counter()
    for key, batch in batches.items():
        models = {n: PIPELINES[n](detect=False) for n in batch}
        result = evaluate(models, crops[key], y, groups=groups, n_splits=args.splits,
                          random_state=args.seed)
        for row in result.rows:
            rows[row["model"], row["protocol"]] = row
    total = time.perf_counter() - start
    merged = EvaluationResult(
        [rows[n, p] for n in names for p in ("tutorial", "grouped")],
        classes=result.classes, class_counts=result.class_counts, n_samples=result.n_samples,
        n_groups=result.n_groups, protocols=result.protocols,
    )

    print(f"# London set, {args.splits} splits per protocol, seed {args.seed}; "
          f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    for key, (seconds, missed) in crop_seconds.items():
        users = [n for n in names if _crop_key(croppers[n]) == key]
        size = crops[key].shape[1]
        print(f"# crops for {', '.join(users)}: {size} px values each, {seconds:.1f} s, "
              f"{missed} photo(s) without a detected face (used whole)")
    print()
    print(merged.to_markdown())
    ref = rows.get(("fisherface", "grouped"))
    print("| pipeline | grouped / tutorial accuracy | fit time / Fisherfaces' (grouped) |")
    print("|---|---|---|")
    for n in names:
        g, t = rows[n, "grouped"], rows[n, "tutorial"]
        rel = f"{g['fit_time'] / ref['fit_time']:.2f}" if ref else "n/a"
        print(f"| {n} | {g['accuracy_mean'] / t['accuracy_mean']:.2f} | {rel} |")
    print(f"\nEvaluation time (excluding cropping): {total:.1f} s")
    best = max(names, key=lambda n: rows[n, "grouped"]["accuracy_mean"])
    print(f"Best under subject-grouped splits: {best} "
          f"({rows[best, 'grouped']['accuracy_mean']:.3f} ± "
          f"{rows[best, 'grouped']['accuracy_std']:.3f}); chance {merged.chance_accuracy:.3f}")


if __name__ == "__main__":
    main()
