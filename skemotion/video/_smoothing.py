"""Per-track smoothing: an exponential moving average in time, then a minimum duration."""

import math

import numpy as np


class EmotionSmoother:
    """Smooth one face's class probabilities over time and hold its label steady.

    The probabilities are averaged exponentially with time constant ``smoothing``
    seconds: after a frame ``dt`` seconds later, the average moves a share
    ``1 - exp(-dt / smoothing)`` of the way to the new frame's probabilities (so the
    weighting does not depend on the frame rate; 0 turns averaging off). The
    reported label is the averaged probabilities' arg-max, but it changes only once
    another class has led for ``min_duration`` seconds without interruption
    (hysteresis), so a face on the edge between two emotions does not flicker.

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
        self.smoothing = float(smoothing)
        self.min_duration = float(min_duration)
        self.proba = None
        self.label = None
        self._time = None
        self._pending = None
        self._pending_since = None

    def update(self, proba, time_s):
        """Add one frame's probabilities; return ``(smoothed, label_index, changed)``.

        ``changed`` is True when the reported label changed in this frame (never on
        the first frame).
        """
        proba = np.asarray(proba, dtype=float)
        if self.proba is None or self.smoothing == 0:
            self.proba = proba.copy()
        else:
            dt = max(time_s - self._time, 0.0)
            weight = 1.0 - math.exp(-dt / self.smoothing)
            self.proba = self.proba + weight * (proba - self.proba)
        self._time = time_s
        leader = int(np.argmax(self.proba))
        if self.label is None:
            self.label = leader
            return self.proba.copy(), self.label, False
        if leader == self.label:
            self._pending = None
            return self.proba.copy(), self.label, False
        if self._pending != leader:
            self._pending, self._pending_since = leader, time_s
        if time_s - self._pending_since >= self.min_duration - 1e-9:  # float times
            self.label, self._pending = leader, None
            return self.proba.copy(), self.label, True
        return self.proba.copy(), self.label, False
