"""Every ViT-Adapter + Mask2Former config builds and runs loss (forward + backward) and predict at a
non-square input with random weights. Configs naming ViT-B/L run with a ViT-T trunk (same adapter,
head and recipe; 12 blocks in 4 interactions), as a CPU test must."""
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmengine.utils import import_modules_from_strings

import radio_dense.openmmlab.seg  # noqa: F401  (registration)
import radio_dense.openmmlab.det  # noqa: F401
from radio_dense.data import DEMO_PANOPTIC_METAINFO

CONFIGS = Path(__file__).resolve().parents[2] / 'configs'
# The per-release leaves (c-radio_*) inherit the RADIOv2.5-B configs and change only the adapter's backbone:
# built on the meta device by tests/openmmlab/test_release_configs.py.
SEG = sorted(CONFIGS.glob('radio_seg/radio-*mask2former*.py')) + sorted(CONFIGS.glob('demo/*mask2former*synthetic-1*.py'))
DET = sorted(CONFIGS.glob('radio_det/radio-*mask2former*.py')) + sorted(CONFIGS.glob('demo/*mask2former*panoptic*.py'))
SIZES = [(128, 160), (96, 160)]  # (h, w): non-square, different per image
TINY_STAGES = [[0, 2], [3, 5], [6, 8], [9, 11]]
EXPECTED_DIM = {'radio-tiny': 192, 'vit-b-16': 768, 'vit-l-16': 1024}


def test_every_requested_config_exists():
    names = {p.name for p in SEG + DET}
    for name in ('radio-v2.5-b_adapter-mask2former_8xb2-160k_ade20k-512x512.py',
                 'radio-v2.5-l_adapter-mask2former_8xb2-160k_ade20k-512x512.py',
                 'radio-v2.5-l_vitdet-adapter-mask2former_8xb1-90k_cityscapes-1024x2048.py',
                 'radio-v2.5-b_adapter-mask2former_8xb2-lsj-50e_coco-panoptic-1024.py',
                 'radio-v2.5-l_adapter-mask2former_8xb2-lsj-50e_coco-panoptic-1024.py',
                 'radio-v2.5-b_adapter-mask2former_8xb2-lsj-50e_coco-instance-1024.py',
                 'radio-tiny_adapter-mask2former_1xb4-300_synthetic-192x192.py',
                 'radio-tiny_adapter-mask2former_1xb4-1000_synthetic-panoptic-160x160.py'):
        assert name in names


def _load(path: Path):
    cfg = Config.fromfile(str(path))
    import_modules_from_strings(**cfg.custom_imports)  # as the Runner does
    head = cfg.model.get('decode_head') or cfg.model.panoptic_head
    backbone = cfg.model.backbone
    assert backbone.type == 'RADIOAdapter'
    assert head.in_channels == [EXPECTED_DIM[backbone.arch]] * 4
    assert len(backbone.interaction_indexes) == 4 and backbone.interaction_indexes[0][0] == 0
    if backbone.arch != 'radio-tiny':
        assert backbone.checkpoint in radio_dense.RADIO_ZOO
        backbone.update(checkpoint=None, arch='vit-t-16', interaction_indexes=TINY_STAGES)
        head.in_channels = [192] * 4
    return cfg, head


def _check_recipe(cfg: Config, path: Path) -> None:
    assert cfg.optim_wrapper.constructor == 'RADIOLayerDecayOptimizerConstructor'
    if path.parent.name != 'demo':
        assert 0.7 <= cfg.optim_wrapper.paramwise_cfg.decay_rate < 1
        pre = cfg.model.data_preprocessor  # the backbone applies the checkpoint's own statistics
        assert pre.mean is None and pre.std is None and pre.bgr_to_rgb


def _check_training_step(model, batch, loss_keys) -> None:
    """One training forward of ``batch`` (padded to 128 x 160): a finite loss with ``loss_keys``, gradients
    reaching the injectors, the ViT and the spatial prior module."""
    model.train()
    data = model.data_preprocessor(batch, training=True)
    assert data['inputs'].shape[-2:] == (128, 160)
    loss, log_vars = model.parse_losses(model(**data, mode='loss'))
    assert torch.isfinite(loss) and set(loss_keys) <= set(log_vars)
    loss.backward()
    named = dict(model.named_parameters())
    grads = {n: p.grad for n, p in named.items() if p.requires_grad}
    assert grads['backbone.injectors.0.gamma'] is not None
    assert grads['backbone.vit.radio.model.blocks.0.attn.qkv.weight'].abs().sum() > 0
    assert grads['backbone.spm.projs.1.weight'].abs().sum() > 0


@pytest.mark.parametrize('path', SEG, ids=lambda p: p.name)
def test_semantic_config_trains_and_predicts(path):
    from mmseg.registry import MODELS
    from mmseg.structures import SegDataSample
    torch.manual_seed(0)
    cfg, head = _load(path)
    _check_recipe(cfg, path)
    init_default_scope('mmseg')
    cfg.model.data_preprocessor.update(size=None, size_divisor=32)  # small inputs instead of the crop size
    model = MODELS.build(cfg.model)
    model.init_weights()
    build_optim_wrapper(model, cfg.optim_wrapper)  # the recipe's constructor accepts the model
    gen = torch.Generator().manual_seed(0)
    samples = []
    for h, w in SIZES:
        sample = SegDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w)))
        label = torch.zeros(1, h, w, dtype=torch.long)
        label[:, 20:70, 30:110] = 1
        label[:, 60:90, 100:150] = head.num_classes - 1
        sample.gt_sem_seg = PixelData(data=label)
        samples.append(sample)
    batch = dict(inputs=[torch.randint(0, 256, (3, h, w), dtype=torch.uint8, generator=gen) for h, w in SIZES],
                 data_samples=samples)
    _check_training_step(model, batch, {'decode.loss_cls', 'decode.loss_mask', 'decode.loss_dice'})

    model.eval()
    h, w = 100, 150  # mmseg tests one size per batch; not a multiple of 32 (padded by test_cfg) nor of 16
    single = dict(inputs=[torch.randint(0, 256, (3, h, w), dtype=torch.uint8, generator=gen)],
                  data_samples=[SegDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w)))])
    with torch.no_grad():
        result, = model(**model.data_preprocessor(single, training=False), mode='predict')
    pred = result.pred_sem_seg.data
    assert pred.shape == (1, h, w) and int(pred.max()) < head.num_classes


def _det_sample(h: int, w: int, num_things: int, num_stuff: int):
    from mmdet.structures import DetDataSample
    from mmdet.structures.mask import BitmapMasks
    from mmengine.structures import InstanceData
    sample = DetDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w), scale_factor=(1.0, 1.0)))
    boxes = torch.tensor([[10.0, 20.0, 70.0, 80.0], [90.0, 30.0, 150.0, 90.0]])
    masks = np.zeros((2, h, w), np.uint8)
    for m, (x1, y1, x2, y2) in zip(masks, boxes.int().tolist()):
        m[y1:y2, x1:x2] = 1
    labels = torch.tensor([0, num_things - 1])
    sample.gt_instances = InstanceData(bboxes=boxes, labels=labels, masks=BitmapMasks(masks, h, w))
    if num_stuff:
        sem = torch.full((1, h, w), num_things, dtype=torch.long)  # everything else is the first stuff class
        for m, label in zip(masks, labels.tolist()):
            sem[0][torch.from_numpy(m).bool()] = label
        sample.gt_sem_seg = PixelData(sem_seg=sem)
    return sample


@pytest.mark.parametrize('path', DET, ids=lambda p: p.name)
def test_panoptic_and_instance_config_trains_and_predicts(path):
    from mmdet.registry import MODELS
    torch.manual_seed(0)
    init_default_scope('mmdet')
    cfg, head = _load(path)
    _check_recipe(cfg, path)
    cfg.model.data_preprocessor.batch_augments = None  # no 1024x1024 batch padding: a CPU forward in seconds
    model = MODELS.build(cfg.model)
    model.init_weights()
    build_optim_wrapper(model, cfg.optim_wrapper)
    things, stuff = head.num_things_classes, head.num_stuff_classes
    gen = torch.Generator().manual_seed(0)
    batch = dict(inputs=[torch.randint(0, 256, (3, h, w), dtype=torch.uint8, generator=gen) for h, w in SIZES],
                 data_samples=[_det_sample(h, w, things, stuff) for h, w in SIZES])
    _check_training_step(model, batch, {'loss_cls', 'loss_mask', 'loss_dice'})

    model.eval()
    with torch.no_grad():
        results = model(**model.data_preprocessor(batch, training=False), mode='predict')
    for result, (h, w) in zip(results, SIZES):
        if cfg.model.test_cfg.panoptic_on:
            assert result.pred_panoptic_seg.sem_seg.shape == (1, h, w)
        if cfg.model.test_cfg.get('instance_on'):
            assert result.pred_instances.masks.shape[1:] == (h, w)


def test_panoptic_demo_metainfo_matches_the_generator():
    cfg = Config.fromfile(str(CONFIGS / 'demo/radio-tiny_adapter-mask2former_1xb4-1000_synthetic-panoptic-160x160.py'))
    meta = cfg.train_dataloader.dataset.metainfo
    for key in ('classes', 'thing_classes', 'stuff_classes'):
        assert tuple(meta[key]) == tuple(DEMO_PANOPTIC_METAINFO[key])
    assert [tuple(c) for c in meta['palette']] == [tuple(c) for c in DEMO_PANOPTIC_METAINFO['palette']]
    head = cfg.model.panoptic_head
    assert (head.num_things_classes, head.num_stuff_classes) == (6, 1)
