"""Face tracking between full detections: the model's own cascade settings, then a local search.

A full detection runs the model's FaceCropper cascades over the whole frame (on the
same downscaled copy FaceCropper scans) and finds the eyes in each box. In between,
each face is looked for only near its last box, by normalised cross-correlation of
its appearance at the last detection (on the downscaled copy, a fraction of a
millisecond), and the eyes move with the box. A face whose match falls below a
threshold is lost, which triggers a full detection at once.
"""

import math
from dataclasses import dataclass

import cv2
import numpy as np

from ..faces._cascades import EYE_CASCADE, borrow_cascade, resolve_cascade
from ..faces._cropper import crop_face_box
from ..faces._detect import _MIN_FACE_WINDOW, _find_eyes, _pixels, _run_cascade

#: Normalised cross-correlation below which a tracked face counts as lost.
MATCH_THRESHOLD = 0.6
#: How far around its last box a face is looked for, as a fraction of the box size.
SEARCH_MARGIN = 0.5
#: Overlap (intersection over union) for a detection to continue a track.
MIN_IOU = 0.3


@dataclass(eq=False)  # holds an image
class Track:
    """One face followed over frames (internal state of :class:`FaceTracker`)."""

    track_id: int
    box: tuple
    eyes: tuple = None          # eye centres relative to the box: (lx, ly, rx, ry) / (w, h)
    template: object = None     # the face on the downscaled frame at the last detection
    small_box: tuple = None     # (x, y, w, h) on the downscaled frame
    last_seen: float = 0.0      # time (s) the face was last found
    confirmed: float = 0.0      # time (s) a full detection last found it
    lost: bool = False


def _iou(a, b):
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    union = aw * ah + bw * bh - inter
    return inter / union if union else 0.0


class FaceTracker:
    """Find and follow up to ``max_faces`` faces with a FaceCropper's detection settings.

    Parameters
    ----------
    cropper : FaceCropper
        The model's first step; its cascades, ``scale_factor``, ``min_neighbors``,
        ``min_size``, ``max_size``, ``detect_size``, ``align``, ``output_size``,
        ``margin`` and ``equalize`` are used as they are.
    detect_every : int
        Frames between full detections (1: detect in every frame).
    max_faces : int
        Most faces followed at once (the largest ones).
    lost_after : float
        Seconds a lost face's track is kept (and found again by a detection that
        overlaps its last box) before it ends; also how long a face the full
        detections miss is followed on its appearance alone.

    Examples
    --------
    >>> import cv2
    >>> from skemotion import FaceCropper
    >>> from skemotion.datasets import load_frl_london
    >>> from skemotion.video._tracking import FaceTracker
    >>> gray = cv2.cvtColor(load_frl_london().images[0], cv2.COLOR_BGR2GRAY)
    >>> tracker = FaceTracker(FaceCropper(output_size=64), detect_every=5, max_faces=2,
    ...                       lost_after=1.0)
    >>> [(t.track_id, t.box) for t in tracker.update(gray, 0.0)]   # as FaceCropper finds it
    [(1, (90, 99, 163, 163))]
    >>> tracker.crop(gray, tracker.tracks[0]).shape
    (64, 64)
    """

    def __init__(self, cropper, *, detect_every, max_faces, lost_after):
        params = cropper._checked_params()
        self.paths = params["paths"]
        self.output_size = params["output_size"]
        self.margin = float(cropper.margin)
        self.equalize = cropper.equalize
        self.align = cropper.align
        self.scale_factor = float(cropper.scale_factor)
        self.min_neighbors = int(cropper.min_neighbors)
        self.min_size, self.max_size = cropper.min_size, cropper.max_size
        self.detect_size = cropper.detect_size
        self.eye_path = resolve_cascade(EYE_CASCADE) if self.align == "eyes" else None
        self.detect_every = detect_every
        self.max_faces = max_faces
        self.lost_after = lost_after
        self.tracks = []
        self.next_id = 1
        self.frames_since_detection = None
        self.n_detections = 0
        self._geometry = None

    # ------------------------------------------------------------------ geometry

    def _scale(self, shape):
        """Downscaling of a frame of ``shape`` exactly as FaceCropper's detection does it."""
        if self._geometry is not None and self._geometry[0] == shape:
            return self._geometry[1]
        h, w = shape
        short = min(h, w)
        min_px = max(_pixels(self.min_size, short), 1.0)
        max_px = _pixels(self.max_size, short)
        scale = 1.0
        if self.detect_size is not None and max(h, w) > self.detect_size:
            scale = self.detect_size / max(h, w)
        scale = min(1.0, max(scale, _MIN_FACE_WINDOW / min_px))
        size = (max(round(w * scale), 1), max(round(h * scale), 1)) if scale < 1 else (w, h)
        sx, sy = w / size[0], h / size[1]
        geometry = {
            "size": size,
            "sx": sx,
            "sy": sy,
            "min": max(int(min_px / sx), 1),
            "max": int(max_px / sx) if max_px else 0,
        }
        self._geometry = (shape, geometry)
        return geometry

    def small_image(self, gray):
        """The downscaled copy of a 2-D uint8 frame that detection and tracking scan."""
        g = self._scale(gray.shape)
        if g["size"] == (gray.shape[1], gray.shape[0]):
            return gray
        return cv2.resize(gray, g["size"], interpolation=cv2.INTER_AREA)

    def _to_full(self, face, shape):
        g = self._scale(shape)
        h, w = shape
        fx, fy, fw, fh = face
        x0, y0 = max(int(round(fx * g["sx"])), 0), max(int(round(fy * g["sy"])), 0)
        x1 = min(x0 + int(round(fw * g["sx"])), w)
        y1 = min(y0 + int(round(fh * g["sy"])), h)
        return (x0, y0, x1 - x0, y1 - y0)

    # ------------------------------------------------------------------ detection

    def detect(self, gray, small):
        """All faces of a frame (largest first, at most ``max_faces``): list of
        ``(box, small_box)``, from the first cascade that finds any."""
        g = self._scale(gray.shape)
        faces = []
        for path in self.paths:
            with borrow_cascade(path) as classifier:
                faces = _run_cascade(classifier, small, self.scale_factor,
                                     self.min_neighbors, g["min"], g["max"])
            if faces:
                break
        faces = sorted(faces, key=lambda f: -f[2] * f[3])[: self.max_faces]
        return [(self._to_full(f, gray.shape), f) for f in faces]

    def _eyes(self, gray, box):
        if self.eye_path is None:
            return None
        left, right = _find_eyes(gray, box, self.eye_path)
        if left is None:
            return None
        x, y, w, h = box
        return ((left[0] - x) / w, (left[1] - y) / h, (right[0] - x) / w, (right[1] - y) / h)

    def _start(self, track, gray, small, box, small_box, time_s):
        sx, sy, sw, sh = small_box
        track.box, track.small_box = box, small_box
        track.template = small[sy : sy + sh, sx : sx + sw].copy()
        track.eyes = self._eyes(gray, box)
        track.last_seen = track.confirmed = time_s
        track.lost = False

    def _full_detection(self, gray, small, time_s):
        self.n_detections += 1
        self.frames_since_detection = 0
        found = self.detect(gray, small)
        unmatched = list(range(len(found)))
        # continue tracks by overlap, best pairs first
        pairs = sorted(
            ((_iou(t.box, found[j][0]), i, j) for i, t in enumerate(self.tracks)
             for j in unmatched),
            reverse=True)
        used_tracks = set()
        for iou, i, j in pairs:
            if iou < MIN_IOU or i in used_tracks or j not in unmatched:
                continue
            used_tracks.add(i)
            unmatched.remove(j)
            self._start(self.tracks[i], gray, small, *found[j], time_s)
        for i, track in enumerate(self.tracks):
            if i in used_tracks or track.lost:
                continue
            # missed by the cascade (compression, a turned head): follow it as between
            # detections, for at most lost_after seconds without a detection
            if time_s - track.confirmed > self.lost_after:
                track.lost = True
            else:
                self._follow(track, gray, small, time_s)
        for j in unmatched:
            if sum(not t.lost for t in self.tracks) >= self.max_faces:
                break
            track = Track(self.next_id, found[j][0])
            self.next_id += 1
            self._start(track, gray, small, *found[j], time_s)
            self.tracks.append(track)

    # ------------------------------------------------------------------ tracking

    def _follow(self, track, gray, small, time_s):
        """Look for the face near its last box; mark it lost if it is not there."""
        sx, sy, sw, sh = track.small_box
        H, W = small.shape
        mx, my = max(int(math.ceil(sw * SEARCH_MARGIN)), 1), max(int(math.ceil(sh * SEARCH_MARGIN)), 1)
        x0, y0 = max(sx - mx, 0), max(sy - my, 0)
        x1, y1 = min(sx + sw + mx, W), min(sy + sh + my, H)
        template = track.template
        if x1 - x0 < template.shape[1] or y1 - y0 < template.shape[0]:
            track.lost = True
            return
        scores = cv2.matchTemplate(small[y0:y1, x0:x1], template, cv2.TM_CCOEFF_NORMED)
        _, best, _, (bx, by) = cv2.minMaxLoc(scores)
        if not best >= MATCH_THRESHOLD:  # also NaN, for a flat template
            track.lost = True
            return
        dx, dy = x0 + bx - sx, y0 + by - sy
        g = self._scale(gray.shape)
        track.small_box = (sx + dx, sy + dy, sw, sh)
        bw, bh = track.box[2], track.box[3]
        nx = min(max(int(round(track.small_box[0] * g["sx"])), 0), gray.shape[1] - 1)
        ny = min(max(int(round(track.small_box[1] * g["sy"])), 0), gray.shape[0] - 1)
        track.box = (nx, ny, min(bw, gray.shape[1] - nx), min(bh, gray.shape[0] - ny))
        track.last_seen = time_s

    def update(self, gray, time_s):
        """Find the faces of the next frame; return the tracks seen in it.

        Parameters
        ----------
        gray : ndarray of uint8, shape (h, w)
        time_s : float

        Returns
        -------
        tracks : list of Track
            The faces found in this frame (lost faces in their grace period are not
            listed), in track id order.
        """
        small = self.small_image(gray)
        due = (self.frames_since_detection is None
               or self.frames_since_detection + 1 >= self.detect_every)
        if not due:
            self.frames_since_detection += 1
            following = [t for t in self.tracks if not t.lost]
            for track in following:
                self._follow(track, gray, small, time_s)
            due = any(t.lost for t in following)  # a face lost just now: look everywhere
        if due:
            self._full_detection(gray, small, time_s)
        self.tracks = [t for t in self.tracks
                       if not (t.lost and time_s - t.last_seen > self.lost_after)]
        return sorted((t for t in self.tracks if not t.lost), key=lambda t: t.track_id)

    def crop(self, gray, track):
        """The uint8 crop of a tracked face with the model's own crop settings."""
        left = right = None
        if track.eyes is not None:
            x, y, w, h = track.box
            lx, ly, rx, ry = track.eyes
            left, right = (x + lx * w, y + ly * h), (x + rx * w, y + ry * h)
        return crop_face_box(gray, track.box, left, right, self.output_size, self.margin,
                             self.equalize)

    def reset(self):
        """Forget every track (ids start again at 1)."""
        self.tracks, self.next_id = [], 1
        self.frames_since_detection = None
