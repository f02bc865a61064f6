#!/usr/bin/env python
"""Zero-shot classification accuracy of a RADIO language adaptor, per resolution and ViTDet window.

Images: an ImageFolder (one sub-folder per class, sorted; the folder names are the class names)
or an mmpretrain-style list (``relative/path.jpg LABEL`` per line, with --data-prefix and --classes).
Class embeddings: the adaptor's text tower over prompt templates (open_clip's zero-shot metadata),
or a precomputed ``(num_classes, D)`` tensor file (--class-embeddings). Images are resized so the
short side is the resolution, centre-cropped square, as upstream's examples/zero_shot_imagenet.py.

Example::

    .venv/bin/python tools/zero_shot.py --radio c-radio_v3-b --adaptor siglip2-g --data imagenet/val \\
        --resolutions 224 512 1024 --vitdet 8 16 --templates openai
"""
import argparse
import os
import sys

import radio_dense.tools  # noqa: F401  (the tools' process settings, before torch)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--radio', required=True, help='RADIO zoo name or checkpoint (e.g. radio_v2.5-l, c-radio_v3-b)')
    p.add_argument('--adaptor', default='clip', help="language adaptor: 'clip', 'siglip' (v2.5), 'siglip2-g' (v3/v4)")
    p.add_argument('--data', required=True, help='ImageFolder root, or an mmpretrain-style list file')
    p.add_argument('--data-prefix', default='', help='folder the list file paths are relative to')
    p.add_argument('--classes', help='class names file, one per line (default: ImageFolder sub-folder names)')
    p.add_argument('--templates', default='openai', help="'openai' (80), 'simple' (7) or 'single'")
    p.add_argument('--class-embeddings', help='(num_classes, D) tensor file used instead of the text tower')
    p.add_argument('--resolutions', type=int, nargs='+', default=[224, 384, 512, 768, 1024])
    p.add_argument('--vitdet', type=int, nargs='*', default=[], help='ViTDet window sizes to evaluate too')
    p.add_argument('--batch-size', type=int, default=32)
    p.add_argument('--limit', type=int, help='evaluate only the first N images')
    p.add_argument('--device', default='cuda' if _cuda() else 'cpu')
    p.add_argument('--out', help='write the table as JSON here')
    return p.parse_args(argv)


def _cuda() -> bool:
    return 'torch' in sys.modules and sys.modules['torch'].cuda.is_available()


def read_samples(data: str, prefix: str = '', classes_file: str = None):
    """``(paths, labels, class names)`` of an ImageFolder or a ``path label`` list file."""
    if os.path.isdir(data):
        classes = sorted(d for d in os.listdir(data) if os.path.isdir(os.path.join(data, d)))
        samples = [(os.path.join(data, c, f), i) for i, c in enumerate(classes)
                   for f in sorted(os.listdir(os.path.join(data, c)))
                   if f.lower().endswith(('.jpg', '.jpeg', '.png', '.bmp', '.webp'))]
        names = [c.replace('_', ' ') for c in classes]
    else:
        samples = []
        with open(data) as f:
            for n, line in enumerate(f, 1):
                if line.strip():
                    path, label = line.rsplit(maxsplit=1)
                    samples.append((os.path.join(prefix, path), int(label)))
        names = None
    if classes_file:
        with open(classes_file) as f:
            names = [line.strip() for line in f if line.strip()]
    if names is None:
        raise SystemExit(f'{data} is a list file: give the class names with --classes')
    if not samples:
        raise SystemExit(f'No images found in {data}')
    bad = sorted({lab for _, lab in samples if not 0 <= lab < len(names)})
    if bad:
        raise SystemExit(f'Labels {bad[:5]} are outside the {len(names)} classes')
    return [s[0] for s in samples], [s[1] for s in samples], names


def _batches(paths, labels, resolution, step, batch_size):
    import torch
    import torch.nn.functional as F
    from radio_dense.sam.utils.image_io import read_rgb
    res = max(step, resolution // step * step)
    for i in range(0, len(paths), batch_size):
        images = []
        for path in paths[i:i + batch_size]:
            x = torch.from_numpy(read_rgb(path)).permute(2, 0, 1)[None].float() / 255
            h, w = x.shape[-2:]
            s = res / min(h, w)
            x = F.interpolate(x, size=(max(res, round(h * s)), max(res, round(w * s))), mode='bicubic',
                              align_corners=False, antialias=True).clamp(0, 1)
            top, left = (x.shape[-2] - res) // 2, (x.shape[-1] - res) // 2
            images.append(x[..., top:top + res, left:left + res])
        yield torch.cat(images), torch.tensor(labels[i:i + batch_size])


def main(argv=None) -> None:
    args = parse_args(argv)
    import torch
    from tqdm import tqdm

    from radio_dense.radio import load_radio, read_checkpoint
    from radio_dense.radio.loader import resolve_source
    from radio_dense.radio.safe_io import safe_torch_load
    from radio_dense.radio.text_towers import class_embeddings, load_text_tower, prompt_templates
    from radio_dense.radio.zero_shot import evaluate_zero_shot

    paths, labels, names = read_samples(args.data, args.data_prefix, args.classes)
    if args.limit:
        paths, labels = paths[:args.limit], labels[:args.limit]
    if args.class_embeddings:
        classifier = safe_torch_load(args.class_embeddings)
    else:
        source = resolve_source(args.radio)[0]
        tower = load_text_tower(read_checkpoint(source), args.adaptor).to(args.device)
        classifier = class_embeddings(tower, names, prompt_templates(args.templates))
        del tower
    if classifier.shape[0] != len(names):
        raise SystemExit(f'{classifier.shape[0]} class embeddings for {len(names)} classes')
    rows = []
    for window in [None, *args.vitdet]:
        model = load_radio(args.radio, adaptor_names=[args.adaptor], vitdet_window_size=window).to(args.device).eval()
        for res in args.resolutions:
            batches = tqdm(_batches(paths, labels, res, model.min_resolution_step, args.batch_size),
                           total=-(-len(paths) // args.batch_size), desc=f'{res}px window={window}', leave=False)
            acc = evaluate_zero_shot(model, args.adaptor, classifier, batches)
            rows.append(dict(resolution=res, vitdet=window, **acc))
    print(f'\nZero-shot {args.radio} / {args.adaptor}: {len(paths)} images, {len(names)} classes, '
          f'templates {args.class_embeddings or args.templates}')
    print(f'| {"resolution":>10} | {"mode":>12} | {"top-1":>6} | {"top-5":>6} |')
    print(f'|{"-" * 12}|{"-" * 14}|{"-" * 8}|{"-" * 8}|')
    for r in rows:
        mode = 'global' if r['vitdet'] is None else f'ViTDet {r["vitdet"]}'
        print(f'| {r["resolution"]:>10} | {mode:>12} | {r["top1"]:6.2f} | {r["top5"]:6.2f} |')
    if args.out:
        import json
        with open(args.out, 'w') as f:
            json.dump(rows, f, indent=1)


if __name__ == '__main__':
    from radio_dense.tools.common.tool_main import run_main
    sys.exit(run_main(main))
