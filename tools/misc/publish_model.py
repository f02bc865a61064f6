#!/usr/bin/env python
"""Prepare a trained checkpoint for release, as OpenMMLab's ``tools/misc/publish_model.py``.

Drops the optimizer, parameter schedulers and message hub, keeps the weights and plain metadata,
and names the file after its sha256: ``OUT.pth`` becomes ``OUT-<8 hex digits>.pth``. The result
loads with ``torch.load(weights_only=True)``, as ``load_from`` / ``tools/test.py`` checkpoints.

Example::

    .venv/bin/python tools/misc/publish_model.py work_dirs/demo/iter_300.pth checkpoints/radio-tiny_upernet_synthetic.pth
"""
import argparse
import os
import sys

import radio_dense.tools  # noqa: F401  (first: the tools' process settings, before torch loads)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('in_file', help='mmengine training checkpoint')
    p.add_argument('out_file', help='output name (.pth); the sha256 prefix is appended to its stem')
    p.add_argument('--save-keys', nargs='+', default=['meta', 'state_dict'],
                   help='top-level entries to keep (default: meta state_dict)')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from radio_dense.openmmlab.export.publish import publish_checkpoint
    try:
        out = publish_checkpoint(args.in_file, args.out_file, args.save_keys)
    except (FileNotFoundError, ValueError) as err:
        raise SystemExit(f'publish_model: {err}')
    before, after = os.path.getsize(args.in_file), os.path.getsize(out)
    print(f'Wrote {out}: {after / 2 ** 20:.1f} MiB (from {before / 2 ** 20:.1f} MiB; kept {", ".join(args.save_keys)})')
    return 0


if __name__ == '__main__':
    from radio_dense.tools.common.tool_main import run_main
    sys.exit(run_main(main))
