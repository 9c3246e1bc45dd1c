"""Face tracking between full detections, with checks that a track is still its face.

A full detection finds every face of the frame. In between, each face is looked for
only near its last box, by normalised cross-correlation of its appearance at the last
detection on a small copy of the frame (a fraction of a millisecond). A track stays
one person's:

* at every full detection a track continues only if a detected face overlaps its
  box *and* looks like it (:func:`appearance`, a normalised 12x12 grey thumbnail,
  compared with the track's by correlation); a track no detection confirms stops
  being reported at once;
* in every frame, a face that no longer matches itself one frame earlier (searched
  near its last box: someone else is there now, or no one) ends its track at once;
  between
  detections, a face whose match falls, whose thumbnail stops looking like the
  track's, or a change of the whole frame (a cut) triggers a full detection in that
  frame;
* a track that is not confirmed again within ``lost_after`` seconds ends; a different
  person at the same place always starts a new track.
"""

import math
from dataclasses import dataclass

import cv2
import numpy as np

from ..faces._cropper import crop_face_box
from ..faces._find import find_faces

#: Normalised cross-correlation below which a tracked face counts as lost.
MATCH_THRESHOLD = 0.6
#: How far around its last box a face is looked for, as a fraction of the box size.
SEARCH_MARGIN = 0.5
#: Overlap (intersection over union) for a detection to continue a track.
MIN_IOU = 0.3
#: Correlation of appearance thumbnails below which a face is another person's.
SAME_PERSON = 0.8
#: Normalised cross-correlation of a face with itself one frame earlier (searched near
#: its last box on the small copy) below which someone else took its place: the track
#: ends at once. On bench_live's clips one person scores 0.97 or more from frame to frame
#: (moving, changing expression, under exposure changes), a change of person 0.78 or less.
ABRUPT_CHANGE = 0.9
#: Correlation of whole-frame thumbnails from one frame to the next below which the
#: frame counts as a cut (exposure changes do not count: the thumbnails are normalised).
CUT_THRESHOLD = 0.8
#: Width of the copy of the frame that tracking scans.
TRACK_WIDTH = 160
#: Width of the copy of the frame full detections scan with YuNet.
DETECT_WIDTH = 320
#: Face width (pixels) at which a face found on that copy is found again, in a window
#: around it, for finer landmarks.
REFINE_SIZE = 160
#: Border of that window around the face box, as a fraction of the box on each side.
REFINE_BORDER = 0.5
#: Side of the appearance thumbnail.
_THUMB = 12


def appearance(gray, box):
    """A cheap appearance descriptor of a face: its box shrunk to a 12x12 grey
    thumbnail, zero mean and unit length (so that exposure changes drop out); None for a
    box outside the image."""
    x, y, w, h = (int(v) for v in box)
    H, W = gray.shape
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, W), min(y + h, H)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    thumb = cv2.resize(gray[y0:y1, x0:x1], (_THUMB, _THUMB),
                       interpolation=cv2.INTER_AREA).astype(np.float32).ravel()
    thumb -= thumb.mean()
    norm = float(np.linalg.norm(thumb))
    return thumb / norm if norm > 1e-6 else None


def similarity(a, b):
    """Correlation of two :func:`appearance` descriptors (0 when either is None)."""
    if a is None or b is None:
        return 0.0
    return float(a @ b)


def _frame_signature(small):
    thumb = cv2.resize(small, (16, 12), interpolation=cv2.INTER_AREA).astype(np.float32)
    thumb = thumb.ravel() - thumb.mean()
    norm = float(np.linalg.norm(thumb))
    return thumb / norm if norm > 1e-6 else None


#: YuNet's five points (two eyes, nose tip, two mouth corners) in the order they take
#: in a mirrored image: each eye and mouth corner becomes the other one.
_MIRRORED_POINTS = (1, 0, 2, 4, 3)


def _mirror_averaged(window, face, cropper, width):
    """YuNet's five points of ``face`` (found in ``window`` at ``width`` pixels wide)
    averaged with the points YuNet finds for it on the mirrored window, mapped back: a
    flip test. The part of the points' error that changes sides with the image (a
    left-right bias of the detector) cancels, and the rest is averaged over two looks.

    Between full detections a track's crop keeps the points of its last detection, so
    one detection's error stays in ten frames' crops, where the emotion filter cannot
    average it away; on ``benchmarks/bench_live.py``'s clips the flip test raises the
    tracked crops' per-frame accuracy above the naive loop's. ``face.landmarks`` when
    the mirrored window shows no face overlapping it by half.
    """
    mirrored = np.ascontiguousarray(window[:, ::-1])
    w = window.shape[1]
    best = None
    for other in find_faces(mirrored, cropper=cropper, detect_width=width):
        if other.landmarks is None:
            continue
        ox, oy, ow, oh = other.box
        overlap = _iou((w - ox - ow, oy, ow, oh), face.box)
        if overlap >= 0.5 and (best is None or overlap > best[0]):
            best = (overlap, other)
    if best is None:
        return face.landmarks
    back = [(w - 1 - px, py) for px, py in best[1].landmarks]
    back = [back[k] for k in _MIRRORED_POINTS]
    return tuple(((ax + bx) / 2, (ay + by) / 2) for (ax, ay), (bx, by)
                 in zip(face.landmarks, back))


@dataclass(eq=False)  # holds an image
class Track:
    """One face followed over frames (internal state of :class:`FaceTracker`)."""

    track_id: int
    box: tuple
    points: tuple = None        # landmarks the crop uses, relative to the box (x / w, y / h)
    template: object = None     # the face on the small frame at the last detection
    small_box: tuple = None     # (x, y, w, h) on the small frame
    descriptor: object = None   # appearance() at the last detection
    recent: object = None       # the face on the small frame in the last frame it was found
    recent_box: tuple = None    # where, on the small frame
    last_seen: float = 0.0      # time (s) the face was last found
    lost: bool = False          # not found in the last frame: not reported
    ended: bool = False         # another person took its place: never continued


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
        The model's first step. Its detector finds the faces
        (:func:`~skemotion.faces.find_faces` with the cropper's settings: YuNet on a
        copy ``detect_width`` pixels wide, or the cascades of a ``detector="haar"``
        model), and its ``align``, ``output_size``, ``margin`` and ``equalize`` crop
        them.
    detect_every : int
        Frames between full detections (1: detect in every frame).
    max_faces : int
        Most faces followed at once (the largest ones).
    lost_after : float
        Seconds a track no detection confirms is kept, unreported, so that the same
        face found again at the same place within that time keeps its id.
    detect_width : int, default=320
        Width of the frame's copy that YuNet scans.

    Examples
    --------
    >>> import cv2
    >>> from skemotion import FaceCropper
    >>> from skemotion.datasets import load_frl_london
    >>> from skemotion.video._tracking import FaceTracker
    >>> gray = cv2.cvtColor(load_frl_london().images[0], cv2.COLOR_BGR2GRAY)
    >>> tracker = FaceTracker(FaceCropper(output_size=64), detect_every=5, max_faces=2,
    ...                       lost_after=1.0)
    >>> [(t.track_id, t.box) for t in tracker.update(gray, 0.0)]
    [(1, (94, 94, 163, 163))]
    >>> tracker.crop(gray, tracker.tracks[0]).shape
    (64, 64)
    """

    def __init__(self, cropper, *, detect_every, max_faces, lost_after,
                 detect_width=DETECT_WIDTH):
        params = cropper._checked_params()
        self.cropper = cropper
        self.output_size = params["output_size"]
        self.margin = float(cropper.margin)
        self.equalize = cropper.equalize
        self.align = cropper.align
        self.detect_every = detect_every
        self.max_faces = max_faces
        self.lost_after = lost_after
        self.detect_width = detect_width
        self.tracks = []
        self.next_id = 1
        self.frames_since_detection = None
        self.n_detections = 0
        self.n_cuts = 0
        self._track_scale = None
        self._signature = None

    # ------------------------------------------------------------------ geometry

    def small_image(self, gray):
        """The small copy of a 2-D uint8 frame that tracking scans, and its scale
        (full-frame pixels per small pixel)."""
        h, w = gray.shape
        if self._track_scale is None or self._track_scale[0] != (h, w):
            if w > TRACK_WIDTH:
                size = (TRACK_WIDTH, max(round(h * TRACK_WIDTH / w), 1))
            else:
                size = (w, h)
            self._track_scale = ((h, w), size, w / size[0])
        _, size, scale = self._track_scale
        small = gray if size == (w, h) else cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
        return small, scale

    # ------------------------------------------------------------------ detection

    def _refined(self, gray, face):
        """The face found again by YuNet in a window around it, at up to REFINE_SIZE
        pixels per face width (finer landmarks than on the small copy); ``face`` when
        it is not found there."""
        x, y, w, h = face.box
        H, W = gray.shape
        grow = REFINE_BORDER * max(w, h)
        x0, y0 = max(int(x - grow), 0), max(int(y - grow), 0)
        x1, y1 = min(int(x + w + grow), W), min(int(y + h + grow), H)
        zoom = min(1.0, REFINE_SIZE / max(w, 1))
        window = gray[y0:y1, x0:x1]
        width = max(int(round((x1 - x0) * zoom)), 1)
        best = None
        for other in find_faces(window, cropper=self.cropper, detect_width=width):
            ox, oy, ow, oh = other.box
            moved = (ox + x0, oy + y0, ow, oh)
            overlap = _iou(moved, face.box)
            if overlap >= 0.5 and (best is None or overlap > best[0]):
                best = (overlap, other, moved)
        if best is None:
            return face
        _, other, box = best
        points = other.landmarks
        if points is not None:
            points = _mirror_averaged(window, other, self.cropper, width)
            points = tuple((px + x0, py + y0) for px, py in points)
        return type(face)(source=None, image_shape=face.image_shape, box=box,
                          cascade=other.cascade, face_counts=face.face_counts,
                          left_eye=None if points is None else points[0],
                          right_eye=None if points is None else points[1],
                          landmarks=points, score=other.score)

    def detect(self, gray):
        """All faces of a frame (largest first, at most ``max_faces``): list of
        ``(box, points)`` in frame pixels, ``points`` the landmarks the model's crop
        uses (eyes, or YuNet's five points), relative to the box, or None."""
        found = []
        faces = find_faces(gray, cropper=self.cropper, detect_width=self.detect_width,
                           max_faces=self.max_faces)
        if self.cropper.detector == "yunet" and self.detect_width is not None \
                and gray.shape[1] > self.detect_width:
            faces = [self._refined(gray, face) for face in faces]
        for face in faces:
            if self.align == "five_points":
                points = face.landmarks
            elif self.align == "eyes" and face.left_eye is not None:
                points = (face.left_eye, face.right_eye)
            else:
                points = None
            x, y, w, h = face.box
            if points is not None:
                points = tuple(((px - x) / w, (py - y) / h) for px, py in points)
            found.append((face.box, points))
        return found

    def _start(self, track, gray, small, scale, box, points, descriptor, time_s):
        x, y, w, h = box
        sx, sy = int(round(x / scale)), int(round(y / scale))
        sw, sh = max(int(round(w / scale)), 4), max(int(round(h / scale)), 4)
        sx, sy = min(max(sx, 0), small.shape[1] - sw), min(max(sy, 0), small.shape[0] - sh)
        track.box, track.small_box, track.points = box, (sx, sy, sw, sh), points
        track.template = small[sy : sy + sh, sx : sx + sw].copy()
        track.descriptor = descriptor
        track.last_seen = time_s
        track.lost = False

    def _full_detection(self, gray, small, scale, time_s):
        self.n_detections += 1
        self.frames_since_detection = 0
        found = [(box, points, appearance(gray, box)) for box, points in self.detect(gray)]
        candidates = [t for t in self.tracks if not t.ended]
        pairs = []
        for i, track in enumerate(candidates):
            for j, (box, _, descriptor) in enumerate(found):
                overlap = _iou(track.box, box)
                if overlap < MIN_IOU:
                    continue
                if similarity(track.descriptor, descriptor) < SAME_PERSON:
                    track.ended = True  # someone else is where this face was
                    continue
                pairs.append((overlap, i, j))
        used_tracks, used_faces = set(), set()
        for _, i, j in sorted(pairs, reverse=True):
            if i in used_tracks or j in used_faces or candidates[i].ended:
                continue
            used_tracks.add(i)
            used_faces.add(j)
            self._start(candidates[i], gray, small, scale, *found[j], time_s)
        for i, track in enumerate(candidates):
            if i not in used_tracks:
                track.lost = True  # no detection confirms it: not reported
        for j, face in enumerate(found):
            if j in used_faces:
                continue
            if sum(not t.lost and not t.ended for t in self.tracks) >= self.max_faces:
                break
            track = Track(self.next_id, face[0])
            self.next_id += 1
            self._start(track, gray, small, scale, *face, time_s)
            self.tracks.append(track)

    # ------------------------------------------------------------------ tracking

    @staticmethod
    def _best_match(small, template, small_box):
        """Best normalised cross-correlation of ``template`` near ``small_box`` on the small
        frame, and where: ``(score, x, y)``; score 0 when the window is too small."""
        sx, sy, sw, sh = small_box
        H, W = small.shape
        mx = max(int(math.ceil(sw * SEARCH_MARGIN)), 1)
        my = max(int(math.ceil(sh * SEARCH_MARGIN)), 1)
        x0, y0 = max(sx - mx, 0), max(sy - my, 0)
        x1, y1 = min(sx + sw + mx, W), min(sy + sh + my, H)
        if x1 - x0 < template.shape[1] or y1 - y0 < template.shape[0]:
            return 0.0, sx, sy
        scores = cv2.matchTemplate(small[y0:y1, x0:x1], template, cv2.TM_CCOEFF_NORMED)
        _, best, _, (bx, by) = cv2.minMaxLoc(scores)
        return (best if best == best else 0.0), x0 + bx, y0 + by  # NaN (flat): 0

    def _follow(self, track, gray, small, scale, time_s):
        """Look for the face near its last box; False if it is not there (or is now
        someone else)."""
        sx, sy, sw, sh = track.small_box
        best, nsx, nsy = self._best_match(small, track.template, track.small_box)
        if best < MATCH_THRESHOLD:  # also a window too small or a flat template (0)
            return False
        bw, bh = track.box[2], track.box[3]
        nx = min(max(int(round(track.box[0] + (nsx - sx) * scale)), 0), gray.shape[1] - 1)
        ny = min(max(int(round(track.box[1] + (nsy - sy) * scale)), 0), gray.shape[0] - 1)
        box = (nx, ny, min(bw, gray.shape[1] - nx), min(bh, gray.shape[0] - ny))
        if similarity(track.descriptor, appearance(gray, box)) < SAME_PERSON:
            return False
        track.small_box = (nsx, nsy, sw, sh)
        track.box = box
        track.last_seen = time_s
        return True

    def update(self, gray, time_s):
        """Find the faces of the next frame; return the tracks seen in it.

        Parameters
        ----------
        gray : ndarray of uint8, shape (h, w)
        time_s : float

        Returns
        -------
        tracks : list of Track
            The faces found in this frame, in track id order.
        """
        small, scale = self.small_image(gray)
        signature = _frame_signature(small)
        cut = (self._signature is not None
               and similarity(self._signature, signature) < CUT_THRESHOLD)
        self._signature = signature
        self.n_cuts += bool(cut)
        abrupt = False
        for track in self.tracks:
            if track.lost or track.ended or track.recent is None:
                continue
            if self._best_match(small, track.recent, track.recent_box)[0] < ABRUPT_CHANGE:
                track.ended = abrupt = True  # someone else is where this face was
        due = (cut or abrupt or self.frames_since_detection is None
               or self.frames_since_detection + 1 >= self.detect_every)
        if not due:
            self.frames_since_detection += 1
            for track in self.tracks:
                if not track.lost and not track.ended:
                    # a face lost just now, or someone else in its place: look everywhere
                    due = not self._follow(track, gray, small, scale, time_s) or due
        if due:
            self._full_detection(gray, small, scale, time_s)
        self.tracks = [t for t in self.tracks if not t.ended and not (
            t.lost and time_s - t.last_seen > self.lost_after)]
        seen = sorted((t for t in self.tracks if not t.lost), key=lambda t: t.track_id)
        for track in seen:
            sx, sy, sw, sh = track.small_box
            track.recent, track.recent_box = small[sy : sy + sh, sx : sx + sw].copy(), track.small_box
        return seen

    def crop(self, gray, track):
        """The uint8 crop of a tracked face with the model's own crop settings."""
        x, y, w, h = track.box
        points = (None if track.points is None
                  else [(x + px * w, y + py * h) for px, py in track.points])
        left = right = landmarks = None
        if points is not None and len(points) == 5:
            landmarks = points
        elif points is not None:
            left, right = points
        return crop_face_box(gray, track.box, left, right, self.output_size, self.margin,
                             self.equalize, landmarks=landmarks)

    def reset(self):
        """Forget every track (ids start again at 1)."""
        self.tracks, self.next_id = [], 1
        self.frames_since_detection = None
        self._signature = None
