#!/usr/bin/env python
"""PCA pictures of RADIO features over several input resolutions (one shared colour basis).

Rows are images, columns the input then the features at each resolution. The 3 principal
components of all features (all images, all resolutions, each map weighted equally) become
RGB, so equal colours mean equal feature directions across resolutions: the RADIOv2.5 report's
"mode switching" pictures. Images are centre-cropped to squares.

Examples::

    .venv/bin/python tools/analysis/visualize_features.py                       # radio_tiny, synthetic scenes
    .venv/bin/python tools/analysis/visualize_features.py --checkpoint radio_v2.5-b \\
        --images a.jpg b.jpg --resolutions 256 512 1024 --adaptor sam --vitdet-window-size 16
"""
import argparse
import os
import sys

from radio_dense.tools.tool_args import add_default_checkpoint


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_default_checkpoint(p, num_synthetic=3, adaptor_use='show')
    p.add_argument('--resolutions', nargs='+', type=int, default=[256, 512, 1024], help='input sides in pixels')
    p.add_argument('--vitdet-window-size', type=int, help='ViTDet window in patches (default: global attention)')
    p.add_argument('--cell', type=int, default=256, help='side of each picture cell in pixels')
    p.add_argument('--device', default='cpu')
    p.add_argument('--out', default='outputs/analysis/features_pca.png', help='output PNG')
    p.add_argument('--quiet', action='store_true', help='no progress bar')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from radio_dense.analysis.features import build_model, load_images
    from radio_dense.analysis.panels import save_titled, weights_title
    from radio_dense.tools.common.default_checkpoint import default_checkpoint, is_random_radio
    from radio_dense.analysis.visualize import fit_shared_basis, pca_grid, sweep_features
    source = args.checkpoint or (None if args.arch else default_checkpoint(
        '--checkpoint (a zoo name, a .pth.tar file or a Hugging Face snapshot)', '--arch (a random model)'))
    model = build_model(source, args.arch, args.adaptor, args.vitdet_window_size, args.device)
    images = load_images(args.images, args.num_synthetic)
    sweep = sweep_features(model, images, args.resolutions, args.adaptor, progress=not args.quiet)
    basis = fit_shared_basis(sweep)
    picture = pca_grid(sweep, basis, args.cell)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    what = f'adaptor {args.adaptor}' if args.adaptor else 'backbone'
    model_name = args.arch or os.path.basename(str(source).rstrip('/'))
    picture = save_titled(picture, args.out, weights_title(f'PCA of {what} features: {model_name}',
                                                           is_random_radio(source)))
    ratio = ', '.join(f'{v:.1%}' for v in basis.explained_variance_ratio.tolist())
    print(f'Wrote {args.out} ({picture.size[0]}x{picture.size[1]}): {what} features of {len(images)} images at '
          f'{sweep.resolutions} px{f", ViTDet window {args.vitdet_window_size}" if args.vitdet_window_size else ""}; '
          f'PCA explains {ratio} of the variance')
    return 0


if __name__ == '__main__':
    from radio_dense.tools.common.tool_main import run_main
    sys.exit(run_main(main))
