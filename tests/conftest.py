"""Shared fixtures: the embedded London set, and small data built in tmp_path."""

import matplotlib
import pytest

matplotlib.use("Agg")  # plots render headless in tests


@pytest.fixture(scope="session")
def london():
    """The embedded Face Research Lab London Set (204 images, neutral/happy)."""
    from skemotion.datasets import load_frl_london

    return load_frl_london()
