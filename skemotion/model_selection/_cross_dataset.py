"""Cross-dataset evaluation for :func:`~skemotion.model_selection.evaluate`.

With data from several sources (``concat_datasets``' ``source`` field), the
``"cross-dataset"`` protocol is scikit-learn's
:class:`~sklearn.model_selection.LeaveOneGroupOut` on the sources: train on every source
but one, test on the one left out, once per source. Subjects are never shared between
sources (``concat_datasets`` prefixes their ids with the source name; :func:`check_sources`
refuses data where one subject id is in two sources), so no person is on both sides.
The results form a train -> test table: one line per held-out source and model.
"""

import numpy as np


def check_sources(sources, groups, n_samples):
    """``sources`` as an array; ValueError if it cannot drive a cross-dataset protocol.

    Examples
    --------
    >>> from skemotion.model_selection._cross_dataset import check_sources
    >>> check_sources(["a", "a", "b"], ["a:1", "a:2", "b:1"], 3).tolist()
    ['a', 'a', 'b']
    >>> check_sources(["a", "a", "b"], [1, 2, 1], 3)
    Traceback (most recent call last):
    ...
    ValueError: Subject 1 is in two sources ('a' and 'b'): ...
    """
    sources = np.asarray(sources, dtype=object).reshape(-1)
    if len(sources) != n_samples:
        raise ValueError(f"X has {n_samples} samples but sources has {len(sources)} entries.")
    missing = [i for i, s in enumerate(sources)
               if s is None or (isinstance(s, (float, np.floating)) and s != s)]
    if missing:
        raise ValueError(f"sources has no source name (None or NaN) for {len(missing)} "
                         f"sample(s), the first {missing[:5]}: every sample needs one.")
    sources = sources.astype(str).astype(object)
    names = sorted(set(sources.tolist()))
    if len(names) < 2:
        raise ValueError(
            f"The 'cross-dataset' protocol trains on every source but one and tests on the "
            f"one left out: it needs samples from at least 2 sources, but sources= holds only "
            f"{names[0]!r} ({n_samples} samples). Merge datasets with "
            "skemotion.datasets.concat_datasets and pass its source field.")
    if groups is not None:
        owner = {}
        for subject, source in zip(np.asarray(groups).tolist(), sources.tolist()):
            first = owner.setdefault(subject, source)
            if first != source:
                raise ValueError(
                    f"Subject {subject!r} is in two sources ({first!r} and {source!r}): a "
                    "cross-dataset split would put the same person in training and in test. "
                    "Give each source its own subject ids (concat_datasets prefixes them "
                    "with the source name).")
    return sources


def split_sources(splits, sources):
    """Per split: the sources of its training and test parts, and their sizes."""
    return [{"train": sorted(set(sources[train].tolist())),
             "test": sorted(set(sources[test].tolist())),
             "n_train": int(len(train)), "n_test": int(len(test))}
            for train, test in splits]


def _is_cross_dataset(split_info):
    return bool(split_info) and all(
        len(s["test"]) == 1 and s["test"][0] not in s["train"] for s in split_info)


def cross_dataset_rows(rows, classes):
    """The train -> test table: one dict per (held-out source, model), for the protocols
    whose every split tests one source that is not in its training part."""
    out = []
    protocols = []
    for row in rows:
        if row["protocol"] not in protocols and _is_cross_dataset(row.get("split_sources")):
            protocols.append(row["protocol"])
    for protocol in protocols:
        mine = [r for r in rows if r["protocol"] == protocol]
        for k, info in enumerate(mine[0]["split_sources"]):
            for row in mine:
                out.append({
                    "model": row["model"],
                    "protocol": protocol,
                    "train": info["train"],
                    "test": info["test"][0],
                    "n_train": info["n_train"],
                    "n_test": info["n_test"],
                    "accuracy": row["scores"]["accuracy"][k],
                    "balanced_accuracy": row["scores"]["balanced_accuracy"][k],
                    "recall": {c: row["scores"]["recall"][c][k] for c in classes},
                    "picked": row["picked"][k] if "picked" in row else None,
                })
    return out


def cross_dataset_table(entries, classes):
    """(header, body) of the train -> test table, cells as strings."""
    header = ["model", "train -> test", "n train", "n test", "accuracy", "balanced acc."]
    header += [f"recall {c}" for c in classes]
    body = []
    for e in entries:
        model = e["model"] if e["picked"] is None else f"{e['model']}: {e['picked']}"
        line = [model, f"{' + '.join(e['train'])} -> {e['test']}", str(e["n_train"]),
                str(e["n_test"]), f"{e['accuracy']:.3f}", f"{e['balanced_accuracy']:.3f}"]
        line += ["n/a" if e["recall"][c] is None else f"{e['recall'][c]:.3f}" for c in classes]
        body.append(line)
    return header, body
