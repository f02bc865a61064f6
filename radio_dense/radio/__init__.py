"""RADIO (NVlabs) re-implemented on torch + timm: the model, its checkpoints and its zoo.

This folder is framework-free: it imports torch and timm only.
"""
from .adaptors import Adaptor, RadioOutput
from .checkpoint import RadioCheckpoint, RadioCheckpointError, read_checkpoint
from .from_config import radio_from_config
from .loader import build_radio, create_radio, load_radio
from .model import RADIOModel, Resolution
from .zoo import DEFAULT_VERSION, RADIO_ZOO, UnsupportedReleaseError, ZooEntry

__all__ = ['Adaptor', 'RadioOutput', 'RadioCheckpoint', 'RadioCheckpointError', 'read_checkpoint',
           'build_radio', 'create_radio', 'load_radio', 'radio_from_config', 'RADIOModel', 'Resolution', 'RADIO_ZOO',
           'ZooEntry', 'DEFAULT_VERSION', 'UnsupportedReleaseError']
