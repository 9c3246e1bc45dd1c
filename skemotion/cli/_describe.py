"""``skemotion describe``: a dataset's classes, subjects and image sizes."""

from ._base import add_command
from ._data import _load_data
from ._options import _data_parent


def add_parser(subparsers):
    add_command(
        subparsers, "describe", run,
        help="summarise a dataset (classes, subjects, image sizes)",
        description="Summarise a dataset: images per class, subjects, images per subject, "
        "image sizes. Without data options: the embedded London set.",
        example="  skemotion describe --ckplus ~/CK+ --emotions anger,happy,surprise",
        parents=[_data_parent()],
    )


def run(args):
    from ..datasets import describe_dataset

    data, name = _load_data(args)
    print(describe_dataset(data, name=name))
    return 0
