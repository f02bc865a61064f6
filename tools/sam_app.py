#!/usr/bin/env python
"""A local web page for interactive segmentation with RADIO + the SAM decoder.

Upload an image, click object / background points or drag a box, watch the mask, pick the
resolution, download the mask PNG. The embedding is computed once per image and resolution;
new prompts only run the decoder. "Segment by name": type class names, get a labelled map with a
legend (the checkpoint's language adaptor; --class-embeddings offline, --no-names to leave it out).

Examples::

    python tools/sam_app.py                      # radio_tiny fixture + random decoder, http://127.0.0.1:8765/
    python tools/sam_app.py --config configs/radio_sam/radio-v2.5-l_sam-vit-h-decoder_1024.py --port 8080

Binds 127.0.0.1 unless --host says otherwise (the app has no authentication).
"""
import argparse
import logging
import sys

from radio_dense.tools.tool_args import add_app_args, add_sam_model_args


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_app_args(p, [512, 768, 1024, 1536, 2048])
    add_sam_model_args(p)
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from radio_dense.apps.sam_web.server import SamAppServer, app_limits
    from radio_dense.apps.sam_web.state import SamAppState

    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format='%(asctime)s %(message)s')
    from radio_dense.tools.common.sam_model_args import model_from_args
    from radio_dense.tools.common.default_checkpoint import default_checkpoint
    from radio_dense.tools.common.names_field import names_field_from_args
    model, what, _ = model_from_args(args)
    app_radio = args.radio or (None if args.config else default_checkpoint())
    names = names_field_from_args(args, app_radio, trunk=None if args.config else model.image_encoder.radio)
    state = SamAppState(model, what, args.resolutions, names=names, **app_limits(args))
    SamAppServer(state, args.host, args.port, allowed_hosts=args.allowed_host).serve_until_interrupted(what)
    return 0


if __name__ == '__main__':
    from radio_dense.tools.common.tool_main import run_main
    sys.exit(run_main(main))
