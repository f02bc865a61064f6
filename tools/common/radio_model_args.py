"""The tools' default RADIO checkpoint: the radio_tiny test fixture beside the checkout."""
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
