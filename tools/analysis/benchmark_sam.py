#!/usr/bin/env python
"""Latency of SAM-style prompting: RADIO encoders (RadioSamPredictor) vs segment-anything's SamPredictor.

For each encoder (random weights: only the architecture matters for speed) it measures
``set_image`` (the image embedding, once per image) and the decoder-only re-prompt with a cached
embedding (one click, multimask; one box), at one resolution with square padding.

    python tools/analysis/benchmark_sam.py --device cuda --repeats 10
    python tools/analysis/benchmark_sam.py --device cpu --repeats 1 --warmup 0   # slow: minutes

RADIO encoders get the conv neck (random models have no ``sam`` adaptor; the adaptor MLP costs
about the same). Not a test: numbers depend on the machine and its load.
"""
import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
from typing import Callable, Dict, List

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import tool_args  # noqa: E402,F401  (the radio_dense beside the tools)

ENCODERS = {
    'radio-b (global)': ('radio', dict(arch='vit-b-16')),
    'radio-b (vitdet w16)': ('radio', dict(arch='vit-b-16', vitdet_window_size=16)),
    'radio-l (global)': ('radio', dict(arch='vit-l-16')),
    'radio-l (vitdet w16)': ('radio', dict(arch='vit-l-16', vitdet_window_size=16)),
    'sam vit_b': ('sam', 'vit_b'),
    'sam vit_l': ('sam', 'vit_l'),
    'sam vit_h': ('sam', 'vit_h'),
}


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--device', help='cpu | cuda | cuda:N (default: cuda when available)')
    p.add_argument('--resolution', type=int, default=1024)
    p.add_argument('--encoders', nargs='+', choices=list(ENCODERS), default=list(ENCODERS), metavar='NAME',
                   help=f'subset of: {", ".join(ENCODERS)}')
    p.add_argument('--repeats', type=int, default=3, help='timed set_image calls per encoder')
    p.add_argument('--warmup', type=int, default=1, help='untimed set_image calls first')
    p.add_argument('--decoder-repeats', type=int, default=20, help='timed decoder calls per prompt kind')
    p.add_argument('--image-size', type=int, nargs=2, default=(768, 1024), metavar=('H', 'W'))
    p.add_argument('--threads', type=int, help='torch CPU threads')
    p.add_argument('--out-json', help='also write the results here')
    return p.parse_args(argv)


def _sync(device: str) -> None:
    import torch
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def _time(fn: Callable[[], object], repeats: int, device: str) -> List[float]:
    out = []
    for _ in range(repeats):
        _sync(device)
        start = time.perf_counter()
        fn()
        _sync(device)
        out.append((time.perf_counter() - start) * 1000)
    return out


def _build(kind: str, spec, resolution: int, device: str):
    import torch
    if kind == 'radio':
        from radio_dense.sam import RadioSamPredictor, build_radio_sam
        model = build_radio_sam(dict(spec), neck='conv', resolution=resolution, seed=0)
        return RadioSamPredictor(model.to(device).eval(), resolution, True), model
    from segment_anything import SamPredictor, sam_model_registry
    if resolution != 1024:
        raise SystemExit("segment-anything's encoders run at 1024 only; use --resolution 1024 or drop the sam encoders")
    torch.manual_seed(0)
    model = sam_model_registry[spec]().to(device).eval()
    return SamPredictor(model), model


def bench_one(name: str, args: argparse.Namespace, image: np.ndarray) -> Dict[str, float]:
    import torch
    kind, spec = ENCODERS[name]
    predictor, model = _build(kind, spec, args.resolution, args.device)
    encoder_params = sum(p.numel() for p in model.image_encoder.parameters()) / 1e6
    with torch.inference_mode():
        for _ in range(args.warmup):
            predictor.set_image(image)
        embed = _time(lambda: predictor.set_image(image), args.repeats, args.device)
        h, w = image.shape[:2]
        point = dict(point_coords=np.array([[w * 0.4, h * 0.5]]), point_labels=np.array([1]), multimask_output=True)
        box = dict(box=np.array([w * 0.2, h * 0.2, w * 0.6, h * 0.8]), multimask_output=False)
        predictor.predict(**point)
        click = _time(lambda: predictor.predict(**point), args.decoder_repeats, args.device)
        boxed = _time(lambda: predictor.predict(**box), args.decoder_repeats, args.device)
    row = {'encoder': name, 'params_M': round(encoder_params, 1),
           'set_image_ms': round(statistics.median(embed), 1),
           'set_image_min_ms': round(min(embed), 1),
           'grid': 'x'.join(str(s) for s in predictor.get_image_embedding().shape[-2:]),
           'click_ms': round(statistics.median(click), 2), 'box_ms': round(statistics.median(boxed), 2)}
    del predictor, model
    gc.collect()
    if args.device.startswith('cuda'):
        torch.cuda.empty_cache()
    return row


def format_table(rows: List[Dict]) -> str:
    headers = ['encoder', 'params_M', 'grid', 'set_image_ms', 'set_image_min_ms', 'click_ms', 'box_ms']
    widths = [max(len(h), *(len(str(r[h])) for r in rows)) for h in headers]
    lines = [' | '.join(h.ljust(w) for h, w in zip(headers, widths)), '-+-'.join('-' * w for w in widths)]
    lines += [' | '.join(str(r[h]).ljust(w) for h, w in zip(headers, widths)) for r in rows]
    return '\n'.join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch
    args.device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.device.startswith('cuda') and not torch.cuda.is_available():
        raise SystemExit('--device cuda but no CUDA device is visible; use --device cpu')
    rng = np.random.default_rng(0)
    image = (rng.random((*args.image_size, 3)) * 255).astype(np.uint8)
    device_name = torch.cuda.get_device_name() if args.device.startswith('cuda') else platform.processor() or 'cpu'
    print(f'SAM prompting latency at {args.resolution} px (square padding), image {args.image_size[1]}x'
          f'{args.image_size[0]}, device {args.device} ({device_name}, {torch.get_num_threads()} CPU threads), '
          f'{args.repeats} timed set_image after {args.warmup} warm-up, median ms', flush=True)
    rows = []
    for name in args.encoders:
        rows.append(bench_one(name, args, image))
        print(f"  {name}: set_image {rows[-1]['set_image_ms']} ms, click {rows[-1]['click_ms']} ms", flush=True)
    print(format_table(rows))
    if args.out_json:
        with open(args.out_json, 'w') as f:
            json.dump({'device': args.device, 'device_name': device_name, 'resolution': args.resolution,
                       'rows': rows}, f, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
