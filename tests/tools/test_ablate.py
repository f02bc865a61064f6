"""tools/ablate.py: a 2x2 grid gives a 4-row table; an interrupted run resumes the missing points."""
import csv
import os
import signal
import subprocess
import sys
import time

import pytest

from radio_dense.tools.common.ablation import expand_grid, format_value

from ..openmmlab.e2e_utils import REPO, TINY_SEG_CONFIG as CONFIG, tiny_seg_options, tiny_seg_run

GRID = ['model.backbone.vitdet_window_size=[None,4]', 'test_dataloader.dataset.pipeline.1.scale=[(96,96),(128,128)]']


def test_grid_expansion_names_and_options(tmp_path):
    points = expand_grid({'model.backbone.frozen': [True, False], 'a.scale': [(96, 96), (128, 128)]}, str(tmp_path))
    assert len(points) == 4
    assert points[0].name == '00_frozen=True_scale=96x96'
    assert points[3].cfg_options() == ['model.backbone.frozen=False', 'a.scale=(128,128)']
    assert format_value([None, (1, 2)]) == '[None,(1,2)]'
    with pytest.raises(ValueError, match='expected a non-empty list'):
        expand_grid({'x': 3}, str(tmp_path))


@pytest.mark.slow
def test_ablation_resumes_after_kill(tmp_path, tmp_path_factory, capsys):
    run = tiny_seg_run(tmp_path_factory)
    common = tiny_seg_options(run['data'])
    abl = tmp_path / 'ablation'
    args = [CONFIG, '--checkpoint', run['checkpoint'], '--work-dir', str(abl), '--grid', *GRID, '--cfg-options', *common]
    proc = subprocess.Popen([sys.executable, str(REPO / 'tools/ablate.py'), *args], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 300
    while time.time() < deadline and not (abl / '00_vitdet_window_size=None_scale=96x96' / 'metrics.json').exists():
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = sorted(p.parent.name for p in abl.glob('*/metrics.json'))
    assert 1 <= len(done_before) < 4, done_before
    # the resumed run in-process (its points still run tools/test.py each): the tool's own start-up is the killed one
    from radio_dense.tools.ablate import main
    main(args)
    out = capsys.readouterr().out
    assert f'{len(done_before)} already done, {4 - len(done_before)} to run' in out
    rows = list(csv.DictReader(open(abl / 'results.csv')))
    assert len(rows) == 4
    assert sorted(r['model.backbone.vitdet_window_size'] for r in rows) == ['4', '4', 'None', 'None']
    assert all(0.0 <= float(r['mIoU']) <= 100.0 for r in rows)
    md = (abl / 'results.md').read_text().strip().splitlines()
    assert len(md) == 2 + 4
    assert (abl / 'results.png').stat().st_size > 1000


def test_default_metric_prefers_headline_metrics():
    from radio_dense.tools.common.ablation import default_metric
    assert default_metric({'point': 'a', 'aAcc': 90.0, 'mIoU': 50.0}) == 'mIoU'
    assert default_metric({'point': 'a', 'x': '4', 'coco/bbox_mAP_50': 0.4, 'coco/bbox_mAP': 0.3}) == 'coco/bbox_mAP'
    assert default_metric({'point': 'a', 'x': 3, 'acc': 0.5}, exclude=['point', 'x']) == 'acc'
