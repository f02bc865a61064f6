#!/usr/bin/env python
"""One-command GPU check for a short machine loan (torch + timm; ~5 min on one H100, under 8).

Runs from a plain checkout with torch + timm and nothing else (no mmcv, no internet): a section
whose packages are missing says so and the others run. Reports, as JSON and a markdown table:

0. ``env``: torch / CUDA / cuDNN, TF32, the optional packages, whether mmcv's ops were compiled
   for CUDA and what ``tools/setup_env.sh`` would do about it.
1. ``fidelity``: RADIO-B on the device vs on CPU in fp32 (1e-3), global and ViTDet with padded
   windows; bf16 autocast agreement (cosine, relative L2) with fp32.
2. ``sdpa_kernels``: ViTDet with padding masks under each SDPA backend (flash, efficient,
   cuDNN, math): whether it runs, which aten kernel ran, difference to the default choice.
3. ``latency``: forward latency, achieved TFLOP/s and MFU of RADIO-B/L at 512/1024/2048 px,
   global and ViTDet w16 (bf16 autocast); with ``--upstream PATH`` NVlabs/RADIO side by side.
4. ``sam``: ``set_image`` and one-click latency of RadioSamPredictor vs segment-anything's
   SamPredictor (vit_b, vit_h), interleaved run by run (skipped without segment-anything).
5. ``training``: forward + backward + optimizer steps of RADIO-B/L (ViTDet, padded windows) in
   fp32, fp16 (GradScaler) and bf16 autocast: step time, peak memory, loss falls, gradient cosine
   vs fp32.
6. ``memory``: peak memory at 1024 px of B/L/H/g (real architectures, random weights), global and
   ViTDet: bf16 inference and a bf16 training step.
7. ``mmcv_ops``: RoIAlign, NMS, MultiScaleDeformableAttention on the device vs on the CPU, also
   inside bf16 autocast (skipped without mmcv).
8. ``ddp``: 2-process NCCL DDP (``find_unused_parameters=False``) bf16 steps when 2 GPUs exist
   (on ``--device cpu`` one gloo process runs the same code).

    python tools/analysis/gpu_check.py                          # on the GPU machine
    python tools/analysis/gpu_check.py --upstream /path/RADIO --out-dir outputs/gpu_check
    python tools/analysis/gpu_check.py --device cpu --quick     # smoke test: tiny models, seconds
"""
import argparse
import json
import sys
from pathlib import Path

import radio_dense.tools  # noqa: F401  (first: the tools' process settings, before torch loads)

#: the keys of radio_dense.analysis.gpu_check.CHECKS (a test keeps them equal), in the order they run
CHECK_NAMES = ('env', 'fidelity', 'sdpa_kernels', 'latency', 'training', 'memory', 'mmcv_ops', 'ddp', 'sam')


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--device', help='cpu | cuda | cuda:N (default: cuda when available)')
    p.add_argument('--quick', action='store_true', help='tiny models and inputs (CPU smoke test)')
    p.add_argument('--checks', nargs='+', choices=CHECK_NAMES, default=list(CHECK_NAMES))
    p.add_argument('--upstream', help='NVlabs/RADIO checkout for the side-by-side latency (needs einops)')
    p.add_argument('--peak-tflops', type=float, help='peak TFLOP/s for MFU (default: known per GPU model)')
    p.add_argument('--out-dir', default='outputs/gpu_check')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch

    from radio_dense.analysis.gpu_check import CheckPlan, markdown_report, run_checks
    from radio_dense.radio.precision import enable_tf32
    enable_tf32()  # as the other tools: fp32 matmuls on TF32 tensor cores (the fidelity section turns it off)
    args.device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    if args.device.startswith('cuda') and not torch.cuda.is_available():
        raise SystemExit('--device cuda, but torch sees no CUDA device; use --device cpu --quick for a smoke test')
    plan = CheckPlan.for_run(args.device, args.quick, args.upstream, args.peak_tflops)
    report = run_checks(plan, args.checks)
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / 'gpu_check.json').write_text(json.dumps(report, indent=1, default=str))
    table = markdown_report(report)
    (out / 'gpu_check.md').write_text(table + '\n')
    print(table)
    print(f'wrote {out / "gpu_check.json"} and {out / "gpu_check.md"}')
    failed = [r for s in report['sections'].values() for r in s['rows'] if r.get('ok') is False or 'error' in r]
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
