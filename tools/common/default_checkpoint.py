"""The tools' default RADIO checkpoint: radio_tiny, which the repository ships among its upstream fixtures."""
from pathlib import Path

#: radio_tiny (tests/fixtures/upstream/radio_tiny, made by tools/dev/make_upstream_fixture.py with
#: upstream's own code): a small random RADIOv2.5-style model with the clip, siglip, dino_v2 and sam
#: adaptors. Tools default to it so that they run offline; the library itself never names it.
FIXTURE_CHECKPOINT = (Path(__file__).resolve().parents[2] / 'tests' / 'fixtures' / 'upstream' / 'radio_tiny'
                      / 'radio-tiny.pth.tar')


def default_checkpoint(*options: str) -> str:
    """Path of radio_tiny. Where it is missing (an installed radio_dense ships no test fixtures), exits
    naming ``options``: the tool's own ways to choose a model (default: ``--checkpoint``)."""
    if not FIXTURE_CHECKPOINT.is_file():
        choices = ' or '.join(options or ('--checkpoint with a zoo name (radio_v2.5-b), a .pth.tar file or a '
                                          'Hugging Face snapshot',))
        raise SystemExit(f'The default checkpoint {FIXTURE_CHECKPOINT} (radio_tiny, part of a radio_dense '
                         f'checkout; an installed radio_dense does not ship it) is missing. Choose a model with '
                         f'{choices}.')
    return str(FIXTURE_CHECKPOINT)


def is_random_radio(checkpoint) -> bool:
    """Whether a tool's RADIO has random weights: none given (an ``--arch`` model) or the radio_tiny fixture."""
    return not checkpoint or Path(checkpoint).resolve() == FIXTURE_CHECKPOINT
