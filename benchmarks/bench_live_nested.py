"""Nested selection of the live filter's defaults: ``bench_live.py``'s rule, applied on
some people, scored on others it did not see.

``bench_live.py`` fixes the filter's defaults with one rule (``bench_live.RULE``) on five
selection clips (30 subjects, about 5 steady minutes) and scores them on the test clips
and on a rotation over the 72 other subjects. That shows how the *chosen* defaults do on
new people, not how the *rule* does: on 30 subjects it sees few spurious changes. Here
the rule is applied, for each of the rotation's three folds (24 subjects; the same clips
and per-fold models as ``bench_live.py``'s rotation, each model trained on the other 78
subjects), on the selection clips together with the other two folds' eight clips (13
clips, 78 subjects, about 14 steady minutes), and its pick is scored on the fold's own
four clips, which took no part in the choice. Pooled over the folds, that estimates what
the rule's choice does on new people; the three picks show how stable it is. The
recognizer's defaults and the raw tracked labels are scored on the same clips.

Every filter is replayed over the recognizer's raw tracked probabilities (smoothing 0),
as ``bench_live.py``'s grid is, with the same grid and metrics.

Run from the repository root: ``python benchmarks/bench_live_nested.py`` (about 25
minutes on 2 cores: the grid over 17 clips on two processes).
"""

import argparse
import os
import sys
import tempfile

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_live import (RULE, grid_rows, london_split, metrics, outside_selection,  # noqa: E402
                        pooled, raw_labels, recognizer_loop, rotation_clips, rotation_folds,
                        rule_pick, selection_clips, setting_name)

from skemotion.pipelines import make_named_pipeline  # noqa: E402
from skemotion.video import VideoEmotionRecognizer  # noqa: E402
from skemotion.video._recognizer import (ADAPTATION_TIME, CHANGE_PROBABILITY,  # noqa: E402
                                         EVIDENCE)


def default_setting():
    """The recognizer's filter defaults as a grid setting."""
    r = VideoEmotionRecognizer(None)
    return (r.smoothing, EVIDENCE, r.min_duration, CHANGE_PROBABILITY, r.adaptation,
            ADAPTATION_TIME)


def selection_runs(london, order, groups, rng, pipeline, tmp):
    """``bench_live.py``'s five selection clips with the raw tracked run of its model,
    trained on the same 62 subjects: ``[(clip, frames)]``."""
    keep = np.isin(groups, order[:62])
    model = make_named_pipeline(pipeline).fit(
        [im for im, k in zip(london.images, keep) if k], london.target[keep])
    runs = []
    for k, clip in enumerate(selection_clips(order, rng, london)):
        path = os.path.join(tmp, f"selection {k + 1}.avi")
        clip.write(path)
        runs.append((clip, recognizer_loop(model, path, smoothing=0)[0]))
        os.remove(path)
    return np.asarray(model.classes_), runs


def rotation_runs(london, groups, folds, pipeline, tmp):
    """Per fold, the raw tracked runs ``[(clip, frames)]`` of its four clips."""
    out = []
    for f, fold in enumerate(folds):
        model, clips = rotation_clips(london, groups, fold, f, pipeline, tmp)
        out.append([(clip, recognizer_loop(model, path, smoothing=0)[0])
                    for clip, path in clips])
        for _, path in clips:
            os.remove(path)
    return out


def nested(rows, raw, n_selection, fold_of):
    """Per fold ``f``: the rule's pick on the clips outside it (the selection clips and
    the other folds), and the per-clip metrics on the fold's clips of that pick, of the
    recognizer's defaults and of the raw labels. ``rows``: the grid over every clip
    (selection clips first); ``fold_of``: each rotation clip's fold."""
    default = default_setting()
    by_setting = {row[0]: row for row in rows}
    if default not in by_setting:
        raise ValueError(f"the recognizer's defaults {default} are not in the grid")
    out = []
    for f in sorted(set(fold_of)):
        inner = list(range(n_selection)) + [n_selection + i for i, g in enumerate(fold_of)
                                            if g != f]
        outer = [n_selection + i for i, g in enumerate(fold_of) if g == f]
        inner_rows = [(s, [each[i] for i in inner], pooled([each[i] for i in inner]), weak)
                      for s, each, _, weak in rows]
        chosen = rule_pick(inner_rows)
        pick = None if chosen is None else chosen[0][0]
        scored = {"pick": None if pick is None else [by_setting[pick][1][i] for i in outer],
                  "defaults": [by_setting[default][1][i] for i in outer],
                  "raw": [raw[i] for i in outer]}
        out.append((f, pick, scored))
    return out


def row(name, m):
    return (f"| {name} | {m['steady1']:.3f} | {m['lag_median']:.2f} | "
            f"{m['spurious']:.2f} ({m['n_spurious']} in {m['steady_minutes']:.1f} min) |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pipeline", default="hog_logreg_flip",
                        help="the named pipeline (default: %(default)s, as in bench_live.py)")
    args = parser.parse_args()
    london, subjects, groups, order, rng = london_split()
    folds = rotation_folds(outside_selection(order))
    with threadpool_limits(limits=1), tempfile.TemporaryDirectory() as tmp:
        classes, selection = selection_runs(london, order, groups, rng, args.pipeline, tmp)
        rotation = rotation_runs(london, groups, folds, args.pipeline, tmp)
    runs = selection + [r for fold in rotation for r in fold]
    fold_of = [f for f, fold in enumerate(rotation) for _ in fold]
    print(f"{len(selection)} selection clips and {len(fold_of)} rotation clips "
          f"({len(folds)} folds of {len(folds[0])} subjects), {args.pipeline}; the grid of "
          f"bench_live.py over all of them (rule: {RULE})\n")
    rows = grid_rows(classes, runs)
    raw = [metrics(clip, raw_labels(frames, classes)) for clip, frames in runs]
    results = nested(rows, raw, len(selection), fold_of)
    print("| fold (its 4 clips) | steady acc. | lag median (s) | spurious changes /min |")
    print("|---|---:|---:|---:|")
    pooled_outer = {"pick": [], "defaults": [], "raw": []}
    for f, pick, scored in results:
        if pick is None:
            print(f"| {f + 1}: no setting meets the rule's constraints on the other clips "
                  "| | | |")
        else:
            print(row(f"{f + 1}: the rule's pick on the other 13 clips: {setting_name(pick)}",
                      pooled(scored["pick"])))
            pooled_outer["pick"] += scored["pick"]
        print(row(f"{f + 1}: the recognizer's defaults", pooled(scored["defaults"])))
        print(row(f"{f + 1}: raw tracked labels", pooled(scored["raw"])))
        pooled_outer["defaults"] += scored["defaults"]
        pooled_outer["raw"] += scored["raw"]
    print()
    for name, each in pooled_outer.items():
        if each:
            print(row(f"all folds, {name} ({len(each)} clips)", pooled(each)))
    everything = rule_pick(rows)
    print("\nthe rule on all 17 clips: " + ("no setting meets its constraints"
                                            if everything is None
                                            else setting_name(everything[0][0])))
    print(f"the recognizer's defaults: {setting_name(default_setting())}")


if __name__ == "__main__":
    main()
