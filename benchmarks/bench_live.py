"""Live labels on camera-like clips with a per-frame truth: naive loop, raw tracked labels
and smoothed labels side by side.

The clips (``skemotion.video._synthetic.LiveClip``, London photos, CC BY 4.0) are
640x480 at 30 fps, written as Motion JPEG (as webcams send) and read back by every
loop, with camera noise on every frame. Each clip has:

* a first person with head motion (shift, scale, in-plane rotation) changing
  expression every 3 s (neutral -> happy -> neutral ..., cross-fades of 0.2-0.5 s),
  through an abrupt exposure change (x0.6) and a gradual one back;
* a cut (new background) to a second person, who is replaced at the same place, with no
  other change, by a third; the third vanishes, the place stays empty 1.5 s, then a
  fourth person enters at the same place;
* a cut to two people at once, each changing expression, through an exposure change;
* a cut to 2 s without anyone.

The London subjects are split once (seeded): the model (``hog_logreg_flip`` by
default) is trained on 62 of them; the filter's defaults (dwell, evidence, minimum
duration, change probability and the adaptation to each person) are chosen on five
*selection* clips of 6 further subjects each (30 in all, about 5 steady minutes); the
figures are measured on four *test* clips of 6 other subjects (the same six in other
roles and with other fades in each; about 4 steady minutes, since one minute is too
little to measure a rate of one change per minute). Nobody in a clip was trained on,
and nobody is in a selection clip and a test clip, or in two selection clips.

Six test subjects are few: where the model is mostly wrong on one of them, the filter
holds the wrong label for all of that person's steady frames. A *rotation* therefore
scores the defaults, as fixed on the selection clips, on all 72 subjects outside the
selection clips: three folds of 24, each scored in four clips of six with a model
trained on the other 78 subjects (about 12 steady minutes in all).

Metrics (truth frames whose face is in the frame; "steady" = not inside a cross-fade
and at least 0.3 s after a change of expression or person):

* steady accuracy: the reported label is the truth (a face not reported is wrong),
  over steady one-face frames (what the naive loop can do) and two-face frames;
* lag: seconds from an expression change (the middle of the cross-fade, where the
  truth changes) until the reported label is the new one and stays so for 0.3 s
  (median, 90th percentile); "first label": the same from a person's arrival;
* changes per minute within steady stretches: all reported label changes, and the
  spurious ones (to a label that is not the truth);
* phantom frames: frames reporting a face where there is none (or more faces than
  there are);
* tracks across a change of person: tracks that report two people (a cut, a
  replacement at the same place, or a new person after one left);
* frames per second of wall time and per CPU second (reading included; one OpenCV
  thread, one BLAS thread), and milliseconds per frame of the recognizer's own work
  (detection, tracking, cropping, classifying).

Memory: one recognizer run over 10,000 frames (the first test clip read again and again),
resident memory sampled every 1,000 frames.

Run from the repository root: ``python benchmarks/bench_live.py`` (about 7 minutes on
2 busy cores); ``--quick`` for a shorter check.
"""

import argparse
import math
import os
import sys
import tempfile
import time

import cv2
import numpy as np
from scipy.stats import chi2
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _run_info import run_header  # noqa: E402

from skemotion.datasets import load_frl_london  # noqa: E402
from skemotion.pipelines import make_named_pipeline  # noqa: E402
from skemotion.video import VideoEmotionRecognizer  # noqa: E402
from skemotion.video._recognizer import (  # noqa: E402
    ADAPTATION_TIME, CHANGE_PROBABILITY, EVIDENCE, FOLLOW, emotion_filter)
from skemotion.video._smoothing import (  # noqa: E402
    FOLLOW_WITHIN, EmotionFilter, EmotionSmoother)
from skemotion.video._synthetic import Appearance, LiveClip  # noqa: E402

FPS = 30.0
SETTLE = 0.3
#: Test clips: the first, and more of the same subjects in other roles.
N_TEST_CLIPS = 4
#: The grid the smoothing defaults are chosen from (on the selection clip), and the rule.
DWELLS = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
EVIDENCES = (0.25, 0.5, 1.0)
MIN_DURATIONS = (0.0, 0.1, 0.2)
CHANGE_PROBABILITIES = (0.5, 0.7, 0.8, 0.9, 0.95, 0.99)
#: Adaptation to the person (shares of the face's average log-probabilities taken off,
#: and the seconds until half of it is), tried with no minimum duration. The shares stop
#: at 0.5 so that a face that keeps one expression keeps at least half of the model's
#: evidence for it (a model's 0.9 stays at least 0.75): the benchmark's people change
#: expression every few seconds, and a larger share would be chosen for that.
ADAPTATIONS = (0.25, 0.5)
ADAPTATION_TIMES = (2.0, 5.0, 10.0)
#: A setting must change the label within a second when a model says 0.6 for a new class
#: of two, frame after frame (at the clips' 30 frames/s): a high change probability with a
#: short dwell never gets there (the filter's probability settles below it), a label
#: stuck on one class whatever the face does. The grid's filters are taken as they are;
#: the recognizer's keeps to the same at any dwell and frame rate (EmotionFilter's
#: ``follow``).
WEAK_EVIDENCE, WEAK_CHANGE_WITHIN = FOLLOW, FOLLOW_WITHIN
#: Nor may two confidently wrong frames (a blink, a face turning away) change it: with
#: adaptation a short dwell and a low change probability would let them.
BLIP_FRAMES, BLIP_EVIDENCE = 2, 0.95
#: The limit of one spurious change a minute is a rate, and the selection clips measure it
#: from a handful of changes (about 5 steady minutes): a setting just under the limit
#: there is over it on other people about as often as not. A setting therefore qualifies
#: only when its rate is shown to be under the limit: the exact one-sided upper
#: confidence bound of a Poisson rate (Garwood 1936) from its count over the clips' steady
#: minutes, at 90%, at most the limit. On about 5 steady minutes that is at most one
#: spurious change.
SPURIOUS_LIMIT, SPURIOUS_CONFIDENCE = 1.0, 0.9
RULE = ("among the settings (adaptation 0, or up to 0.5) with median lag <= 0.4 s, a rate "
        f"of spurious changes shown to be at most {SPURIOUS_LIMIT:g}/min over the five "
        "selection clips together (the one-sided "
        f"{100 * SPURIOUS_CONFIDENCE:.0f}% Poisson upper bound), a change within "
        f"{WEAK_CHANGE_WITHIN:g} s under a constant {WEAK_EVIDENCE:g} for a new class of two, "
        f"and no change from {BLIP_FRAMES} frames at {BLIP_EVIDENCE:g} for another class "
        "(after 1 s or 10 s of a clear label): "
        "those whose steady accuracy (one-face frames) is within one standard error of the "
        "best one's (the standard error of the five clips' paired differences), and of "
        "these the fewest spurious changes; ties: the higher accuracy, then the shorter lag")


def spurious_upper_bound(count, minutes, confidence=SPURIOUS_CONFIDENCE):
    """Exact one-sided upper confidence bound (per minute) of a Poisson rate from
    ``count`` events in ``minutes`` (Garwood 1936: half the chi-squared quantile with
    ``2 * count + 2`` degrees of freedom)."""
    return chi2.ppf(confidence, 2 * count + 2) / 2 / minutes


def rule_pick(rows):
    """The setting :data:`RULE` picks from the grid's rows ``(setting, per_clip, pooled,
    weak)``: ``(pick, best, near)``, or None when no setting meets the constraints.

    The top of the grid is flat: on the selection clips a dozen settings score within
    0.005 of each other, so "the highest accuracy" alone picks among them by the noise
    of a few frames, at the edge of the spurious-change limit (two runs of the grid,
    before and after a change to the tracker's landmarks that moved the raw labels'
    accuracy by 0.004, picked dwell 8 s and dwell 0.5 s). The one-standard-error rule
    (Breiman et al. 1984; Hastie, Tibshirani and Friedman, *The Elements of Statistical
    Learning*, 2nd ed., 7.10) treats the settings no more than a standard error below
    the best as equally accurate and takes the most conservative of them: here the
    fewest spurious changes.
    """
    eligible = [r for r in rows if r[2]["lag_median"] <= 0.4
                and spurious_upper_bound(r[2]["n_spurious"], r[2]["steady_minutes"])
                <= SPURIOUS_LIMIT
                and r[3] is not None and r[3] <= WEAK_CHANGE_WITHIN
                and not blip_changes(lambda: make_filter(r[0]))]
    if not eligible:
        return None
    best = max(eligible, key=lambda r: (r[2]["steady1"], -r[2]["lag_median"]))

    def close_to_best(row):  # mean paired difference over the clips >= -its standard error
        d = np.array([a["steady1"] - b["steady1"] for a, b in zip(row[1], best[1])])
        return row is best or d.mean() >= -d.std(ddof=1) / np.sqrt(len(d))

    near = [r for r in eligible if close_to_best(r)]
    pick = min(near, key=lambda r: (r[2]["spurious"], -r[2]["steady1"], r[2]["lag_median"]))
    return pick, best, near


# --------------------------------------------------------------------------- clips


def scenario(subjects, rng, london):
    """The clip described in the module docstring, for six subjects."""
    a, b, c, d, e, f = subjects

    def fades(times, first):
        other = {"neutral": "happy", "happy": "neutral"}
        out, current = [(0.0, first)], first
        for t in times:
            current = other[current]
            out.append((t, current, float(rng.uniform(0.2, 0.5))))
        return out

    people = [
        Appearance(a, 0.0, 16.0, centre=(0.36, 0.5), face_size=125,
                   expressions=fades([3, 6, 9, 12], "neutral"), shift=25, scale=0.08,
                   rotate=12, period=5.0),
        Appearance(b, 16.0, 28.0, centre=(0.62, 0.46), face_size=130,
                   expressions=fades([19, 22, 25], "neutral"), shift=12, scale=0.05,
                   rotate=6, period=4.0),
        Appearance(c, 28.0, 37.0, centre=(0.62, 0.46), face_size=130,
                   expressions=fades([31, 34], "neutral"), shift=12, scale=0.05, rotate=6,
                   period=4.0),
        Appearance(d, 38.5, 50.0, centre=(0.62, 0.46), face_size=130,
                   expressions=fades([41.5, 44.5, 47.5], "neutral"), shift=12, scale=0.05,
                   rotate=6, period=4.0),
        Appearance(e, 50.0, 62.0, centre=(0.27, 0.5), face_size=120,
                   expressions=fades([53, 57], "neutral"), shift=10, scale=0.05, rotate=8,
                   period=4.5),
        Appearance(f, 50.0, 62.0, centre=(0.73, 0.5), face_size=120,
                   expressions=fades([54, 58], "happy"), shift=10, scale=0.05, rotate=8,
                   period=3.5),
    ]
    return LiveClip(people, 64.0, fps=FPS, cuts=(16.0, 50.0, 62.0),
                    lighting=((7.5, 0.6, 0.0), (13.5, 1.0, 0.5), (59.0, 1.3, 0.3)),
                    noise=4.0, settle=SETTLE, seed=int(rng.randint(1 << 30)), london=london)


# --------------------------------------------------------------------------- loops


def naive_loop(model, path):
    """``model.predict([frame])`` per frame; None where it finds no single face."""
    labels = []
    capture = cv2.VideoCapture(path)
    start, cpu = time.perf_counter(), time.process_time()
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        try:
            labels.append(model.predict([frame])[0])
        except ValueError:
            labels.append(None)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    capture.release()
    return labels, seconds, cpu


def recognizer_loop(model, path, **params):
    """Per frame, ``[(track, box, raw_proba, label)]``; the timings; the recognizer."""
    recognizer = VideoEmotionRecognizer(model, **params)
    frames, work = [], []
    start, cpu = time.perf_counter(), time.process_time()
    for result in recognizer.process(path):
        frames.append([(f.track_id, f.box, f.raw_proba, f.label) for f in result.faces])
        work.append(result.latency_s)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return frames, seconds, cpu, np.asarray(work), recognizer


def replay(frames, classes, make):
    """Labels of a smoother re-run over a recognizer run's raw probabilities: the same
    tracks, each with its own state (``make()`` per track, dropped when it ends)."""
    states, out, last = {}, [], {}
    for index, faces in enumerate(frames):
        t = index / FPS
        seen = set()
        row = []
        for track, box, proba, _ in faces:
            seen.add(track)
            if track not in states:
                states[track] = make()
            _, label, _ = states[track].update(proba, t)
            row.append((track, box, classes[label]))
        for track in list(states):
            if track not in seen:
                last[track] = last.get(track, t)
                if t - last[track] > 0.6:
                    del states[track]
        for track in seen:
            last.pop(track, None)
        out.append(row)
    return out


def weak_change_seconds(make, p=WEAK_EVIDENCE, settle=5.0, limit=3.0):
    """Seconds until a filter (``make()``) settled on class 0 reports class 1 when every
    frame says ``p`` for class 1 (None: not within ``limit`` seconds)."""
    f = make()
    start = int(settle * FPS)
    for k in range(start):
        f.update([p, 1 - p], k / FPS)
    for k in range(int(limit * FPS)):
        if f.update([1 - p, p], (start + k) / FPS)[1] == 1:
            return k / FPS
    return None


def blip_changes(make, frames=BLIP_FRAMES, p=BLIP_EVIDENCE):
    """Whether ``frames`` frames at ``p`` for class 1 change the label of a filter
    (``make()``) settled for 1 s, or for 10 s, on a clear class 0 (0.9)."""
    for settle in (30, 300):
        f = make()
        run = [[0.9, 0.1]] * settle + [[1 - p, p]] * frames + [[0.9, 0.1]] * 10
        if 1 in {f.update(q, k / FPS)[1] for k, q in enumerate(run)}:
            return True
    return False


#: Seven-class leads (the new class, a class the model confuses with it; the other five
#: share the rest) under which the recognizer's filter must change within the lag target.
SEVEN_CLASS_LEADS = ((0.35, 0.30), (0.40, 0.30), (0.50, 0.25), (0.60, 0.10))


def seven_class_change_seconds(make, new, confused, settle=5.0, limit=3.0):
    """Seconds until a filter (``make()``) settled on class 0 of seven reports class 1
    when every frame says ``new`` for class 1 and ``confused`` for class 2; and until
    class 1 also holds 0.95 of all the filtered probability (None: not within
    ``limit`` seconds)."""
    f = make()
    start = int(settle * FPS)
    for k in range(start):
        f.update([0.9] + [0.1 / 6] * 6, k / FPS)
    rest = (1 - new - confused) / 5  # the old class gets a share like the others
    frame = [rest, new, confused] + [rest] * 4
    changed = sure_of_all = None
    for k in range(int(limit * FPS)):
        proba, label, _ = f.update(frame, (start + k) / FPS)
        if changed is None and label == 1:
            changed = k / FPS
        if sure_of_all is None and proba[1] >= 0.95:
            sure_of_all = k / FPS
    return changed, sure_of_all


def setting_name(setting):
    dwell, evidence, hold, sure, share, seconds = setting
    return (f"dwell {dwell} s, evidence {evidence}, minimum duration {hold} s, change "
            f"probability {sure}, adaptation {share}" + (f" (half at {seconds} s)" if share
                                                        else ""))


def grid_settings():
    """The grid: every dwell, evidence, minimum duration and change probability without
    adaptation, and with each adaptation (no minimum duration)."""
    out = [(d, e, h, c, 0.0, ADAPTATION_TIME) for d in DWELLS for e in EVIDENCES
           for h in MIN_DURATIONS for c in CHANGE_PROBABILITIES]
    out += [(d, e, 0.0, c, a, t) for a in ADAPTATIONS for t in ADAPTATION_TIMES
            for d in DWELLS for e in EVIDENCES for c in CHANGE_PROBABILITIES]
    return out


def make_filter(setting):
    dwell, evidence, hold, sure, share, seconds = setting
    return EmotionFilter(dwell, evidence, hold, change_probability=sure, adaptation=share,
                         adaptation_time=seconds)


_GRID_RUNS = None  # the selection clips' raw tracked runs, for the grid's worker processes


def grid_row(setting):
    """``(setting, per_clip, pooled, weak)`` for one setting over :data:`_GRID_RUNS`."""
    classes, runs = _GRID_RUNS

    def make():
        return make_filter(setting)

    each = [metrics(c, replay(f, classes, make)) for c, f in runs]
    return setting, each, pooled(each), weak_change_seconds(make)


def grid_rows(classes, runs, processes=2):
    """:func:`grid_row` for every setting of :func:`grid_settings`, on ``processes``
    forked workers (replays only: no video is read)."""
    global _GRID_RUNS
    import multiprocessing

    _GRID_RUNS = classes, runs
    settings = grid_settings()
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # no fork here: one process
        return [grid_row(s) for s in settings]
    with context.Pool(processes) as pool:
        return pool.map(grid_row, settings, chunksize=8)


def raw_labels(frames, classes):
    return [[(track, box, classes[int(np.argmax(p))]) for track, box, p, _ in faces]
            for faces in frames]


def own_labels(frames):
    return [[(track, box, label) for track, box, _, label in faces] for faces in frames]


# --------------------------------------------------------------------------- metrics


def match(truth, reported):
    """Reported faces onto true faces: {appearance: (track, label)}, and the number of
    reported faces matching none (centre inside the true box grown by a quarter)."""
    out, extra = {}, 0
    for track, box, label in reported:
        cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
        best = None
        for face in truth:
            x, y, w, h = face.box
            gx, gy = 0.25 * w, 0.25 * h
            if x - gx <= cx <= x + w + gx and y - gy <= cy <= y + h + gy:
                dist = math.hypot(cx - x - w / 2, cy - y - h / 2)
                if face.appearance not in out and (best is None or dist < best[0]):
                    best = (dist, face.appearance)
        if best is None:
            extra += 1
        else:
            out[best[1]] = (track, label)
    return out, extra


def naive_as_reported(clip, labels):
    """The naive loop's labels as reported faces: on a one-face frame, at the true box."""
    out = []
    for truth, label in zip(clip.truth, labels):
        if label is None:
            out.append([])
        elif len(truth) == 1:
            out.append([(0, truth[0].box, label)])
        else:  # no box to tell where: a face where there is none
            out.append([(0, (-1000, -1000, 1, 1), label)])
    return out


def metrics(clip, reported):
    per_frame = [match(t, r) for t, r in zip(clip.truth, reported)]
    steady = {1: [0, 0], 2: [0, 0]}
    phantom = 0
    for truth, (found, extra) in zip(clip.truth, per_frame):
        if extra:
            phantom += 1
        for face in truth:
            if face.steady:
                cell = steady[min(len(truth), 2)]
                cell[1] += 1
                cell[0] += found.get(face.appearance, (None, None))[1] == face.label
    # label of each appearance per frame (None when not reported)
    n = len(clip.truth)
    series = {k: [None] * n for k in range(len(clip.appearances))}
    tracks = {}
    for i, (found, _) in enumerate(per_frame):
        for k, (track, label) in found.items():
            series[k][i] = label
            tracks.setdefault(track, set()).add(k)
    settle = int(round(SETTLE * FPS))

    def settled_from(k, start, stop, label):
        s = series[k]
        for i in range(start, stop):
            window = s[i : min(i + settle, stop)]
            if window and all(v == label for v in window):
                return (i - start) / FPS
        return (stop - start) / FPS  # never: the whole segment

    lags, firsts = [], []
    flicker = spurious = steady_frames = 0
    for k, person in enumerate(clip.appearances):
        begin, end = int(round(person.start * FPS)), min(int(round(person.end * FPS)), n)
        changes = [(int(round(when * FPS)), label) for when, label, _ in person.changes()]
        bounds = [(begin, person.expressions[0][1])] + changes + [(end, None)]
        for (i0, label), (i1, _) in zip(bounds[:-1], bounds[1:]):
            (firsts if i0 == begin else lags).append(settled_from(k, i0, i1, label))
        previous = None
        for i in range(begin, end):
            face = next(f for f in clip.truth[i] if f.appearance == k)
            if not face.steady:
                previous = None
                continue
            steady_frames += 1
            label = series[k][i]
            if label is not None and previous is not None and label != previous:
                flicker += 1
                spurious += label != face.label
            if label is not None:
                previous = label
    return summary({
        "steady1_counts": steady[1], "steady2_counts": steady[2], "lags": lags,
        "firsts": firsts, "n_flicker": flicker, "n_spurious": spurious,
        "steady_minutes": steady_frames / FPS / 60, "n_phantom": phantom, "n_frames": n,
        "crossing": sum(len(v) > 1 for v in tracks.values()), "n_tracks": len(tracks),
    })


def summary(counts):
    """The metrics from their counts (one clip's, or several clips' added up)."""
    minutes = counts["steady_minutes"]
    return dict(
        counts,
        steady1=counts["steady1_counts"][0] / max(counts["steady1_counts"][1], 1),
        steady2=counts["steady2_counts"][0] / max(counts["steady2_counts"][1], 1),
        lag_median=float(np.median(counts["lags"])),
        lag_p90=float(np.percentile(counts["lags"], 90)),
        first_median=float(np.median(counts["firsts"])),
        flicker=counts["n_flicker"] / minutes,
        spurious=counts["n_spurious"] / minutes,
        phantom=counts["n_phantom"] / counts["n_frames"],
    )


def pooled(results):
    """:func:`metrics` over several clips together (frames, changes, lags and minutes
    added up)."""
    keys = ("steady1_counts", "steady2_counts")
    counts = {k: [sum(m[k][i] for m in results) for i in (0, 1)] for k in keys}
    for k in ("lags", "firsts"):
        counts[k] = sum((m[k] for m in results), [])
    for k in ("n_flicker", "n_spurious", "steady_minutes", "n_phantom", "n_frames",
              "crossing", "n_tracks"):
        counts[k] = sum(m[k] for m in results)
    return summary(counts)


HEADER = ("| labels | steady acc., 1 face | 2 faces | lag median / p90 (s) | first label "
          "(s) | changes /min on steady stretches (all, spurious) | phantom frames | tracks "
          "across a person change |")


def metrics_row(name, m, tracks=True):
    crossing = f"{m['crossing']} of {m['n_tracks']}" if tracks else "- (no tracks)"
    two = f"{m['steady2']:.3f}" if m["steady2_counts"][1] else "- (none)"  # no two-face frames
    return (f"| {name} | {m['steady1']:.3f} | {two} | {m['lag_median']:.2f} / "
            f"{m['lag_p90']:.2f} | {m['first_median']:.2f} | {m['flicker']:.1f}, "
            f"{m['spurious']:.1f} | {100 * m['phantom']:.2f}% | {crossing} |")


# --------------------------------------------------------------------------- memory


def score_clips(model, clips, classes):
    """Per loop, the metrics of each clip ``(clip, path)``; the first clip's timings."""
    table = {}
    for k, (each, each_path) in enumerate(clips):
        naive, naive_s, naive_cpu = naive_loop(model, each_path)
        frames, ours_s, ours_cpu, work, rec = recognizer_loop(model, each_path)
        if k == 0:
            timing = naive_s, naive_cpu, ours_s, ours_cpu, work, rec
        rows = [
            ("naive loop: `model.predict([frame])`", naive_as_reported(each, naive)),
            ("VideoEmotionRecognizer, raw per-frame labels", raw_labels(frames, classes)),
            ("VideoEmotionRecognizer, smoothed labels (defaults)", own_labels(frames)),
            ("the same tracks, the default filter without adaptation",
             replay(frames, classes,
                    lambda: emotion_filter(rec.smoothing, rec.min_duration, 0.0))),
            ("the same tracks, exponential average 0.5 s + 0.3 s hold",
             replay(frames, classes, lambda: EmotionSmoother(0.5, 0.3))),
        ]
        for name, reported in rows:
            table.setdefault(name, []).append(metrics(each, reported))
    return table, timing


def subject_split(n_subjects):
    """The seeded split of the subjects' indices: a permutation ``order``, whose first 62
    train the model, 62-67 and 74-97 make the selection clips and 68-73 the test clips;
    and the random state that goes on to make the first selection and test clips."""
    rng = np.random.RandomState(0)
    return rng.permutation(n_subjects), rng


def london_split():
    """One OpenCV thread; the London set (the run's header printed), its sorted subject
    ids, each photo's subject index, and :func:`subject_split`'s ``order`` and random
    state."""
    cv2.setNumThreads(1)
    london = load_frl_london()
    print(run_header(len(london.target), len(set(london.groups)),
                     ", one OpenCV thread, one BLAS thread"))
    subjects = sorted(set(london.groups))
    groups = np.asarray([subjects.index(g) for g in london.groups])
    return (london, subjects, groups) + subject_split(len(subjects))


def selection_clips(order, rng, london):
    """The five selection clips: the first of subjects ``order[62:68]``, made with ``rng``
    (:func:`subject_split`'s random state, which goes on to make the first test clip), and
    four of ``order[74:98]`` in sixes, made with a seed of their own."""
    first = scenario([int(s) for s in order[62:68]], rng, london)
    more = np.random.RandomState(1)
    return [first] + [scenario([int(s) for s in order[74 + 6 * k: 80 + 6 * k]], more, london)
                      for k in range(4)]


def outside_selection(order):
    """The 72 subjects in no selection clip: the training and test subjects and the four
    left over."""
    return [int(s) for s in (*order[:62], *order[68:74], *order[98:])]


def rotation_folds(outside, n_folds=3):
    """``outside`` (the 72 subjects outside the selection clips) in ``n_folds`` folds."""
    return np.array_split(np.random.RandomState(3).permutation(outside), n_folds)


def rotation_clips(london, groups, fold, f, pipeline, tmp):
    """Fold ``f``'s model, trained on every subject outside ``fold`` (the selection
    clips' people included: the filter's defaults do not depend on the model), and its
    clips ``(clip, path)`` of six of the fold's people each, written into ``tmp``."""
    keep = ~np.isin(groups, fold)
    model = make_named_pipeline(pipeline).fit(
        [im for im, k in zip(london.images, keep) if k], london.target[keep])
    rng = np.random.RandomState(10 + f)
    clips = []
    for k in range(len(fold) // 6):
        clip = scenario([int(s) for s in fold[6 * k: 6 * k + 6]], rng, london)
        path = os.path.join(tmp, f"rotation {f + 1}.{k + 1}.avi")
        clip.write(path)
        clips.append((clip, path))
    return model, clips


def rotation(london, order, groups, outside, pipeline, tmp, n_folds=3):
    """The defaults on everyone outside the selection clips, fold by fold
    (:func:`rotation_clips`). Prints the pooled table and the paired differences per
    clip."""
    folds = rotation_folds(outside, n_folds)
    table = {}
    for f, fold in enumerate(folds):
        model, clips = rotation_clips(london, groups, fold, f, pipeline, tmp)
        each, _ = score_clips(model, clips, np.asarray(model.classes_))
        for name, results in each.items():
            table.setdefault(name, []).extend(results)
        for _, path in clips:
            os.remove(path)
    n_clips = len(next(iter(table.values())))
    print(f"\nRotation: the {len(outside)} subjects outside the selection clips in "
          f"{n_folds} folds of {len(folds[0])}; per fold a model trained on the other "
          f"{len(order) - len(folds[0])} subjects and {len(folds[0]) // 6} clips of 6 of "
          f"the fold's people ({n_clips} clips, "
          f"{sum(m['steady_minutes'] for m in table[next(iter(table))]):.1f} steady "
          "minutes); the recognizer's defaults\n")
    print(HEADER)
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for k, (name, results) in enumerate(table.items()):
        print(metrics_row(name, pooled(results), tracks=k > 0))
    names = list(table)
    smoothed = np.array([m["steady1"] for m in table[names[2]]])
    for other in names[:2]:
        d = smoothed - np.array([m["steady1"] for m in table[other]])
        print(f"smoothed minus {other.split(':')[0].split(', ')[-1]}, steady accuracy per "
              f"clip: mean {d.mean():+.3f}, standard error {d.std(ddof=1) / np.sqrt(len(d)):.3f}"
              f", {int((d >= 0).sum())} of {len(d)} clips at least as accurate")


def rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def repeated(path, total):
    n = 0
    while n < total:
        capture = cv2.VideoCapture(path)
        while n < total:
            ok, frame = capture.read()
            if not ok:
                break
            n += 1
            yield frame
        capture.release()


def memory_run(model, path, total):
    recognizer = VideoEmotionRecognizer(model)
    samples = []
    start = time.perf_counter()
    for result in recognizer.process(repeated(path, total), fps=FPS):
        if result.index % 1000 == 999 or result.index == 0:
            samples.append((result.index + 1, rss_mib()))
    return samples, time.perf_counter() - start


# --------------------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pipeline", default="hog_logreg_flip")
    parser.add_argument("--memory-frames", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true",
                        help="no selection grid, 2,000 frames for the memory run")
    args = parser.parse_args()
    london, subjects, groups, order, rng = london_split()
    train, test = order[:62], order[68:74]
    in_train = np.isin(groups, train)
    with threadpool_limits(limits=1), tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        model = make_named_pipeline(args.pipeline).fit(
            [im for im, keep in zip(london.images, in_train) if keep],
            london.target[in_train])
        print(f"trained {args.pipeline} on {in_train.sum()} photos of {len(train)} subjects "
              f"in {time.perf_counter() - t0:.1f} s")
        classes = np.asarray(model.classes_)
        selection = selection_clips(order, rng, london)
        clips = {"selection": selection[0],
                 "test": scenario([int(s) for s in test], rng, london)}
        for k, clip in enumerate(selection[1:]):
            clips[f"selection {k + 2}"] = clip
        # three more test clips of the same six test subjects in other roles and seeds:
        # one clip has about one steady minute, too few for a rate of one change a minute
        again = np.random.RandomState(2)
        for k in range(N_TEST_CLIPS - 1):
            people = again.permutation(test)
            clips[f"test {k + 2}"] = scenario([int(s) for s in people], again, london)
        for name, clip in clips.items():
            path = os.path.join(tmp, f"{name}.avi")
            clip.write(path)
            clips[name] = (clip, path)
            print(f"{name} clip: {clip.n_frames} frames, 640x480, {FPS:.0f} fps, subjects "
                  f"{', '.join(subjects[p.subject] for p in clip.appearances)}")

        default = VideoEmotionRecognizer(model)
        if not args.quick:
            # each selection clip with its raw tracked run (the filters replay it)
            chosen = [(clip, recognizer_loop(model, path, smoothing=0)[0])
                      for name, (clip, path) in clips.items()
                      if name.startswith("selection")]
            raw = pooled([metrics(c, raw_labels(f, classes)) for c, f in chosen])
            print(f"\nSelection clips ({len(chosen)} together): the emotion filter over a "
                  f"grid (rule: {RULE}); raw tracked labels: steady accuracy {raw['steady1']:.3f}, "
                  f"{raw['spurious']:.1f} spurious changes/min\n")
            print("| dwell (s) | evidence | min. duration (s) | change probability | "
                  "adaptation (half at, s) | steady acc. | lag median | spurious changes /min "
                  f"(all clips; per clip) | change under a constant {WEAK_EVIDENCE:g} (s) |")
            print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            rows = grid_rows(classes, chosen)
            for (dwell, evidence, hold, sure, share, seconds), each, m, weak in rows:
                per_clip = " ".join(str(e["n_spurious"]) for e in each)
                print(f"| {dwell} | {evidence} | {hold} | {sure} | "
                      f"{share:g}{f' ({seconds:g})' if share else ''} | "
                      f"{m['steady1']:.3f} | {m['lag_median']:.2f} | "
                      f"{m['spurious']:.1f}; {per_clip} | "
                      f"{'never' if weak is None else f'{weak:.2f}'} |")
            chosen_by_rule = rule_pick(rows)
            if chosen_by_rule is None:
                print("\nno setting meets the constraints")
            else:
                pick, best, near = chosen_by_rule
                print(f"\nbest steady accuracy among the settings meeting the constraints: "
                      f"{best[2]['steady1']:.3f} ({setting_name(best[0])}); within one "
                      "standard error of it (mean paired difference over the five clips "
                      "at least minus its standard error):")
                for row in sorted(near, key=lambda r: (r[2]["spurious"], -r[2]["steady1"])):
                    print(f"  {setting_name(row[0])}: {row[2]['steady1']:.3f}, "
                          f"{row[2]['spurious']:.2f} spurious/min, lag {row[2]['lag_median']:.2f} s")
                print(f"rule's pick: {setting_name(pick[0])}; the recognizer's defaults: "
                      f"dwell (smoothing) {default.smoothing} s, evidence {EVIDENCE}, minimum "
                      f"duration {default.min_duration} s, change probability "
                      f"{CHANGE_PROBABILITY}, adaptation {default.adaptation} (half at "
                      f"{ADAPTATION_TIME} s)")

        print("\nSeven classes (the London set has two): the recognizer's filter, settled on "
              "a clear first class, then every frame a new class at p beside a class the "
              "model confuses with it; seconds to the label change (the change probability "
              "taken against the current label), and until the new class also has 0.95 of "
              "all the probability\n")
        print("| new class | confused class | label changes (s) | 0.95 of all (s) |")
        print("|---:|---:|---:|---:|")
        for new, confused in SEVEN_CLASS_LEADS:
            changed, sure_of_all = seven_class_change_seconds(
                lambda: emotion_filter(default.smoothing, default.min_duration,
                                       default.adaptation), new, confused)
            print(f"| {new:g} | {confused:g} | "
                  + " | ".join("never" if v is None else f"{v:.2f}"
                               for v in (changed, sure_of_all)) + " |")

        tests = [clips[name] for name in clips if name.startswith("test")]
        clip, path = tests[0]
        print(f"\nTest clips ({len(tests)} together: {sum(c.n_frames for c, _ in tests)} "
              f"frames, {sum(len(p.changes()) for c, _ in tests for p in c.appearances)} "
              "expression changes); timing on the first\n")
        table, timing = score_clips(model, tests, classes)
        print(HEADER)
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for k, (name, results) in enumerate(table.items()):
            print(metrics_row(name, pooled(results), tracks=k > 0))
        print("\nper test clip, steady accuracy / spurious changes (count) / steady minutes:")
        for name, results in table.items():
            print(f"  {name}: " + "; ".join(
                f"{m['steady1']:.3f} / {m['n_spurious']} / {m['steady_minutes']:.2f}"
                for m in results))
        if not args.quick:
            rotation(london, order, groups, outside_selection(order), args.pipeline, tmp)
        naive_s, naive_cpu, ours_s, ours_cpu, work, rec = timing
        n = clip.n_frames
        print("\n| loop | frames/s | frames per CPU s | ms/frame of own work (mean, p99) |")
        print("|---|---:|---:|---:|")
        print(f"| naive | {n / naive_s:.1f} | {n / naive_cpu:.1f} | - |")
        print(f"| VideoEmotionRecognizer | {n / ours_s:.1f} | {n / ours_cpu:.1f} | "
              f"{1000 * work.mean():.2f}, {1000 * np.percentile(work, 99):.2f} |")
        print(f"\nspeed-up over the naive loop: wall time {naive_s / ours_s:.1f}x, CPU time "
              f"{naive_cpu / ours_cpu:.1f}x; full detections {rec.n_detections_} of {n} "
              f"frames, cuts seen {rec._tracker.n_cuts}")

        total = 2000 if args.quick else args.memory_frames
        samples, seconds = memory_run(model, path, total)
        print(f"\nmemory over a {total:,}-frame run ({total / seconds:.0f} frames/s): "
              "resident MiB after " + ", ".join(f"{k:,}: {m:.1f}" for k, m in samples))
        if len(samples) > 2:
            print(f"growth from frame 1,000 to {samples[-1][0]:,}: "
                  f"{samples[-1][1] - samples[1][1]:+.1f} MiB")


if __name__ == "__main__":
    main()
