#!/usr/bin/env python
"""Latency of SAM-style prompting: RADIO encoders (RadioSamPredictor) vs segment-anything's SamPredictor.

For each encoder (random weights: only the architecture matters for speed) it measures
``set_image`` (the image embedding, once per image) and the decoder-only re-prompt with a cached
embedding (one click, multimask; one box), at one resolution with square padding. All encoders
are built first and then run **interleaved, round by round** (each round: every encoder's
``set_image`` once and ``--decoder-repeats`` clicks and boxes), so load changes on a shared
machine hit all of them alike and the ratios hold.

    python tools/analysis/benchmark_sam.py --device cuda --repeats 10
    python tools/analysis/benchmark_sam.py --device cpu --repeats 1 --warmup 0   # slow: minutes
    # clicks only (the decoder does not depend on the encoder): random cached embeddings
    python tools/analysis/benchmark_sam.py --device cpu --encoders 'radio-tiny (global)' 'sam vit_b' \
        --random-embedding --repeats 5 --decoder-repeats 20 --threads 1

RADIO predictors re-prompt with ``RepromptDecoder`` (the default ``fast_decoder=True``);
``--exact-decoder`` adds, per RADIO encoder, a ``[sam forward]`` row that runs segment-anything's
``MaskDecoder.forward`` on every prompt, so the decoder's own gain shows in the same run.

RADIO encoders get the conv neck (random models have no ``sam`` adaptor; the adaptor MLP costs
about the same). Not a test: numbers depend on the machine and its load.

``--sam3`` instead times SAM3's image encoder (vision trunk + SAM3's neck, what ``set_image``
runs) with SAM3's own ViT against RADIO trunks with a random ``sam3`` adaptor (RADIO-B, RADIO-L
and the C-RADIOv4-SO400M / -H architectures), at ``--resolutions`` (default 1008 and 1152),
global and ViTDet (window 16), side by side::

    python tools/analysis/benchmark_sam.py --sam3 --device cuda --repeats 5
    python tools/analysis/benchmark_sam.py --sam3 --device cpu --repeats 1 --warmup 0 \
        --sam3-encoders radio-b radio-l sam3-vit     # CPU: minutes per row

SAM3's ViT has 14 px patches and rotary embeddings built for one side, so it runs at the nearest
multiple of 14 (1152 -> 1148) and only in its own windowed layout (24-patch windows, 4 global blocks).
"""
import argparse
import gc
import json
import platform
import sys
from typing import Dict, List, Tuple

import radio_dense.tools  # noqa: F401  (first: the tools' process settings, before torch loads)

import numpy as np

ENCODERS = {
    'radio-tiny (global)': ('radio', dict(arch='radio-tiny')),
    'radio-b (global)': ('radio', dict(arch='vit-b-16')),
    'radio-b (vitdet w16)': ('radio', dict(arch='vit-b-16', vitdet_window_size=16)),
    'radio-l (global)': ('radio', dict(arch='vit-l-16')),
    'radio-l (vitdet w16)': ('radio', dict(arch='vit-l-16', vitdet_window_size=16)),
    'sam vit_b': ('sam', 'vit_b'),
    'sam vit_l': ('sam', 'vit_l'),
    'sam vit_h': ('sam', 'vit_h'),
}


# SAM3 image-encoder rows: name -> ('sam3', None) or ('radio', timm trunk name)
SAM3_ENCODERS = {
    'sam3-vit': ('sam3', None),
    'radio-b': ('radio', 'vit_base_patch16_224'),
    'radio-l': ('radio', 'vit_large_patch16_224'),
    'c-radio_v4-so400m-arch': ('radio', 'vit_so400m_patch16_224'),
    'c-radio_v4-h-arch': ('radio', 'vit_huge_patch16_224'),
}
SAM3_VITDET_WINDOW = 16


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--device', help='cpu | cuda | cuda:N (default: cuda when available)')
    p.add_argument('--sam3', action='store_true', help="time SAM3 image encoders (SAM3's ViT vs RADIO trunks)")
    p.add_argument('--sam3-encoders', nargs='+', choices=list(SAM3_ENCODERS), default=list(SAM3_ENCODERS),
                   metavar='NAME', help=f'with --sam3, subset of: {", ".join(SAM3_ENCODERS)}')
    p.add_argument('--resolutions', type=int, nargs='+', default=[1008, 1152], help='with --sam3: input sides')
    p.add_argument('--modes', nargs='+', choices=['global', 'vitdet'], default=['global', 'vitdet'],
                   help='with --sam3: RADIO attention modes')
    p.add_argument('--resolution', type=int, default=1024)
    p.add_argument('--encoders', nargs='+', choices=list(ENCODERS), default=list(ENCODERS), metavar='NAME',
                   help=f'subset of: {", ".join(ENCODERS)}')
    p.add_argument('--repeats', type=int, default=3, help='timed set_image calls per encoder')
    p.add_argument('--warmup', type=int, default=1, help='untimed set_image calls first')
    p.add_argument('--decoder-repeats', type=int, default=20, help='timed decoder calls per prompt kind')
    p.add_argument('--image-size', type=int, nargs=2, default=(768, 1024), metavar=('H', 'W'))
    p.add_argument('--threads', type=int, help='torch CPU threads')
    p.add_argument('--random-embedding', action='store_true',
                   help='skip set_image: prompt a random cached embedding (click/box latency only)')
    p.add_argument('--exact-decoder', action='store_true',
                   help="also time each RADIO encoder's clicks with fast_decoder=False (segment-anything's "
                        "MaskDecoder.forward on every prompt) next to the default RepromptDecoder")
    p.add_argument('--out-json', help='also write the results here')
    return p.parse_args(argv)


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


def _set_random_embedding(predictor, image: np.ndarray, device: str) -> None:
    """A cached embedding without running the encoder (the decoder's cost does not depend on it).

    segment-anything's ``SamPredictor`` has no public way to take an embedding, so it embeds the image
    once (its first call) and keeps that embedding for every later round.
    """
    import torch
    from segment_anything import SamPredictor
    if isinstance(predictor, SamPredictor):
        if not predictor.is_image_set:
            predictor.set_image(image)
        return
    h, w = image.shape[:2]
    geometry = predictor.model.geometry((h, w), predictor.resolution, predictor.pad_to_square)
    grid = tuple(s // predictor.model.patch_size for s in geometry.canvas_size)
    predictor.set_image_embedding(torch.randn(1, 256, *grid, device=device), geometry)


def bench(args: argparse.Namespace, image: np.ndarray) -> Tuple[List[Dict], List[float]]:
    """Build every encoder, then time them round by round (interleaved)."""
    import torch

    from radio_dense.analysis.timing import load_average, median, time_ms
    built = {name: _build(*ENCODERS[name], args.resolution, args.device) for name in args.encoders}
    if args.exact_decoder:
        from radio_dense.sam import RadioSamPredictor
        for name in [n for n in built if ENCODERS[n][0] == 'radio']:
            predictor, model = built[name]
            built[f'{name} [sam forward]'] = (RadioSamPredictor(model, predictor.resolution, True, fast_decoder=False),
                                              model)
    h, w = image.shape[:2]
    point = dict(point_coords=np.array([[w * 0.4, h * 0.5]]), point_labels=np.array([1]), multimask_output=True)
    box = dict(box=np.array([w * 0.2, h * 0.2, w * 0.6, h * 0.8]), multimask_output=False)
    embed, click, boxed = ({name: [] for name in built} for _ in range(3))
    loads = []

    def set_image(predictor):
        if args.random_embedding:
            _set_random_embedding(predictor, image, args.device)
        else:
            predictor.set_image(image)

    with torch.inference_mode():
        for predictor, _ in built.values():
            for _ in range(max(args.warmup, 1)):
                set_image(predictor)
            predictor.predict(**point)
            predictor.predict(**box)
        for _ in range(args.repeats):
            loads.append(load_average()[0])
            for name, (predictor, _) in built.items():
                embed[name] += time_ms(lambda: set_image(predictor), args.device, 1, 0)
                click[name] += time_ms(lambda: predictor.predict(**point), args.device, args.decoder_repeats, 0)
                boxed[name] += time_ms(lambda: predictor.predict(**box), args.device, args.decoder_repeats, 0)
    rows = []
    for name, (predictor, model) in built.items():
        rows.append({'encoder': name,
                     'params_M': round(sum(p.numel() for p in model.image_encoder.parameters()) / 1e6, 1),
                     'grid': 'x'.join(str(s) for s in predictor.get_image_embedding().shape[-2:]),
                     'set_image_ms': '-' if args.random_embedding else round(median(embed[name]), 1),
                     'set_image_min_ms': '-' if args.random_embedding else round(min(embed[name]), 1),
                     'click_ms': round(median(click[name]), 2),
                     'click_min_ms': round(min(click[name]), 2),
                     'box_ms': round(median(boxed[name]), 2)})
    del built
    gc.collect()
    if args.device.startswith('cuda'):
        torch.cuda.empty_cache()
    return rows, loads


def _sam3_encoder(kind: str, trunk_name, resolution: int, mode: str):
    """SAM3's vision backbone (trunk + neck) and the input side it runs at."""
    import torch
    from radio_dense.radio import create_radio
    from radio_dense.sam3 import SAM3_IMAGE, RadioSam3Trunk, build_sam3_vision_backbone, build_sam3_vit
    from radio_dense.sam3.random_adaptor import add_random_adaptor
    torch.manual_seed(0)
    if kind == 'sam3':
        side = round(resolution / SAM3_IMAGE.patch_size) * SAM3_IMAGE.patch_size
        trunk = build_sam3_vit(SAM3_IMAGE, image_size=side)
    else:
        side = resolution
        radio = create_radio(trunk_name, teachers=('siglip2-g', 'dino_v3', 'sam3'), cpe_max_size=2048,
                             vitdet_window_size=SAM3_VITDET_WINDOW if mode == 'vitdet' else None, seed=0)
        trunk = RadioSam3Trunk(add_random_adaptor(radio, out_dim=SAM3_IMAGE.vit_dim))
    return build_sam3_vision_backbone(trunk, SAM3_IMAGE).eval(), side


def _peak_rss_mib() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_sam3_encoder(name: str, resolution: int, mode: str, args: argparse.Namespace) -> Dict:
    """One SAM3 image-encoder row: median ms of trunk + neck on a random normalised image."""
    import torch

    from radio_dense.analysis.timing import median, time_ms
    kind, trunk_name = SAM3_ENCODERS[name]
    backbone, side = _sam3_encoder(kind, trunk_name, resolution, mode)
    backbone = backbone.to(args.device)
    trunk_params = sum(p.numel() for p in backbone.trunk.parameters()) / 1e6
    canvas = torch.rand(1, 3, side, side, device=args.device) * 2 - 1
    with torch.inference_mode():
        times = time_ms(lambda: backbone(canvas), args.device, args.repeats, args.warmup)
    grid = side // (14 if kind == 'sam3' else 16)
    row = {'encoder': name, 'attention': 'win24+4 global' if kind == 'sam3' else
           (f'vitdet w{SAM3_VITDET_WINDOW}' if mode == 'vitdet' else 'global'),
           'input': side, 'params_M': round(trunk_params, 1), 'grid': f'{grid}x{grid}',
           'encoder_ms': round(median(times), 1), 'encoder_min_ms': round(min(times), 1),
           'peak_rss_MiB': round(_peak_rss_mib())}
    if args.device.startswith('cuda'):
        row['peak_cuda_MiB'] = round(torch.cuda.max_memory_allocated() / 2 ** 20)
    return row


def _isolated_row(name: str, resolution: int, mode: str, args: argparse.Namespace) -> Dict:
    """Run one row in a fresh process: its peak memory is that row's alone."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context('spawn')) as pool:
        return pool.submit(_row_in_child, name, resolution, mode, args).result()


def _row_in_child(name: str, resolution: int, mode: str, args: argparse.Namespace) -> Dict:
    import torch
    if args.threads:
        torch.set_num_threads(args.threads)
    return bench_sam3_encoder(name, resolution, mode, args)


def sam3_rows(args: argparse.Namespace) -> List[Dict]:
    """Every requested (encoder, resolution, mode), each in its own process; SAM3's ViT has one layout."""
    rows = []
    for resolution in args.resolutions:
        for name in args.sam3_encoders:
            modes = ['own'] if SAM3_ENCODERS[name][0] == 'sam3' else args.modes
            for mode in modes:
                rows.append(_isolated_row(name, resolution, mode, args))
                print(f"  {name} {rows[-1]['attention']} @ {rows[-1]['input']}: {rows[-1]['encoder_ms']} ms "
                      f"(peak RSS {rows[-1]['peak_rss_MiB']} MiB)", flush=True)
    return rows


SAM_COLUMNS = ['encoder', 'params_M', 'grid', 'set_image_ms', 'set_image_min_ms', 'click_ms', 'click_min_ms', 'box_ms']
SAM3_COLUMNS = ['encoder', 'attention', 'input', 'params_M', 'grid', 'encoder_ms', 'encoder_min_ms', 'peak_rss_MiB']


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch

    from radio_dense.analysis.timing import markdown_table
    args.device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.device.startswith('cuda') and not torch.cuda.is_available():
        raise SystemExit('--device cuda but no CUDA device is visible; use --device cpu')
    device_name = torch.cuda.get_device_name() if args.device.startswith('cuda') else platform.processor() or 'cpu'
    if args.sam3:
        print(f"SAM3 image encoder (trunk + SAM3 neck) latency, batch 1, RANDOM WEIGHTS, device {args.device} "
              f"({device_name}, {torch.get_num_threads()} CPU threads), {args.repeats} timed after {args.warmup} "
              f"warm-up, median ms", flush=True)
        rows = sam3_rows(args)
        print(markdown_table(rows, SAM3_COLUMNS))
        if args.out_json:
            with open(args.out_json, 'w') as f:
                json.dump({'device': args.device, 'device_name': device_name, 'rows': rows}, f, indent=2)
        return 0
    rng = np.random.default_rng(0)
    image = (rng.random((*args.image_size, 3)) * 255).astype(np.uint8)
    print(f'SAM prompting latency (RANDOM WEIGHTS) at {args.resolution} px (square padding), image {args.image_size[1]}x'
          f'{args.image_size[0]}, device {args.device} ({device_name}, {torch.get_num_threads()} CPU threads), '
          f'{args.repeats} timed set_image after {args.warmup} warm-up, median ms', flush=True)
    rows, loads = bench(args, image)
    print(markdown_table(rows, SAM_COLUMNS))
    print(f'load average at the start of each round: {", ".join(f"{v:.1f}" for v in loads)}')
    if args.out_json:
        with open(args.out_json, 'w') as f:
            json.dump({'device': args.device, 'device_name': device_name, 'resolution': args.resolution,
                       'load_per_round': loads, 'rows': rows}, f, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
