#!/usr/bin/env python
"""Parameters and FLOPs of the RADIO backbone per resolution, global attention vs ViTDet windows.

FLOPs come from ``torch.utils.flop_counter.FlopCounterMode`` (every dispatched matmul, 1
multiply-add = 2 FLOPs), on the meta device when possible: instant at any resolution.
``attn`` is the attention matmuls (q@k^T, attn@v), ``linear`` everything else (qkv/proj/MLP,
patch embedding). With ``--config`` the whole OpenMMLab model of that config (backbone + neck +
head) is counted as well (needs mmseg/mmdet).

Examples::

    .venv/bin/python tools/analysis/get_flops.py --arch vit-b-16 --resolutions 512 1024 2048 --vitdet 16
    .venv/bin/python tools/analysis/get_flops.py --checkpoint radio_v2.5-l --resolutions 1024 --vitdet 8 16
    .venv/bin/python tools/analysis/get_flops.py --config configs/radio_seg/xxx.py --resolutions 512
    .venv/bin/python tools/analysis/get_flops.py --arch vit-b-16 --vitdet --resolutions 512 1024 --random-init \
        --config configs/radio_seg/radio-v2.5-b_adapter-mask2former_8xb2-160k_ade20k-512x512.py
"""
import argparse
import os
import sys

import radio_dense.tools  # noqa: F401  (first: the tools' process settings, before torch loads)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group()
    src.add_argument('--arch', help='random model of this architecture (default vit-b-16 unless --checkpoint)')
    src.add_argument('--checkpoint', help='anything load_radio accepts')
    p.add_argument('--resolutions', nargs='+', type=int, default=[512, 1024, 2048], help='square input sides (px)')
    p.add_argument('--vitdet', nargs='*', type=int, default=[16], help='ViTDet window sizes (patches) to compare')
    p.add_argument('--batch', type=int, default=1)
    p.add_argument('--config', nargs='+', help='also count these mmseg/mmdet configs\' whole models (needs OpenMMLab)')
    p.add_argument('--random-init', action='store_true',
                   help='with --config: random weights of the backbone arch instead of its checkpoint (no download)')
    return p.parse_args(argv)


def backbone_rows(args):
    """One dict per (resolution, mode) for the RADIO backbone."""
    from radio_dense.analysis.features import build_model
    from radio_dense.analysis.flops import count_flops, count_parameters
    arch = args.arch or (None if args.checkpoint else 'vit-b-16')
    model = build_model(args.checkpoint, arch)
    name = args.checkpoint or arch
    params = count_parameters(model.model)
    rows = []
    for res in args.resolutions:
        base = None
        for window in [None] + list(args.vitdet):
            model.model.set_vitdet(window)
            flops = count_flops(model, (args.batch, 3, res, res))
            base = base or flops.total
            rows.append({'model': name, 'resolution': res, 'mode': 'global' if window is None else f'vitdet {window}',
                         'params_m': params / 1e6, 'gflops': flops.total / 1e9, 'attn_gflops': flops.attention / 1e9,
                         'linear_gflops': flops.linear / 1e9, 'vs_global': flops.total / base})
    model.model.set_vitdet(None)
    return rows


def markdown(rows) -> str:
    lines = ['| model | input | mode | params (M) | GFLOPs | attn GFLOPs | linear GFLOPs | vs global |',
             '|---|---|---|---:|---:|---:|---:|---:|']
    for r in rows:
        lines.append(f"| {r['model']} | {r['resolution']}x{r['resolution']} | {r['mode']} | {r['params_m']:.1f} | "
                     f"{r['gflops']:.1f} | {r['attn_gflops']:.1f} | {r['linear_gflops']:.1f} | {r['vs_global']:.2f}x |")
    return '\n'.join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    rows = backbone_rows(args)
    print(markdown(rows))
    if args.config:
        from radio_dense.openmmlab.model_flops import count_mm_flops
        print('\nWhole models (mmcv deformable attention sampling is not a matmul and is not counted):\n\n'
              '| config | input | params (M) | GFLOPs | attn GFLOPs |\n|---|---|---:|---:|---:|')
        for config in args.config:
            for res in args.resolutions:
                params, flops = count_mm_flops(config, res, res, random_init=args.random_init)
                print(f'| {os.path.basename(config)} | {res}x{res} | {params / 1e6:.1f} | {flops.total / 1e9:.1f} | '
                      f'{flops.attention / 1e9:.1f} |', flush=True)
    return 0


if __name__ == '__main__':
    from radio_dense.tools.common.tool_main import run_main
    sys.exit(run_main(main))
