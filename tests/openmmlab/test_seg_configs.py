"""Shipped segmentation configs up to ViT-L width build at their real size and run a forward pass."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

import radio_dense.openmmlab  # noqa: F401  (registration)
from radio_dense.data import DEMO_SEG_METAINFO
from radio_dense.radio.architectures import TRUNK_SPECS, canonical_trunk_name

CONFIGS = Path(__file__).resolve().parents[2] / 'configs'
# Mask2Former configs: tests/openmmlab/test_mask2former_configs.py

def _width(path) -> int:
    return TRUNK_SPECS[canonical_trunk_name(Config.fromfile(str(path)).model.backbone.arch)].embed_dim


#: built at full size on the CPU up to ViT-L width; the wider releases (H, SO400M, g) are built on the
#: meta device by test_release_configs.py and trained at tiny width by test_config_training.py
SEG_CONFIGS = [p for p in sorted(p for p in CONFIGS.glob('radio_seg/*.py') if 'mask2former' not in p.name)
               + sorted(CONFIGS.glob('demo/*upernet*_synthetic-*.py')) if _width(p) <= 1024]


def _random_init(cfg: Config) -> Config:
    cfg.model.backbone.checkpoint = None  # real-size random init: no download here
    return cfg


@pytest.mark.parametrize('path', SEG_CONFIGS, ids=lambda p: p.name)
def test_seg_config_builds_and_runs(path):
    cfg = _random_init(Config.fromfile(str(path)))
    assert cfg.default_scope == 'mmseg'
    init_default_scope('mmseg')
    model = MODELS.build(cfg.model).eval()
    backbone = model.backbone
    assert backbone.radio.embed_dim == _width(path)
    num_classes = cfg.model.decode_head.num_classes
    with torch.no_grad():
        inputs = model.data_preprocessor(dict(inputs=[torch.randint(0, 255, (3, 128, 192), dtype=torch.uint8)]),
                                         training=False)['inputs']
        logits = model(inputs, mode='tensor')
    assert logits.shape[:2] == (1, num_classes)
    assert torch.isfinite(logits).all()


def test_shipped_checkpoints_are_zoo_names():
    for path in CONFIGS.glob('radio_seg/*.py'):
        cfg = Config.fromfile(str(path))
        assert cfg.model.backbone.checkpoint in radio_dense.RADIO_ZOO, path.name


def test_demo_dataset_reads_the_generated_set(tmp_path):
    from mmseg.registry import DATASETS
    from radio_dense.data import write_demo_dataset
    write_demo_dataset(str(tmp_path), num_train=2, num_val=2, size=64, seed=0, progress=False)
    cfg = Config.fromfile(str(CONFIGS / 'demo/radio-tiny_upernet_1xb4-300_synthetic-192x192.py'))
    init_default_scope('mmseg')
    dataset = DATASETS.build(dict(cfg.val_dataloader.dataset, data_root=str(tmp_path)))
    assert dataset.metainfo['classes'] == DEMO_SEG_METAINFO['classes'] and len(dataset) == 2
    sample = dataset[0]
    assert sample['data_samples'].gt_sem_seg.data.max() < len(DEMO_SEG_METAINFO['classes'])


def test_demo_dataset_class_carries_the_generator_classes():
    from mmseg.registry import DATASETS
    cfg = Config.fromfile(str(CONFIGS / '_base_/datasets/synthetic_shapes_seg.py'))
    init_default_scope('mmseg')
    dataset = DATASETS.build(dict(cfg.val_dataloader.dataset, lazy_init=True))
    assert type(dataset).__name__ == 'SyntheticShapesDataset'
    assert dataset.METAINFO['classes'] == tuple(DEMO_SEG_METAINFO['classes'])
    assert [tuple(c) for c in dataset.metainfo['palette']] == [tuple(c) for c in DEMO_SEG_METAINFO['palette']]


def test_wrong_config_key_names_the_key():
    cfg = Config.fromfile(str(CONFIGS / 'demo/radio-tiny_upernet_1xb4-300_synthetic-192x192.py'))
    cfg.model.backbone.vitdet_windows = 8
    init_default_scope('mmseg')
    with pytest.raises(TypeError, match='vitdet_windows'):
        MODELS.build(cfg.model)
