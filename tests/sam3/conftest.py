"""Fixtures of the SAM3 tests: tiny random SAM3 models (sam3's own modules) and a RADIO with a sam3 adaptor."""
import argparse

import numpy as np
import pytest
import torch

pytest.importorskip('sam3', reason='the SAM3 path needs the sam3 package (pip install sam3==0.1.4)')

from radio_dense.radio.adaptors import MLPv2  # noqa: E402
from radio_dense.sam3 import SAM3_TINY, build_sam3_image  # noqa: E402


def scene_image(height: int = 200, width: int = 300, seed: int = 0) -> np.ndarray:
    """RGB uint8: noisy background, two red discs and a blue bar (non-square)."""
    rng = np.random.default_rng(seed)
    image = (rng.random((height, width, 3)) * 50 + 100).astype(np.uint8)
    yy, xx = np.mgrid[:height, :width]
    for cy, cx in ((0.35, 0.25), (0.6, 0.55)):
        image[(yy - height * cy) ** 2 + (xx - width * cx) ** 2 < (0.12 * min(height, width)) ** 2] = (210, 40, 40)
    image[int(height * 0.15):int(height * 0.85), int(width * 0.8):int(width * 0.9)] = (40, 70, 210)
    return image


@pytest.fixture(scope='session')
def tiny_sam3():
    """A random SAM3_TINY image model with SAM3's own ViT trunk (224 px, 16 x 16 tokens)."""
    return build_sam3_image(SAM3_TINY, seed=0)


def write_sam3_radio_checkpoint(source: str, target: str, out_dim: int, seed: int = 0) -> str:
    """A copy of the radio_tiny torch.hub checkpoint whose ``sam`` teacher became a ``sam3`` one.

    The ``sam3`` feature projection is a new random MLP v2 (our adaptor class) of ``out_dim``
    channels, stored like the released files (half precision, ``_feature_projections.<i>``).
    """
    with torch.serialization.safe_globals([argparse.Namespace]):
        chk = torch.load(source, map_location='cpu', weights_only=True)
    args = chk['args']
    index = [t['name'] for t in args.teachers].index('sam')
    args.teachers[index] = dict(args.teachers[index], name='sam3')
    state = chk['state_dict']
    prefix = f'_feature_projections.{index}.'
    old = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    hidden, in_dim = old['fc1.weight'].shape
    torch.manual_seed(seed)
    mlp = MLPv2(in_dim, hidden, out_dim, num_inner=len({k.split('.')[1] for k in old if k.startswith('blocks.')}),
                pre_norm='pre_norm.0.weight' in old)
    state = {k: v for k, v in state.items() if not k.startswith(prefix)}
    state.update({prefix + k: v.half() for k, v in mlp.state_dict().items()})
    torch.save({'args': args, 'state_dict': state}, target)
    return target


@pytest.fixture(scope='session')
def radio_sam3_app_state(sam3_radio_checkpoint, named_class_embeddings):
    """The web app's state on radio_tiny (sam3 adaptor) + a random SAM3_TINY; every query shown. Its
    "Segment by name" field runs the same RADIO's siglip adaptor with the named test embeddings."""
    from radio_dense.analysis.segment_by_name import NameSegmenter
    from radio_dense.apps.sam_web.names import NamesField
    from radio_dense.sam3 import build_radio_sam3
    from radio_dense.apps.sam_web.sam3_state import Sam3AppState
    model = build_radio_sam3(dict(source=sam3_radio_checkpoint), size=SAM3_TINY, seed=0)
    names = NameSegmenter(sam3_radio_checkpoint, class_embeddings=named_class_embeddings, short_side=128,
                          slide=(128, 96), random_weights=True, device='cpu')
    return Sam3AppState(model, 'radio_tiny (random sam3 adaptor) + random tiny SAM3', resolutions=[256, 320],
                        confidence_threshold=0.0, max_bytes=1_000_000, names=NamesField(names))


@pytest.fixture(scope='session')
def sam3_radio_checkpoint(hub_checkpoint, tmp_path_factory) -> str:
    """radio_tiny with a ``sam3`` adaptor whose width matches SAM3_TINY's ViT (96 channels)."""
    target = tmp_path_factory.mktemp('sam3_radio') / 'radio-tiny-sam3.pth.tar'
    return write_sam3_radio_checkpoint(hub_checkpoint, str(target), SAM3_TINY.vit_dim)
