"""Make ``tests/fixtures/trained_tiny/radio-tiny-trained.pth.tar``: the tiny test RADIO with a TRAINED trunk.

NOT upstream-made and never used for fidelity: the zero-shot oracle tests need dense features that
separate the synthetic classes, which the random-weight ``radio-tiny`` fixture's do not (its oracle
stays near 50 mIoU). This script starts from the upstream-made random ``radio-tiny.pth.tar`` (same
trunk, same input conditioner, same random adaptors, so the ``clip``/``siglip`` language heads
exist), trains the trunk with the demo recipe (``configs/demo/radio-tiny_upernet_1xb4-300_synthetic-
192x192.py``: SimpleFPN + UPerNet on the synthetic shapes, mmengine's Runner), and writes the trunk
back into the torch.hub layout (:func:`radio_dense.radio.hub_export.save_hub_checkpoint`) in fp16
to keep the file small. Adaptors stay the random ones of the source checkpoint.

    python tools/dev/make_trained_tiny_fixture.py [--iters 300] [--out PATH]
"""
import argparse
import os
import sys
import tempfile

import radio_dense.tools  # noqa: F401  (first: the tools' process settings, before torch loads)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE = os.path.join(REPO, 'tests', 'fixtures', 'upstream', 'radio_tiny', 'radio-tiny.pth.tar')
CONFIG = os.path.join(REPO, 'configs', 'demo', 'radio-tiny_upernet_1xb4-300_synthetic-192x192.py')
OUT = os.path.join(REPO, 'tests', 'fixtures', 'trained_tiny', 'radio-tiny-trained.pth.tar')
ADAPTORS = ('clip', 'siglip', 'dino_v2', 'sam')  # every adaptor of SOURCE, kept random


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--iters', type=int, default=300, help='training iterations (the demo recipe: 300)')
    p.add_argument('--num-train', type=int, default=200, help='synthetic training images')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out', default=OUT)
    return p.parse_args(argv)


def train_trunk(iters: int, num_train: int, seed: int, work: str):
    """The demo recipe on ``SOURCE``'s trunk; returns the trained backbone's :class:`RADIOModel`."""
    from mmengine.config import Config
    from mmengine.runner import Runner

    from radio_dense.data import write_demo_dataset
    data_root = os.path.join(work, 'data')
    write_demo_dataset(data_root, num_train=num_train, num_val=8, size=256, seed=seed, progress=False)
    cfg = Config.fromfile(CONFIG)
    cfg.model.backbone.checkpoint = SOURCE
    cfg.work_dir = os.path.join(work, 'work_dir')
    cfg.randomness = dict(seed=seed)
    cfg.train_cfg.max_iters = iters
    cfg.train_cfg.val_interval = iters
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = data_root
        cfg[loader].num_workers = 0
        cfg[loader].persistent_workers = False
    for scheduler in cfg.param_scheduler:
        if scheduler.get('end', 0) > iters:
            scheduler.end = iters
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=-1, save_last=False)
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner.model.backbone.radio


def write_fixture(trunk_state: dict, out: str) -> str:
    """``SOURCE`` with its trunk replaced by ``trunk_state`` (adaptors kept), saved in fp16 in the hub layout."""
    from radio_dense import load_radio
    from radio_dense.radio.hub_export import save_hub_checkpoint
    model = load_radio(SOURCE, adaptor_names=list(ADAPTORS))
    model.model.load_state_dict(trunk_state)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    return save_hub_checkpoint(model.half(), out)


def main(argv=None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        trained = train_trunk(args.iters, args.num_train, args.seed, work)
        write_fixture(trained.model.state_dict(), args.out)
    print(f'wrote {args.out} ({os.path.getsize(args.out) / 2**20:.1f} MiB)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
