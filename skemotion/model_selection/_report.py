"""The evaluation report: an :class:`EvaluationResult` with what it was run on, as Markdown
and JSON (what ``skemotion evaluate --out`` writes as report.md and report.json)."""

import json
from pathlib import Path

from .. import __version__

#: What the two protocols mean (printed in every report).
PROTOCOL_NOTE = (
    "The *tutorial* protocol (StratifiedShuffleSplit) splits images at random, so photos of "
    "the same person land in training and test: its score does not tell how the model does "
    "on someone new. It is often too high (several similar images per person and emotion, as "
    "in CK+ sequences) and can be too low (on the London set, where each person has one "
    "neutral and one happy photo, a test photo is pulled towards the label of the same "
    "person's other photo in training; see benchmarks/bench_protocols.py). The *grouped* "
    "protocol "
    "(StratifiedGroupShuffleSplit) keeps every subject on one side of every split: that is "
    "the number to expect on new people."
)


class EvaluationReport:
    """An evaluation and what it was run on, as a Markdown and a JSON report.

    The report ``skemotion evaluate --out`` writes, for Python users: build it from the
    :class:`EvaluationResult` of :func:`evaluate` and a summary of the data, then print
    :meth:`to_markdown`, keep :meth:`to_dict`, or :meth:`write` both files.

    Parameters
    ----------
    result : EvaluationResult
        What :func:`evaluate` returned.
    data_name : str
        What the data is (a folder, "CK+ at ...", the embedded London set).
    n_images : int
        Images loaded, before face finding.
    crop_sizes : dict
        Pipeline name -> ``(height, width)`` of the face crops it was evaluated on.
    n_splits, test_size, seed : int, float, int
        The splits' settings (printed; :attr:`EvaluationResult.rows` hold the splits).
    face_detection : bool, default=True
        False when the images were used as face crops without detection.
    no_face_left_out, no_face_whole_image : list of str, default=()
        Images without a face found: left out, or used whole.
    unreadable_skipped : list of str, default=()
        Files that could not be read and were skipped.
    settings : dict, default=None
        More settings to record in the JSON report (e.g. the command line), first.
    figures : dict, default=None
        Figure title -> file name (relative to the report), shown in the Markdown.
    notes : list of str, default=()
        One line each, under "Notes".

    Attributes
    ----------
    protocol : str
        The protocol that picks :attr:`best_pipeline`: ``"grouped"`` when the result has
        it (the number for new people), else ``"tutorial"``, else the result's first.
    best_pipeline : str
        The pipeline with the highest mean balanced accuracy under :attr:`protocol`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyClassifier
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skemotion.model_selection import EvaluationReport, evaluate, make_protocol
    >>> X = np.r_[np.zeros((10, 4)), np.ones((10, 4))]
    >>> y = np.array(["neutral"] * 10 + ["happy"] * 10)
    >>> result = evaluate({"dummy": DummyClassifier(), "logreg": LogisticRegression()}, X, y,
    ...                   protocols={"tutorial": make_protocol("tutorial", n_splits=2)})
    >>> report = EvaluationReport(result, data_name="two blobs", n_images=20,
    ...                           crop_sizes={"dummy": (2, 2), "logreg": (2, 2)},
    ...                           n_splits=2, test_size=0.2, seed=0)
    >>> report.best_pipeline
    'logreg'
    >>> print(report.to_markdown().splitlines()[2])
    Data: two blobs: 20 images, 20 with a face found (crops 2x2).
    >>> report.to_dict()["settings"]["best_pipeline"]
    {'protocol': 'tutorial', 'name': 'logreg'}
    """

    def __init__(self, result, *, data_name, n_images, crop_sizes, n_splits, test_size, seed,
                 face_detection=True, no_face_left_out=(), no_face_whole_image=(),
                 unreadable_skipped=(), settings=None, figures=None, notes=()):
        self.result = result
        self.data_name = data_name
        self.n_images = n_images
        self.crop_sizes = {name: tuple(size) for name, size in crop_sizes.items()}
        self.n_splits = n_splits
        self.test_size = test_size
        self.seed = seed
        self.face_detection = face_detection
        self.no_face_left_out = list(no_face_left_out)
        self.no_face_whole_image = list(no_face_whole_image)
        self.unreadable_skipped = [str(f) for f in unreadable_skipped]
        self.settings = dict(settings or {})
        self.figures = dict(figures or {})
        self.notes = list(notes)
        names = list(result.protocols)
        if not names:
            raise ValueError("the result has no protocol, so there is nothing to report")
        preferred = [p for p in ("grouped", "tutorial") if p in names]
        self.protocol = (preferred or names)[0]
        rows = [r for r in result.rows if r["protocol"] == self.protocol]
        self.best_pipeline = max(rows, key=lambda r: r["balanced_accuracy_mean"])["model"]
        missing = [r["model"] for r in rows if r["model"] not in self.crop_sizes]
        if missing:
            raise ValueError(f"crop_sizes has no size for pipeline(s) {missing}")

    def to_dict(self):
        """The JSON report as plain Python types.

        Returns
        -------
        dict
            ``skemotion_version``, ``settings`` (the ``settings`` given, then the data
            summary, the splits and the best pipeline), ``evaluation``
            (:meth:`EvaluationResult.to_dict`), ``figures`` and ``notes``.
        """
        pipelines = list(dict.fromkeys(row["model"] for row in self.result.rows))
        settings = {
            **self.settings,
            "data": self.data_name,
            "face_detection": self.face_detection,
            "n_images": self.n_images,
            "n_face_crops": self.result.n_samples,
            "dropped_no_face": self.no_face_left_out,
            "whole_image_no_face": self.no_face_whole_image,
            "unreadable_skipped": self.unreadable_skipped,
            "crop_size": {name: list(self.crop_sizes[name]) for name in pipelines},
            "splits": self.n_splits,
            "test_size": self.test_size,
            "seed": self.seed,
            "pipelines": pipelines,
            "best_pipeline": {"protocol": self.protocol, "name": self.best_pipeline},
        }
        return {"skemotion_version": __version__, "settings": settings,
                "evaluation": self.result.to_dict(), "figures": self.figures,
                "notes": self.notes}

    def to_json(self, **kwargs):
        """:meth:`to_dict` as a JSON string (``kwargs`` go to :func:`json.dumps`).

        Returns
        -------
        str
        """
        kwargs.setdefault("indent", 2)
        kwargs.setdefault("default", str)
        return json.dumps(self.to_dict(), **kwargs)

    def _found(self):
        sizes = ", ".join(f"{h}x{w}" for h, w in sorted(set(self.crop_sizes.values())))
        n_crops = self.result.n_samples
        if not self.face_detection:
            return ("all used as face crops without face detection (--no-detect), resized "
                    f"to {sizes}")
        if self.no_face_whole_image:
            return (f"{n_crops - len(self.no_face_whole_image)} with a face found, "
                    f"{len(self.no_face_whole_image)} without, used whole (--on-missing "
                    f"full_image; crops {sizes})")
        return f"{n_crops} with a face found (crops {sizes})"

    def to_markdown(self):
        """The Markdown report: data, splits, the table, the best pipeline, figures, notes.

        Returns
        -------
        str
        """
        lines = [
            "# skemotion evaluation report",
            "",
            f"Data: {self.data_name}: {self.n_images} images, {self._found()}.",
        ]
        if self.no_face_left_out:
            lines.append(f"No face found, left out: {', '.join(self.no_face_left_out)}.")
        if self.no_face_whole_image:
            lines.append(f"No face found, whole image used: "
                         f"{', '.join(self.no_face_whole_image)}.")
        if self.unreadable_skipped:
            lines.append(f"Unreadable files skipped (--on-error skip): "
                         f"{', '.join(self.unreadable_skipped)}.")
        lines += [
            f"Splits: {self.n_splits} per protocol, test size {self.test_size:g}, "
            f"seed {self.seed}.",
            "",
            self.result.to_markdown(),
            PROTOCOL_NOTE,
            "",
        ]
        if self.result.n_groups is None and self.protocol == "tutorial":  # none possible
            lines += ["The data has no subject ids, so only the tutorial protocol was run: "
                      "the grouped protocol was skipped.", ""]
        lines += [
            f"Best pipeline ({self.protocol} protocol, balanced accuracy): "
            f"**{self.best_pipeline}**.",
            "",
        ]
        for title, fname in self.figures.items():
            lines += [f"## {title}", "", f"![{title}]({fname})", ""]
        if self.notes:
            lines += ["## Notes", "", *(f"- {note}" for note in self.notes), ""]
        return "\n".join(lines)

    def write(self, folder):
        """Write report.md and report.json (and cross_dataset.md with a cross-dataset
        table; an old one is removed without) into ``folder``, which must exist.

        Parameters
        ----------
        folder : str or path-like

        Returns
        -------
        list of pathlib.Path
            The files written.
        """
        folder = Path(folder)
        if not folder.is_dir():
            raise FileNotFoundError(f"No such folder for the report: {folder}")
        written = [folder / "report.md", folder / "report.json"]
        written[0].write_text(self.to_markdown(), encoding="utf-8")
        written[1].write_text(self.to_json() + "\n", encoding="utf-8")
        cross = folder / "cross_dataset.md"
        if self.result.cross_dataset:  # the train -> test table (also in both reports)
            cross.write_text(self.result.cross_dataset_markdown(), encoding="utf-8")
            written.append(cross)
        else:  # an earlier run's table would read as this run's
            cross.unlink(missing_ok=True)
        return written

    def __repr__(self):
        return (f"<EvaluationReport: {self.data_name}, {len(self.crop_sizes)} pipelines, "
                f"best {self.best_pipeline} ({self.protocol})>")
