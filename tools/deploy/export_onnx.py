#!/usr/bin/env python
"""Export to ONNX (dynamo exporter, opset 18) and check the file with onnxruntime against PyTorch.

Three targets:

* ``backbone``: RADIO, images ``(B, 3, H, W)`` in [0, 1] of any size (multiples of the patch) ->
  ``summary``, ``features`` (NCHW), optional adaptor outputs and intermediate blocks; global or
  ViTDet attention.
* ``mmseg``: a whole mmseg model from a config (+ checkpoint): RGB 0..255 image -> logits at the
  input size.
* ``sam``: segment-anything's prompt encoder + mask decoder for one embedding grid: embedding,
  points/labels (dynamic count), mask input, has-mask -> low-res masks and IoU predictions;
  ``--sam-interface [--return-single-mask]``: the graph of segment-anything's
  ``scripts/export_onnx_model.py`` (adds ``orig_im_size`` and ``masks`` at that size), for its web demo.

Every export is run with onnxruntime at the ``--validate`` sizes and compared with PyTorch
(fails above ``--atol``, default 1e-4).

    python tools/deploy/export_onnx.py backbone --checkpoint radio_v2.5-b --vitdet-window-size 16 \\
        --adaptors sam --intermediates 2 5 8 11 --out work_dirs/onnx/radio-b-vitdet.onnx \\
        --validate 512x512 432x656
    python tools/deploy/export_onnx.py mmseg configs/demo/radio-tiny_upernet_1xb4-300_synthetic-192x192.py \\
        work_dirs/demo/iter_300.pth --out work_dirs/onnx/seg.onnx --validate 192x192 160x256
    python tools/deploy/export_onnx.py sam --decoder-checkpoint checkpoints/sam_vit_h_decoder.safetensors \\
        --grid 48 64 --canvas 768 1024 --out work_dirs/onnx/sam_decoder_48x64.onnx
    python tools/deploy/export_onnx.py sam --sam-interface --return-single-mask \\
        --decoder-checkpoint checkpoints/sam_vit_h_decoder.safetensors --out work_dirs/onnx/sam_web_demo.onnx
"""
import argparse
import sys

import radio_dense.tools  # noqa: F401  (first: the tools' process settings, before torch loads)
from radio_dense.tools.tool_args import MAX_RESOLUTION, number


def size_arg(text: str):
    """``HxW`` with both sides in ``1..MAX_RESOLUTION`` (a 65536x65536 trace would need ~100 GB)."""
    side = number(int, 1, MAX_RESOLUTION, why='a traced image side')
    try:
        h, w = text.lower().split('x')
    except ValueError:
        raise argparse.ArgumentTypeError(f'expected HxW (e.g. 512x768), got {text!r}')
    return side(h), side(w)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='target', required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument('--out', required=True, help='ONNX file to write')
    common.add_argument('--opset', type=int, default=18)
    common.add_argument('--atol', type=float, default=1e-4, help='largest accepted |onnxruntime - PyTorch|')
    common.add_argument('--no-validate', action='store_true', help='skip the onnxruntime check')

    bb = sub.add_parser('backbone', parents=[common], help='the RADIO backbone')
    src = bb.add_mutually_exclusive_group()
    src.add_argument('--checkpoint', help='anything load_radio accepts (zoo name, .pth.tar, HF folder; default: '
                                          'the radio_tiny checkpoint of the checkout, random weights)')
    src.add_argument('--arch', help='random model of this architecture (e.g. vit-b-16)')
    bb.add_argument('--vitdet-window-size', type=int, help='ViTDet windows (patches); default global attention')
    bb.add_argument('--adaptors', nargs='*', default=[], help='adaptor outputs to add (e.g. sam clip)')
    bb.add_argument('--intermediates', nargs='*', type=int, default=[], help='block indices to output')
    bb.add_argument('--example-size', type=size_arg, default=(224, 320), help='traced size HxW')
    bb.add_argument('--validate', nargs='*', type=size_arg, default=[(224, 320), (240, 400)],
                    help='sizes HxW checked with onnxruntime')

    seg = sub.add_parser('mmseg', parents=[common], help='a whole mmseg model')
    seg.add_argument('config')
    seg.add_argument('checkpoint', nargs='?', help='model weights (default: the config\'s initialisation)')
    seg.add_argument('--example-size', type=size_arg, default=(224, 320))
    seg.add_argument('--validate', nargs='*', type=size_arg, default=[(192, 192), (160, 256)])

    sam = sub.add_parser('sam', parents=[common], help="SAM's prompt encoder + mask decoder")
    sam.add_argument('--decoder-checkpoint', help='official SAM .pth or extracted .safetensors (default: random)')
    sam.add_argument('--grid', type=int, nargs=2, default=(64, 64), metavar=('H', 'W'), help='embedding grid')
    sam.add_argument('--canvas', type=int, nargs=2, metavar=('H', 'W'),
                     help='padded network input the embedding comes from (default: 16 x grid)')
    sam.add_argument('--single-mask', action='store_true', help='one mask per prompt instead of three')
    sam.add_argument('--sam-interface', action='store_true',
                     help="segment-anything's scripts/export_onnx_model.py graph (its web demo loads it): adds the "
                          'orig_im_size input and the masks output at that size; all four mask tokens')
    sam.add_argument('--return-single-mask', action='store_true',
                     help='with --sam-interface: the one mask segment-anything would pick per prompt')
    args = p.parse_args(argv)
    if args.target == 'sam' and args.return_single_mask and not args.sam_interface:
        p.error('--return-single-mask belongs to --sam-interface (without it, use --single-mask)')
    if args.target == 'sam' and args.single_mask and args.sam_interface:
        p.error('--single-mask does not apply to --sam-interface (use --return-single-mask)')
    return args


def export_backbone(args):
    from radio_dense.analysis.features import build_model
    from radio_dense.deploy import export_radio_onnx
    from radio_dense.radio import load_radio
    from radio_dense.tools.common.default_checkpoint import default_checkpoint
    if args.arch:
        model = build_model(None, args.arch, vitdet_window_size=args.vitdet_window_size)
    else:
        source = args.checkpoint or default_checkpoint(
            '--checkpoint (a zoo name, a .pth.tar file or a Hugging Face snapshot)', '--arch (a random model)')
        model = load_radio(source, adaptor_names=args.adaptors or None,
                           vitdet_window_size=args.vitdet_window_size).eval()
    return export_radio_onnx(model, args.out, args.example_size, args.adaptors, args.intermediates, opset=args.opset,
                             validate_sizes=None if args.no_validate else args.validate, atol=args.atol)


def export_mmseg(args):
    from radio_dense.openmmlab.export.segmentor_onnx import export_mmseg_onnx, load_segmentor
    segmentor = load_segmentor(args.config, args.checkpoint)
    return export_mmseg_onnx(segmentor, args.out, args.example_size, opset=args.opset,
                             validate_sizes=None if args.no_validate else args.validate, atol=args.atol)


def export_sam(args):
    import torch
    from radio_dense.deploy.sam_decoder import export_sam_decoder_onnx, export_sam_interface_onnx
    from radio_dense.sam.decoder_checkpoint import load_sam_decoder_weights
    from radio_dense.sam.modeling.prompt_decoder import build_mask_decoder, build_prompt_encoder
    torch.manual_seed(0)
    prompt_encoder, mask_decoder = build_prompt_encoder(), build_mask_decoder()
    if args.decoder_checkpoint:
        load_sam_decoder_weights(prompt_encoder, mask_decoder, args.decoder_checkpoint)
    else:
        print('No --decoder-checkpoint: exporting randomly initialised SAM decoder weights', file=sys.stderr)
    canvas = args.canvas or (16 * args.grid[0], 16 * args.grid[1])
    validate = [] if args.no_validate else None
    if args.sam_interface:
        return export_sam_interface_onnx(prompt_encoder, mask_decoder, args.out, tuple(args.grid), tuple(canvas),
                                         return_single_mask=args.return_single_mask, opset=args.opset,
                                         validate_prompts=validate, atol=args.atol)
    return export_sam_decoder_onnx(prompt_encoder, mask_decoder, args.out, tuple(args.grid), tuple(canvas),
                                   multimask_output=not args.single_mask, opset=args.opset,
                                   validate_prompts=validate, atol=args.atol)


def main(argv=None) -> int:
    args = parse_args(argv)
    checks = {'backbone': export_backbone, 'mmseg': export_mmseg, 'sam': export_sam}[args.target](args)
    print(f'wrote {args.out} (opset {args.opset})')
    for check in checks:
        print(f'  onnxruntime vs PyTorch, inputs {check.shapes}: max abs diff {check.worst:.2e}')
    return 0


if __name__ == '__main__':
    from radio_dense.tools.common.tool_main import run_main
    sys.exit(run_main(main))
