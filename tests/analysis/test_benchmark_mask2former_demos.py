"""The demo benchmark's plumbing (the benchmark itself trains for many CPU minutes: not a test)."""
import json
import os


def test_reads_the_last_validation_metrics(tool, tmp_path):
    bench = tool('analysis/benchmark_mask2former_demos.py')
    log = tmp_path / '20260101_000000' / 'vis_data'
    log.mkdir(parents=True)
    rows = [{'loss': 3.0, 'iter': 10}, {'mIoU': 41.5, 'step': 100}, {'loss': 1.0, 'iter': 110},
            {'mIoU': 63.25, 'step': 200}]
    (log / 'scalars.json').write_text('\n'.join(json.dumps(r) for r in rows))
    assert bench.last_metrics(str(tmp_path)) == {'mIoU': 63.25, 'step': 200}


def test_points_every_run_at_the_given_data_and_schedule(tool):
    bench = tool('analysis/benchmark_mask2former_demos.py')
    for config in (bench.SEMANTIC, bench.PANOPTIC, bench._baseline_config()):
        assert os.path.isfile(config), config
    opts = bench._data_options(bench.PANOPTIC, '/data/x')
    assert 'val_evaluator.seg_prefix=/data/x/annotations/panoptic_val/' in opts
    assert 'train_dataloader.dataset.data_root=/data/x/' in opts
    assert not any('evaluator' in o for o in bench._data_options(bench.SEMANTIC, '/data/x'))
    args = bench.parse_args(['--only', 'semantic', '--no-baseline', '--iters', '50'])
    assert (args.only, args.no_baseline, args.iters) == ('semantic', True, 50)
