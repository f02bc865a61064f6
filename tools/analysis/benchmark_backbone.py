#!/usr/bin/env python
"""Forward latency and peak memory of the RADIO backbone, global attention vs ViTDet windows.

By default a random RADIO-B (``--arch vit-b-16``, seeded) at 512/1024 px (CPU) or 512/1024/2048
px (CUDA). With ``--upstream PATH`` (a checkout of github.com/NVlabs/RADIO, used as is) upstream's
model is built from the *same weights* (our model saved as a torch.hub checkpoint), its outputs
are checked against ours (max abs diff) and both are timed, interleaved run by run, with the
speedup ``upstream ms / ours ms`` (> 1: ours is faster).

Latency is the median of ``--repeats`` forwards after a warm-up. Peak memory is CUDA tensor
memory (``max_memory_allocated``) on GPU, and on CPU the peak resident-set increase during one
forward, measured in a helper process (see radio_dense/analysis/benchmark.py for details).

Examples::

    .venv/bin/python tools/analysis/benchmark_backbone.py                       # RADIO-B, CPU
    .venv/bin/python tools/analysis/benchmark_backbone.py --sizes 512 1024 --vitdet 16 \\
        --upstream /path/to/NVlabs/RADIO --repeats 5
    .venv/bin/python tools/analysis/benchmark_backbone.py --device cuda --sizes 1024 2048 4096
"""
import argparse
import json
import os
import sys
import tempfile
import time

import radio_dense.tools  # noqa: F401  (first: the tools' process settings, before torch loads)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group()
    src.add_argument('--arch', default=None, help='random model of this architecture (default vit-b-16)')
    src.add_argument('--checkpoint', help='benchmark these weights instead (anything load_radio accepts)')
    p.add_argument('--sizes', nargs='+', type=int,
                   help='square input sides (px); default 512 1024 on CPU (2048 takes ~30 min on 2 busy cores), '
                        '512 1024 2048 on CUDA')
    p.add_argument('--vitdet', nargs='*', type=int, default=[16], help='ViTDet window sizes (patches); global is always run')
    p.add_argument('--device', default='cpu', help='cpu | cuda | cuda:N')
    p.add_argument('--batch', type=int, default=1)
    p.add_argument('--repeats', type=int, default=5, help='timed forwards per model and config')
    p.add_argument('--warmup', type=int, default=1, help='untimed forwards first')
    p.add_argument('--threads', type=int, help='torch CPU threads (default: torch\'s choice)')
    p.add_argument('--upstream', help='NVlabs/RADIO checkout to compare with (same weights)')
    p.add_argument('--no-memory', action='store_true', help='skip the peak-memory measurement')
    p.add_argument('--profile', type=int, default=0, metavar='N',
                   help='also profile one forward per model and config and print the N costliest ops')
    p.add_argument('--json', help='also write the results to this JSON file')
    return p.parse_args(argv)


def fmt(value, spec='.0f', missing='-'):
    return missing if value is None else format(value, spec)


def vs_global(rows):
    """Per row: (time ratio, FLOP ratio, memory ratio) against global attention at the same size."""
    ref = {r['size']: r for r in rows if r['window'] is None}
    out = []
    for r in rows:
        g = ref.get(r['size'])
        if g is None:
            out.append((None, None, None))
            continue
        mem = r['ours_mb'] / g['ours_mb'] if r.get('ours_mb') and g.get('ours_mb') else None
        out.append((r['ours_ms'] / g['ours_ms'], r['gflops'] / g['gflops'], mem))
    return out


def vitdet_targets(rows):
    """ViTDet vs global: latency <= 1.05 x the FLOP ratio; peak memory <= global (<= 0.6x from 2048 px)."""
    lines = []
    for r, (t_ratio, f_ratio, m_ratio) in zip(rows, vs_global(rows)):
        if r['window'] is None or t_ratio is None:
            continue
        ok = t_ratio <= 1.05 * f_ratio
        line = (f"{r['mode']} {r['size']}px: time {t_ratio:.2f}x global vs FLOPs {f_ratio:.2f}x -> "
                f"{'meets' if ok else 'misses'} time <= 1.05 x FLOP ratio ({1.05 * f_ratio:.2f})")
        if m_ratio is not None:
            bound = 0.6 if r['size'] >= 2048 else 1.0
            line += (f"; memory {m_ratio:.2f}x global -> {'meets' if m_ratio <= bound else 'misses'} "
                     f"<= {bound:g}x")
        lines.append(line)
    return lines


def markdown(rows, with_upstream: bool) -> str:
    head = '| mode | input | GFLOPs | ours ms | ours GFLOP/s | time / global | FLOPs / global | ours peak MiB | MiB / global |'
    align = '|---|---|---:|---:|---:|---:|---:|---:|---:|'
    if with_upstream:
        head += ' upstream ms | speedup | upstream peak MiB | max abs diff |'
        align += '---:|---:|---:|---:|'
    lines = [head, align]
    for r, (t_ratio, f_ratio, m_ratio) in zip(rows, vs_global(rows)):
        line = (f"| {r['mode']} | {r['size']} | {fmt(r.get('gflops'), '.1f')} | {fmt(r['ours_ms'])} | "
                f"{fmt(r.get('ours_gflop_s'))} | {fmt(t_ratio, '.2f')} | {fmt(f_ratio, '.2f')} | "
                f"{fmt(r.get('ours_mb'))} | {fmt(m_ratio, '.2f')} |")
        if with_upstream:
            speed = None if r.get('upstream_ms') is None else r['upstream_ms'] / r['ours_ms']
            line += (f" {fmt(r.get('upstream_ms'))} | {fmt(speed, '.2f')}x | {fmt(r.get('upstream_mb'))} | "
                     f"{fmt(r.get('max_abs_diff'), '.1e')} |")
        lines.append(line)
    return '\n'.join(lines)


def print_profile(profiles, top: int, title: str) -> None:
    """The ops with the largest self time (in any model), with each model's self ms and call count."""
    names = list(profiles)
    keys = sorted(set().union(*profiles.values()), key=lambda k: -max(p.get(k, (0, 0))[0] for p in profiles.values()))
    header = ' | '.join(f'{n} ms | {n} calls' for n in names)
    lines = [f'\nProfile, {title} (self time of one forward):', f'| op | {header} |',
             '|---|' + '---:|' * (2 * len(names))]
    for key in keys[:top]:
        cells = ' | '.join(f'{profiles[n].get(key, (0, 0))[0]:.1f} | {profiles[n].get(key, (0, 0))[1]}' for n in names)
        lines.append(f'| {key} | {cells} |')
    totals = ' | '.join(f'{sum(v[0] for v in profiles[n].values()):.1f} | ' for n in names)
    lines.append(f'| (all ops) | {totals}|')
    from tqdm import tqdm
    tqdm.write('\n'.join(lines))


def upstream_supports(size: int, window, patch: int) -> bool:
    """Upstream ViTDet needs inputs that are a multiple of patch * window (no padding)."""
    return window is None or size % (patch * window) == 0


def run(args, checkpoint: str, patch: int):
    """Time every mode (global and each ViTDet window) and implementation, interleaved run by run per size."""
    import torch
    from tqdm import tqdm

    from radio_dense.analysis.benchmark import build_ours, build_upstream, cuda_peak_mb, max_abs_diff
    from radio_dense.analysis.timing import interleaved_ms, load_average, median, profile_ops
    from radio_dense.analysis.flops import count_flops
    device = args.device
    modes = [None] + list(args.vitdet)
    models = {}
    for window in modes:
        models[('ours', window)] = build_ours(checkpoint, window, device)
        if args.upstream:
            models[('upstream', window)] = build_upstream(args.upstream, checkpoint, window, device)
    rows = []
    gen = torch.Generator().manual_seed(0)
    for size in tqdm(args.sizes, desc='benchmark', unit='size'):
        x = torch.rand(args.batch, 3, size, size, generator=gen).to(device)
        fns = {key: (lambda m=m: m(x)) for key, m in models.items()
               if key[0] == 'ours' or upstream_supports(size, key[1], patch)}
        load = load_average()[0]
        times, outputs = interleaved_ms(fns, args.repeats, device, args.warmup)
        for window in modes:
            row = {'mode': 'global' if window is None else f'vitdet {window}', 'window': window, 'size': size,
                   'batch': args.batch, 'load_before': load,
                   'gflops': count_flops(models[('ours', window)], (args.batch, 3, size, size)).total / 1e9}
            for (impl, w), t in times.items():
                if w != window:
                    continue
                row[f'{impl}_ms'] = median(t)
                row[f'{impl}_runs_ms'] = list(t)
                if device.startswith('cuda'):
                    row[f'{impl}_mb'] = cuda_peak_mb(fns[(impl, w)], device)
            row['ours_gflop_s'] = row['gflops'] / (row['ours_ms'] / 1000)
            if ('upstream', window) in outputs:
                row['max_abs_diff'] = max_abs_diff(outputs[('ours', window)], outputs[('upstream', window)])
            if args.profile:
                print_profile({impl: profile_ops(fns[(impl, w)], device) for impl, w in fns if w == window},
                              args.profile, f'{row["mode"]} {size}px')
            rows.append(row)
        load_after = load_average()[0]
        for row in rows[-len(modes):]:
            row['load_after'] = load_after
    del models
    return rows


def add_cpu_memory(args, rows, checkpoint: str) -> None:
    from radio_dense.analysis.benchmark import probe_cpu_memory
    impls = ['ours'] + (['upstream'] if args.upstream else [])
    configs = [(impl, r['window'], r['size']) for impl in impls for r in rows if f'{impl}_ms' in r]
    # the probe primes its process with the first config: start with a (cheaper) ViTDet one
    configs.sort(key=lambda c: (c[2], c[1] is None))
    print(f'Measuring CPU peak memory ({len(configs)} forwards in a helper process)...', flush=True)
    peaks = probe_cpu_memory(checkpoint, configs, args.batch, args.upstream, args.threads)
    if not peaks:
        print('CPU peak memory needs Linux /proc/self/clear_refs; not available here, skipped')
    for r in rows:
        for impl in impls:
            if (impl, r['window'], r['size']) in peaks:
                r[f'{impl}_mb'] = peaks[(impl, r['window'], r['size'])]


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch

    from radio_dense.analysis.features import build_model
    from radio_dense.analysis.timing import load_average
    from radio_dense.radio.hub_export import save_hub_checkpoint
    if args.sizes is None:
        args.sizes = [512, 1024, 2048] if args.device.startswith('cuda') else [512, 1024]
    if args.threads:
        torch.set_num_threads(args.threads)
    arch = args.arch or (None if args.checkpoint else 'vit-b-16')
    model = build_model(args.checkpoint, arch)
    patch = model.patch_size
    load_before = load_average()[0]
    if args.device == 'cpu' and load_before > (os.cpu_count() or 1) and 'OMP_WAIT_POLICY' not in os.environ:
        print(f'Warning: the CPU is busy (load average {load_before:.1f} on {os.cpu_count()} cores); spinning OpenMP '
              f'threads can make torch 10x+ slower and the numbers noisy. Consider OMP_WAIT_POLICY=PASSIVE or '
              f'--threads 1.', file=sys.stderr)
    start = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        checkpoint = save_hub_checkpoint(model, os.path.join(tmp, 'radio_bench.pth.tar'))
        del model
        rows = run(args, checkpoint, patch)
        if not args.no_memory and not args.device.startswith('cuda'):
            add_cpu_memory(args, rows, checkpoint)
    name = args.checkpoint or arch
    load_after = load_average()[0]
    print(f'\n{name}, batch {args.batch}, {args.device}, torch {torch.__version__}, {torch.get_num_threads()} threads, '
          f'median of {args.repeats} runs; load average {load_before:.1f} -> {load_after:.1f}; '
          f'{time.time() - start:.0f}s in all\n')
    print(markdown(rows, bool(args.upstream)))
    print('\nload average per size (before -> after its timed runs): ' + ', '.join(
        f"{r['size']}: {r['load_before']:.1f} -> {r['load_after']:.1f}" for r in rows if r['window'] is None))
    for line in vitdet_targets(rows):
        print(line)
    if args.upstream:
        slow = [r for r in rows if r.get('upstream_ms') and r['upstream_ms'] / r['ours_ms'] < 0.95]
        print('\nours >= 0.95x upstream speed everywhere' if not slow else
              f'\nslower than 0.95x upstream: {[(r["mode"], r["size"]) for r in slow]}')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'model': name, 'device': args.device, 'batch': args.batch, 'threads': torch.get_num_threads(),
                       'torch': torch.__version__, 'rows': rows}, f, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
