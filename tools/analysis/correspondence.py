#!/usr/bin/env python
"""Keypoint correspondence recall of RADIO features (Probe3D's protocol) on a folder of image pairs.

The folder holds the images and pairs.json (format: radio_dense/analysis/correspondence.py). Each keypoint of
image 1 is matched to the most similar feature location of image 2; recall@t is the fraction of matches within
t pixels of the true keypoint. Several --resolutions give one row each (RADIO runs at any multiple of its patch).

Examples::

    .venv/bin/python tools/analysis/correspondence.py --make-synthetic outputs/pairs   # shifted demo crops
    .venv/bin/python tools/analysis/correspondence.py outputs/pairs --checkpoint radio_v2.5-b --resolutions 224 448 896
"""
import argparse
import sys

import radio_dense.tools  # noqa: F401  (first: the tools' process settings, before torch loads)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('folder', help='pair folder with pairs.json')
    src = p.add_mutually_exclusive_group()
    src.add_argument('--checkpoint', help='anything load_radio accepts (default: the radio_tiny fixture)')
    src.add_argument('--arch', help='random model of this architecture instead (radio-tiny, vit-b-16, ...)')
    p.add_argument('--adaptor', help="match this adaptor's features (dino_v2, sam, ...) instead of the backbone's")
    p.add_argument('--resolutions', nargs='+', type=int, default=[224, 448], help='longer input side(s) in pixels')
    p.add_argument('--thresholds', nargs='+', type=float, default=[5, 10, 20], help='recall thresholds in pixels')
    p.add_argument('--upsample', type=int, default=4, help='feature upsampling before matching (sub-patch precision)')
    p.add_argument('--device', default='cpu')
    p.add_argument('--make-synthetic', action='store_true',
                   help='write a synthetic pair folder (two shifted crops of each demo scene) into FOLDER and exit')
    p.add_argument('--quiet', action='store_true', help='no progress bar')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from radio_dense.analysis.correspondence import load_pairs, score_pairs, write_shifted_pairs
    if args.make_synthetic:
        shifts = write_shifted_pairs(args.folder)
        print(f'Wrote {len(shifts)} synthetic pairs (shifts {shifts}) to {args.folder}')
        return 0
    if min(args.resolutions) <= 0 or min(args.thresholds) <= 0 or args.upsample < 1:
        raise SystemExit('--resolutions and --thresholds must be positive and --upsample >= 1')
    pairs = load_pairs(args.folder)  # validated before the model loads
    from radio_dense.analysis.features import build_model
    from radio_dense.analysis.timing import markdown_table
    from radio_dense.tools.common.default_checkpoint import default_checkpoint, is_random_radio
    source = args.checkpoint or (None if args.arch else default_checkpoint(
        '--checkpoint (a zoo name, a .pth.tar file or a Hugging Face snapshot)', '--arch (a random model)'))
    model = build_model(source, args.arch, args.adaptor, device=args.device)
    rows = []
    for res in args.resolutions:
        result = score_pairs(model, pairs, res, args.thresholds, args.upsample, args.adaptor, progress=not args.quiet)
        rows.append({'resolution': res, **{f'recall@{t:g}px': f'{100 * r:.1f}' for t, r in result.recall.items()},
                     'mean error px': f'{result.errors.mean():.1f}'})
    name = args.arch or source
    print(f'Keypoint correspondence: {name}{" (RANDOM WEIGHTS)" if is_random_radio(source) else ""}, '
          f'{len(pairs)} pairs, {sum(len(p.keypoints1) for p in pairs)} keypoints, '
          f'{args.adaptor or "backbone"} features x{args.upsample}')
    print(markdown_table(rows))
    return 0


if __name__ == '__main__':
    from radio_dense.tools.common.tool_main import run_main
    sys.exit(run_main(main))
