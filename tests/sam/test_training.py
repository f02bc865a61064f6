"""Config-driven training on mmengine's Runner: the demo config fine-tunes the conv neck + decoder.

Runs tools/sam_train.py on the demo config, shrunk to the small synthetic set of this session
(128 px as the demo, 150 iterations instead of 400), and checks that the box-prompt mIoU rises well above its start.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

pytest.importorskip('mmengine')
pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / 'configs' / 'demo' / 'radio-tiny_sam-conv-neck_1xb2-1200_synthetic-128x128.py'
# One CPU thread: the small decoder ops suffer badly from OpenMP oversubscription on a shared 2-core machine
# (0.4 s per iteration with one thread, 5-20 s with two while other jobs run); in a quiet one it costs little.
ONE_THREAD = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')


def test_demo_config_builds():
    from mmengine.config import Config
    from mmengine.registry import DATASETS, METRICS, MODELS
    import radio_dense.openmmlab.sam  # noqa: F401
    cfg = Config.fromfile(str(CONFIG))
    assert cfg.model.type == 'RadioSamModel' and cfg.model.sam.neck == 'conv'
    assert MODELS.get('build_radio_sam') is not None and MODELS.get('RadioSamModel') is not None
    assert DATASETS.get('SamCocoDataset') is not None and METRICS.get('SamPromptIoUMetric') is not None
    model = MODELS.build(cfg.model)
    trainable = {n.split('.')[1] for n, p in model.named_parameters() if p.requires_grad}
    assert trainable == {'image_encoder', 'mask_decoder'}
    assert not any(p.requires_grad for p in model.sam.image_encoder.radio.parameters())


def test_train_demo_config_improves_box_miou(demo_data, tmp_path, hub_checkpoint, capsys):
    root = str(demo_data) + '/'
    overrides = [f'{split}_dataloader.dataset.data_root={root}' for split in ('train', 'val', 'test')]
    overrides += [f'model.sam.encoder.source={hub_checkpoint}', 'train_cfg.max_iters=150', 'train_cfg.val_interval=1000',
                  'default_hooks.checkpoint.interval=150', 'param_scheduler.1.T_max=150', 'param_scheduler.1.end=150',
                  'default_hooks.logger.interval=50']
    work = tmp_path / 'work'
    run = subprocess.run([sys.executable, str(REPO / 'tools' / 'sam_train.py'), str(CONFIG), '--work-dir', str(work),
                          '--val-before', '--cfg-options', *overrides], capture_output=True, text=True, cwd=REPO,
                         timeout=1800, env=ONE_THREAD)
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    results = json.loads((work / 'sam_train_results.json').read_text())
    before, after = results['before']['sam/mIoU_box'], results['after']['sam/mIoU_box']
    print(f'box-prompt mIoU before {before:.4f} -> after {after:.4f}; point {results["before"]["sam/mIoU_point"]:.4f}'
          f' -> {results["after"]["sam/mIoU_point"]:.4f}')
    assert before < 0.1
    assert after > 2 * before and after > 0.15

    # the exported weights reproduce the trained model through the config-driven tools
    weights = work / 'radio_sam_trained.safetensors'
    from safetensors.torch import load_file
    state = load_file(str(weights))
    assert any(k.startswith('image_encoder.neck.') for k in state) and any(k.startswith('mask_decoder.') for k in state)
    assert not any(k.startswith('image_encoder.radio.') for k in state)  # frozen RADIO is left out
    from radio_dense.sam import build_radio_sam
    model = build_radio_sam(dict(source=hub_checkpoint), neck='conv', resolution=128, checkpoint=str(weights))
    assert torch.equal(model.mask_decoder.iou_token.weight, state['mask_decoder.iou_token.weight'])
    # tools/sam_eval.py in-process (its command line runs in tests/sam/test_eval.py): no second interpreter start-up
    from radio_dense.tools.sam_eval import main as sam_eval
    capsys.readouterr()
    torch.set_num_threads(1)  # as ONE_THREAD above; tests/conftest.py puts the count back after the test
    assert sam_eval(['--config', str(CONFIG), '--checkpoint', str(weights), '--ann-file',
                     str(demo_data / 'annotations' / 'instances_val.json'), '--img-dir',
                     str(demo_data / 'images' / 'validation'), '--resolutions', '128', '--quiet', '--prompts', 'box']) == 0
    box_first = float(capsys.readouterr().out.strip().splitlines()[-1].split('|')[4])
    assert box_first > 0.15  # original-size IoU of the trained model, close to the in-training value
