"""RADIO (NVlabs) re-implemented on torch + timm: the model, its checkpoints and its zoo.

This folder is framework-free: it imports torch and timm only.
"""
from .offline import apply_offline_mode

apply_offline_mode()  # before timm imports huggingface_hub

from .adaptors import Adaptor, RadioOutput  # noqa: E402
from .checkpoint import RadioCheckpoint, RadioCheckpointError, read_checkpoint  # noqa: E402
from .from_config import radio_from_config  # noqa: E402
from .loader import build_radio, create_radio, load_radio  # noqa: E402
from .model import RADIOModel, Resolution  # noqa: E402
from .zoo import DEFAULT_VERSION, RADIO_ZOO, UnsupportedReleaseError, ZooEntry  # noqa: E402

__all__ = ['Adaptor', 'RadioOutput', 'RadioCheckpoint', 'RadioCheckpointError', 'read_checkpoint',
           'build_radio', 'create_radio', 'load_radio', 'radio_from_config', 'RADIOModel', 'Resolution', 'RADIO_ZOO',
           'ZooEntry', 'DEFAULT_VERSION', 'UnsupportedReleaseError']
