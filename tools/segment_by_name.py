#!/usr/bin/env python
"""Segment an image by class names: RADIO's language adaptor, zero-shot (RADSeg's pipeline).

Type the names (commas inside one --names entry list synonyms of that class); get a labelled map
with a legend (``image | labels``) and, with --out-labels, the label PNG (0..K-1 in --names order).
The engine is radio_dense.analysis.segment_by_name, shared with the web apps' "Segment by name" field.

Example::

    .venv/bin/python tools/segment_by_name.py photo.jpg --radio c-radio_v3-b --adaptor siglip2-g \\
        --names cat dog "sofa, couch" floor wall --out outputs/by_name.png

Without --radio the radio_tiny test fixture is used: its weights are RANDOM, so the picture says
so and only --class-embeddings make its labels mean anything: a (K, D) tensor file (rows in --names
order) or {'names': [...], 'embeddings': (N, D)} (rows looked up by name).
"""
import argparse
import os

import radio_dense.tools  # noqa: F401  (the tools' process settings, before torch)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('image', help='image file')
    p.add_argument('--names', nargs='+', required=True, help='class names (one entry per class)')
    p.add_argument('--radio', help='RADIO zoo name or checkpoint (default: the radio_tiny fixture, RANDOM WEIGHTS)')
    p.add_argument('--adaptor', default=None,
                   help="language adaptor (default: the checkpoint's own: siglip2-g, else siglip, else clip)")
    p.add_argument('--templates', default='openai', help="'openai', 'simple' or 'single'")
    p.add_argument('--class-embeddings', help='tensor file used instead of the text tower (see above)')
    p.add_argument('--short-side', type=int, default=336, help='resize the image so its short side is this')
    p.add_argument('--slide', type=int, nargs=2, default=[336, 224], metavar=('CROP', 'STRIDE'))
    p.add_argument('--dense-head', choices=['summary', 'feature'], default='summary')
    p.add_argument('--self-correlation', type=float, metavar='SCALING',
                   help="RADSeg's self-correlating attention on the last block (RADSeg: 10; default off)")
    p.add_argument('--device', help='where the model runs (default: cuda when available, else cpu)')
    p.add_argument('--out', default='outputs/segment_by_name.png', help='picture: image | labels with a legend')
    p.add_argument('--out-labels', help='label map PNG (class index per pixel)')
    return p.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    import numpy as np
    from PIL import Image

    from radio_dense.analysis.panels import compose_panels, tint_label_map, weights_title
    from radio_dense.analysis.segment_by_name import NameSegmenter
    from radio_dense.sam.utils.image_io import read_rgb
    from radio_dense.tools.common.default_checkpoint import default_checkpoint, is_random_radio

    if not os.path.isfile(args.image):
        raise SystemExit(f'No such image: {args.image}')
    source = args.radio or default_checkpoint('--radio (a RADIO zoo name or checkpoint with a language adaptor)')
    segmenter = NameSegmenter(source, args.adaptor, class_embeddings=args.class_embeddings, templates=args.templates,
                              short_side=args.short_side, slide=args.slide, dense_head=args.dense_head,
                              self_correlation=args.self_correlation,
                              random_weights=is_random_radio(args.radio), device=args.device)
    image = np.array(read_rgb(args.image))
    result = segmenter.segment(image, args.names)
    what = 'radio_tiny fixture (labels mean nothing)' if result.random_weights else segmenter.description
    legend = result.legend()
    picture = compose_panels([image, tint_label_map(image, result.labels, result.palette, transparent=(), alpha=0.55)],
                             ['image', 'labels'], weights_title(f'Segment by name: {what}', result.random_weights),
                             [(name, colour) for name, colour, _ in legend])
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    picture.save(args.out)
    if args.out_labels:
        os.makedirs(os.path.dirname(os.path.abspath(args.out_labels)), exist_ok=True)
        Image.fromarray(result.labels).save(args.out_labels)
    print(f'{args.out}: ' + ', '.join(f'{name} {100 * share:.1f}%' for name, _, share in legend))


if __name__ == '__main__':
    from radio_dense.tools.common.tool_main import run_main
    raise SystemExit(run_main(main))
