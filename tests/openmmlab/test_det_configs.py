"""Every shipped detection config builds at its real size and runs loss + predict forwards (up to ViT-B width on
the CPU; the ViT-L ones are built at their real size on the meta device and run at ViT-B width)."""
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData
from mmengine.utils import import_modules_from_strings

import radio_dense.openmmlab  # noqa: F401  (registration)
from radio_dense.data import DEMO_DET_METAINFO

mmdet = pytest.importorskip('mmdet')
from mmdet.registry import MODELS  # noqa: E402
from mmdet.structures import DetDataSample  # noqa: E402
from mmdet.structures.mask import BitmapMasks  # noqa: E402

CONFIGS = Path(__file__).resolve().parents[2] / 'configs'
# Mask2Former configs: tests/openmmlab/test_mask2former_configs.py. The per-release leaves (c-radio_*,
# radio_v2.5-h/g) inherit these RADIOv2.5-B/L configs and change only the backbone: built on the meta device
# by tests/openmmlab/test_release_configs.py.
DET_CONFIGS = (sorted(p for p in CONFIGS.glob('radio_det/radio-*.py') if 'mask2former' not in p.name)
               + sorted(CONFIGS.glob('demo/*mask-rcnn*.py')))
LSJ_CONFIGS = [p for p in DET_CONFIGS if p.name.endswith('coco-1024.py')]
EXPECTED_DIM = {'radio-tiny': 192, 'vit-b-16': 768, 'vit-l-16': 1024}
SIZES = [(256, 320), (224, 288)]  # (h, w): small, non-square, different per image
#: the widest trunk a config runs at on the CPU: a ViT-L config keeps every other setting (ViTDet windows and
#: global blocks, drop path, with_cp, neck and heads) and runs at ViT-B width, ~3x less CPU time
RUN_ARCH = 'vit-b-16'


@pytest.fixture(autouse=True, scope='module')
def _mmdet_scope():
    init_default_scope('mmdet')


def _load(path: Path) -> Config:
    cfg = Config.fromfile(str(path))
    import_modules_from_strings(**cfg.custom_imports)  # as the Runner does
    cfg.model.backbone.checkpoint = None  # real-size random init: no download here
    return cfg


def _quick(cfg: Config) -> Config:
    """Same architecture, fewer RoIs and no 1024x1024 batch padding: a CPU forward in seconds."""
    cfg.model.data_preprocessor.batch_augments = None
    train, test = cfg.model.train_cfg, cfg.model.test_cfg
    train.rpn_proposal.update(nms_pre=200, max_per_img=32)
    for rcnn in (train.rcnn if isinstance(train.rcnn, list) else [train.rcnn]):
        rcnn.sampler.num = 16
    test.rpn.update(nms_pre=200, max_per_img=32)
    test.rcnn.score_thr = 0.0  # keep detections so the mask branch runs at predict time too
    test.rcnn.max_per_img = 16  # not 100: the mask head's convs on 100 RoIs per image were ~60% of predict's time
    return cfg


def _sample(h: int, w: int, num_classes: int) -> DetDataSample:
    sample = DetDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w), scale_factor=(1.0, 1.0)))
    boxes = torch.tensor([[10.0, 20.0, 110.0, 140.0], [150.0, 30.0, 270.0, 200.0]])
    masks = np.zeros((2, h, w), np.uint8)
    for m, (x1, y1, x2, y2) in zip(masks, boxes.int().tolist()):
        m[y1:y2, x1:x2] = 1
    sample.gt_instances = InstanceData(bboxes=boxes, labels=torch.tensor([0, num_classes - 1]),
                                       masks=BitmapMasks(masks, h, w))
    return sample


def _batch(num_classes: int) -> dict:
    gen = torch.Generator().manual_seed(0)
    return dict(inputs=[torch.randint(0, 256, (3, h, w), dtype=torch.uint8, generator=gen) for h, w in SIZES],
                data_samples=[_sample(h, w, num_classes) for h, w in SIZES])


def _num_classes(cfg: Config) -> int:
    head = cfg.model.roi_head.bbox_head
    return (head[0] if isinstance(head, list) else head).num_classes


def _check_structure(model, width: int) -> None:
    """The trunk gives ``width`` channels, the neck takes them and gives the RPN one map per anchor level."""
    backbone = model.backbone
    assert backbone.radio.embed_dim == width and backbone.out_channels == [width]
    with torch.no_grad():
        pyramid = model.neck(backbone(torch.zeros(1, 3, 64, 96, device=next(model.parameters()).device)))
    assert len(pyramid) == model.rpn_head.prior_generator.num_levels
    assert {p.shape[1] for p in pyramid} == {model.rpn_head.in_channels}


@pytest.mark.parametrize('path', DET_CONFIGS, ids=lambda p: p.name)
def test_det_config_builds_and_runs(path):
    torch.manual_seed(0)
    cfg = _quick(_load(path))
    assert cfg.default_scope == 'mmdet'
    assert cfg.custom_imports['imports'] == ['radio_dense.openmmlab.det']
    width = EXPECTED_DIM[cfg.model.backbone.arch]
    assert width == cfg.model.neck.in_channels
    if width > EXPECTED_DIM[RUN_ARCH]:
        with torch.device('meta'):  # the real size, without memory or compute
            _check_structure(MODELS.build(cfg.model), width)
        cfg.model.backbone.arch, cfg.model.neck.in_channels = RUN_ARCH, EXPECTED_DIM[RUN_ARCH]
        width = EXPECTED_DIM[RUN_ARCH]
    model = MODELS.build(cfg.model)
    model.init_weights()
    _check_structure(model, width)
    backbone = model.backbone
    num_classes = _num_classes(cfg)

    model.train()
    data = model.data_preprocessor(_batch(num_classes), training=True)
    assert data['inputs'].shape[-2:] == (256, 320)  # padded to the batch max (multiple of 32)
    losses = model(**data, mode='loss')
    loss, log_vars = model.parse_losses(losses)
    assert torch.isfinite(loss), log_vars
    assert 'loss_rpn_cls' in log_vars, log_vars  # cascade stages prefix theirs: s0.loss_bbox, s0.loss_mask...
    assert all(any(k.endswith(name) for k in log_vars) for name in ('loss_cls', 'loss_bbox', 'loss_mask')), log_vars
    loss.backward()
    grads = [p.grad for p in backbone.parameters()]
    if cfg.model.backbone.get('frozen'):
        assert all(g is None for g in grads) and not any(p.requires_grad for p in backbone.parameters())
    else:
        assert any(g is not None and g.abs().sum() > 0 for g in grads)

    model.eval()
    with torch.no_grad():
        results = model(**model.data_preprocessor(_batch(num_classes), training=False), mode='predict')
    assert len(results) == len(SIZES)
    for result, (h, w) in zip(results, SIZES):
        pred = result.pred_instances
        assert pred.bboxes.shape[1] == 4 and len(pred.bboxes) == len(pred.scores) == len(pred.labels)
        assert len(pred.bboxes) > 0 and pred.masks.shape[1:] == (h, w)
        assert int(pred.labels.max()) < num_classes and torch.isfinite(pred.bboxes).all()


@pytest.mark.parametrize('path', LSJ_CONFIGS, ids=lambda p: p.name)
def test_lsj_batches_are_padded_to_1024(path):
    cfg = _load(path)
    preprocessor = MODELS.build(cfg.model.data_preprocessor)
    batch = _batch(80)
    out = preprocessor(batch, training=True)
    assert out['inputs'].shape[-2:] == (1024, 1024)
    assert out['data_samples'][0].gt_instances.masks.masks.shape[-2:] == (1024, 1024)
    assert preprocessor(_batch(80), training=False)['inputs'].shape[-2:] == (256, 320)  # test: divisor 32 only


def test_non_square_input_through_vitdet_backbone():
    """800x1333 keep-ratio input: a real padded size, not a multiple of the 16-patch window."""
    cfg = _load(CONFIGS / 'radio_det/radio-v2.5-b_vitdet_mask-rcnn_32xb2-ms-100e_coco-800x1333.py')
    assert cfg.model.data_preprocessor.batch_augments is None and cfg.model.data_preprocessor.pad_size_divisor == 32
    cfg.model.backbone.arch = 'vit-t-16'  # same code path as ViT-B, a fraction of the CPU time
    cfg.model.neck.in_channels = 192
    model = MODELS.build(cfg.model).eval()
    images = [torch.randint(0, 256, (3, 800, 1201), dtype=torch.uint8),
              torch.randint(0, 256, (3, 750, 1333), dtype=torch.uint8)]
    with torch.no_grad():
        inputs = model.data_preprocessor(dict(inputs=images), training=False)['inputs']
        assert inputs.shape[-2:] == (800, 1344)  # 50 x 84 patches: neither divisible by the 16-patch window
        feats = model.backbone(inputs)
        assert feats[0].shape[-2:] == (50, 84)
        pyramid = model.neck(feats)
    assert [tuple(p.shape[-2:]) for p in pyramid] == [(200, 336), (100, 168), (50, 84), (25, 42), (13, 21)]


def test_frozen_config_trains_only_neck_and_heads():
    cfg = _load(CONFIGS / 'radio_det/radio-v2.5-b_frozen_mask-rcnn_32xb2-lsj-100e_coco-1024.py')
    cfg.model.backbone.arch = 'vit-t-16'
    cfg.model.neck.in_channels = 192
    model = MODELS.build(cfg.model)
    model.train()
    assert not model.backbone.radio.training
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    in_optimizer = {id(p) for group in wrapper.optimizer.param_groups for p in group['params']}
    assert not any(id(p) in in_optimizer for p in model.backbone.parameters())
    assert all(id(p) in in_optimizer for n, p in model.named_parameters() if not n.startswith('backbone.'))


@pytest.mark.parametrize('name, decay', [('radio-v2.5-b_vitdet_mask-rcnn_32xb2-lsj-100e_coco-1024.py', 0.7),
                                         ('radio-v2.5-l_vitdet_mask-rcnn_32xb2-lsj-100e_coco-1024.py', 0.8)])
def test_layer_decay_and_vitdet_schedule(name, decay):
    cfg = Config.fromfile(str(CONFIGS / 'radio_det' / name))
    assert cfg.optim_wrapper.constructor == 'RADIOLayerDecayOptimizerConstructor'
    assert cfg.optim_wrapper.paramwise_cfg.decay_rate == decay
    assert cfg.optim_wrapper.optimizer.type == 'AdamW'
    backbone = cfg.model.backbone
    assert backbone.vitdet_window_size == 16 and backbone.num_global == 4 and backbone.drop_path_rate > 0
    assert 'with_cp' in backbone
    assert cfg.model.rpn_head.num_convs == 2
    assert cfg.model.roi_head.bbox_head.type == 'Shared4Conv1FCBBoxHead'
    assert cfg.model.roi_head.bbox_head.norm_cfg.type == cfg.model.roi_head.mask_head.norm_cfg.type == 'LN2d'
    assert cfg.model.neck.type == 'SimpleFPN' and cfg.model.neck.num_outs == 5
    resize = next(t for t in cfg.train_dataloader.dataset.pipeline if t.type == 'RandomResize')
    assert tuple(resize.ratio_range) == (0.1, 2.0) and tuple(resize.scale) == (1024, 1024)


def test_cascade_stages_use_layernorm_4conv1fc_heads():
    for path in (p for p in DET_CONFIGS if 'cascade' in p.name):
        heads = Config.fromfile(str(path)).model.roi_head.bbox_head
        assert len(heads) == 3
        assert {h.type for h in heads} == {'Shared4Conv1FCBBoxHead'} and {h.norm_cfg.type for h in heads} == {'LN2d'}
        assert len({tuple(h.bbox_coder.target_stds) for h in heads}) == 3  # each stage keeps its own coder


def test_shipped_checkpoints_are_zoo_names():
    for path in CONFIGS.glob('radio_det/radio-*.py'):  # release leaves: test_release_configs.py
        cfg = Config.fromfile(str(path))
        assert cfg.model.backbone.checkpoint in radio_dense.RADIO_ZOO, path.name
        assert cfg.model.backbone.arch in EXPECTED_DIM, path.name


def test_demo_dataset_reads_the_generated_set(tmp_path):
    from mmdet.registry import DATASETS
    from radio_dense.data import write_demo_dataset
    write_demo_dataset(str(tmp_path), num_train=2, num_val=2, size=64, seed=0, progress=False)
    cfg = Config.fromfile(str(CONFIGS / 'demo/radio-tiny_mask-rcnn_1xb4-800_synthetic-160x160.py'))
    dataset = DATASETS.build(dict(cfg.val_dataloader.dataset, data_root=str(tmp_path) + '/'))
    assert dataset.metainfo['classes'] == DEMO_DET_METAINFO['classes'] and len(dataset) == 2
    labels = np.concatenate([dataset[i]['data_samples'].gt_instances.labels.numpy() for i in range(2)])
    assert len(labels) and labels.max() < len(DEMO_DET_METAINFO['classes'])
    for path in CONFIGS.glob('demo/*mask-rcnn*.py'):
        assert _num_classes(Config.fromfile(str(path))) == len(DEMO_DET_METAINFO['classes']), path.name


def test_data_preprocessors_leave_normalisation_to_the_backbone():
    """The backbone applies the checkpoint's own mean/std: no config restates CLIP's."""
    for path in DET_CONFIGS + sorted(CONFIGS.glob('radio_seg/*.py')) + sorted(CONFIGS.glob('demo/*fpn*.py')):
        pre = Config.fromfile(str(path)).model.data_preprocessor
        assert pre.mean is None and pre.std is None and pre.bgr_to_rgb, path.name


def _roi_extractors(cfg: Config):
    roi_head = cfg.model.roi_head
    return [roi_head.bbox_roi_extractor, roi_head.mask_roi_extractor]


@pytest.mark.parametrize('path', DET_CONFIGS, ids=lambda p: p.name)
def test_roi_extractors_make_maps_contiguous(path):
    assert {e.type for e in _roi_extractors(Config.fromfile(str(path)))} == {'ContiguousRoIExtractor'}


def test_roi_features_match_torchvision_on_channels_last_maps():
    """Regression: mmcv's RoIAlign reads raw NCHW memory; on channels-last maps (LN2d used to permute)
    RoI features were garbage (cosine ~0 with the right ones) and RoI heads never learned."""
    import torchvision
    from mmdet.structures.bbox import bbox2roi
    cfg = _load(CONFIGS / 'demo/radio-tiny_mask-rcnn_1xb4-800_synthetic-160x160.py')
    model = MODELS.build(cfg.model).eval()
    with torch.no_grad():
        feats = model.extract_feat(torch.randn(2, 3, 160, 160))
        assert all(f.is_contiguous() for f in feats)  # LN2d and the backbone give contiguous maps
        feats = tuple(f.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) for f in feats)  # channels-last
        assert not feats[0].is_contiguous()
        rois = bbox2roi([torch.tensor([[10.0, 20.0, 70.0, 90.0]]), torch.tensor([[30.0, 5.0, 100.0, 60.0]])])
        extractor = model.roi_head.bbox_roi_extractor
        ours = extractor(feats[:extractor.num_inputs], rois)
        level = extractor.map_roi_levels(rois, extractor.num_inputs)
        assert (level == 0).all()
        ref = torchvision.ops.roi_align(feats[0].contiguous(), rois, 7, spatial_scale=1 / extractor.featmap_strides[0],
                                        sampling_ratio=0, aligned=True)
    torch.testing.assert_close(ours, ref, atol=1e-5, rtol=1e-4)
