import struct

import cv2
import numpy as np
import pytest

from skemotion import read_image
from skemotion.utils._image_io import is_image_file
from skemotion.utils._validation import to_gray, to_uint8


@pytest.fixture
def photo(london):
    return london.images[0]


# JPEG stores neither alpha nor 16 bits: those kinds are PNG only.
@pytest.mark.parametrize(
    "ext, kind",
    [(".png", k) for k in ("gray", "bgr", "bgra", "gray16", "bgr16")]
    + [(".jpg", k) for k in ("gray", "bgr")],
)
def test_read_image_decodes_to_uint8(tmp_path, photo, ext, kind):
    image = {
        "gray": cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY),
        "bgr": photo,
        "bgra": cv2.cvtColor(photo, cv2.COLOR_BGR2BGRA),
        "gray16": cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY).astype(np.uint16) * 257,
        "bgr16": photo.astype(np.uint16) * 257,
    }[kind]
    path = tmp_path / f"ünïcode dir with spaces/face {kind}{ext}"
    path.parent.mkdir()
    ok, buf = cv2.imencode(ext, image)
    assert ok
    buf.tofile(str(path))
    out = read_image(path)
    assert out.dtype == np.uint8
    assert out.shape[:2] == photo.shape[:2]
    gray = read_image(path, gray=True)
    assert gray.ndim == 2
    ref = cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY).astype(int)
    tol = 6 if ext == ".jpg" else 1
    assert np.abs(gray.astype(int) - ref).mean() < tol


def _with_exif_orientation(jpeg_bytes, orientation):
    """The JPEG with an EXIF APP1 segment holding only the Orientation tag (0x0112)."""
    tiff = (b"MM\x00\x2a" + struct.pack(">I", 8) + struct.pack(">H", 1)
            + struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0) + struct.pack(">I", 0))
    app1 = b"Exif\x00\x00" + tiff
    return jpeg_bytes[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + jpeg_bytes[2:]


def test_read_image_applies_exif_orientation(tmp_path, photo):
    # a phone photo stored sideways with "rotate 90 degrees clockwise to view" (6)
    sideways = cv2.rotate(photo, cv2.ROTATE_90_COUNTERCLOCKWISE)
    path = tmp_path / "phone.jpg"
    path.write_bytes(_with_exif_orientation(cv2.imencode(".jpg", sideways)[1].tobytes(), 6))
    upright = read_image(path)
    assert upright.shape == photo.shape
    assert np.abs(upright.astype(int) - photo.astype(int)).mean() < 6  # JPEG loss only
    np.testing.assert_array_equal(upright, cv2.imread(str(path)))


def test_read_image_missing_and_corrupt(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothere.png"):
        read_image(tmp_path / "nothere.png")
    with pytest.raises(IsADirectoryError, match="is a folder, not an image file"):
        read_image(tmp_path)
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"this is not a png")
    with pytest.raises(ValueError, match="bad.png"):
        read_image(bad)
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="empty.jpg"):
        read_image(empty)


def test_is_image_file():
    assert is_image_file("a/S005_001_00000001.png")
    assert is_image_file("x.JPG")
    assert not is_image_file(".DS_Store")
    assert not is_image_file("Thumbs.db")
    assert not is_image_file("._hidden.png")
    assert not is_image_file("notes.txt")


def test_to_uint8_and_gray():
    f = np.linspace(0, 1, 16, dtype=np.float32).reshape(4, 4)
    assert to_uint8(f).max() == 255
    with pytest.raises(ValueError, match="NaN"):
        to_uint8(np.full((3, 3), np.nan), source="sample 4")
    # integer pixels other than uint16 (FER-2013 pixel strings parsed to int64) are 8-bit values
    pixels = np.arange(0, 256, dtype=np.uint8).reshape(16, 16)
    for dtype in (np.int64, np.int32, np.int16, np.uint32):
        np.testing.assert_array_equal(to_uint8(pixels.astype(dtype)), pixels)
    np.testing.assert_array_equal(to_uint8(pixels.astype(np.uint16) * 257), pixels)  # 16-bit
    with pytest.raises(ValueError, match=r"sample 2.*int64 values from -1 to 255.*0\.\.255"):
        to_uint8(np.r_[-1, 255].astype(np.int64), source="sample 2")
    # floats: a little outside [0, 255] (resampling overshoot) is clipped; 16-bit values
    # as floats, or data far below 0, are an error rather than a white or black image
    np.testing.assert_array_equal(to_uint8(np.array([[-3.0, 260.0]])), [[0, 255]])
    np.testing.assert_array_equal(to_uint8(np.array([[-0.05, 1.0]])), [[0, 255]])
    # a [0, 1] image with a little overshoot stays a [0, 1] image (not near-black)
    np.testing.assert_array_equal(to_uint8(np.array([[0.5, 1.05]])), [[128, 255]])
    with pytest.raises(ValueError, match=r"sample 3.*float values from 0 to 65535.*uint16"):
        to_uint8(np.array([[0.0, 65535.0]]), source="sample 3")
    with pytest.raises(ValueError, match=r"float values from -2 to 0\.5"):
        to_uint8(np.array([[-2.0, 0.5]]))  # standardised, not an image
    with pytest.raises(ValueError, match="at least 2x2"):
        to_gray(np.zeros((1, 5), np.uint8))
    with pytest.raises(ValueError, match="expected"):
        to_gray(np.zeros((4, 4, 2), np.uint8))


def test_truncated_png_is_named_without_libpng_noise(tmp_path, capfd):
    """A PNG cut short is refused before OpenCV decodes it, so libpng prints nothing."""
    image = (np.arange(64 * 64) % 251).astype(np.uint8).reshape(64, 64)
    data = cv2.imencode(".png", image)[1].tobytes()
    whole, cut = tmp_path / "whole.png", tmp_path / "cut.png"
    whole.write_bytes(data)
    cut.write_bytes(data[: len(data) // 2])
    np.testing.assert_array_equal(read_image(whole), image)
    trailing = tmp_path / "trailing.png"  # bytes after the end chunk: still a good PNG
    trailing.write_bytes(data + bytes(5000))
    np.testing.assert_array_equal(read_image(trailing), image)
    with pytest.raises(ValueError, match=r"cut.png: a PNG file cut short"):
        read_image(cut)
    assert capfd.readouterr().err == ""
