"""Draw the README's Fisherface gallery: benchmarks/figures/fisherfaces.png.

Crops the embedded London set with FaceCropper (350x350, the tutorial's size), fits
FisherFaceClassifier on all 204 faces (neutral vs happy: one Fisher axis) and shows the
mean face and the Fisherface with FisherfaceGalleryDisplay.

Run from the repository root:  python benchmarks/plot_fisherfaces.py
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from skemotion import FaceCropper, FisherFaceClassifier, FisherfaceGalleryDisplay  # noqa: E402
from skemotion.datasets import load_frl_london  # noqa: E402

OUT = Path(__file__).resolve().parent / "figures" / "fisherfaces.png"


def main():
    london = load_frl_london()
    crops = FaceCropper(output_size=(350, 350), on_missing="full_image").transform(london.images)
    clf = FisherFaceClassifier(image_shape=(350, 350)).fit(crops, london.target)
    disp = FisherfaceGalleryDisplay.from_estimator(clf, include_mean=True, n_cols=2)
    disp.axes_[1].set_title("Fisherface 1: neutral vs happy", fontsize=8)
    disp.figure_.set_size_inches(5, 2.9)
    disp.figure_.savefig(OUT, dpi=110, bbox_inches="tight")
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
