"""The tracked text files speak of the project, not of how it was made.

Docs, docstrings, comments, benchmarks and tests say what the code does and why, with evidence;
notes on work sessions, ticket numbers, who did what, rounds of attempts, CI time budgets or
commit hashes belong in the version history, not in the files. This test scans every file
``git ls-files`` lists with a text suffix (and ``.ci/``) for a few such phrases and reports
each hit as ``file:line``. Outside a git checkout (an installed sdist) it is skipped.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SUFFIXES = (".py", ".md", ".txt", ".cfg", ".toml")

# Each pattern is split in two strings so that this file does not match itself.
PATTERNS = [re.compile(a + b) for a, b in [
    (r"\bsess", r"ions? \d"),                                    # a numbered work session
    (r"\b[Ii]ss", r"ues? #?\d+"),                                # a ticket number
    (r"\bengin", r"eer [A-Z]\b"),                                # a person by letter
    (r"\bCI bud", r"get"),
    (r"\b(?:the|this) [a-z-]+ iss", r"ue (?:asks|wants|says)"),
    # a short commit hash in prose; not a full 40-digit hash naming where a file was copied
    # from, and not the "skemotion 0.1.0 (commit <hash>)" header of a recorded run
    (r"(?<!\d\.\d \()\bcom", r"mits? [0-9a-f]{7,12}\b"),
    (r"\b(?:first|second|third|fourth|fifth) rou", r"nd\b"),
    (r"\bas as", r"ked\b"),
]]


def _tracked_text_files():
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    run = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True)
    if run.returncode != 0:
        pytest.skip("not a git checkout (e.g. installed from an sdist)")
    names = [n for n in run.stdout.decode("utf-8").split("\0") if n]
    return [n for n in names if n.endswith(SUFFIXES) or n.startswith(".ci/")]


def _hits(text):
    """(line number, line) of every line of ``text`` that matches a pattern."""
    return [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1)
            if any(p.search(line) for p in PATTERNS)]


def test_patterns_find_what_they_are_for():
    samples = ["in sess" "ion 7 we", "see iss" "ue #12", "engin" "eer G found", "the CI bud" "get",
               "as the accuracy iss" "ue asks for", "at com" "mit a2f5019", "a second rou" "nd"]
    assert all(_hits(sample) for sample in samples)
    clean = ["an issue with the camera", "round(x, 3)", "alternating rounds of timing",
             "one session of a reader", "commit your changes", "a known issue of OpenCV 5.0",
             "skemotion 0.1.0 (com" "mit 6011a92), Python 3.11.7",
             "copied from upstream at com" "mit fa8b78fda2d659bb74ce62fcd99c4407551d2a77"]
    assert not any(_hits(sample) for sample in clean)


def test_tracked_text_has_no_notes_on_how_the_project_was_made():
    files = _tracked_text_files()
    assert files, "git ls-files listed no text files"
    found = []
    for name in files:
        path = REPO / name
        if not path.is_file():          # deleted in the work tree, not yet in the index
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{name}:{number}: {line[:120]}" for number, line in _hits(text)]
    assert not found, "words about how the project was made:\n" + "\n".join(found)
