"""Every kind of full-size config in configs/radio_seg and configs/radio_det trains in one process at its
own per-GPU batch size: the config as shipped (model, heads, norms, optimizer, layer decay), with the RADIO
swapped for a random radio-tiny-width trunk of the config's depth (every block index stays valid) and the
data for the synthetic set at a 64 px crop. Two iterations each; every trainable parameter must get a
gradient (DDP with find_unused_parameters=False needs it).

Configs that differ only in numbers (release width/depth, crop, schedule, data set) train the same code
path, so one config per *model structure* (the module types of the model, ViTDet or global, the
optimizer's constructor, batch size 1 or more) and one per *set of backbone switches* (``with_cp``,
frozen stages...) runs; a test checks every config's signatures are covered, so a new kind of config is
trained automatically."""
import copy
from pathlib import Path

import pytest
import torch
from mmengine.config import Config, ConfigDict
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

import radio_dense.openmmlab  # noqa: F401  (registration)
from radio_dense.data import write_demo_dataset
from radio_dense.radio import create_radio
from radio_dense.radio.architectures import build_vit
from radio_dense.radio.hub_export import hub_args, hub_state_dict

CONFIGS = Path(__file__).resolve().parents[2] / 'configs'
FULL_SIZE = sorted(p for folder in ('radio_seg', 'radio_det') for p in (CONFIGS / folder).glob('*.py'))
NOT_A_SWITCH = ('checkpoint', 'source', 'arch', 'init_cfg')  # which weights/trunk, not how it trains
DEMOS = {  # the synthetic-data config whose train loader stands in for each kind of config
    'seg': 'demo/radio-tiny_upernet_1xb4-300_synthetic-192x192.py',
    'instance': 'demo/radio-tiny_mask-rcnn_1xb4-800_synthetic-160x160.py',
    'panoptic': 'demo/radio-tiny_adapter-mask2former_1xb4-1000_synthetic-panoptic-160x160.py',
}
CROP = 64
TINY_WIDTH = 192  # radio-tiny
pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('config_training_data')
    write_demo_dataset(str(root), num_train=4, num_val=1, size=CROP, seed=0, progress=False)
    return str(root)


@pytest.fixture(scope='module')
def tiny_trunks(tmp_path_factory):
    """``depth -> checkpoint``: radio-tiny width, any depth, saved as an upstream-layout checkpoint."""
    folder, made = tmp_path_factory.mktemp('tiny_trunks'), {}

    def get(depth: int) -> str:
        if depth not in made:
            model = create_radio('radio-tiny', seed=0)
            model.model.blocks = build_vit('radio-tiny', {'depth': depth}).blocks
            model.model.is_global = [True] * depth
            args = hub_args(model)
            args.model_kwargs = {'depth': depth}
            made[depth] = str(folder / f'radio-tiny-depth{depth}.pth.tar')
            torch.save({'args': args, 'state_dict': hub_state_dict(model)}, made[depth])
        return made[depth]
    return get


def _kind(cfg: Config) -> str:
    if cfg.default_scope == 'mmseg':
        return 'seg'
    panoptic = cfg.model.get('test_cfg', {}).get('panoptic_on', False) or 'Panoptic' in cfg.model.get('type', '')
    return 'panoptic' if panoptic else 'instance'


def _shrink(obj, keys=('size', 'crop_size', 'scale', 'img_scale', 'image_size')):
    """Every 2-int size under ``keys`` in nested configs -> (CROP, CROP)."""
    if isinstance(obj, (dict, ConfigDict)):
        for k, v in obj.items():
            if k in keys and isinstance(v, (tuple, list)) and len(v) == 2 and all(isinstance(i, int) for i in v):
                obj[k] = (CROP, CROP)
            else:
                _shrink(v, keys)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _shrink(v, keys)


def _narrow(obj, wide: int):
    """Every ``in_channels`` / ``channels`` equal to the full-size trunk width (or twice it) -> the tiny width."""
    if isinstance(obj, (dict, ConfigDict)):
        for k, v in obj.items():
            if k in ('in_channels', 'channels') and v in (wide, 2 * wide):  # 2x: summary_fusion='concat'
                obj[k] = v // wide * TINY_WIDTH
            elif k == 'in_channels' and isinstance(v, (list, tuple)) and wide in v:
                obj[k] = [TINY_WIDTH if c == wide else c for c in v]
            else:
                _narrow(v, wide)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _narrow(v, wide)


#: caps on how much work the detectors' training samples per image (RoIs, proposals, mask points):
#: a 4-conv RoI head on 512 RoIs x 2 images costs ~60 s per CPU iteration; 8 RoIs run the same code
SAMPLE_CAPS = {'num': 8, 'max_per_img': 16, 'nms_pre': 100, 'num_points': 256}


def _fewer_samples(obj):
    if isinstance(obj, (dict, ConfigDict)):
        for k, v in obj.items():
            if k in SAMPLE_CAPS and isinstance(v, int) and not isinstance(v, bool):
                obj[k] = min(v, SAMPLE_CAPS[k])
            else:
                _fewer_samples(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _fewer_samples(v)


def tiny_training_config(path: Path, data_root: str, tiny_trunks, work_dir: str) -> Config:
    cfg = Config.fromfile(str(path))
    backbone = cfg.model.backbone
    full = build_vit(backbone.arch, device='meta')
    backbone.checkpoint = tiny_trunks(len(full.blocks))
    _narrow(cfg.model, full.embed_dim)
    _shrink(cfg.model.data_preprocessor)
    _fewer_samples(cfg.model.get('train_cfg'))
    demo = Config.fromfile(str(CONFIGS / DEMOS[_kind(cfg)]))
    loader = copy.deepcopy(demo.train_dataloader)
    loader.update(batch_size=cfg.train_dataloader.batch_size, num_workers=0, persistent_workers=False)
    loader.dataset.data_root = data_root
    _shrink(loader.dataset.pipeline)
    cfg.train_dataloader = loader
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=2, val_interval=1000)
    for key in ('val_dataloader', 'val_cfg', 'val_evaluator', 'test_dataloader', 'test_cfg', 'test_evaluator'):
        cfg[key] = None
    cfg.param_scheduler = None
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1000, save_last=False)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.default_hooks.pop('visualization', None)
    cfg.work_dir, cfg.launcher, cfg.load_from, cfg.resume = work_dir, 'none', None, False
    return cfg


def _module_types(obj, path=''):
    """``(path, type)`` of every module dict under ``obj``."""
    if isinstance(obj, (dict, ConfigDict)):
        found = [(path, str(obj['type']))] if 'type' in obj else []
        for k, v in obj.items():
            found += _module_types(v, f'{path}.{k}')
        return found
    if isinstance(obj, (list, tuple)):
        return [f for i, v in enumerate(obj) for f in _module_types(v, f'{path}[{i}]')]
    return []


def training_signatures(path: Path) -> tuple:
    """What decides which code trains and which parameters get gradients, numbers (widths, depths, crops,
    learning rates, schedules) left out: ``(model structure, backbone switches)``. Each is covered on its own,
    so e.g. ``with_cp`` runs once, not once per head."""
    cfg = Config.fromfile(str(path))
    backbone = cfg.model.backbone
    switches = tuple(sorted((k, v) for k, v in backbone.items() if k not in NOT_A_SWITCH and
                            (isinstance(v, (bool, str)) or v is None)))
    windowed = bool(backbone.get('vitdet_window_size') or backbone.get('window_size'))
    optim = cfg.optim_wrapper
    constructor = optim.get('constructor'), tuple(sorted(optim.get('paramwise_cfg', {}) or {}))
    structure = (tuple(sorted(_module_types(cfg.model))), windowed, constructor, optim.get('type'),
                 cfg.train_dataloader.batch_size == 1)
    return ('structure', structure), ('switches', switches)


def representatives(paths) -> list:
    """The first config (by name) of every model structure and of every set of backbone switches."""
    chosen = {}
    for p in paths:
        for signature in training_signatures(p):
            chosen.setdefault(signature, p)
    return sorted(set(chosen.values()))


TRAINED = representatives(FULL_SIZE)


@pytest.mark.parametrize('path', TRAINED, ids=lambda p: p.stem)
def test_config_trains_two_iterations_at_its_own_batch_size(path, data_root, tiny_trunks, tmp_path):
    cfg = tiny_training_config(path, data_root, tiny_trunks, str(tmp_path))
    init_default_scope(cfg.default_scope)
    runner = Runner.from_cfg(cfg)
    model = runner.model
    graded = set()
    for name, p in model.named_parameters():
        if p.requires_grad:
            p.register_post_accumulate_grad_hook(lambda _, name=name: graded.add(name))
    runner.train()
    assert runner.iter == 2
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable - graded == set(), f'{path.name}: trainable parameters without a gradient'
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_every_config_folder_is_covered():
    assert {p.parent.name for p in FULL_SIZE} == {'radio_seg', 'radio_det'} and len(FULL_SIZE) >= 18
    signatures = {s for p in TRAINED for s in training_signatures(p)}
    assert all(s in signatures for p in FULL_SIZE for s in training_signatures(p))
    assert len(TRAINED) >= 8  # linear, UPerNet (BN / GN at batch 1), M2F, Mask R-CNN, Cascade, frozen, ViTDet...
