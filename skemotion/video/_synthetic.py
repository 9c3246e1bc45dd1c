"""Test and demo videos made from the embedded London photos (CC BY 4.0)."""

import math
import os
from dataclasses import dataclass, field

import cv2
import numpy as np

from ._writers import VIDEO_CODECS

__all__ = ["Appearance", "LiveClip", "TrueFace", "make_london_video"]


def _background(width, height, rng):
    """A smooth, textured, face-free background (low-frequency colour noise)."""
    shape = (max(height // 40, 2), max(width // 40, 2))
    coarse = rng.uniform(70, 190, size=shape)[..., None] + rng.uniform(-25, 25, size=(*shape, 3))
    coarse = np.clip(coarse, 0, 255).astype(np.uint8)
    return cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)


def make_london_video(path, scenes, *, frame_size=(640, 480), fps=25.0, face_size=240,
                      speed=40.0, seed=0, london=None):
    """Write a video of London faces moving slowly across a background; return the truth.

    Each scene lasts some seconds and shows some people, each in their own lane
    (lane ``k`` of ``n`` is the ``k``-th ``n``-th of the width); a person's photo
    (``face_size`` pixels square, the face about half of it) glides left and right
    in its lane at ``speed`` pixels per second, continuously across scenes, so a
    person whose expression changes between scenes does not jump.

    Parameters
    ----------
    path : str or path-like
        The video file (.mp4 or .m4v/.mov: mp4v; .avi/.mkv: Motion JPEG), or a folder
        (created if missing) to write the frames into as ``frame_00000.png``...
    scenes : list of (float, list of (int, str))
        ``(seconds, [(subject, expression), ...])``: subject is an index into the
        London subjects (0-101) and expression ``"neutral"`` or ``"happy"``; the
        list's position is the lane. An empty list is a stretch without a face.
    frame_size : tuple of (int, int), default=(640, 480)
        ``(width, height)``.
    fps : float, default=25.0
    face_size : int, default=240
    speed : float, default=40.0
        Pixels per second.
    seed : int, default=0
        Seed of the background.
    london : Bunch or None, default=None
        ``load_frl_london()`` (loaded if None).

    Returns
    -------
    truth : list of list of tuple
        Per frame, per person ``(lane, subject, expression, (x, y, w, h))`` where the
        box is the pasted photo.

    Examples
    --------
    >>> import os, tempfile, cv2
    >>> from skemotion.video._synthetic import make_london_video
    >>> path = os.path.join(tempfile.mkdtemp(), "clip.avi")
    >>> truth = make_london_video(path, [(0.4, [(0, "neutral")]), (0.4, [(0, "happy")])],
    ...                           fps=10)
    >>> len(truth), truth[0][0][:3], truth[-1][0][:3]
    (8, (0, 0, 'neutral'), (0, 0, 'happy'))
    >>> int(cv2.VideoCapture(path).get(cv2.CAP_PROP_FRAME_COUNT))
    8
    """
    if london is None:
        from ..datasets import load_frl_london

        london = load_frl_london()
    photos = {}
    subjects = sorted(set(london.groups))
    for image, label, group in zip(london.images, london.target, london.groups):
        photos[(subjects.index(group), str(label))] = image
    width, height = frame_size
    rng = np.random.RandomState(seed)
    background = _background(width, height, rng)
    path = os.fspath(path)
    suffix = os.path.splitext(path)[1].lower()
    writer = None
    if suffix in VIDEO_CODECS:
        writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*VIDEO_CODECS[suffix]), fps,
                                 (width, height))
        if not writer.isOpened():
            raise OSError(f"Cannot write {path}.")
    else:
        os.makedirs(path, exist_ok=True)
    resized = {}
    truth = []
    index = 0
    try:
        for seconds, people in scenes:
            for _ in range(int(round(seconds * fps))):
                t = index / fps
                frame = background.copy()
                row = []
                n = max(len(people), 1)
                for lane, (subject, expression) in enumerate(people):
                    key = (subject, expression)
                    if key not in resized:
                        resized[key] = cv2.resize(photos[key], (face_size, face_size),
                                                  interpolation=cv2.INTER_AREA)
                    left = lane * width // n
                    room = max(width // n - face_size, 0)
                    travel = speed * t % (2 * room) if room else 0
                    x = int(round(left + (travel if travel <= room else 2 * room - travel)))
                    y = (height - face_size) // 2
                    frame[y : y + face_size, x : x + face_size] = resized[key]
                    row.append((lane, subject, expression, (x, y, face_size, face_size)))
                truth.append(row)
                if writer is not None:
                    writer.write(frame)
                else:
                    cv2.imwrite(os.path.join(path, f"frame_{index:05d}.png"), frame)
                index += 1
    finally:
        if writer is not None:
            writer.release()
    return truth


# --------------------------------------------------------------------------- live clips

# Where the face sits in a London photo (350 px): the median default-cascade box is about
# (96, 93, 158, 158), centred near (175, 172).
_PHOTO_FACE = (96.0, 93.0, 158.0, 158.0)


@dataclass
class Appearance:
    """One person on screen for a while in a :class:`LiveClip` (a new appearance is a new
    person as far as tracking is concerned, even for the same subject).

    Attributes
    ----------
    subject : int
        Index into the London subjects (0-101).
    start, end : float
        Seconds in the clip, ``start <= t < end``.
    centre : tuple of float
        Face centre as fractions of the frame's width and height.
    face_size : float
        Face width in pixels (the photo is scaled so that its face is this wide).
    expressions : list of (float, str) or (float, str, float)
        ``(time, expression[, fade])``: the expression from this time on (the first
        entry's time is ignored); each change is a cross-fade of ``fade`` seconds
        centred on its time, where the true label changes.
    fade : float
        Seconds of a cross-fade whose entry does not give its own.
    shift, scale, rotate : float
        Head motion amplitudes: pixels, a fraction of the size, degrees (sinusoids of
        ``period`` seconds, phase-shifted from each other).
    period : float
        Seconds per motion cycle.
    """

    subject: int
    start: float
    end: float
    centre: tuple = (0.5, 0.5)
    face_size: float = 110.0
    expressions: list = field(default_factory=lambda: [(0.0, "neutral")])
    fade: float = 0.3
    shift: float = 0.0
    scale: float = 0.0
    rotate: float = 0.0
    period: float = 4.0

    def changes(self):
        """``(time, expression, fade)`` of every change after the first expression."""
        return [(c[0], c[1], c[2] if len(c) > 2 else self.fade) for c in self.expressions[1:]]

    def blend(self, t):
        """``(from_expression, to_expression, weight_of_to, label)`` at time ``t``."""
        current = self.expressions[0][1]
        for when, expression, fade in self.changes():
            if t >= when + fade / 2:
                current = expression
                continue
            if t > when - fade / 2 and expression != current:
                w = (t - (when - fade / 2)) / fade
                return current, expression, w, expression if t >= when else current
            break
        return current, current, 0.0, current

    def pose(self, t):
        """``(dx, dy, scale, angle)`` of the head at time ``t``."""
        phase = 2 * math.pi * (t - self.start) / self.period
        return (self.shift * math.sin(phase), 0.5 * self.shift * math.sin(2 * phase + 1.0),
                1.0 + self.scale * math.sin(phase + 2.0), self.rotate * math.sin(phase + 0.5))


@dataclass(frozen=True)
class TrueFace:
    """One person in one frame of a :class:`LiveClip`: ``appearance`` is its index in
    ``clip.appearances``; ``steady`` is False inside a cross-fade and for ``settle``
    seconds after a change of expression or the person's arrival."""

    appearance: int
    subject: int
    label: str
    box: tuple
    steady: bool


class LiveClip:
    """A synthetic camera clip made from the London photos, with per-frame ground truth.

    People (:class:`Appearance`) come and go on a smooth textured background, change
    expression with cross-fades, move their heads (shift, scale, in-plane rotation);
    ``cuts`` change the background at once (a new shot), ``lighting`` changes the
    exposure, and every frame gets camera noise. Each photo is blended in with a soft
    oval mask, so there is no square edge to follow.

    Parameters
    ----------
    appearances : list of Appearance
    duration : float
        Seconds.
    fps : float, default=30.0
    frame_size : tuple of (int, int), default=(640, 480)
        ``(width, height)``.
    cuts : sequence of float, default=()
        Times at which the background changes (shot boundaries).
    lighting : sequence of (float, float, float), default=()
        ``(time, gain, ramp_seconds)``: from this time on, the frame is multiplied by
        ``gain``, reached linearly over ``ramp_seconds`` (0: at once).
    noise : float, default=4.0
        Standard deviation of the camera noise (grey levels).
    settle : float, default=0.3
        Seconds after a change before a frame counts as steady.
    seed : int, default=0
    london : Bunch or None, default=None
        ``load_frl_london()`` (loaded if None).

    Examples
    --------
    >>> from skemotion.video._synthetic import Appearance, LiveClip
    >>> clip = LiveClip([Appearance(0, 0.0, 1.0, expressions=[(0, "neutral"), (0.5, "happy")],
    ...                             fade=0.2)], duration=1.2, fps=10, frame_size=(320, 240))
    >>> [[(f.label, f.steady) for f in faces] for faces in clip.truth][::3]
    [[('neutral', False)], [('neutral', True)], [('happy', False)], [('happy', True)]]
    >>> next(iter(clip.frames())).shape
    (240, 320, 3)
    """

    def __init__(self, appearances, duration, *, fps=30.0, frame_size=(640, 480), cuts=(),
                 lighting=(), noise=4.0, settle=0.3, seed=0, london=None):
        self.appearances = list(appearances)
        self.duration = float(duration)
        self.fps = float(fps)
        self.frame_size = tuple(frame_size)
        self.cuts = sorted(cuts)
        self.lighting = sorted(lighting)
        self.noise = float(noise)
        self.settle = float(settle)
        self.seed = seed
        self._london = london
        self.n_frames = int(round(self.duration * self.fps))
        self.truth = [self._truth(i / self.fps) for i in range(self.n_frames)]

    # ------------------------------------------------------------------ truth

    def _geometry(self, person, t):
        """The photo's affine warp (2x3) and the face box in the frame at time ``t``."""
        width, height = self.frame_size
        dx, dy, s, angle = person.pose(t)
        zoom = person.face_size / _PHOTO_FACE[2] * s
        fx, fy, fw, fh = _PHOTO_FACE
        centre = (fx + fw / 2, fy + fh / 2)
        matrix = cv2.getRotationMatrix2D(centre, angle, zoom)
        cx, cy = person.centre[0] * width + dx, person.centre[1] * height + dy
        matrix[:, 2] += (cx - centre[0], cy - centre[1])
        side = fw * zoom
        box = (int(round(cx - side / 2)), int(round(cy - side / 2)), int(round(side)),
               int(round(side)))
        return matrix, box

    def change_times(self, index):
        """Times at which appearance ``index`` arrives or its label changes."""
        person = self.appearances[index]
        return [person.start] + [when for when, _, _ in person.changes()]

    def _truth(self, t):
        faces = []
        for k, person in enumerate(self.appearances):
            if not person.start <= t < person.end:
                continue
            _, _, weight, label = person.blend(t)
            last = max(c for c in self.change_times(k) if c <= t) if t >= person.start else t
            in_fade = any(abs(t - when) < fade / 2 for when, _, fade in person.changes())
            steady = (not in_fade) and t - last >= self.settle - 1e-9
            faces.append(TrueFace(k, person.subject, label, self._geometry(person, t)[1],
                                  steady))
        return faces

    # ------------------------------------------------------------------ pixels

    def _photos(self):
        london = self._london
        if london is None:
            from ..datasets import load_frl_london

            london = self._london = load_frl_london()
        subjects = sorted(set(london.groups))
        index = {g: i for i, g in enumerate(subjects)}
        return {(index[g], str(label)): image
                for image, label, g in zip(london.images, london.target, london.groups)}

    def frames(self):
        """Yield the clip's BGR uint8 frames, rendered one at a time."""
        photos = self._photos()
        width, height = self.frame_size
        rng = np.random.RandomState(self.seed)
        backgrounds = [_background(width, height, rng) for _ in range(len(self.cuts) + 1)]
        noise_bank = []
        for _ in range(8 if self.noise > 0 else 0):
            noise = np.rint(rng.normal(0, self.noise, size=(height, width, 3)))
            noise_bank.append((np.clip(noise, 0, 255).astype(np.uint8),
                               np.clip(-noise, 0, 255).astype(np.uint8)))
        mask = np.zeros((350, 350), np.float32)
        cv2.ellipse(mask, (175, 175), (118, 160), 0, 0, 360, 1.0, -1)
        mask = cv2.GaussianBlur(mask, (0, 0), 12)[..., None]
        for i in range(self.n_frames):
            t = i / self.fps
            shot = sum(t >= c for c in self.cuts)
            frame = backgrounds[shot].copy()
            for person in self.appearances:
                if not person.start <= t < person.end:
                    continue
                old, new, weight, _ = person.blend(t)
                photo = photos[(person.subject, old)].astype(np.float32)
                if weight > 0:
                    photo = (1 - weight) * photo + weight * photos[(person.subject, new)]
                matrix, _ = self._geometry(person, t)
                # warp only into the photo's bounding box in the frame
                corners = matrix @ np.array([[0, 350, 0, 350], [0, 0, 350, 350],
                                             [1, 1, 1, 1]], float)
                x0, y0 = (max(int(math.floor(v)), 0) for v in corners.min(axis=1))
                x1 = min(int(math.ceil(corners[0].max())) + 1, width)
                y1 = min(int(math.ceil(corners[1].max())) + 1, height)
                if x1 <= x0 or y1 <= y0:
                    continue
                local = matrix.copy()
                local[:, 2] -= (x0, y0)
                size = (x1 - x0, y1 - y0)
                warped = cv2.warpAffine(photo * mask, local, size, flags=cv2.INTER_LINEAR)
                alpha = cv2.warpAffine(mask, local, size, flags=cv2.INTER_LINEAR)[..., None]
                roi = frame[y0:y1, x0:x1].astype(np.float32)
                frame[y0:y1, x0:x1] = np.clip(roi * (1 - alpha) + warped, 0, 255)
            gain = 1.0
            for when, target, ramp in self.lighting:
                if t >= when:
                    w = 1.0 if ramp <= 0 else min((t - when) / ramp, 1.0)
                    gain = gain + w * (target - gain)
            if gain != 1.0:
                frame = cv2.convertScaleAbs(frame, alpha=gain)
            if noise_bank:
                plus, minus = noise_bank[rng.randint(len(noise_bank))]
                frame = cv2.subtract(cv2.add(frame, plus), minus)
            yield frame

    def write(self, path, codec="MJPG"):
        """Write the clip to a video file (Motion JPEG by default, as a webcam sends)."""
        width, height = self.frame_size
        writer = cv2.VideoWriter(os.fspath(path), cv2.VideoWriter_fourcc(*codec), self.fps,
                                 (width, height))
        if not writer.isOpened():
            raise OSError(f"Cannot write {path}.")
        try:
            for frame in self.frames():
                writer.write(frame)
        finally:
            writer.release()
        return path
