"""RADIO model and image options shared by the analysis tools, and their default checkpoint."""
import argparse
from pathlib import Path

#: The radio_tiny test fixture beside the checkout: a small random RADIO with teacher adaptors
#: (tools default to it so that they run offline; the library itself never names it).
FIXTURE_CHECKPOINT = Path(__file__).resolve().parents[3] / 'shared' / 'fixtures' / 'radio_tiny' / 'radio-tiny.pth.tar'


def default_checkpoint() -> str:
    """Path of the radio_tiny fixture; raises with what to do when it is missing."""
    if not FIXTURE_CHECKPOINT.is_file():
        raise FileNotFoundError(
            f'The default checkpoint {FIXTURE_CHECKPOINT} (radio_tiny fixture) is missing. Pass --checkpoint '
            f'with a zoo name (radio_v2.5-b), a .pth.tar file or a Hugging Face snapshot, or --arch for a '
            f'random model.')
    return str(FIXTURE_CHECKPOINT)


def add_model_arguments(parser: argparse.ArgumentParser, num_synthetic: int = 2, adaptor_use: str = 'use') -> None:
    """``--checkpoint`` | ``--arch``, ``--adaptor``, ``--images``, ``--num-synthetic``."""
    src = parser.add_mutually_exclusive_group()
    src.add_argument('--checkpoint', help='anything load_radio accepts (default: the radio_tiny fixture)')
    src.add_argument('--arch', help='random model of this architecture instead (radio-tiny, vit-b-16, ...)')
    parser.add_argument('--adaptor', help=f"{adaptor_use} this adaptor's features (clip, siglip, dino_v2, sam...) "
                                          "instead of the backbone's")
    parser.add_argument('--images', nargs='*', default=[], help='image files (default: synthetic demo scenes)')
    parser.add_argument('--num-synthetic', type=int, default=num_synthetic,
                        help='synthetic scenes when no --images are given')
