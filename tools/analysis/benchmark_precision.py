#!/usr/bin/env python
"""fp32 vs bf16 autocast, side by side: the RADIO backbone, SAM ``set_image`` and one click.

Random weights (only the architecture matters for speed). Runs fp32 and bf16 interleaved, round by
round, so load changes on a shared machine hit both alike; prints a markdown table with the
speed-up and the bf16-vs-fp32 cosine, and the CPU model and whether it has native bf16
(AVX512-BF16 / AMX: bf16 is several times faster there; without them bf16 is emulated and slower,
which is why ``--dtype auto`` picks fp32 on such CPUs).

    python tools/analysis/benchmark_precision.py                      # ViT-B, 512 global + 1024 ViTDet w16
    python tools/analysis/benchmark_precision.py --device cuda --repeats 10
    python tools/analysis/benchmark_precision.py --arch radio-tiny --sizes 256 --repeats 1   # seconds
"""
import argparse
import json
import sys

import radio_dense.tools  # noqa: F401  (first: the tools' process settings, before torch loads)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--arch', default='vit-b-16', help='RADIO architecture (random weights)')
    p.add_argument('--sizes', type=int, nargs='+', default=[512, 1024], help='input sides')
    p.add_argument('--window', type=int, default=16, help='ViTDet window for sizes >= 1024 (0: always global)')
    p.add_argument('--device', default='cpu')
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--clicks', type=int, default=5, help='clicks timed per round')
    p.add_argument('--threads', type=int, help='torch threads (default: torch\'s)')
    p.add_argument('--json', help='also write the rows here')
    return p.parse_args(argv)


def cpu_model() -> str:
    try:
        with open('/proc/cpuinfo') as f:
            return next(line.split(':', 1)[1].strip() for line in f if line.startswith('model name'))
    except (OSError, StopIteration):
        import platform
        return platform.processor() or 'unknown'


def main(argv=None) -> int:
    args = parse_args(argv)
    import numpy as np
    import torch

    from radio_dense import create_radio
    from radio_dense.analysis.timing import machine_line, markdown_table, median, time_ms
    from radio_dense.radio.precision import autocast, cpu_has_native_bf16, enable_tf32
    from radio_dense.sam import RadioSamPredictor, build_radio_sam
    if args.threads:
        torch.set_num_threads(args.threads)
    enable_tf32()
    dtypes = {'fp32': torch.float32, 'bf16': torch.bfloat16}
    rows = []
    for size in args.sizes:
        window = args.window if args.window and size >= 1024 else None
        model = create_radio(args.arch, vitdet_window_size=window, seed=0).eval().to(args.device)
        sam = build_radio_sam(dict(arch=args.arch, vitdet_window_size=window), neck='conv', resolution=size,
                              seed=0).to(args.device).eval()
        x = torch.rand(1, 3, size, size, device=args.device)
        image = (np.random.default_rng(0).random((size * 3 // 4, size, 3)) * 255).astype(np.uint8)
        click = dict(point_coords=np.array([[size * 0.4, size * 0.3]]), point_labels=np.array([1]))
        predictors = {name: RadioSamPredictor(sam, size, True, dtype=dtype) for name, dtype in dtypes.items()}
        times = {(part, name): [] for part in ('backbone', 'set_image', 'click') for name in dtypes}
        outputs = {}
        with torch.inference_mode():
            for round_ in range(args.repeats + 1):  # round 0 warms up
                for name, dtype in dtypes.items():
                    def backbone():
                        with autocast(args.device, dtype):
                            outputs[name] = model(x).features.float()
                    predictor = predictors[name]
                    t_backbone = time_ms(backbone, args.device, 1, 0)
                    t_embed = time_ms(lambda: predictor.set_image(image), args.device, 1, 0)
                    t_click = time_ms(lambda: predictor.predict(**click), args.device, args.clicks, 0)
                    if round_:
                        times['backbone', name] += t_backbone
                        times['set_image', name] += t_embed
                        times['click', name] += t_click
        cosine = torch.nn.functional.cosine_similarity(outputs['bf16'].flatten(), outputs['fp32'].flatten(), dim=0)
        mode = f'vitdet {window}' if window else 'global'
        for part in ('backbone', 'set_image', 'click'):
            fp32, bf16 = (median(times[part, n]) for n in dtypes)
            rows.append(dict(arch=args.arch, input=size, mode=mode, part=part, fp32_ms=round(fp32, 1),
                             bf16_ms=round(bf16, 1), bf16_speedup=round(fp32 / bf16, 2),
                             cosine=round(cosine.item(), 5) if part == 'backbone' else None))
        del model, sam, predictors
    native = cpu_has_native_bf16()
    device = torch.cuda.get_device_name(args.device) if args.device.startswith('cuda') else cpu_model()
    print(f'device: {device}; native bf16: {native if not args.device.startswith("cuda") else "-"}; '
          f'{machine_line()}\n')
    print(markdown_table([dict(r, bf16_speedup=f"{r['bf16_speedup']}x") for r in rows],
                         ['arch', 'input', 'mode', 'part', 'fp32_ms', 'bf16_ms', 'bf16_speedup', 'cosine'],
                         ['arch', 'input', 'mode', 'part', 'fp32 ms', 'bf16 ms', 'bf16 speed-up', 'cosine (bf16 vs fp32)']))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(dict(device=device, native_bf16=native, rows=rows), f, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
