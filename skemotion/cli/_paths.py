"""Path safety: what a command may read and where it may write (nothing outside the folder
the user named, no output over an input or inside a data folder)."""

from pathlib import Path

from ._base import _listing, _print_warning, UsageError


def _check_dir(path, option):
    if not path.exists():
        raise UsageError(f"{option}: no such directory: {path}")
    if not path.is_dir():
        raise UsageError(f"{option}: not a directory: {path}")


def _image_files(paths, *, exclude=None, command=None):
    """Image files named on the command line: files as given, folders searched recursively.

    With ``command``, the other files of the searched folders (not hidden, not clutter
    such as Thumbs.db) are named in one warning: they are left out, not read.
    """
    from ..utils._image_io import is_hidden_or_clutter, is_image_file

    files, ignored = [], []
    for path in paths:
        if not path.exists():
            raise UsageError(f"no such file or directory: {path}")
        if path.is_dir():
            candidates = [f for f in path.rglob("*")
                          if f.is_file()
                          and not any(is_hidden_or_clutter(part)
                                      for part in f.relative_to(path).parts)
                          and (exclude is None or not _is_inside(f, exclude))]
            ignored += [f for f in candidates if not is_image_file(f)]
            found = sorted((f for f in candidates if is_image_file(f)),
                           key=lambda f: str(f.relative_to(path)))
            if not found:
                if exclude is not None and _is_inside(path, exclude):
                    where = ("is OUT_DIR" if path.resolve() == Path(exclude).resolve()
                             else f"lies inside OUT_DIR {exclude}")
                    raise UsageError(
                        f"{path} {where}, whose files are never read as input (they may be "
                        "crops of an earlier run): give another OUT_DIR")
                raise UsageError(f"no image files in {path}")
            files += [(f, path) for f in found]
        else:
            files.append((path, path.parent))
    if ignored and command is not None:
        _print_warning(command, f"left out {len(ignored)} file(s) whose ending is not an "
                                f"image type OpenCV reads: {_listing(sorted(ignored))}")
    return files


def _refuse_output_in_data(args, out, option):
    """UsageError when an output (file or folder) lies inside a --ckplus/--folder root:
    what is written there could replace data files or be read as data by the next run."""
    for root in [getattr(args, "ckplus", None)] + list(getattr(args, "folder", None) or []):
        _refuse_output_inside(out, root, option)


def _refuse_output_inside(out, root, option, what="the data folder"):
    """UsageError when ``out`` lies inside the input folder ``root`` (or is ``root``)."""
    if out is not None and root is not None and _is_inside(out, root):
        raise UsageError(f"{option} {out} lies inside {what} {root}: what is written there "
                         "could replace data files or be read as data by the next run; "
                         "write it elsewhere")


def _refuse_out_over_input(out, inputs, what="an input file"):
    """UsageError when ``--out`` would replace one of ``inputs`` (files read by the run)."""
    target = out.resolve()
    for path in inputs:
        if Path(path).resolve() == target:
            raise UsageError(f"--out {out} is {what} of this run: writing it would replace "
                             "that file; give another file name")


def _is_inside(path, folder):
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
    except ValueError:
        return False
    return True


def _crop_destinations(files, out):
    """Where ``crop`` writes each input's crop: OUT_DIR/<path under INPUT>.png.

    Checked before anything is written: a crop never replaces an input file, and two
    inputs never share a crop (photo.jpg and photo.png in one folder).
    """
    dests = [(out / f.relative_to(base)).with_suffix(".png") for f, base in files]
    inputs = {f.resolve(): f for f, _ in files}
    seen = {}
    for (f, _), dest in zip(files, dests):
        key = dest.resolve()
        if key in inputs:
            raise UsageError(f"the crop of {f} would overwrite the input file {inputs[key]}: "
                             "give an OUT_DIR that holds no input images")
        if key in seen:
            raise UsageError(f"{seen[key]} and {f} would both be cropped to {dest}: rename one "
                             "of them (crops are named after the input with the suffix .png)")
        seen[key] = f
    return dests
