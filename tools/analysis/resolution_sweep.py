#!/usr/bin/env python
"""Mode-switching study: RADIO features over input resolutions, compared with a reference resolution.

For each resolution (``--min`` to ``--max`` in ``--step`` pixels) the features of each image are
resampled (bilinear, antialiased) to a common token grid (default: that of ``--min``) and compared
with the features at ``--reference``, resampled the same way: mean per-token cosine similarity and
MSE (``cos_sim`` is 1 and ``mse`` 0 at the reference itself). With ``--teacher timm:<name>`` and
``--adaptor`` (the adaptor trained on that teacher), ``teacher_mse`` is the MSE between the
adaptor's output and the teacher's features (the teacher sees its native resolution, or each swept
one with ``--teacher-resolution same``); when the teacher's weights are unreachable (offline) this
column is skipped with a message. Writes a CSV and a PNG line plot.

Examples::

    .venv/bin/python tools/analysis/resolution_sweep.py                     # radio_tiny, 224..1024 px
    .venv/bin/python tools/analysis/resolution_sweep.py --checkpoint radio_v2.5-l --max 2048 \\
        --adaptor dino_v2 --teacher timm:vit_giant_patch14_reg4_dinov2.lvd142m --teacher-resolution same
"""
import argparse
import csv
import os
import sys

from radio_dense.tools.tool_args import add_default_checkpoint


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_default_checkpoint(p, num_synthetic=2, adaptor_use='sweep')
    p.add_argument('--min', type=int, default=224, help='smallest resolution (px)')
    p.add_argument('--max', type=int, default=1024, help='largest resolution (px; the study goes to 2048)')
    p.add_argument('--step', type=int, default=64, help='resolution step (px)')
    p.add_argument('--reference', type=int, default=512, help='reference resolution (px)')
    p.add_argument('--grid', type=int, help='side of the common token grid (default: that of --min)')
    p.add_argument('--vitdet-window-size', type=int, help='ViTDet window in patches (default: global attention)')
    p.add_argument('--teacher', help="teacher to compare the adaptor with, e.g. 'timm:vit_small_patch14_dinov2.lvd142m'")
    p.add_argument('--teacher-resolution', default='native',
                   help="teacher input side: 'native' (its training resolution), 'same' (each swept resolution, "
                        "as the RADIOv2.5 report) or pixels")
    p.add_argument('--device', default='cpu')
    p.add_argument('--out', default='outputs/analysis/resolution_sweep', help='output prefix (.csv and .png)')
    p.add_argument('--quiet', action='store_true', help='no progress bar')
    return p.parse_args(argv)


def write_csv(rows, path: str) -> None:
    fields = list(rows[0])
    with open(path, 'w', newline='') as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (f'{v:.6g}' if isinstance(v, float) else v) for k, v in row.items()})


def plot(rows, path: str, title: str, reference: int) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    res = [r['resolution'] for r in rows]
    panels = [('cos_sim', f'cosine similarity to {reference}px'), ('mse', f'MSE to {reference}px')]
    if 'teacher_mse' in rows[0]:
        panels.append(('teacher_mse', 'MSE to teacher'))
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 4), squeeze=False)
    for ax, (key, label) in zip(axes[0], panels):
        ax.plot(res, [r[key] for r in rows], marker='o', markersize=3)
        ax.axvline(reference, color='grey', linestyle='--', linewidth=1)
        ax.set_xlabel('input resolution (px)')
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata={'Title': title})
    plt.close(fig)


def main(argv=None) -> int:
    args = parse_args(argv)
    from radio_dense.analysis.features import build_model, load_images
    from radio_dense.analysis.panels import weights_title
    from radio_dense.tools.common.default_checkpoint import default_checkpoint, is_random_radio
    from radio_dense.analysis.resolution import resolution_range, resolution_sweep
    from radio_dense.analysis.teacher import load_teacher
    teacher = None
    if args.teacher:
        if not args.adaptor:
            raise SystemExit('--teacher needs --adaptor: the adaptor trained on that teacher (e.g. --adaptor dino_v2)')
        teacher, message = load_teacher(args.teacher)
        print(message)
    source = args.checkpoint or (None if args.arch else default_checkpoint(
        '--checkpoint (a zoo name, a .pth.tar file or a Hugging Face snapshot)', '--arch (a random model)'))
    model = build_model(source, args.arch, args.adaptor, args.vitdet_window_size, args.device)
    resolutions = resolution_range(args.min, args.max, args.step, model.min_resolution_step)
    images = load_images(args.images, args.num_synthetic)
    try:
        rows = resolution_sweep(model, images, resolutions, args.reference, args.adaptor, teacher,
                                args.teacher_resolution, args.grid, progress=not args.quiet)
    except ValueError as err:
        if teacher is None:
            raise
        print(f'{err}; skipping the teacher comparison')
        rows = resolution_sweep(model, images, resolutions, args.reference, args.adaptor, grid=args.grid,
                                progress=not args.quiet)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    write_csv(rows, args.out + '.csv')
    what = f'adaptor {args.adaptor}' if args.adaptor else 'backbone'
    mode = f'ViTDet window {args.vitdet_window_size}' if args.vitdet_window_size else 'global attention'
    title = weights_title(f'{args.checkpoint or args.arch or "radio_tiny fixture"}: {what}, {mode}',
                          is_random_radio(source))
    plot(rows, args.out + '.png', title, args.reference)
    worst = min(rows, key=lambda r: r['cos_sim'])
    print(f'Wrote {args.out}.csv and {args.out}.png ({len(rows)} resolutions, {len(images)} images); lowest cosine '
          f'similarity to {args.reference}px: {worst["cos_sim"]:.3f} at {worst["resolution"]}px')
    return 0


if __name__ == '__main__':
    sys.exit(main())
