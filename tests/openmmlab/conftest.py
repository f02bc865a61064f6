"""Checkpoints for the backbone tests: radio_tiny re-saved with a non-CLIP input conditioner and,
optionally, a PHI-S-style intermediate feature normaliser (the fixture itself has neither)."""
import pytest
import torch

from radio_dense import load_radio
from radio_dense.radio.feature_normalizer import IntermediateFeatureNormalizer
from radio_dense.radio.hub_export import save_hub_checkpoint

from ..conftest import ADAPTORS

NON_CLIP_MEAN = (0.5, 0.4, 0.3)
NON_CLIP_STD = (0.2, 0.25, 0.3)


def _resaved(hub_checkpoint: str, path, with_intermediate_normalizer: bool) -> str:
    model = load_radio(hub_checkpoint, adaptor_names=ADAPTORS)
    model.input_conditioner.norm_mean.copy_(torch.tensor(NON_CLIP_MEAN).view(3, 1, 1))
    model.input_conditioner.norm_std.copy_(torch.tensor(NON_CLIP_STD).view(3, 1, 1))
    if with_intermediate_normalizer:
        g = torch.Generator().manual_seed(0)
        depth, dim = len(model.blocks), model.embed_dim
        norm = IntermediateFeatureNormalizer(depth, dim, rot_per_layer=True)
        norm.means.copy_(torch.randn(depth, dim, generator=g))
        norm.rotation.copy_(torch.linalg.qr(torch.randn(depth, dim, dim, generator=g))[0])
        norm.alphas.copy_(torch.rand(depth, generator=g) + 0.5)
        model.inter_feature_normalizer = norm
    return save_hub_checkpoint(model, str(path))


@pytest.fixture(scope='session')
def non_clip_checkpoint(hub_checkpoint, tmp_path_factory) -> str:
    """radio_tiny whose input conditioner is not CLIP's."""
    return _resaved(hub_checkpoint, tmp_path_factory.mktemp('ckpt') / 'non-clip.pth.tar', False)


@pytest.fixture(scope='session')
def phi_s_checkpoint(hub_checkpoint, tmp_path_factory) -> str:
    """radio_tiny with a non-CLIP conditioner and an intermediate feature normaliser."""
    return _resaved(hub_checkpoint, tmp_path_factory.mktemp('ckpt') / 'phi-s.pth.tar', True)
