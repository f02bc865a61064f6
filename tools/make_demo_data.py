#!/usr/bin/env python
"""Write the synthetic demo data set: ADE20K-style folders (mmseg), COCO instances json (mmdet) and
depth / surface normals in NYU's layout (under depth/; --no-geometry skips them).

Example::

    .venv/bin/python tools/make_demo_data.py --out data/demo --num-train 300 --num-val 60 --size 256 --seed 0

Same arguments, same bytes. See radio_dense/data/export.py for the layout and the dataset
settings (``reduce_zero_label=False``: background is class 0).
"""
import argparse
import sys
import time

import radio_dense.tools  # noqa: F401  (first: the tools' process settings, before torch loads)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--out', default='data/demo', help='output folder (created)')
    p.add_argument('--num-train', type=int, default=300, help='training images')
    p.add_argument('--num-val', type=int, default=60, help='validation images')
    p.add_argument('--size', type=int, default=256, help='image side in pixels')
    p.add_argument('--seed', type=int, default=0, help='data seed (same seed -> identical files)')
    p.add_argument('--max-objects', type=int, help='objects per image, at most (default: SceneConfig.max_objects)')
    p.add_argument('--no-geometry', action='store_true',
                   help='skip the depth / surface-normals set (depth/: NYU layout, see radio_dense/data/export.py)')
    p.add_argument('--quiet', action='store_true', help='no progress bars')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.num_train < 0 or args.num_val < 0:
        raise SystemExit('--num-train and --num-val must be >= 0')
    from radio_dense.data import DEMO_CLASSES, SceneConfig, write_demo_dataset
    config = SceneConfig(size=args.size, **({'max_objects': args.max_objects} if args.max_objects else {}))
    start = time.time()
    sets = write_demo_dataset(args.out, args.num_train, args.num_val, seed=args.seed, config=config,
                              progress=not args.quiet, geometry=not args.no_geometry)
    n_inst = {k: len(v['annotations']) for k, v in sets.items()}
    print(f'Wrote {args.num_train} train / {args.num_val} val images ({args.size}px; instances: {n_inst}) '
          f'to {args.out} in {time.time() - start:.1f}s. Classes: {", ".join(DEMO_CLASSES)} (label 0 = background).')
    return 0


if __name__ == '__main__':
    sys.exit(main())
