"""EmotionTimelineDisplay: the smoothed probabilities of each tracked face over time."""

import csv
from collections import defaultdict

import numpy as np

from ..plotting._gallery import _pyplot  # matplotlib, imported when a plot is drawn
from ._writers import track_colour

__all__ = ["EmotionTimelineDisplay"]

#: Line colours per class: matplotlib's tab10 without its orange and green, which the
#: first two tracks' boxes (and panel frames) use.
_LINE_COLOURS = ["#1f77b4", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
                 "#17becf"]


class TimelineRecorder:
    """Collect each track's times and smoothed probabilities (a few numbers per face
    per frame) for an :class:`EmotionTimelineDisplay`."""

    def __init__(self):
        self.times = defaultdict(list)
        self.probas = defaultdict(list)
        self.first_seen = {}

    def add(self, result):
        for face in result.faces:
            self.times[face.track_id].append(result.time_s)
            self.probas[face.track_id].append(np.asarray(face.proba, dtype=np.float32))
            self.first_seen.setdefault(face.track_id, (result.time_s, tuple(face.box)))

    def arrays(self):
        return ({t: np.asarray(v) for t, v in self.times.items()},
                {t: np.vstack(v) for t, v in self.probas.items()})

    def display(self, classes):
        """An :class:`EmotionTimelineDisplay` of what was recorded (not yet plotted)."""
        return EmotionTimelineDisplay(*self.arrays(), classes, first_seen=self.first_seen)


class EmotionTimelineDisplay:
    """The smoothed class probabilities of every tracked face over time, one panel per face.

    Create it with :meth:`from_results` (from a video run) or :meth:`from_csv` (from
    a ``skemotion watch --csv`` file), or construct it and call :meth:`plot`.

    Parameters
    ----------
    times : dict of int -> ndarray of shape (n,)
        Per track id, the times (s) it was seen.
    probas : dict of int -> ndarray of shape (n, n_classes)
        Per track id, its smoothed probabilities at those times.
    classes : sequence of str
        Class names, the columns of ``probas``.
    first_seen : dict of int -> (float, tuple) or None, default=None
        Per track id, the time (s) and box ``(x, y, w, h)`` where it was first seen:
        written beside its panel, so that each panel can be told apart from the
        others without the video.

    Each panel is framed in the colour of the track's box in the annotated video
    (:func:`annotate_frame`), so the faces of the video and the panels match.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        One per track, in track id order.
    lines_ : dict of int -> list of matplotlib Line2D
        Per track, one line per class.
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.video import EmotionTimelineDisplay
    >>> t = np.linspace(0, 4, 41)
    >>> happy = 1 / (1 + np.exp(-4 * (t - 2)))
    >>> disp = EmotionTimelineDisplay({1: t}, {1: np.column_stack([happy, 1 - happy])},
    ...                               ["happy", "neutral"]).plot()
    >>> len(disp.axes_), [line.get_label() for line in disp.lines_[1]]
    (1, ['happy', 'neutral'])
    """

    def __init__(self, times, probas, classes, *, first_seen=None):
        self.times = times
        self.probas = probas
        self.classes = [str(c) for c in classes]
        self.first_seen = first_seen

    @classmethod
    def from_results(cls, results, classes, **plot_kwargs):
        """Plot the faces of an iterable of :class:`FrameResult`.

        Parameters
        ----------
        results : iterable of FrameResult
        classes : sequence of str
            E.g. the recognizer's ``classes_``.
        **plot_kwargs
            Passed to :meth:`plot`.

        Returns
        -------
        display : EmotionTimelineDisplay
        """
        recorder = TimelineRecorder()
        for result in results:
            recorder.add(result)
        return cls(*recorder.arrays(), classes,
                   first_seen=recorder.first_seen).plot(**plot_kwargs)

    @classmethod
    def from_csv(cls, path, **plot_kwargs):
        """Plot a timeline CSV written by ``skemotion watch --csv`` (or
        :class:`TimelineCSVWriter`).

        Parameters
        ----------
        path : str or path-like
        **plot_kwargs
            Passed to :meth:`plot`.

        Returns
        -------
        display : EmotionTimelineDisplay
        """
        times, probas, first_seen = defaultdict(list), defaultdict(list), {}
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader)
            first = header.index("raw_label") + 1
            classes = [h[len("score_"):] for h in header[first:]]
            for row in reader:
                if len(row) <= first or row[2] == "":
                    continue
                track = int(row[2])
                first_seen.setdefault(track, (float(row[1]), tuple(int(v) for v in row[3:7])))
                times[track].append(float(row[1]))
                probas[track].append([float(v) for v in row[first:]])
        return cls({t: np.asarray(v) for t, v in times.items()},
                   {t: np.asarray(v) for t, v in probas.items()}, classes,
                   first_seen=first_seen).plot(**plot_kwargs)

    def plot(self, *, figsize=None, title=None):
        """Draw one panel per track: time (s) across, smoothed probability up.

        Parameters
        ----------
        figsize : tuple of float or None, default=None
            Figure size in inches; default 8 wide, 1.8 per track high.
        title : str or None, default=None
            Figure title.

        Returns
        -------
        self : EmotionTimelineDisplay
        """
        plt = _pyplot()
        tracks = sorted(self.times)
        n = max(len(tracks), 1)
        fig, axes = plt.subplots(n, 1, squeeze=False, sharex=True,
                                 figsize=figsize or (8, 0.6 + 1.8 * n))
        axes = axes[:, 0]
        colours = _LINE_COLOURS
        self.lines_ = {}
        for ax, track in zip(axes, tracks):
            t, p = self.times[track], self.probas[track]
            self.lines_[track] = [
                ax.plot(t, p[:, k], label=name, color=colours[k % len(colours)], lw=1.5)[0]
                for k, name in enumerate(self.classes)]
            ax.set_ylim(-0.02, 1.02)
            box_colour = tuple(c / 255 for c in track_colour(track)[::-1])  # BGR -> RGB
            ax.set_ylabel(f"face #{track}", color=box_colour, fontweight="bold")
            for side in ax.spines.values():
                side.set_edgecolor(box_colour)
                side.set_linewidth(2.5)
            seen = (self.first_seen or {}).get(track)
            if seen is not None:
                when, (x, y, w, h) = seen
                ax.set_title(f"face #{track}: first seen at {when:.1f} s, box at x={x}, "
                             f"y={y} ({w}x{h} px)", fontsize="small", loc="left",
                             color=box_colour)
            ax.grid(alpha=0.3)
        if not tracks:
            axes[0].text(0.5, 0.5, "no face was tracked", ha="center", va="center",
                         transform=axes[0].transAxes)
        axes[-1].set_xlabel("time (s)")
        if tracks:
            axes[0].legend(loc="upper right", ncol=min(len(self.classes), 4), fontsize="small")
        if title:
            fig.suptitle(title)
        fig.tight_layout()
        self.axes_, self.figure_ = axes, fig
        return self
