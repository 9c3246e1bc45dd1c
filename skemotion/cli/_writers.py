"""Writing outputs: ``evaluate --out``'s report (report.md, report.json, plots, difficult
crops), ``search --out``'s tables and PNG crops."""

import re
import sys

from ._base import _bars_enabled, _info, _one_line, _print_warning, progress_bar, UsageError
from ._data import _find_difficult


def _write_report(args, prep, result, models, splits, notes=()):
    """report.md, report.json and the plots in ``args.out``; ``notes``: lines for its Notes.

    The contents come from the library (:class:`skemotion.model_selection.EvaluationReport`):
    this adds the command line's settings, the difficult images and the plots.
    """
    import shlex

    from ..model_selection import EvaluationReport

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    settings = {
        "command": "skemotion " + " ".join(
            shlex.quote(a) for a in (sys.argv[1:] if args.argv is None else args.argv)),
        "neutral": (args.neutral or "first") if args.ckplus is not None else None,
        "emotions": args.emotions,
        "on_missing": args.on_missing,
    }
    report = EvaluationReport(
        result, data_name=prep.name, n_images=len(prep.data.images),
        crop_sizes={row["model"]: prep.Xs[row["model"].removesuffix(" (calibrated)")].shape[1:]
                    for row in result.rows},
        n_splits=args.splits, test_size=args.test_size, seed=args.seed,
        face_detection=not args.no_detect, no_face_left_out=prep.dropped,
        no_face_whole_image=prep.whole_image,
        unreadable_skipped=prep.data.get("skipped") or (), settings=settings)
    best, protocol = report.best_pipeline, report.protocol
    plot_notes = []
    if best not in models:  # a calibrated row ("<name> (calibrated)", evaluate --calibrated)
        best = best.removesuffix(" (calibrated)")
        plot_notes.append(f"The best row is {report.best_pipeline}; the difficult images and "
                          f"the plots show {best} without calibration.")
    old_figures = _listed_figures(out)  # removed once the new ones are written
    X = prep.Xs[best]
    difficult = _find_difficult(args, models[best], X, prep, splits[protocol],
                                desc=f"difficult images ({best})")
    _write_difficult(difficult, X, out / "difficult")
    report.notes = list(notes) + plot_notes  # and what the plots could not show
    report.figures = _write_plots(args, prep, models, best, splits[protocol], out, difficult,
                                  report.notes)
    for name in old_figures - set(report.figures.values()):  # stale: this run did not make it
        (out / name).unlink(missing_ok=True)
    report.write(out)
    _info(args, f"wrote {out / 'report.md'}, {out / 'report.json'} and "
                f"{len(report.figures)} plots")


#: The figures ``evaluate --out`` may write; a re-run removes those its report.json lists.
FIGURE_FILES = ("confusion_matrix.png", "learning_curve.png", "difficult.png", "fisherfaces.png")


def _listed_figures(out):
    """The figure files an earlier ``evaluate --out`` wrote into ``out``, as its report.json
    lists them (only names in FIGURE_FILES). A re-run removes those it does not make again,
    after it has written its own, so a run that fails part-way leaves the old report whole."""
    import json

    try:
        old = json.loads((out / "report.json").read_text(encoding="utf-8"))
        names = set(old.get("figures", {}).values())
    except (OSError, ValueError, AttributeError):
        return set()
    return names & set(FIGURE_FILES)


def _write_difficult(result, X, folder, **kwargs):
    """``write_difficult_images`` (which first removes the crops an earlier run's
    difficult.csv in ``folder`` lists), with OS errors as one-line usage errors."""
    from ..model_selection import write_difficult_images

    try:
        return write_difficult_images(result, X, folder, **kwargs)
    except OSError as exc:
        raise UsageError(_one_line(exc)) from None


def _write_plots(args, prep, models, best, splits, out, difficult, notes):
    """The report's figures; returns ``{title: file name}``, appends to ``notes`` what a
    figure leaves out."""
    try:
        import matplotlib
    except ImportError:
        _info(args, "matplotlib is not installed: the report has no plots "
                    "(pip install 'skemotion[plot]')")
        return {}
    matplotlib.use("Agg")  # files only, never a window
    import warnings

    import matplotlib.pyplot as plt
    import numpy as np
    from sklearn.base import clone
    from sklearn.exceptions import FitFailedWarning

    from ..plotting._gallery import FisherfaceGalleryDisplay
    from ..plotting._plots import plot_confusion_matrix, plot_difficult_images, plot_learning_curve
    from ..model_selection import StratifiedGroupShuffleSplit

    figures = {}
    model = models[best]
    grouped = prep.groups is not None
    steps = ["difficult", "learning"] + (["fisherfaces"] if "fisherface" in models else [])
    with progress_bar(len(steps), "plotting", enabled=_bars_enabled(args)) as bar:
        X = prep.Xs[best]
        display = plot_confusion_matrix(difficult)
        display.ax_.set_title(f"{best}: {display.ax_.get_title()}")
        _save(display.figure_, out / "confusion_matrix.png", plt)
        figures[f"Confusion matrix ({best})"] = "confusion_matrix.png"
        bar.update()

        cv = (StratifiedGroupShuffleSplit(min(args.splits, 5), test_size=args.test_size,
                                          random_state=args.seed) if grouped else None)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", FitFailedWarning)
            try:
                display = plot_learning_curve(model, X, prep.y, groups=prep.groups, cv=cv,
                                              scoring="balanced_accuracy", n_jobs=args.n_jobs,
                                              random_state=args.seed)
            except ValueError as exc:  # e.g. too few images per class for its splits
                display = None
                _note(notes, f"Learning curve: not drawn for {best}: {_one_line(exc)}")
        for w in caught:  # everything but the failed fits goes on as before
            if not issubclass(w.category, FitFailedWarning):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if display is not None:
            failed = np.isnan(np.asarray(display.test_scores, dtype=float))
            if failed.any():
                sizes = ", ".join(
                    f"{int(size)} ({int(n)} of {failed.shape[1]} splits)"
                    for size, n in zip(display.train_sizes, failed.sum(axis=1)) if n)
                _note(notes, f"Learning curve: {best} could not be fitted with these training "
                             f"sizes, left out of the plot: {sizes}"
                             f"{_fit_failure_reason(caught)}.")
            display.ax_.set_title(f"{best}: learning curve"
                                  + (" (subject-grouped splits)" if grouped else ""))
            _save(display.figure_, out / "learning_curve.png", plt)
            figures[f"Learning curve ({best})"] = "learning_curve.png"
        bar.update()

        if difficult.records():
            display = plot_difficult_images(difficult, X, n_images=16)
            display.figure_.suptitle(f"{best}: most often misclassified (true->predicted, "
                                     f"wrong/tested over {len(splits)} splits)")
            _save(display.figure_, out / "difficult.png", plt)
            figures[f"Difficult images ({best})"] = "difficult.png"
        else:  # in report.md only: nothing is missing from the report, there is nothing to show
            notes.append(f"Difficult images: {best} misclassified no image in the "
                         f"{len(splits)} splits, so there is no difficult.png.")

        if "fisherface" in models:
            fitted = clone(models["fisherface"]).fit(prep.Xs["fisherface"], prep.y)
            display = FisherfaceGalleryDisplay.from_estimator(fitted, include_mean=True,
                                                              n_components=8)
            display.figure_.suptitle("fisherface: mean face and Fisherfaces (all images)")
            _save(display.figure_, out / "fisherfaces.png", plt)
            figures["Fisherfaces"] = "fisherfaces.png"
            bar.update()
    return figures


def _note(notes, note):
    """A note for report.md, also printed on stderr (with -q too: the report misses something)."""
    notes.append(note)
    _print_warning("evaluate", note)


def _fit_failure_reason(caught):
    """``": <the error>"`` from scikit-learn's FitFailedWarning (its last error line)."""
    from sklearn.exceptions import FitFailedWarning

    for w in caught:
        if issubclass(w.category, FitFailedWarning):
            errors = [line for line in str(w.message).splitlines()
                      if re.match(r"^\w+(Error|Exception): ", line)]
            if errors:
                return ": " + errors[-1].split(": ", 1)[1].strip()
    return ""


def _save(figure, path, plt):
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)


def _to_png_uint8(crop):
    import numpy as np

    crop = np.asarray(crop, dtype=np.float32)
    if crop.size and crop.max() <= 1.0:
        crop = crop * 255.0
    return np.clip(np.rint(crop), 0, 255).astype(np.uint8)


def _write_png(path, image):
    import cv2

    ok, buf = cv2.imencode(".png", image)
    if not ok:  # pragma: no cover - PNG encoding of uint8 arrays does not fail
        raise OSError(f"could not encode {path}")
    path.write_bytes(buf.tobytes())


def _write_table(out, stem, table, meta):
    import csv
    import json

    out.mkdir(parents=True, exist_ok=True)
    with open(out / f"{stem}.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    (out / f"{stem}.json").write_text(json.dumps({**meta, "results": table}, indent=2) + "\n",
                                      encoding="utf-8")
