"""tools/train.py --amp [fp16|bf16]: fp16 keeps mmengine's AmpOptimWrapper as before; bf16 trains on a
CPU too (one Mask R-CNN step under bf16 autocast: RoIAlign and NMS run in fp32 inside)."""
import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from radio_dense.tools.common.runner import _enable_amp, _set_backbone_dtype
from radio_dense.tools.train import parse_args

from . import test_det_configs as det


def _cfg():
    return Config(dict(optim_wrapper=dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=1e-4)),
                       model=dict(backbone=dict(type='RADIOBackbone'))))


def test_amp_flag_values():
    assert parse_args(['c.py', '--amp']).amp == 'fp16'  # a bare --amp: today's fp16
    assert parse_args(['c.py', '--amp', 'bf16']).amp == 'bf16'
    assert parse_args(['c.py']).amp is None
    with pytest.raises(SystemExit):
        parse_args(['c.py', '--amp', 'fp8'])


def test_fp16_is_unchanged(monkeypatch):
    with pytest.raises(SystemExit, match='--amp fp16 needs a CUDA GPU'):
        _enable_amp(_cfg(), 'fp16')
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    cfg = _cfg()
    _enable_amp(cfg, 'fp16')
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper' and cfg.optim_wrapper.loss_scale == 'dynamic'
    assert 'dtype' not in cfg.optim_wrapper


def test_bf16_on_cuda_uses_mmengines_amp_wrapper(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(torch.cuda, 'is_bf16_supported', lambda *a, **k: True)
    cfg = _cfg()
    _enable_amp(cfg, 'bf16')
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper' and cfg.optim_wrapper.dtype == 'bfloat16'


def test_test_dtype_sets_the_radio_backbone_dtype():
    cfg = _cfg()
    _set_backbone_dtype(cfg, 'bf16')
    assert cfg.model.backbone.dtype == 'bf16'
    cfg.model.backbone.type = 'ResNet'
    with pytest.raises(SystemExit, match='RADIOBackbone'):
        _set_backbone_dtype(cfg, 'bf16')


def test_one_bf16_training_step_on_cpu():
    """The demo Mask R-CNN, --amp bf16 on this CPU: RADIO runs in bf16, RoIAlign runs, losses finite, weights move."""
    torch.manual_seed(0)
    cfg = det._quick(det._load(det.CONFIGS / 'demo' / 'radio-tiny_mask-rcnn_1xb4-800_synthetic-160x160.py'))
    _enable_amp(cfg, 'bf16')
    assert cfg.optim_wrapper.type == 'CPUAutocastOptimWrapper'
    from mmdet.registry import MODELS
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    seen = {}
    model.roi_head.bbox_roi_extractor.roi_layers[0].register_forward_hook(
        lambda m, args, out: seen.update(roi_align=out.dtype))  # returns None: output kept
    model.backbone.radio.blocks[0].mlp.fc1.register_forward_hook(lambda m, args, out: seen.update(radio=out.dtype))
    before = [p.detach().clone() for p in model.backbone.parameters()]
    log_vars = model.train_step(det._batch(det._num_classes(cfg)), wrapper)
    assert all(torch.isfinite(torch.as_tensor(v)).all() for v in log_vars.values()), log_vars
    assert seen['radio'] == torch.bfloat16 and 'roi_align' in seen
    assert any(not torch.equal(a, b) for a, b in zip(before, model.backbone.parameters()))
