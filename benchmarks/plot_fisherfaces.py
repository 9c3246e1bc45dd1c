"""Draw the Fisherface gallery shown in benchmarks/README.md: benchmarks/figures/fisherfaces.png.

Crops the embedded London set with FaceCropper (350x350, the tutorial's size), fits
FisherFaceClassifier on all 204 faces (neutral vs happy: one Fisher axis) and shows the
mean face and the Fisherface with FisherfaceGalleryDisplay.

Run from the repository root:  python benchmarks/plot_fisherfaces.py [--out PNG]
"""

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skemotion import FaceCropper, FisherFaceClassifier, FisherfaceGalleryDisplay  # noqa: E402
from skemotion.datasets import load_frl_london  # noqa: E402

OUT = Path(__file__).resolve().parent / "figures" / "fisherfaces.png"


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="example: python benchmarks/plot_fisherfaces.py --out /tmp/fisherfaces.png")
    parser.add_argument("--out", type=Path, default=OUT,
                        help="PNG file to write (default: %(default)s)")
    args = parser.parse_args(argv)
    if not args.out.parent.is_dir():
        parser.error(f"--out: folder {args.out.parent} does not exist")
    london = load_frl_london()
    crops = FaceCropper(detector="haar", output_size=(350, 350),
                        on_missing="full_image").transform(london.images)
    clf = FisherFaceClassifier(image_shape=(350, 350)).fit(crops, london.target)
    # 8 x 4.4 inches at 130 dpi (about 1050 x 570 pixels), fonts scaled to match
    with matplotlib.rc_context({"font.size": 13}):
        disp = FisherfaceGalleryDisplay.from_estimator(
            clf, include_mean=True, n_cols=2,
            title=f"FisherFaceClassifier on the {len(crops)} London faces (350x350 crops)")
        disp.axes_[1].set_title("Fisherface 1: neutral vs happy", fontsize="small")
        disp.figure_.set_size_inches(8, 4.4)
        disp.figure_.savefig(args.out, dpi=130, bbox_inches="tight")
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
