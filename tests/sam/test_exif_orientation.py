"""#22.5: every image reader returns the picture as shown, i.e. with its EXIF orientation applied.

Phone JPEGs store the pixels sideways plus an ``Orientation`` tag; a reader that ignores the tag gives
a 200x100 array for a picture shown 100x200, and masks no longer line up with what the user clicked.
The JPEGs are made here with PIL for all 8 orientations (the stored pixels per the EXIF spec).
"""
import io

import numpy as np
import pytest
from PIL import Image

from radio_dense.analysis.features import load_images
from radio_dense.apps.sam_web.upload import decode_upload
from radio_dense.sam.utils.image_io import read_rgb

# 2 x 4 blocks of 16 px, all colours different: any wrong flip or turn moves a block
UPRIGHT = np.kron(np.random.default_rng(0).integers(0, 256, (2, 4, 3)), np.ones((16, 16, 1))).astype(np.uint8)

#: EXIF orientation -> the stored pixels of an upright picture ``u`` (row 0 / column 0 as the spec says)
STORED = {
    1: lambda u: u,
    2: lambda u: u[:, ::-1],                 # mirrored horizontally
    3: lambda u: u[::-1, ::-1],              # turned 180 degrees
    4: lambda u: u[::-1],                    # mirrored vertically
    5: lambda u: u.transpose(1, 0, 2),       # mirrored along the main diagonal
    6: lambda u: np.rot90(u, 1),             # shown after a 90 degree clockwise turn
    7: lambda u: np.rot90(u, -1)[::-1],      # mirrored along the anti-diagonal
    8: lambda u: np.rot90(u, -1),            # shown after a 90 degree counter-clockwise turn
}


def _jpeg(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(STORED[orientation](UPRIGHT))).save(
        out, 'JPEG', exif=exif.tobytes(), quality=95, subsampling=0)
    return out.getvalue()


def _assert_upright(rgb: np.ndarray, reference: np.ndarray = UPRIGHT) -> None:
    assert rgb.shape == reference.shape
    # JPEG noise is ~0.3 levels on flat blocks; one misplaced block costs > 10
    assert np.abs(rgb.astype(int) - reference).mean() < 2


@pytest.fixture(scope='module')
def jpegs(tmp_path_factory):
    folder = tmp_path_factory.mktemp('exif')
    paths = {}
    for orientation in STORED:
        paths[orientation] = folder / f'orientation_{orientation}.jpg'
        paths[orientation].write_bytes(_jpeg(orientation))
    return paths


@pytest.mark.parametrize('orientation', sorted(STORED))
def test_exif_orientation_read_rgb_and_analysis_images(jpegs, orientation):
    path = str(jpegs[orientation])
    assert Image.open(path).size != (64, 32) or orientation < 5  # the stored pixels really are sideways
    _assert_upright(read_rgb(path))
    _assert_upright(load_images([path])[0])


@pytest.mark.parametrize('orientation', sorted(STORED))
def test_exif_orientation_app_upload(orientation):
    data = _jpeg(orientation)
    image, original = decode_upload(data, 1 << 20, 10 ** 6)
    assert original == (32, 64)  # (H, W) as the browser shows it: clicks arrive in these coordinates
    _assert_upright(image)
    small, original = decode_upload(data, 1 << 20, 10 ** 6, max_side=32)  # stored downscaled at decode
    assert original == (32, 64) and small.shape == (16, 32, 3)
    _assert_upright(small, UPRIGHT[::2, ::2])


def test_exif_orientation_mmcv_datasets_agree(jpegs):
    """mmseg/mmdet data sets read through mmcv (cv2), which applies the tag itself: the same picture."""
    mmcv = pytest.importorskip('mmcv')
    for path in jpegs.values():
        _assert_upright(mmcv.imread(str(path))[..., ::-1])
