"""``skemotion crop``: face crops of a folder of images and a detection report."""

from pathlib import Path

from ._base import (add_command, _bars_enabled, _listing, _one_line, _print_warning, progress_bar,
                    UsageError)
from ._data import _chunk_size, _chunks, _make_cropper, _output_shape
from ._options import _crop_parent, _run_parent
from ._paths import _crop_destinations, _image_files, _refuse_output_inside
from ._writers import _to_png_uint8, _write_png


def add_parser(subparsers):
    p = add_command(
        subparsers, "crop", run,
        help="write face crops of a folder of images and a detection report",
        description="Find the face in every image under INPUT (recursively) and write the "
        "gray crops as PNG under OUT_DIR, mirroring INPUT's folders, plus "
        "OUT_DIR/detections.csv (file, whether and where a face was found, by which detector "
        "or cascade, YuNet's score). "
        "Images without a face are listed in the report and not written (with --on-missing "
        "full_image: written as the whole image). A crop is named after its image with the "
        "suffix .png (a/photo.jpg -> OUT_DIR/a/photo.png); inputs that would share a crop "
        "name (photo.jpg and photo.png) or a crop that would replace an input image are "
        "errors, found before anything is written, and so is an OUT_DIR inside INPUT (a "
        "second run would crop the crops).",
        example="  skemotion crop sorted_set/ dataset/ --crop-size 350",
        parents=[_crop_parent(), _run_parent(cv=False)],
    )
    p.add_argument("input", metavar="INPUT", type=Path, help="an image file or a folder of images")
    p.add_argument("out_dir", metavar="OUT_DIR", type=Path, help="where to write the crops")
    p.add_argument("--on-error", choices=("raise", "skip"), default="raise",
                   help="image files that cannot be read: stop with an error naming the file, "
                        "or skip them (listed in a warning and, with the reason, in the error "
                        "column of detections.csv) (default: %(default)s)")


def run(args):
    import csv

    import numpy as np

    from ..utils._image_io import read_image

    out = args.out_dir
    if out.exists() and not out.is_dir():
        raise UsageError(f"OUT_DIR is not a directory: {out}")
    if args.input.is_dir() and out.resolve() != args.input.resolve():  # == : message below
        _refuse_output_inside(out, args.input, "OUT_DIR", "the input folder")
    files = _image_files([args.input], exclude=out, command=args.command)
    destinations = _crop_destinations(files, out)
    cropper = _make_cropper(args).set_params(on_missing="full_image")
    h, w = _output_shape(cropper)
    rows, n_written, unreadable = [], 0, []
    chunk = _chunk_size(args)
    with progress_bar(len(files), "cropping faces", enabled=_bars_enabled(args)) as bar:
        for part in _chunks(len(files), chunk):
            batch = files[part]
            images, errors = {}, {}  # by position in the batch
            for i, (f, _) in enumerate(batch):
                try:
                    images[i] = read_image(f)
                except (OSError, ValueError) as exc:
                    if args.on_error == "raise":
                        raise UsageError(_one_line(exc)) from None
                    errors[i] = _one_line(exc)
                    unreadable.append(f)
            readable = sorted(images)
            detections = (dict(zip(readable, cropper.detect([images[i] for i in readable])))
                          if readable else {})
            lost = [i for i in readable if not detections[i].found]
            if args.on_missing == "raise" and lost:
                raise UsageError(f"no face found in {batch[lost[0]][0]} (--on-missing drop skips "
                                 "such images, full_image keeps the whole image)")
            use = [i for i in readable
                   if detections[i].found or args.on_missing == "full_image"]
            crops = {}
            if use:
                crops = dict(zip(use, cropper.transform([images[i] for i in use])))
            for i, (f, base) in enumerate(batch):
                if i in errors:
                    rows.append({"file": str(f), "face_found": False, "error": errors[i]})
                    continue
                row = {"file": str(f), **_detection_row(detections[i])}
                if i in crops:
                    dest = destinations[part.start + i]
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    _write_png(dest, _to_png_uint8(np.reshape(crops[i], (h, w))))
                    row["crop"] = str(dest.relative_to(out))
                    n_written += 1
                rows.append(row)
            bar.update(len(batch))
    if unreadable and len(unreadable) == len(files):
        raise UsageError(f"none of the {len(files)} image files could be read (first: "
                         f"{unreadable[0]}: {rows[0]['error']})")
    if unreadable:
        _print_warning(args.command, f"skipped {len(unreadable)} image file(s) that could not "
                                     f"be read (--on-error skip): {_listing(unreadable)}")
    out.mkdir(parents=True, exist_ok=True)
    fields = ["file", "face_found", "cascade", "x", "y", "width", "height", "faces_per_cascade",
              "eyes", "score", "crop"] + (["error"] if unreadable else [])
    with open(out / "detections.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields, restval="")
        writer.writeheader()
        writer.writerows(rows)
    n_found = sum(r["face_found"] for r in rows)
    n_read = len(rows) - len(unreadable)
    print(f"{out}: face found in {n_found} of {n_read} images, {n_written} crops written"
          + (f", {len(unreadable)} unreadable skipped" if unreadable else "")
          + f", report in {out / 'detections.csv'}")
    return 0


def _detection_row(det):
    """One CSV row's detection fields from a :class:`FaceDetection`."""
    row = {"face_found": det.found, "cascade": det.cascade or "", "eyes": det.eyes or "",
           "score": "" if det.score is None else f"{det.score:.3f}",
           "faces_per_cascade": ";".join(f"{k}:{v}" for k, v in (det.face_counts or {}).items())}
    if det.box is not None:
        row.update(zip(("x", "y", "width", "height"), (int(v) for v in det.box)))
    return row
