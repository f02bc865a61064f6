"""Fixtures of the SAM tests: a synthetic image with shapes and a RadioSam on the radio_tiny fixture."""
import numpy as np
import pytest

from radio_dense.sam import build_radio_sam


def shapes_image(height: int = 240, width: int = 320, seed: int = 0) -> np.ndarray:
    """An RGB uint8 picture: textured background, a red disc and a blue rectangle."""
    rng = np.random.default_rng(seed)
    image = (rng.random((height, width, 3)) * 60 + 90).astype(np.uint8)
    yy, xx = np.mgrid[:height, :width]
    disc = (yy - height * 0.45) ** 2 + (xx - width * 0.3) ** 2 < (min(height, width) * 0.2) ** 2
    image[disc] = (220, 40, 40)
    image[int(height * 0.2):int(height * 0.7), int(width * 0.6):int(width * 0.9)] = (40, 80, 220)
    return image


@pytest.fixture(scope='session')
def radio_sam(hub_checkpoint):
    """RadioSam on radio_tiny's ``sam`` adaptor with a random (seeded) SAM decoder."""
    return build_radio_sam(dict(source=hub_checkpoint), neck='adaptor', seed=0)


@pytest.fixture(scope='session')
def demo_data(tmp_path_factory):
    """A small synthetic COCO-format set (radio_dense.data, the demo data writer): 24 train / 8 val images."""
    from radio_dense.data import write_demo_dataset
    root = tmp_path_factory.mktemp('sam_demo_data')
    write_demo_dataset(str(root), num_train=24, num_val=8, size=128, seed=0, progress=False)
    return root
