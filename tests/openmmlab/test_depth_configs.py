"""configs/radio_depth: every leaf builds its DepthEstimator (on meta) with the head fed by four evenly spaced blocks."""
from pathlib import Path

import pytest
import torch
import yaml
from mmengine.config import Config

REPO = Path(__file__).resolve().parents[2]
LEAVES = sorted((REPO / 'configs/radio_depth').glob('*.py'))


@pytest.mark.parametrize('path', LEAVES, ids=lambda p: p.stem)
def test_depth_leaf_builds_with_evenly_spaced_blocks(path):
    from mmseg.registry import MODELS
    from mmengine.registry import init_default_scope
    import radio_dense.openmmlab.seg  # noqa: F401
    init_default_scope('mmseg')
    cfg = Config.fromfile(str(path))
    assert cfg.model.type == 'DepthEstimator' and cfg.model.backbone.frozen
    with torch.device('meta'):
        model = MODELS.build(dict(cfg.model, backbone=dict(cfg.model.backbone, checkpoint=None)))
    depth, width = len(model.backbone.radio.blocks), model.backbone.radio.embed_dim
    step = depth // 4
    assert model.backbone.out_indices == [step - 1, 2 * step - 1, 3 * step - 1, depth - 1]
    assert cfg.model.decode_head.in_channels == [width] * 4
    target = 'normal' if 'normals' in path.stem else 'depth'
    assert model.decode_head.target == target
    assert cfg.val_evaluator.type == ('NormalMetric' if target == 'normal' else 'DepthMetric')


def test_metafile_lists_every_leaf_with_probe3d_targets_for_l_and_h():
    meta = yaml.safe_load((REPO / 'configs/radio_depth/metafile.yaml').read_text())
    models = {m['Name']: m for m in meta['Models']}
    assert sorted(models) == [p.stem for p in LEAVES]
    depth_l = models['radio_v2.5-l_linear_8xb8-25k_nyu-depth-480x480']['Targets'][0]
    assert depth_l['Metrics'] == {'Probe3D depth': 84.7} and depth_l['Source'].startswith('https://')
    assert models['radio_v2.5-h_linear_8xb8-25k_nyu-normals-480x480']['Targets'][0]['Metrics'] == {'Probe3D normals': 62.5}
