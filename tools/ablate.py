"""Config ablation runner: test (and optionally train) a config at every point of a grid.

Each point runs in its own work dir (``WORK_DIR/NN_key=value_...``); finished points (with a
``metrics.json``) are skipped, so an interrupted ablation resumes where it stopped. A point is
finished only for the config it ran with: ``config.sha256`` beside its metrics holds a digest of
the fully resolved config (shared ``--cfg-options`` included), the mode and the checkpoint file.
When it differs, a test-only point runs again; a trained point is refused with a message. Results go
to ``WORK_DIR/results.{csv,md}`` and a bar chart ``WORK_DIR/results.png``.

Examples:
    # test-only: one checkpoint, two window sizes x two test resolutions
    python tools/ablate.py configs/demo/radio-tiny_upernet_1xb4-300_synthetic-192x192.py --checkpoint ckpt.pth \\
        --grid "model.backbone.vitdet_window_size=[None,4]" \\
               "test_dataloader.dataset.pipeline.1.scale=[(128,128),(256,256)]" --work-dir work_dirs/ablate
    # train + test each point
    python tools/ablate.py CONFIG --train --grid "model.backbone.frozen=[True,False]" \\
        "optim_wrapper.paramwise_cfg.decay_rate=[0.75,1.0]" --cfg-options train_cfg.max_iters=200
"""
import argparse
import os
import subprocess
import sys
import time

TOOLS = os.path.dirname(os.path.abspath(__file__))
from radio_dense.tools.tool_args import cfg_options_dict, key_value


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Run a grid of config overrides and collect the metrics')
    parser.add_argument('config')
    parser.add_argument('--grid', nargs='+', type=key_value, required=True,
                        help='overrides to vary, key=[v1,v2] each (mmengine --cfg-options syntax)')
    parser.add_argument('--cfg-options', nargs='+', default=[], help='overrides shared by every point (key=value)')
    parser.add_argument('--checkpoint', help='checkpoint to test every point with (test-only ablations)')
    parser.add_argument('--train', action='store_true', help='train each point before testing it')
    parser.add_argument('--work-dir', default='work_dirs/ablation')
    parser.add_argument('--metric', help='metric to plot (default: mIoU, COCO bbox mAP or the first one reported)')
    args = parser.parse_args(argv)
    if not args.train and not args.checkpoint:
        parser.error('give --checkpoint (test-only) or --train (train then test each point)')
    args.grid = cfg_options_dict(args.grid)
    return args


def _run(cmd, log_path: str) -> None:
    with open(log_path, 'w') as log:
        proc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        tail = open(log_path).read()[-3000:]
        raise SystemExit(f'{" ".join(cmd[:3])} failed (exit {proc.returncode}); see {log_path}:\n{tail}')


def point_digest(args: argparse.Namespace, point) -> str:
    """The digest of everything that decides a point's metrics: resolved config, mode, checkpoint file."""
    from radio_dense.tools.common.ablation import config_digest
    extra = {'train': args.train}
    if args.checkpoint:
        stat = os.stat(args.checkpoint)
        extra['checkpoint'] = [os.path.abspath(args.checkpoint), stat.st_size, stat.st_mtime_ns]
    return config_digest(args.config, [*args.cfg_options, *point.cfg_options()], extra)


def stale_points(args: argparse.Namespace, points, digests) -> list:
    """Finished points whose metrics belong to another config; test-only ones are marked for a rerun."""
    from radio_dense.tools.common.ablation import DONE_FILE
    stale = [p for p in points if p.done and p.stored_digest() != digests[p]]
    if stale and args.train:
        raise SystemExit(
            f'{len(stale)} finished point(s) were trained with a different config than now (shared --cfg-options, '
            f'config files or --checkpoint changed): {", ".join(p.name for p in stale)}. Their checkpoints would '
            f'be resumed under the new config. Delete those folders or use another --work-dir.')
    for p in stale:
        print(f'[{p.name}] its metrics were computed with a different config; running it again', flush=True)
        os.remove(os.path.join(p.work_dir, DONE_FILE))
    return stale


def run_point(args: argparse.Namespace, point, digest: str) -> None:
    os.makedirs(point.work_dir, exist_ok=True)
    options = ['--cfg-options', *args.cfg_options, *point.cfg_options()]
    checkpoint = args.checkpoint
    if args.train:
        _run([sys.executable, os.path.join(TOOLS, 'train.py'), args.config, '--work-dir', point.work_dir,
              '--resume', *options], os.path.join(point.work_dir, 'train.log'))
        with open(os.path.join(point.work_dir, 'last_checkpoint')) as f:
            checkpoint = f.read().strip()
    from radio_dense.tools.common.ablation import DIGEST_FILE, DONE_FILE
    metrics_tmp = os.path.join(point.work_dir, DONE_FILE + '.tmp')
    _run([sys.executable, os.path.join(TOOLS, 'test.py'), args.config, checkpoint, '--work-dir', point.work_dir,
          '--metrics-out', metrics_tmp, *options], os.path.join(point.work_dir, 'test.log'))
    with open(os.path.join(point.work_dir, DIGEST_FILE), 'w') as f:
        f.write(digest + '\n')
    os.replace(metrics_tmp, os.path.join(point.work_dir, DONE_FILE))  # a point is done only when complete


def main(argv=None) -> None:
    args = parse_args(argv)
    from radio_dense.tools.common.ablation import default_metric, expand_grid, load_results, plot_metric, write_tables
    points = expand_grid(args.grid, args.work_dir)
    digests = {p: point_digest(args, p) for p in points}
    stale_points(args, points, digests)
    todo = [p for p in points if not p.done]
    print(f'{len(points)} points, {len(points) - len(todo)} already done, {len(todo)} to run', flush=True)
    try:
        from tqdm import tqdm
        progress = tqdm(todo, desc='ablation', unit='point')
    except ImportError:
        progress = todo
    for point in progress:
        start = time.perf_counter()
        print(f'[{point.name}] {" ".join(point.cfg_options())}', flush=True)
        run_point(args, point, digests[point])
        print(f'[{point.name}] done in {time.perf_counter() - start:.0f}s', flush=True)
    rows = load_results(points)
    prefix = os.path.join(args.work_dir, 'results')
    csv_path, md_path = write_tables(rows, prefix)
    metric = args.metric or default_metric(rows[0], exclude=['point', *args.grid])
    png = plot_metric(rows, metric, prefix + '.png') if metric else None
    print(open(md_path).read())
    print(f'wrote {csv_path}, {md_path}' + (f', {png}' if png else ''))


if __name__ == '__main__':
    from radio_dense.tools.common.tool_main import run_main
    sys.exit(run_main(main))
