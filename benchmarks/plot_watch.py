"""The README's pictures of ``skemotion watch``, made by the real commands.

1. A 640x480, 25 fps, 6 s video from the London photos (CC BY 4.0): two people moving
   their heads in front of a textured background, the left one neutral then smiling,
   the right one smiling then neutral, with camera noise
   (``skemotion.video._synthetic.LiveClip``).
2. ``skemotion train --pipeline hog_logreg_flip --out model.skops`` on the London set.
3. ``skemotion watch demo.mp4 --model model.skops --out annotated.mp4 --csv timeline.csv
   --plot timeline.png``.
4. ``benchmarks/figures/watch_frame.jpg``: frame 100 (4 s) of annotated.mp4, and
   ``benchmarks/figures/watch_timeline.png``: the command's plot, as written (each
   panel framed in the colour of its face's box in the video, with where the face was
   first seen).

Run from the repository root: ``python benchmarks/plot_watch.py`` (about a minute).
"""

import os
import shutil
import subprocess
import sys
import tempfile

import cv2

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from skemotion.video._synthetic import Appearance, LiveClip  # noqa: E402

FIGURES = os.path.join(ROOT, "benchmarks", "figures")


def skemotion(*args, cwd):
    command = [sys.executable, "-m", "skemotion", *args]
    print("$ skemotion", " ".join(args), flush=True)
    subprocess.run(command, cwd=cwd, check=True, env=dict(os.environ, PYTHONPATH=ROOT))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        people = [
            Appearance(4, 0.0, 6.0, centre=(0.28, 0.5), face_size=120, shift=15, scale=0.05,
                       rotate=8, period=4.0,
                       expressions=[(0, "neutral"), (3.0, "happy", 0.4)]),
            Appearance(6, 0.0, 6.0, centre=(0.72, 0.48), face_size=110, shift=12,
                       scale=0.05, rotate=6, period=3.0,
                       expressions=[(0, "happy"), (3.0, "neutral", 0.4)]),
        ]
        LiveClip(people, 6.0, fps=25).write(os.path.join(tmp, "demo.mp4"), codec="mp4v")
        skemotion("train", "--pipeline", "hog_logreg_flip", "--out", "model.skops", "-q",
                  cwd=tmp)
        skemotion("watch", "demo.mp4", "--model", "model.skops", "--out", "annotated.mp4",
                  "--csv", "timeline.csv", "--plot", "timeline.png", "-q", cwd=tmp)
        video = cv2.VideoCapture(os.path.join(tmp, "annotated.mp4"))
        video.set(cv2.CAP_PROP_POS_FRAMES, 100)
        ok, frame = video.read()
        assert ok
        cv2.imwrite(os.path.join(FIGURES, "watch_frame.jpg"), frame,
                    [cv2.IMWRITE_JPEG_QUALITY, 85])
        shutil.copy(os.path.join(tmp, "timeline.png"),
                    os.path.join(FIGURES, "watch_timeline.png"))
    for name in ("watch_frame.jpg", "watch_timeline.png"):
        path = os.path.join(FIGURES, name)
        print(f"wrote {path} ({os.path.getsize(path) // 1024} KiB)")


if __name__ == "__main__":
    main()
