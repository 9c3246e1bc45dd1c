"""Plain and calibrated pipelines side by side on London, paired split by split.

Each named pipeline is scored (balanced accuracy, subject-grouped 80/20 splits,
``StratifiedGroupShuffleSplit``, seed 0) as it is, on the photos, and calibrated
(``make_named_pipeline(name, calibrated=True)``: the pipeline's features of the face beside
their difference to the features of the same person's neutral face), on
``(photo, reference)`` pairs from ``load_frl_london(references=True)``. London has one
neutral photo per person, so each reference is a stand-in second take: that photo shifted,
rotated, re-exposed, blurred, noisy and re-compressed by a few percent. For the neutral
test photos the reference is a distorted copy of the photo itself, so the calibrated
scores here are optimistic; a real second take also differs in pose, lighting and the
resting face (CK+ and JAFFE, which have one, are not shipped).

Two controls are scored with the same fitted calibrated models: the test photos paired
with **another** test person's reference (a person the model has never seen, drawn once
per split), which shows how much of the gain needs the person's own face; and the test
photos paired with their own reference after the photo perturbation of the ``webcam``
condition of ``bench_robustness.py`` (60 px face, gamma 0.6, blur, JPEG 40; without its box
jitter) applied to the photo, not to the reference (a reference taken in good light, a face
seen through a webcam).

Faces are cropped once per crop setting (FaceCropper is stateless), photos and references
alike; the models run as ``factory(detect=False)``. A paired table gives, per pipeline,
calibrated minus plain: mean +- std over splits and the splits ahead / behind.

Single process with one BLAS/OpenMP thread. Run from the repository root:
``python benchmarks/bench_calibration.py [--splits 10] [--pipelines a,b]``.
"""

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from sklearn.metrics import balanced_accuracy_score  # noqa: E402

from _pipeline_crops import add_pipelines_option, crops_per_setting, pipeline_names  # noqa: E402
from _run_info import add_splits_option, benchmark_parser, run_header  # noqa: E402

from skemotion import StratifiedGroupShuffleSplit  # noqa: E402
from skemotion.calibration import ReferenceCalibratedClassifier  # noqa: E402
from skemotion.datasets import load_frl_london  # noqa: E402
from skemotion.pipelines import DEFAULT_PIPELINE, PIPELINES  # noqa: E402

#: The pipelines compared by default: the default, the whole-face HOG family and a
#: lower-face one (the calibration needs no change in any of them).
DEFAULT_NAMES = list(dict.fromkeys([DEFAULT_PIPELINE, "hog_logreg", "hog_logreg_flip",
                                    "lowerface_hog_logreg", "lbp_logreg"]))


def _webcam_photos(photos, face_widths):
    import bench_robustness

    rng = np.random.RandomState(0)
    return [bench_robustness._webcam(p, w, rng) for p, w in zip(photos, face_widths)]


def main(argv=None):
    parser = benchmark_parser(__doc__, "python benchmarks/bench_calibration.py --splits 3 "
                                       "--pipelines hog_logreg_flip")
    add_splits_option(parser, "subject-grouped 80/20 splits")
    add_pipelines_option(parser, DEFAULT_NAMES)
    args = parser.parse_args(argv)
    names = pipeline_names(parser, args.pipelines, default=DEFAULT_NAMES)

    london = load_frl_london(references=True)
    y, groups = np.asarray(london.target), np.asarray(london.groups)
    start = time.perf_counter()
    crops, settings = crops_per_setting(names, london.images)
    ref_crops, _ = crops_per_setting(names, london.references)
    from skemotion import FaceCropper

    widths = [d.box[2] if d.box else min(p.shape[:2])
              for d, p in zip(FaceCropper().detect(london.images), london.images)]
    webcam = _webcam_photos(london.images, widths)
    webcam_crops, _ = crops_per_setting(names, webcam)
    crop_seconds = time.perf_counter() - start

    cv = StratifiedGroupShuffleSplit(n_splits=args.splits, test_size=0.2, random_state=0)
    kinds = ["plain", "calibrated", "other person's reference", "plain, webcam",
             "calibrated, webcam"]
    scores = {n: {k: [] for k in kinds} for n in names}
    seconds = {n: {"plain": 0.0, "calibrated": 0.0} for n in names}
    rng = np.random.RandomState(0)
    for train, test in cv.split(np.zeros(len(y)), y, groups):
        # another test person for each test person, drawn once per split (a derangement)
        people = sorted(set(groups[test]))
        shuffled = list(people)
        while any(a == b for a, b in zip(people, shuffled)):
            rng.shuffle(shuffled)
        other_of = dict(zip(people, shuffled))
        ref_of = {g: i for i, g in enumerate(groups)}  # any sample's row of that person
        other = np.asarray([ref_of[other_of[g]] for g in groups[test]])
        for name in names:
            X, R, W = crops[name], ref_crops[name], webcam_crops[name]
            t0 = time.perf_counter()
            plain = PIPELINES[name](detect=False).fit(X[train], y[train])
            seconds[name]["plain"] += time.perf_counter() - t0
            t0 = time.perf_counter()
            calibrated = ReferenceCalibratedClassifier(PIPELINES[name](detect=False))
            calibrated.fit(np.stack([X[train], R[train]], axis=1), y[train])
            seconds[name]["calibrated"] += time.perf_counter() - t0
            runs = {
                "plain": plain.predict(X[test]),
                "calibrated": calibrated.predict(np.stack([X[test], R[test]], axis=1)),
                "other person's reference": calibrated.predict(
                    np.stack([X[test], R[other]], axis=1)),
                "plain, webcam": plain.predict(W[test]),
                "calibrated, webcam": calibrated.predict(np.stack([W[test], R[test]], axis=1)),
            }
            for kind, predicted in runs.items():
                scores[name][kind].append(balanced_accuracy_score(y[test], predicted))

    print(run_header(len(y), len(set(groups)),
                     f"; {args.splits} subject-grouped 80/20 splits, seed 0; references: "
                     "stand-in second takes (load_frl_london(references=True))"))
    for cropper, secs, users in settings.values():
        print(f"# crops for {', '.join(users)}: {cropper.output_size[0]} px, "
              f"align={cropper.align}")
    print(f"# cropping photos, references and webcam photos: {crop_seconds:.0f} s")
    print("\nBalanced accuracy, mean +- std over splits:\n")
    print("| pipeline | " + " | ".join(kinds) + " | fit s / split (plain / calibrated) |")
    print("|---|" + "---|" * (len(kinds) + 1))
    for name in names:
        cells = [f"{np.mean(scores[name][k]):.3f} +- {np.std(scores[name][k]):.3f}"
                 for k in kinds]
        print(f"| {name} | " + " | ".join(cells) + f" | {seconds[name]['plain'] / args.splits:.2f}"
              f" / {seconds[name]['calibrated'] / args.splits:.2f} |")
    print("\nPaired, split by split (same test photos): calibrated minus plain in points, "
          "mean +- std over splits (splits ahead / behind):\n")
    pairs = [("calibrated", "plain"), ("other person's reference", "plain"),
             ("calibrated, webcam", "plain, webcam")]
    print("| pipeline | " + " | ".join(f"{a} - {b}" for a, b in pairs) + " |")
    print("|---|" + "---|" * len(pairs))
    for name in names:
        cells = []
        for a, b in pairs:
            diff = 100 * (np.asarray(scores[name][a]) - np.asarray(scores[name][b]))
            cells.append(f"{diff.mean():+.1f} +- {diff.std():.1f} "
                         f"({int((diff > 0).sum())} / {int((diff < 0).sum())})")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
