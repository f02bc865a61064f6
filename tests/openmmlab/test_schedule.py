"""Schedulers follow the training length: rescaled when --cfg-options change it, warned about when off."""
import argparse
import logging
from pathlib import Path

import pytest
from mmengine.config import Config
from mmengine.logging import MMLogger

from radio_dense.tools.common.runner import build_config, load_config
from radio_dense.openmmlab.engine.schedule_fit import rescale_schedule, schedule_warnings

REPO = Path(__file__).resolve().parents[2]
DEMO = str(REPO / 'configs/demo/radio-tiny_upernet_1xb4-300_synthetic-192x192.py')
UPERNET = str(REPO / 'configs/radio_seg/radio-v2.5-b_upernet_8xb2-80k_ade20k-512x512.py')


@pytest.fixture
def log_lines():
    """Messages logged through mmengine's current logger during the test."""
    logger = MMLogger.get_instance(f'schedule_test_{id(object())}', log_level='INFO')
    lines = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append((record.levelno, record.getMessage()))

    handler = Keep()
    logger.addHandler(handler)
    yield lines
    logger.removeHandler(handler)


def _cfg(max_iters, schedulers):
    return Config(dict(train_cfg=dict(type='IterBasedTrainLoop', max_iters=max_iters), param_scheduler=schedulers))


def test_demo_config_schedule_ends_with_training(log_lines):
    cfg = load_config(DEMO, schedule='rescale')
    assert cfg.train_cfg.max_iters == 300
    assert max(s['end'] for s in cfg.param_scheduler) == 300
    assert schedule_warnings(cfg) == []
    assert not [m for level, m in log_lines if level >= logging.WARNING]


def test_max_iters_option_rescales_every_scheduler(log_lines):
    cfg = load_config(UPERNET, {'train_cfg.max_iters': 1000}, schedule='rescale')
    warmup, poly = cfg.param_scheduler
    assert (warmup['begin'], warmup['end']) == (0, 19)  # 1500 * 1000 / 80000 = 18.75
    assert (poly['begin'], poly['end']) == (19, 1000)
    messages = [m for _, m in log_lines]
    assert any('max_iters changed from 80000 to 1000: schedule rescaled' in m and 'PolyLR' in m for m in messages)
    assert schedule_warnings(cfg) == []


def test_no_rescale_keeps_the_schedule_and_warns(log_lines):
    cfg = load_config(UPERNET, {'train_cfg.max_iters': 1000}, schedule='keep')
    assert cfg.param_scheduler[1]['end'] == 80000
    warnings = [m for level, m in log_lines if level == logging.WARNING]
    assert any('PolyLR runs to iteration 80000 but training stops at 1000' in m for m in warnings), warnings
    assert any('kept as written (--no-rescale-schedule)' in m for _, m in log_lines)


def test_explicit_scheduler_options_are_not_rescaled():
    cfg = load_config(DEMO, {'train_cfg.max_iters': 600, 'param_scheduler.1.end': 600}, schedule='rescale')
    assert cfg.param_scheduler[0]['end'] == 30 and cfg.param_scheduler[1]['end'] == 600


def test_test_mode_leaves_the_schedule_alone(log_lines):
    cfg = load_config(UPERNET, {'train_cfg.max_iters': 1000})
    assert cfg.param_scheduler[1]['end'] == 80000
    assert not log_lines


def test_milestones_and_t_max_scale():
    cfg = _cfg(1000, [dict(type='MultiStepLR', by_epoch=False, begin=0, end=1000, milestones=[800, 900]),
                      dict(type='CosineAnnealingLR', by_epoch=False, begin=100, end=1000, T_max=900)])
    cfg.train_cfg.max_iters = 100
    lines = rescale_schedule(cfg, 1000)
    assert cfg.param_scheduler[0]['milestones'] == [80, 90] and cfg.param_scheduler[0]['end'] == 100
    assert cfg.param_scheduler[1]['T_max'] == 90 and cfg.param_scheduler[1]['begin'] == 10
    assert len(lines) == 2


def test_schedule_ending_long_before_training_is_warned():
    warnings = schedule_warnings(_cfg(1000, [dict(type='PolyLR', by_epoch=False, begin=0, end=200)]))
    assert len(warnings) == 1 and 'stop at iteration 200 but training runs to 1000' in warnings[0]


def test_epoch_schedulers_are_checked_against_max_epochs():
    cfg = Config(dict(train_cfg=dict(type='EpochBasedTrainLoop', max_epochs=12),
                      param_scheduler=[dict(type='LinearLR', by_epoch=False, begin=0, end=500),
                                       dict(type='MultiStepLR', by_epoch=True, begin=0, end=24, milestones=[16, 22])]))
    warnings = schedule_warnings(cfg)
    assert len(warnings) == 1 and 'epoch 24 but training stops at 12' in warnings[0]


def _test_args(**kw):
    base = dict(config=DEMO, checkpoint='x.pth', cfg_options={}, launcher='none', work_dir=None, show=False,
                show_dir=None, wait_time=2, tta=False, out=None, local_rank=0)
    return argparse.Namespace(**dict(base, **kw))


def test_tta_option_wraps_the_model_and_uses_the_tta_pipeline():
    cfg = build_config(_test_args(tta=True), mode='test')
    assert cfg.model.type == 'SegTTAModel' and cfg.model.module.backbone.type == 'RADIOBackbone'
    assert cfg.test_dataloader.dataset.pipeline[1]['type'] == 'TestTimeAug'


def test_out_option_means_png_folder_for_segmentation(tmp_path):
    cfg = build_config(_test_args(out=str(tmp_path / 'pred')), mode='test')
    assert cfg.test_evaluator['output_dir'] == str(tmp_path / 'pred') and cfg.test_evaluator['keep_results']


def test_show_sets_the_visualization_hook():
    cfg = build_config(_test_args(show=True, wait_time=0.5), mode='test')
    assert cfg.default_hooks.visualization.show and cfg.default_hooks.visualization.wait_time == 0.5


def test_auto_scale_lr_is_enabled_or_explained():
    train = dict(resume=None, amp=False, rescale_schedule=True, launcher='none', work_dir=None, local_rank=0)
    cfg = build_config(argparse.Namespace(config=DEMO, cfg_options={}, auto_scale_lr=True, **train), mode='train')
    assert cfg.auto_scale_lr.enable and cfg.auto_scale_lr.base_batch_size == 4
    with pytest.raises(SystemExit, match='auto_scale_lr = dict\\(base_batch_size=N\\)'):
        build_config(argparse.Namespace(config=DEMO, cfg_options={'auto_scale_lr': None}, auto_scale_lr=True, **train),
                     mode='train')
