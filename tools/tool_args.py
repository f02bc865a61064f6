"""Command-line options the tools share. Standard library only, so that ``--help`` answers at once.

Every tool builds its parser from these, parses, and only then imports torch / OpenMMLab.
"""
import argparse
import math
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


# Largest image side the CLIs accept: a 4096 px ViT-B input already needs ~10 GB of attention buffers;
# a typo such as 100000 must be refused here, before the model loads or anything is allocated.
MAX_RESOLUTION = 4096


def number(kind=float, low=None, high=None, low_open=False, high_open=False, multiple_of=None, why=''):
    """argparse type: a finite ``kind`` (int/float) in ``[low, high]`` (``low_open``/``high_open``: strict).

    The one place the tools validate numeric options: a refusal is one line naming the accepted range,
    the reason (``why``) and what was given.
    """
    def bounds() -> str:
        lo = '' if low is None else f"{'>' if low_open else '>='} {low:g}"
        hi = '' if high is None else f"{'<' if high_open else '<='} {high:g}"
        text = ' and '.join(b for b in (lo, hi) if b)
        if multiple_of:
            text += f'{" and " if text else ""}a multiple of {multiple_of}'
        return text

    def parse(text: str):
        try:
            value = kind(text)
        except (TypeError, ValueError):
            raise argparse.ArgumentTypeError(f"expected {'an integer' if kind is int else 'a number'}, got {text!r}")
        bad = not math.isfinite(value)
        bad |= low is not None and (value <= low if low_open else value < low)
        bad |= high is not None and (value >= high if high_open else value > high)
        bad |= bool(multiple_of) and value % multiple_of != 0
        if bad:
            reason = f' ({why})' if why else ''
            raise argparse.ArgumentTypeError(f'must be finite, {bounds()}{reason}; got {text!r}')
        return value
    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def resolution(text: str) -> int:
    """argparse type of ``--resolution``: a positive multiple of 16 up to :data:`MAX_RESOLUTION`."""
    return number(int, 16, MAX_RESOLUTION, multiple_of=16,
                  why=f'the encoder input side; larger needs tens of GB, raise MAX_RESOLUTION in tools/tool_args.py '
                      f'if this machine has them')(text)


def refuse_output_onto_input(parser: argparse.ArgumentParser, option: str, output: str, *inputs: str) -> None:
    """``parser.error`` when ``output`` is (or, for a folder, contains) one of ``inputs``: never write onto an input."""
    out = os.path.realpath(output)
    for path in inputs:
        if path and os.path.exists(path) and os.path.realpath(path) == out:
            parser.error(f'{option} {output} is the input {path}: it would be overwritten or fed back as input; '
                         f'choose another {option}')


def _box_values(text: str, labelled: bool):
    try:
        values = [float(v) for v in text.split(',')]
    except ValueError:
        values = []
    sizes = (4, 5) if labelled else (4,)
    if len(values) not in sizes or not all(math.isfinite(v) for v in values[:4]) or values[2] <= values[0] or \
            values[3] <= values[1] or (len(values) == 5 and values[4] not in (0, 1)):
        form = 'x0,y0,x1,y1[,label] (label 1 = positive exemplar, 0 = negative)' if labelled else 'x0,y0,x1,y1'
        raise argparse.ArgumentTypeError(f'a box is {form}, finite, with x1 > x0 and y1 > y0; got {text!r}')
    return values


def box_xyxy(text: str):
    """argparse type: ``x0,y0,x1,y1`` pixels -> ``[x0, y0, x1, y1]``."""
    return _box_values(text, labelled=False)


def labelled_box(text: str):
    """argparse type: ``x0,y0,x1,y1[,label]`` -> ``([x0, y0, x1, y1], label)`` (label defaults to 1)."""
    values = _box_values(text, labelled=True)
    return values[:4], int(values[4]) if len(values) == 5 else 1


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


def add_default_checkpoint(parser: argparse.ArgumentParser, num_synthetic: int = 2, adaptor_use: str = 'use') -> None:
    """The model and image options shared by the feature analysis tools."""
    src = parser.add_mutually_exclusive_group()
    src.add_argument('--checkpoint', help='anything load_radio accepts (default: the radio_tiny fixture)')
    src.add_argument('--arch', help='random model of this architecture instead (radio-tiny, vit-b-16, ...)')
    parser.add_argument('--adaptor', help=f"{adaptor_use} this adaptor's features (clip, siglip, dino_v2, sam...) "
                                          "instead of the backbone's")
    parser.add_argument('--images', nargs='*', default=[], help='image files (default: synthetic demo scenes)')
    parser.add_argument('--num-synthetic', type=int, default=num_synthetic,
                        help='synthetic scenes when no --images are given')


def add_launcher_arg(parser: argparse.ArgumentParser) -> None:
    """``--launcher`` of the Runner tools (tools/dist_*.sh and tools/slurm_*.sh set it)."""
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none',
                        help='job launcher (tools/dist_*.sh and tools/slurm_*.sh set it; see docs/distributed.md)')


def add_runner_args(parser: argparse.ArgumentParser) -> None:
    """What tools/train.py and tools/test.py share: work dir, ``--cfg-options``, launcher."""
    parser.add_argument('--work-dir', help='directory for logs and checkpoints')
    add_cfg_options(parser, 'model.backbone.frozen=True train_cfg.max_iters=100')
    add_launcher_arg(parser)
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
    """``--config``, ``--radio``, ``--vitdet``, ``--sam3-checkpoint``, ``--sam3-size``, ``--sam3-own-trunk``, ``--device``."""
    g = parser.add_argument_group('model')
    g.add_argument('--config', help="a SAM3 config (configs/radio_sam/*_sam3_*.py: model.type 'build_radio_sam3'): its "
                                    "RADIO release, ViTDet windows, sam3 checkpoint and resolution; the options below "
                                    "win (needs mmengine)")
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
    g = parser.add_argument_group('segment by name (a RADIO language adaptor labels the image by typed class names)')
    g.add_argument('--names-radio', help="another RADIO for the field, loaded beside the app's (default: the "
                                         "app's own; needed with sam_app --config or --sam3-own-trunk)")
    g.add_argument('--names-adaptor', help="its language adaptor (default: the checkpoint's: siglip2-g, siglip, clip)")
    g.add_argument('--class-embeddings', help="a tensor file instead of the text tower: {'names': [...], "
                                              "'embeddings': (N, D)} (rows looked up by the typed names)")
    g.add_argument('--no-names', action='store_true',
                   help='no "Segment by name" field (saves its language adaptor and text tower)')
