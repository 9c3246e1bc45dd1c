"""Per-track smoothing of class probabilities over time.

:class:`EmotionFilter` (the recognizer's): an HMM forward filter whose sticky
transitions are set by a dwell time in seconds, optionally followed by a minimum
duration. :class:`EmotionSmoother`: an exponential moving average with a time constant
and a minimum duration (kept for comparison in ``benchmarks/bench_live.py``).
"""

import functools
import math

import numpy as np

__all__ = ["EmotionFilter", "EmotionSmoother"]

#: Smallest probability a frame may give a class: one frame cannot rule a class out.
PROBA_FLOOR = 0.02
#: Smallest probability taken into a face's average log-probabilities (the adaptation).
ADAPTATION_FLOOR = 1e-4
#: Seconds within which a filter with ``follow`` changes a settled label under a constant
#: ``follow`` for a new class of two.
FOLLOW_WITHIN = 1.0


class _Hysteresis:
    """The reported label: the filtered arg-max, changed only once the leading class has
    at least ``change_probability`` of the probability it and the current label share
    (odds of at least ``p / (1 - p)`` over the current label) and has led for
    ``min_duration`` seconds without interruption.

    The odds are taken against the current label alone, not against all the other
    classes: the choice is between keeping the label and moving to the leader, and a
    third class the model confuses with the leader (anger and disgust, say) must not
    hold the label back. With two classes the two readings are the same.
    """

    def __init__(self, min_duration, change_probability=0.0):
        self.min_duration = float(min_duration)
        self.change_probability = float(change_probability)
        self.label = None
        self._pending = None
        self._pending_since = None

    def update(self, proba, time_s, change_probability=None):
        leader = int(np.argmax(proba))
        if self.label is None:
            self.label = leader
            return False
        sure = self.change_probability if change_probability is None else change_probability
        if leader != self.label and proba[leader] * (1.0 - sure) < sure * proba[self.label]:
            leader = self.label  # not yet sure enough of the leader over the label
        if leader == self.label:
            self._pending = None
            return False
        if self._pending != leader:
            self._pending, self._pending_since = leader, time_s
        if time_s - self._pending_since >= self.min_duration - 1e-9:  # float times
            self.label, self._pending = leader, None
            return True
        return False


class _ProbabilityTrack:
    """What both filters share: the state (``proba``, the last frame's time), the reported
    label with its minimum duration and change probability, and ``update``; subclasses
    give ``_next(proba, dt)``, the new state from the previous one (``dt`` is None on the
    first frame)."""

    def __init__(self, min_duration, change_probability=0.0):
        self._hysteresis = _Hysteresis(min_duration, change_probability)
        self.proba = None
        self._time = None

    @property
    def label(self):
        """Index of the reported class (None before the first frame)."""
        return self._hysteresis.label

    def update(self, proba, time_s):
        """Add one frame's probabilities; return ``(filtered, label_index, changed)``.

        ``changed`` is True when the reported label changed in this frame (never on
        the first frame).
        """
        proba = np.asarray(proba, dtype=float)
        dt = None if self.proba is None else max(time_s - self._time, 0.0)
        self.proba = self._next(proba, dt)
        self._time = time_s
        changed = self._hysteresis.update(self.proba, time_s, self._change_probability(dt))
        return self.proba.copy(), self.label, changed

    def _change_probability(self, dt):
        """The change probability for a frame ``dt`` seconds after the last (None: the
        hysteresis's own)."""
        return None


class EmotionFilter(_ProbabilityTrack):
    """One face's emotion as a hidden Markov chain, filtered frame by frame.

    The face's emotion is the hidden state: it stays from one frame to the next with
    probability ``exp(-dt / dwell)`` (``dt`` seconds between the frames, so the
    behaviour does not depend on the frame rate; ``dwell`` is how long an emotion is
    expected to last), else moves to any other class with equal probability. Each
    frame's class probabilities from the model, floored at :data:`PROBA_FLOOR` and
    raised to the power ``evidence``, are the observation likelihoods (the classes are
    taken as equally likely a priori, as for a model trained on balanced classes). The
    forward pass gives the probability of each emotion given every frame so far; its
    arg-max is the label, once it reaches ``change_probability``.

    This makes the label steady without a fixed lag: the filtered probability of a
    class other than the current one never falls much below the switching
    probability per frame, so a few frames of strong evidence (each worth
    ``evidence * log(p / (1 - p))`` in log-odds) change the label, while weak or
    alternating evidence does not. ``dwell=0`` reports every frame's own arg-max.

    *Adaptation to the person.* A model trained on other people is often biased on a
    new one: it reads one person's neutral face as a little happy, another's smile
    as a little neutral, for as long as the person is there, which no filter that
    follows a real change within a fraction of a second can tell from a real change.
    With ``adaptation`` > 0 each frame's log-probabilities (floored at
    :data:`ADAPTATION_FLOOR`, centred over the classes) have a share of the face's own
    running average of them taken off before they enter the filter, as person-specific
    normalisation does with features (Baltrušaitis, Mahmoud and Robinson, *Cross-dataset
    learning and person-specific normalisation for automatic action unit detection*,
    FG 2015: the person's average descriptor taken off over the video); for a linear
    model on standardised features this is the same as taking that share of the
    person's average features off. The share grows with the time ``T`` the face has
    been seen, ``adaptation * T / (T + adaptation_time)``, so the first seconds are
    classified as the model has it. A face that keeps one expression keeps its label:
    its evidence is scaled by ``1 - share`` (at least half of it with ``adaptation``
    <= 0.5), never turned; a face that varies is classified against its own average.

    Parameters
    ----------
    dwell : float
        Seconds (>= 0).
    evidence : float, default=1.0
        Exponent on the model's probabilities (< 1 trusts each frame less).
    min_duration : float, default=0.0
        Seconds a new leading class must lead before the label changes (>= 0).
    floor : float, default=PROBA_FLOOR
        Smallest probability a frame may give a class, so that no single frame counts
        for more than ``evidence * log((1 - floor) / floor)`` in log-odds.
    change_probability : float, default=0.0
        Share of the filtered probability of the leading class and the current label
        together that the leading class must reach before the label changes to it (a
        hysteresis: the label stays while the filter is unsure; with two classes this
        is the leading class's own probability). Other classes do not count, so that
        a class the model confuses with the new one does not hold the old label.
        Because the filter's probabilities saturate under consistent evidence, a high
        value delays a clear change by a few frames but stops runs of weak or brief
        evidence; with a long ``dwell`` any consistent evidence still gets there.
        Not used with ``dwell=0``.
    adaptation : float, default=0.0
        Largest share of the face's average log-probabilities taken off each frame's
        (in [0, 1); 0 turns adaptation off). Not used with ``dwell=0``.
    adaptation_time : float, default=2.0
        Seconds after which half of ``adaptation`` is taken off (> 0).
    follow : float or None, default=None
        A probability in (0.5, 1): a model that gives a new class of two at least this
        much, frame after frame, changes a settled label within :data:`FOLLOW_WITHIN`
        (1) second at any frame rate. Where ``change_probability`` would not be reached
        by then (a short ``dwell``, or few frames per second: the switching per frame
        keeps the filtered probability of a new class down, and each second brings
        fewer frames of evidence) it is lowered, for frames that far apart, to the
        share such a class does reach, and never below 0.5: where even the filter's
        arg-max takes longer (a long dwell at a few frames per second) the label
        changes with the arg-max. None: ``change_probability`` as it is, which a high
        value with a short dwell or a low frame rate never reaches under weak
        evidence: a label stuck for good.

    Examples
    --------
    >>> from skemotion.video._smoothing import EmotionFilter
    >>> f = EmotionFilter(dwell=2.0)
    >>> [f.update(p, t / 30)[1] for t, p in enumerate(
    ...     [[0.9, 0.1]] * 5 + [[0.35, 0.65]] * 3 + [[0.9, 0.1]] * 3 + [[0.1, 0.9]] * 4)]
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1]

    Two confidently wrong frames flip the label and back; with ``change_probability``
    they do not:

    >>> blip = [[0.9, 0.1]] * 6 + [[0.05, 0.95]] * 2 + [[0.9, 0.1]] * 3
    >>> for sure in (0.0, 0.95):
    ...     f = EmotionFilter(dwell=8.0, change_probability=sure)
    ...     print([f.update(p, t / 30)[1] for t, p in enumerate(blip)])
    [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]

    Seven classes: a new emotion at 0.35 beside one the model confuses with it at 0.30
    takes the label in five frames, before it has 0.95 of all the probability (the
    confused class still holds most of the rest):

    >>> f = EmotionFilter(dwell=2.0, change_probability=0.95)
    >>> neutral, new = [0.9] + [0.1 / 6] * 6, [0.07, 0.35, 0.30] + [0.07] * 4
    >>> [f.update(p, t / 30)[1] for t, p in enumerate([neutral] * 30 + [new] * 8)][30:]
    [0, 0, 0, 0, 0, 1, 1, 1]
    >>> f.proba.round(2)[:3]
    array([0.  , 0.76, 0.24])

    A person the model reads as a little happy all along (0.6 on a neutral face, 0.9
    on a smile): adapted, the neutral frames after a smile are neutral again, while a
    face that stays at 0.6 keeps its label:

    >>> frames = ([[0.4, 0.6]] * 90 + [[0.1, 0.9]] * 90) * 2 + [[0.4, 0.6]] * 90
    >>> for share in (0.0, 0.5):
    ...     f = EmotionFilter(dwell=2.0, adaptation=share)
    ...     print([f.update(p, t / 30)[1] for t, p in enumerate(frames)][-1])
    1
    0
    >>> f = EmotionFilter(dwell=2.0, adaptation=0.5)
    >>> [f.update([0.4, 0.6], t / 30)[1] for t in range(900)][-1]
    1

    At 10 frames/s a change probability of 0.9 is beyond what a constant 0.6 of two
    reaches (it settles at 0.82), and the label never changes; with ``follow=0.6`` it
    changes after 1 s (10 frames):

    >>> steps = [[0.6, 0.4]] * 50 + [[0.4, 0.6]] * 30
    >>> for follow in (None, 0.6):
    ...     f = EmotionFilter(2.0, 0.5, change_probability=0.9, follow=follow)
    ...     labels = [f.update(p, t / 10)[1] for t, p in enumerate(steps)][50:]
    ...     print(labels.index(1) if 1 in labels else "never", f.proba.round(2))
    never [0.18 0.82]
    10 [0.18 0.82]
    """

    def __init__(self, dwell, evidence=1.0, min_duration=0.0, floor=PROBA_FLOOR,
                 change_probability=0.0, adaptation=0.0, adaptation_time=2.0, follow=None):
        # dwell=0 reports each frame's own arg-max: no probability hysteresis either
        super().__init__(min_duration, change_probability if dwell else 0.0)
        self.dwell = float(dwell)
        self.evidence = float(evidence)
        self.floor = float(floor)
        self.adaptation = float(adaptation)
        self.adaptation_time = float(adaptation_time)
        self.follow = None if follow is None else float(follow)
        if not 0.0 <= self.adaptation < 1.0:
            raise ValueError(f"adaptation must be in [0, 1), got {adaptation!r}.")
        if self.adaptation and not self.adaptation_time > 0.0:
            raise ValueError(f"adaptation_time must be > 0, got {adaptation_time!r}.")
        if self.follow is not None and not 0.5 < self.follow < 1.0:
            raise ValueError(f"follow must be in (0.5, 1) or None, got {follow!r}.")
        self._log_sum = None
        self._n_frames = 0
        self._seen = 0.0

    def _change_probability(self, dt):
        sure = self._hysteresis.change_probability
        if self.follow is None or not self.dwell or not sure or not dt:
            return None
        rate = min(max(int(round(1.0 / dt)), 1), 240)  # frames per second, as a cache key
        return _reached_share(self.dwell, self.evidence, self.floor, sure, self.adaptation,
                              self.adaptation_time, self.follow, rate)

    def _adapted(self, proba, dt):
        """The frame's probabilities with the adaptation's share of the face's average
        log-probabilities taken off."""
        log_p = np.log(np.maximum(proba, ADAPTATION_FLOOR))
        log_p -= log_p.mean()
        self._log_sum = log_p if self._log_sum is None else self._log_sum + log_p
        self._n_frames += 1
        if dt is not None:
            self._seen += dt
        share = self.adaptation * self._seen / (self._seen + self.adaptation_time)
        z = log_p - share * (self._log_sum / self._n_frames)
        z = np.exp(z - z.max())
        return z / z.sum()

    def _next(self, proba, dt):
        if self.dwell == 0:
            return proba.copy()
        if self.adaptation:
            proba = self._adapted(proba, dt)
        likelihood = np.maximum(proba, self.floor) ** self.evidence
        n = len(proba)
        if dt is None:
            prior = np.full(n, 1.0 / n)
        else:
            stay = math.exp(-dt / self.dwell)
            leave = (1.0 - stay) / (n - 1) if n > 1 else 0.0
            prior = stay * self.proba + leave * (1.0 - self.proba)
        posterior = prior * likelihood
        return posterior / posterior.sum()


@functools.lru_cache(maxsize=256)
def _reached_share(dwell, evidence, floor, change_probability, adaptation, adaptation_time,
                   follow, fps):
    """``change_probability``, or the share of a new class of two (with the current
    label) a filter settled 5 s on the other class reaches after :data:`FOLLOW_WITHIN`
    seconds of a constant ``follow`` at ``fps`` frames per second, when that is less."""
    f = EmotionFilter(dwell, evidence, floor=floor, change_probability=change_probability,
                      adaptation=adaptation, adaptation_time=adaptation_time)
    settle = 5 * fps
    for k in range(settle):
        f.update([follow, 1 - follow], k / fps)
    for k in range(int(round(FOLLOW_WITHIN * fps)) + 1):
        proba, label, _ = f.update([1 - follow, follow], (settle + k) / fps)
        if label == 1:
            return change_probability
    reached = float(proba[1] / (proba[0] + proba[1]))
    return max(0.5, min(change_probability, reached * (1 - 1e-9)))


class EmotionSmoother(_ProbabilityTrack):
    """Smooth one face's class probabilities with an exponential moving average.

    After a frame ``dt`` seconds later, the average moves a share
    ``1 - exp(-dt / smoothing)`` of the way to the new frame's probabilities (0 turns
    averaging off). The reported label is the average's arg-max, changed only once
    another class has led for ``min_duration`` seconds without interruption.

    Parameters
    ----------
    smoothing : float
        Time constant in seconds (>= 0).
    min_duration : float
        Seconds a new leading class must lead before the label changes (>= 0).

    Examples
    --------
    >>> from skemotion.video._smoothing import EmotionSmoother
    >>> s = EmotionSmoother(smoothing=0.5, min_duration=0.2)
    >>> s.update([0.9, 0.1], 0.0)[1]
    0
    >>> [s.update([0.1, 0.9], t / 10)[1] for t in range(1, 9)]
    [0, 0, 0, 0, 0, 1, 1, 1]
    """

    def __init__(self, smoothing, min_duration):
        super().__init__(min_duration)
        self.smoothing = float(smoothing)

    def _next(self, proba, dt):
        if dt is None or self.smoothing == 0:
            return proba.copy()
        weight = 1.0 - math.exp(-dt / self.smoothing)
        return self.proba + weight * (proba - self.proba)
