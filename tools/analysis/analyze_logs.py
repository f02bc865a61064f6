#!/usr/bin/env python
"""Curves and timing from mmengine json logs, as OpenMMLab's ``tools/analysis_tools/analyze_logs.py``.

Each LOG is a training work dir (its newest ``*/vis_data/scalars.json`` is read) or a json log file.

Examples::

    .venv/bin/python tools/analysis/analyze_logs.py plot_curve work_dirs/demo --keys loss mIoU --out curve.png
    .venv/bin/python tools/analysis/analyze_logs.py plot_curve run_a run_b --keys mIoU --legend a b --out cmp.png
    .venv/bin/python tools/analysis/analyze_logs.py cal_train_time work_dirs/demo
"""
import argparse
import sys

import radio_dense.tools  # noqa: F401  (first: the tools' process settings, before torch loads)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='task', required=True)
    plot = sub.add_parser('plot_curve', help='plot the given keys over training')
    plot.add_argument('logs', nargs='+', help='work dirs or json logs')
    plot.add_argument('--keys', nargs='+', default=['loss'], help="logged keys (default: loss; e.g. lr mIoU 'coco/bbox_mAP')")
    plot.add_argument('--legend', nargs='+', help='one name per log (default: the run folder names)')
    plot.add_argument('--title', default='', help='figure title')
    plot.add_argument('--out', default='curve.png', help='output picture (.png, .svg, .pdf)')
    timing = sub.add_parser('cal_train_time', help='seconds per iteration of each log')
    timing.add_argument('logs', nargs='+', help='work dirs or json logs')
    args = p.parse_args(argv)
    if args.task == 'plot_curve' and args.legend and len(args.legend) != len(args.logs):
        p.error(f'--legend needs one name per log ({len(args.logs)}), got {len(args.legend)}')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    from radio_dense.analysis.training_log import load_training_log, plot_curves, train_time
    try:
        logs = [load_training_log(path) for path in args.logs]
        if args.task == 'plot_curve':
            out = plot_curves(logs, args.keys, args.out, args.title, args.legend)
            for log in logs:
                for key in args.keys:
                    steps, values = log.series(key)
                    if steps:
                        print(f'{log.path}: {key} {values[0]:.4g} at step {steps[0]} -> {values[-1]:.4g} at step '
                              f'{steps[-1]} ({len(steps)} points)')
            print(f'Wrote {out}')
        else:
            for log in logs:
                t = train_time(log)
                print(f'{log.path}: {t["mean_s"]:.3f} s/iter on average, slowest {t["slowest_s"]:.3f}, '
                      f'fastest {t["fastest_s"]:.3f} ({t["lines"]} logged lines)')
    except (FileNotFoundError, KeyError, ValueError) as err:
        raise SystemExit(f'analyze_logs: {err}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
