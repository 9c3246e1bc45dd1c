"""Where the live filter's spurious label changes come from, on the rotation clips of
``bench_live.py``.

For each of the twelve rotation clips (the 72 London subjects outside the selection
clips, three folds, each fold's model trained on the other 78 subjects; the same clips
as ``bench_live.py``'s rotation), the recognizer runs with its defaults. Each spurious
change of its filtered labels (a change, on a steady stretch, to a label that is not
the truth) is listed with how long the wrong label is then held and how often the raw
per-frame labels are right within half a second of it. A brief run of wrong labels
(at most 10 frames, 0.33 s) is noise that more hysteresis would stop; a long one where
the raw labels are mostly wrong is the model being wrong on that person for a while,
which no filter with a lag under 0.4 s can tell from a real change.

Run from the repository root: ``python benchmarks/bench_live_spurious.py`` (4-6
minutes on one core); ``--pipeline NAME`` trains another named pipeline in each fold
(``hog_logreg_flip`` by default, as ``bench_live.py``).
"""

import argparse
import os
import sys
import tempfile

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_live import (FPS, london_split, match, metrics, outside_selection,  # noqa: E402
                        own_labels, raw_labels, recognizer_loop, rotation_clips,
                        rotation_folds)

#: A wrong label held at most this many frames counts as brief.
BRIEF = 10
#: Frames on each side of a change over which the raw labels' accuracy is taken.
AROUND = 15


def matched(reported, clip):
    """Per frame, ``{appearance: label}`` of the reported faces (:func:`match`)."""
    return [{k: label for k, (_, label) in match(t, r)[0].items()}
            for t, r in zip(clip.truth, reported)]


def spurious_changes(clip, frames, classes):
    """``(appearance, frame, truth, wrong label, frames held, raw accuracy around)`` for
    each spurious change of the filtered labels."""
    out = []
    n = len(clip.truth)
    filtered_all = matched(own_labels(frames), clip)
    raw_all = matched(raw_labels(frames, classes), clip)
    for k, person in enumerate(clip.appearances):
        filtered = [labels.get(k) for labels in filtered_all]
        raw = [labels.get(k) for labels in raw_all]
        begin, end = int(round(person.start * FPS)), min(int(round(person.end * FPS)), n)
        truth = {i: next(f for f in clip.truth[i] if f.appearance == k)
                 for i in range(begin, end)}
        previous = None
        for i in range(begin, end):
            if not truth[i].steady:
                previous = None
                continue
            label = filtered[i]
            if label is not None and previous not in (None, label) and label != truth[i].label:
                held = i
                while held < end and filtered[held] == label:
                    held += 1
                window = range(max(i - AROUND, begin), min(i + AROUND, end))
                right = np.mean([raw[j] == truth[j].label for j in window])
                out.append((k, i, truth[i].label, label, held - i, float(right)))
            if label is not None:
                previous = label
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pipeline", default="hog_logreg_flip",
                        help="the named pipeline each fold trains (default: %(default)s, "
                             "as in bench_live.py)")
    args = parser.parse_args()
    london, subjects, groups, order, _ = london_split()
    events, minutes = [], 0.0
    print("\n| fold.clip | subject | frame | truth -> filtered | held (frames) | raw labels "
          f"right within {AROUND} frames |")
    print("|---|---|---:|---|---:|---:|")
    with threadpool_limits(limits=1), tempfile.TemporaryDirectory() as tmp:
        for f, fold in enumerate(rotation_folds(outside_selection(order))):
            model, clips = rotation_clips(london, groups, fold, f, args.pipeline, tmp)
            classes = np.asarray(model.classes_)
            for c, (clip, path) in enumerate(clips):
                frames = recognizer_loop(model, path)[0]
                os.remove(path)
                counted = metrics(clip, own_labels(frames))
                minutes += counted["steady_minutes"]
                changes = spurious_changes(clip, frames, classes)
                if len(changes) != counted["n_spurious"]:  # the two must define them alike
                    raise RuntimeError(f"clip {f + 1}.{c + 1}: {len(changes)} spurious changes "
                                       f"listed, bench_live counts {counted['n_spurious']}")
                for k, i, truth, wrong, held, right in changes:
                    subject = subjects[clip.appearances[k].subject]
                    events.append((subject, held, right))
                    print(f"| {f + 1}.{c + 1} | {subject} | {i} | {truth} -> {wrong} | {held} "
                          f"| {right:.2f} |")
    held = np.array([e[1] for e in events])
    right = np.array([e[2] for e in events])
    brief = held <= BRIEF
    print(f"\n{len(events)} spurious changes in {minutes:.1f} steady minutes "
          f"({len(events) / minutes:.1f} per minute), on {len({e[0] for e in events})} "
          "subjects")
    print(f"brief (the wrong label held at most {BRIEF} frames): {brief.sum()} "
          f"({brief.sum() / minutes:.1f} per minute)")
    print(f"held longer: {(~brief).sum()} ({(~brief).sum() / minutes:.1f} per minute; median "
          f"{np.median(held[~brief]) / FPS:.1f} s), of which {(right[~brief] <= 0.5).sum()} "
          "where the raw labels around the change are right on at most half the frames")


if __name__ == "__main__":
    main()
