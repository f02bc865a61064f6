"""Command-line options the tools share. Standard library only, so that ``--help`` answers at once.

Every tool builds its parser from these, parses, and only then imports torch / OpenMMLab.
"""
import argparse
import os


def key_value(text: str) -> str:
    """argparse type of one ``--cfg-options`` item: ``key=value`` (the value is parsed later, by mmengine)."""
    if '=' not in text or text.startswith('='):
        raise argparse.ArgumentTypeError(f'expected key=value, got {text!r}')
    return text


def add_cfg_options(parser: argparse.ArgumentParser, example: str = 'train_cfg.max_iters=1000') -> None:
    """``--cfg-options key=value ...`` (mmengine syntax); turn it into a dict with :func:`cfg_options_dict`."""
    parser.add_argument('--cfg-options', nargs='+', type=key_value, default=[], metavar='KEY=VALUE',
                        help=f'override config settings (mmengine syntax, lists as [a,b]), e.g. {example}')


def cfg_options_dict(items) -> dict:
    """``['a.b=1', 'c=[1,2]']`` -> ``{'a.b': 1, 'c': [1, 2]}`` with mmengine's ``DictAction`` value rules."""
    from mmengine.config import DictAction
    out = {}
    for item in items or ():
        key, value = item.split('=', 1)
        out[key] = DictAction._parse_iterable(value)
    return out


def existing_file(path: str) -> str:
    """argparse type: a path that must exist."""
    if not os.path.isfile(path):
        raise argparse.ArgumentTypeError(f'no such file: {path}')
    return path


DTYPES = ('fp32', 'bf16', 'fp16', 'auto')  # radio_dense.radio.precision.DTYPE_CHOICES (a test keeps them equal)


def add_dtype_arg(parser, what: str = 'the model') -> None:
    """``--dtype fp32|bf16|fp16|auto``: autocast precision of inference."""
    parser.add_argument('--dtype', choices=DTYPES, default='fp32',
                        help=f'precision of {what}: fp32 (default), bf16, fp16 (GPU), or auto: bf16 on a GPU and on '
                             'a CPU with native bf16 (AVX512-BF16/AMX; ~3x faster there), else fp32')


def add_sam_model_args(parser: argparse.ArgumentParser) -> None:
    """``--config``, ``--checkpoint``, ``--radio``, ``--decoder-checkpoint``, ``--neck``, ``--device`` of the SAM tools."""
    g = parser.add_argument_group('model')
    g.add_argument('--config', help="a config with model.type 'RadioSam' or 'RadioSamModel' (configs/radio_sam/)")
    g.add_argument('--checkpoint', help='trained RadioSam weights (tools/sam_train.py output) for --config')
    g.add_argument('--radio', help='without --config: RADIO zoo name or checkpoint (default: the radio_tiny '
                                   'test fixture, random weights)')
    g.add_argument('--decoder-checkpoint',
                   help="SAM decoder weights: an official SAM checkpoint or the .safetensors extract of "
                        "tools/convert/extract_sam_decoder.py (default: the config's, else random; 'none': random)")
    g.add_argument('--neck', choices=['adaptor', 'conv'], default='adaptor', help='without --config: the neck')
    g.add_argument('--device', default=None, help='cpu | cuda | cuda:N (default: cuda when available)')
    add_dtype_arg(g, 'the image embedding and the prompts')


def add_radio_model_args(parser: argparse.ArgumentParser, num_synthetic: int = 2, adaptor_use: str = 'use') -> None:
    """The model and image options shared by the feature analysis tools."""
    src = parser.add_mutually_exclusive_group()
    src.add_argument('--checkpoint', help='anything load_radio accepts (default: the radio_tiny fixture)')
    src.add_argument('--arch', help='random model of this architecture instead (radio-tiny, vit-b-16, ...)')
    parser.add_argument('--adaptor', help=f"{adaptor_use} this adaptor's features (clip, siglip, dino_v2, sam...) "
                                          "instead of the backbone's")
    parser.add_argument('--images', nargs='*', default=[], help='image files (default: synthetic demo scenes)')
    parser.add_argument('--num-synthetic', type=int, default=num_synthetic,
                        help='synthetic scenes when no --images are given')


def add_runner_args(parser: argparse.ArgumentParser) -> None:
    """What tools/train.py and tools/test.py share: work dir, ``--cfg-options``, launcher."""
    parser.add_argument('--work-dir', help='directory for logs and checkpoints')
    add_cfg_options(parser, 'model.backbone.frozen=True train_cfg.max_iters=100')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none',
                        help='job launcher (tools/dist_*.sh and tools/slurm_*.sh set it)')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0, help=argparse.SUPPRESS)


def parse_runner_args(parser: argparse.ArgumentParser, argv=None) -> argparse.Namespace:
    """Add :func:`add_runner_args` to a train/test parser, parse, and turn ``--cfg-options`` into a dict."""
    add_runner_args(parser)
    args = parser.parse_args(argv)
    args.cfg_options = cfg_options_dict(args.cfg_options)
    return args


#: radio_dense.sam3.geometry.MODES and the keys of tools.common.sam3_model_args.SIZES (a test keeps them equal)
SAM3_MODES = ('stretch', 'pad', 'fit')
SAM3_SIZES = ('image', 'tiny')


def add_sam3_model_args(parser: argparse.ArgumentParser) -> None:
    """``--radio``, ``--vitdet``, ``--sam3-checkpoint``, ``--sam3-size``, ``--sam3-own-trunk``, ``--device``."""
    g = parser.add_argument_group('model')
    g.add_argument('--radio', help="RADIO with a 'sam3' adaptor: zoo name (c-radio_v4-h, c-radio_v4-so400m) or "
                                   "checkpoint (default: the radio_tiny test fixture + a RANDOM sam3 adaptor)")
    g.add_argument('--vitdet', type=int, metavar='WINDOW', help='run RADIO with ViTDet windows of WINDOW patches')
    g.add_argument('--sam3-checkpoint', help="Meta's sam3.pt (https://huggingface.co/facebook/sam3); default: "
                                             "RANDOM SAM3 weights")
    g.add_argument('--sam3-size', choices=SAM3_SIZES, help="SAM3's widths/depths (default: 'image', the released "
                                                           "model, with --sam3-checkpoint; else 'tiny')")
    g.add_argument('--sam3-own-trunk', action='store_true', help="use SAM3's own ViT instead of RADIO")
    g.add_argument('--device', default=None, help='cpu | cuda | cuda:N (default: cuda when available)')
    add_dtype_arg(g, 'the image embedding and the prompts')


def add_app_args(parser: argparse.ArgumentParser, resolutions) -> None:
    """The app tools' server options: address, resolutions, upload and memory limits, ``--verbose``."""
    parser.add_argument('--host', default='127.0.0.1', help='address to bind (default: this machine only)')
    parser.add_argument('--port', type=int, default=8765)
    parser.add_argument('--allowed-host', action='append', default=[],
                        help='another Host name the page may be opened as (e.g. a LAN name); repeatable')
    parser.add_argument('--resolutions', type=int, nargs='+', default=list(resolutions),
                        help='input sides offered on the page (multiples of 16)')
    parser.add_argument('--max-upload-mb', type=float, default=20.0, help='largest accepted file')
    parser.add_argument('--max-megapixels', type=float, default=24.0,
                        help='largest accepted image (stored downscaled to the largest resolution)')
    parser.add_argument('--max-cache-mb', type=float, default=1024.0, help='memory for stored images and embeddings')
    parser.add_argument('--verbose', action='store_true', help='log every request')
