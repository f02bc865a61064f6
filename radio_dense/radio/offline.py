"""``RADIO_DENSE_OFFLINE=1``: no network at all, including Hugging Face hub look-ups.

huggingface_hub reads ``HF_HUB_OFFLINE`` once, when it is imported (timm imports it), so the
variable is set before anything else in this package is imported. If huggingface_hub was
imported earlier by the caller, its already-read constant is switched too.
"""
import os
import sys


def offline_requested() -> bool:
    """True when ``RADIO_DENSE_OFFLINE`` or ``HF_HUB_OFFLINE`` asks for no downloads."""
    return os.environ.get('RADIO_DENSE_OFFLINE') == '1' or os.environ.get('HF_HUB_OFFLINE') == '1'


def apply_offline_mode() -> None:
    """Make ``RADIO_DENSE_OFFLINE=1`` imply ``HF_HUB_OFFLINE=1`` (idempotent)."""
    if os.environ.get('RADIO_DENSE_OFFLINE') != '1':
        return
    os.environ['HF_HUB_OFFLINE'] = '1'
    constants = sys.modules.get('huggingface_hub.constants')
    if constants is not None and hasattr(constants, 'HF_HUB_OFFLINE'):
        constants.HF_HUB_OFFLINE = True
