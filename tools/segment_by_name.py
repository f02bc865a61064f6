#!/usr/bin/env python
"""Segment an image by class names: RADIO's language adaptor, zero-shot (RADSeg's pipeline).

Type the names (commas inside one --names entry list synonyms of that class); get a labelled map
with a legend (``image | labels``) and, with --out-labels, the label PNG (0..K-1 in --names order).

Example::

    .venv/bin/python tools/segment_by_name.py photo.jpg --radio c-radio_v3-b --adaptor siglip2-g \\
        --names cat dog "sofa, couch" floor wall --out outputs/by_name.png

Without --radio the radio_tiny test fixture is used: its weights are RANDOM, so the picture says
so and only --class-embeddings (a (K, D) tensor file) make its labels mean anything.
"""
import argparse
import os

import radio_dense.tools  # noqa: F401  (the tools' process settings, before torch)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('image', help='image file')
    p.add_argument('--names', nargs='+', required=True, help='class names (one entry per class)')
    p.add_argument('--radio', help='RADIO zoo name or checkpoint (default: the radio_tiny fixture, RANDOM WEIGHTS)')
    p.add_argument('--adaptor', default=None, help="language adaptor (default: 'siglip2-g' with --radio, else 'siglip')")
    p.add_argument('--templates', default='openai', help="'openai', 'simple' or 'single'")
    p.add_argument('--class-embeddings', help='(K, D) tensor file used instead of the text tower')
    p.add_argument('--short-side', type=int, default=336, help='resize the image so its short side is this')
    p.add_argument('--slide', type=int, nargs=2, default=[336, 224], metavar=('CROP', 'STRIDE'))
    p.add_argument('--dense-head', choices=['summary', 'feature'], default='summary')
    p.add_argument('--out', default='outputs/segment_by_name.png', help='picture: image | labels with a legend')
    p.add_argument('--out-labels', help='label map PNG (class index per pixel)')
    return p.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    import numpy as np
    import torch
    import torch.nn.functional as F
    from PIL import Image

    from radio_dense.analysis.panels import compose_panels, tint_label_map
    from radio_dense.openmmlab.models.zero_shot_seg import RADIOZeroShotSegmentor
    from radio_dense.sam.utils.image_io import read_rgb
    from radio_dense.tools.common.default_checkpoint import default_checkpoint

    random_weights = args.radio is None
    source = args.radio or default_checkpoint()
    adaptor = args.adaptor or ('siglip' if random_weights else 'siglip2-g')
    if not os.path.isfile(args.image):
        raise SystemExit(f'No such image: {args.image}')
    model = RADIOZeroShotSegmentor(
        backbone=dict(source=source), adaptor=adaptor, templates=args.templates,
        class_embeddings=args.class_embeddings, dense_head=args.dense_head, slide_crop=args.slide[0],
        slide_stride=args.slide[1]).eval()
    model.set_class_names(args.names)
    image = np.array(read_rgb(args.image))
    x = torch.from_numpy(image).permute(2, 0, 1)[None].float()
    scale = args.short_side / min(x.shape[-2:])
    size = (round(x.shape[-2] * scale), round(x.shape[-1] * scale))
    with torch.no_grad():
        probs = model._image_probs(F.interpolate(x, size=size, mode='bilinear', align_corners=False), size)
        probs = F.interpolate(probs, size=image.shape[:2], mode='bilinear', align_corners=False)
    labels = probs[0].argmax(0).numpy().astype(np.uint8)
    rng = np.random.default_rng(0)
    palette = [tuple(int(v) for v in rng.integers(40, 255, 3)) for _ in args.names]
    shown = sorted(set(labels.ravel().tolist()))
    what = 'radio_tiny fixture, RANDOM WEIGHTS (labels mean nothing)' if random_weights else f'{source} / {adaptor}'
    picture = compose_panels([image, tint_label_map(image, labels, palette, transparent=(), alpha=0.55)],
                             ['image', 'labels'], f'Segment by name: {what}',
                             [(args.names[c], palette[c]) for c in shown])
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    picture.save(args.out)
    if args.out_labels:
        os.makedirs(os.path.dirname(os.path.abspath(args.out_labels)), exist_ok=True)
        Image.fromarray(labels).save(args.out_labels)
    share = {args.names[c]: float((labels == c).mean()) for c in shown}
    print(f'{args.out}: ' + ', '.join(f'{n} {100 * s:.1f}%' for n, s in share.items()))


if __name__ == '__main__':
    from radio_dense.tools.common.tool_main import run_main
    raise SystemExit(run_main(main))
