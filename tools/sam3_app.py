#!/usr/bin/env python
"""The interactive segmentation page with SAM3 on RADIO: type a concept, drag an example box.

Upload an image, type a concept ("red disc") and/or drag a box around one example: every
instance is shown. The embedding is computed once per image and resolution. Beside the concept box,
"Segment by name": type class names, get a labelled map with a legend (RADIO's language adaptor).

Examples::

    python tools/sam3_app.py --threshold 0      # radio_tiny + random sam3 adaptor + tiny random SAM3
    python tools/sam3_app.py --radio c-radio_v4-h --sam3-checkpoint sam3.pt --port 8080

Binds 127.0.0.1 unless --host says otherwise (the app has no authentication).
"""
import argparse
import logging
import sys

from radio_dense.tools.tool_args import add_app_args, add_sam3_model_args


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_app_args(p, [768, 1152, 1536])
    p.add_argument('--threshold', type=float, default=0.5, help='show instances scoring above this')
    add_sam3_model_args(p)
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from radio_dense.apps.sam_web.server import SamAppServer, app_limits
    from radio_dense.apps.sam_web.sam3_state import Sam3AppState
    from radio_dense.tools.common.sam3_model_args import sam3_model_from_args

    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format='%(asctime)s %(message)s')
    from radio_dense.tools.common.default_checkpoint import default_checkpoint
    from radio_dense.tools.common.names_field import names_field_from_args
    model, what, _ = sam3_model_from_args(args)  # fills args.radio from a --config
    from radio_dense.sam3.radio_trunk import RadioSam3Trunk
    app_radio = None if args.sam3_own_trunk else (args.radio or default_checkpoint())
    trunk = next((m.radio for m in model.modules() if isinstance(m, RadioSam3Trunk)), None)  # shared with the field
    state = Sam3AppState(model, what, args.resolutions, confidence_threshold=args.threshold,
                         names=names_field_from_args(args, app_radio, trunk), **app_limits(args))
    SamAppServer(state, args.host, args.port, allowed_hosts=args.allowed_host).serve_until_interrupted(what)
    return 0


if __name__ == '__main__':
    from radio_dense.tools.common.tool_main import run_main
    sys.exit(run_main(main))
