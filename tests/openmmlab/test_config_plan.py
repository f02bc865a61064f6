"""tools/analysis/plan_memory.py: each config's model on the meta device, planned at its own crop and batch."""
from pathlib import Path

import pytest

from radio_dense.analysis.train_memory import GB
from radio_dense.openmmlab.config_plan import MODES, plan_config

CONFIGS = Path(__file__).resolve().parents[2] / 'configs'


def test_frozen_trunk_keeps_no_activations_and_trains_only_the_head():
    plan = plan_config(str(CONFIGS / 'radio_seg/c-radio_v4-h_linear_8xb2-80k_ade20k-512x512.py'))
    assert (plan.crop, plan.batch) == ((512, 512), 2)
    assert 640e6 < plan.parameters < 660e6 and plan.trainable < 1e6  # C-RADIOv4-H: 652M, frozen
    assert all(plan.memory.activations[m] == 0 for m in MODES) and plan.memory.optimizer < 8e6


def test_giant_detector_plan_follows_its_switches():
    plan = plan_config(str(CONFIGS / 'radio_det/c-radio_v3-g_mask-rcnn_32xb2-lsj-100e_coco-1024.py'))
    assert (plan.crop, plan.batch, plan.with_cp) == ((1024, 1024), 2, True)
    assert plan.trainable == plan.parameters > 1.1e9
    m = plan.memory
    assert m.weights + m.gradients + m.optimizer == 16 * plan.trainable  # fp32 weights + grads + AdamW's 2 moments
    acts = m.activations
    assert acts['fp32+cp'] < acts['bf16'] < acts['fp32'] and acts['bf16+cp'] < acts['fp32+cp']
    assert plan.peak_gb() == pytest.approx((16 * plan.trainable + acts['fp32+cp']) / GB)
    assert 12_000 < plan.gflops < 15_000  # 40 blocks of ViT-g on 4096 + 8 tokens, global attention


def test_keep_ratio_detector_is_planned_at_its_resize_scale(capsys):
    from radio_dense.tools.analysis.plan_memory import main
    path = str(CONFIGS / 'radio_det/radio-v2.5-b_vitdet_mask-rcnn_32xb2-ms-100e_coco-800x1333.py')
    assert plan_config(path).crop == (800, 1333)
    assert main([path, '--gpu-gb', '5']) == 0
    out, err = capsys.readouterr()
    assert out.count('800x1333.py | 800x1333 | 2 |') == 1 and 'fits 5 GB with' in out and 'Over 5 GB as configured' in err


def test_fsdp_variant_shards_the_state_over_its_gpus():
    plain = plan_config(str(CONFIGS / 'radio_seg/c-radio_v3-g_upernet_8xb2-80k_ade20k-512x512.py'))
    fsdp = plan_config(str(CONFIGS / 'radio_seg/c-radio_v3-g_upernet_8xb2-fsdp-80k_ade20k-512x512.py'))
    assert (plain.shards, fsdp.shards) == (1, 8) and fsdp.parameters == plain.parameters
    state = lambda p: p.memory.weights + p.memory.gradients + p.memory.optimizer  # noqa: E731
    assert state(plain) / 8 < state(fsdp) < state(plain) / 4  # 1/8 plus two gathered ViT-g blocks
    assert fsdp.memory.activations == plain.memory.activations
