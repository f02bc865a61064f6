"""Known RADIO releases: where their weights live and what they support.

Names match upstream ``torch.hub.load('NVlabs/RADIO', 'radio_model', version=NAME)``. Weights
are downloaded once into the torch hub cache (``$TORCH_HOME/hub/checkpoints``), exactly where
``torch.hub.load_state_dict_from_url`` would put them, so both share one cache.
"""
import os
from dataclasses import dataclass
from typing import Dict, Optional, Tuple
from urllib.parse import urlparse

from .offline import offline_requested

_HF = 'https://huggingface.co/nvidia'


@dataclass(frozen=True)
class ZooEntry:
    """One released RADIO checkpoint."""

    url: str
    patch_size: int
    max_resolution: int
    preferred_resolution: Tuple[int, int]
    supports_vitdet: bool = True
    vitdet_num_global: Optional[int] = None
    vitdet_num_windowed: Optional[int] = None
    architecture: str = 'ViT'  # anything else is listed for its name only and refused with a clear error

    @property
    def filename(self) -> str:
        return os.path.basename(urlparse(self.url).path)


RADIO_ZOO: Dict[str, ZooEntry] = {
    'radio_v2.5-b': ZooEntry(f'{_HF}/RADIO/resolve/main/radio-v2.5-b_half.pth.tar?download=true', 16, 2048, (768, 768), vitdet_num_global=4),
    'radio_v2.5-l': ZooEntry(f'{_HF}/RADIO/resolve/main/radio-v2.5-l_half.pth.tar?download=true', 16, 2048, (768, 768), vitdet_num_global=4),
    'radio_v2.5-h': ZooEntry(f'{_HF}/RADIO/resolve/main/radio_v2.5-h.pth.tar?download=true', 16, 2048, (768, 768), vitdet_num_global=4),
    'radio_v2.5-h-norm': ZooEntry(f'{_HF}/RADIO/resolve/main/radio_v2.5-h-norm.pth.tar?download=true', 16, 2048, (768, 768), vitdet_num_global=4),
    'radio_v2.5-g': ZooEntry(f'{_HF}/RADIO/resolve/main/radio_v2.5-g.pth.tar?download=true', 14, 1792, (896, 896), vitdet_num_global=8),
    'radio_v2.1': ZooEntry(f'{_HF}/RADIO/resolve/main/radio_v2.1_bf16.pth.tar?download=true', 16, 2048, (432, 432), vitdet_num_windowed=5),
    'radio_v2': ZooEntry(f'{_HF}/RADIO/resolve/main/radio_v2.pth.tar?download=true', 16, 2048, (432, 432), vitdet_num_windowed=5),
    # Upstream lists no ViTDet restriction for radio_v1 (its loader refuses it for lack of CPE anyway).
    'radio_v1': ZooEntry(f'{_HF}/RADIO/resolve/main/radio_v1.pth.tar?download=true', 14, 1050, (378, 378)),
    'e-radio_v2': ZooEntry(f'{_HF}/RADIO/resolve/main/eradio_v2.pth.tar?download=true', 16, 2048, (512, 512),
                           architecture='E-RADIO (hybrid CNN-ViT)'),
    'c-radio_v2-g': ZooEntry(f'{_HF}/C-RADIOv2-g/resolve/main/c-radio_v2-g_half.pth.tar', 16, 2048, (768, 768), vitdet_num_global=8),
    'c-radio_v2-vlm-h': ZooEntry(f'{_HF}/C-RADIOv2-VLM-H/resolve/main/c-radio_v2-vlm-h.pth.tar', 16, 2048, (768, 768), vitdet_num_global=8),
    'c-radio_v3-b': ZooEntry(f'{_HF}/C-RADIOv3-B/resolve/main/c-radio_v3-b_half.pth.tar?download=true', 16, 2048, (512, 512), supports_vitdet=False),
    'c-radio_v3-l': ZooEntry(f'{_HF}/C-RADIOv3-L/resolve/main/c-radio-v3_l_half.pth.tar?download=true', 16, 2048, (512, 512), supports_vitdet=False),
    'c-radio_v3-h': ZooEntry(f'{_HF}/C-RADIOv3-H/resolve/main/c-radio_v3-h_half.pth.tar?download=true', 16, 2048, (512, 512), supports_vitdet=False),
    'c-radio_v3-g': ZooEntry(f'{_HF}/C-RADIOv3-g/resolve/main/c-radio_v3-g_half.pth.tar?download=true', 16, 2048, (512, 512), supports_vitdet=False),
    'c-radio_v4-so400m': ZooEntry(f'{_HF}/C-RADIOv4-SO400M/resolve/main/c-radio_v4-so400m_half.pth.tar?download=true', 16, 2048, (512, 512)),
    'c-radio_v4-h': ZooEntry(f'{_HF}/C-RADIOv4-H/resolve/main/c-radio_v4-h_half.pth.tar?download=true', 16, 2048, (512, 512)),
}

# What ``torch.hub.load('NVlabs/RADIO', 'radio_model')`` gives without a version.
DEFAULT_VERSION = 'c-radio_v4-h'

VIT_VERSIONS = tuple(name for name, e in RADIO_ZOO.items() if e.architecture == 'ViT')


class UnsupportedReleaseError(ValueError):
    """A known upstream release that radio_dense cannot run (e.g. E-RADIO, not a ViT)."""


def require_vit_release(name: str) -> None:
    """Raise :class:`UnsupportedReleaseError` for zoo names that are not ViTs."""
    entry = RADIO_ZOO.get(name)
    if entry is not None and entry.architecture != 'ViT':
        raise UnsupportedReleaseError(
            f'{name} is not a ViT: E-RADIO is a hybrid CNN-ViT; radio_dense supports the ViT releases: '
            f'{", ".join(VIT_VERSIONS)}')


def require_vitdet_support(name: str, vitdet_window_size) -> None:
    """Refuse ViTDet attention on a release trained without it, before anything is downloaded or built."""
    entry = RADIO_ZOO.get(name)
    if vitdet_window_size is None or entry is None or entry.supports_vitdet:
        return
    raise ValueError(
        f'{name} does not support ViTDet windowed attention (vitdet_window_size={vitdet_window_size!r}): upstream '
        f'NVlabs/RADIO refuses it for C-RADIOv3, whose blocks were only trained with global attention. Leave '
        f'vitdet_window_size=None (global attention; the configs/radio_det/c-radio_v3-* detectors do so and use '
        f'with_cp=True for memory), or pick a release with ViTDet: '
        f'{", ".join(n for n in VIT_VERSIONS if RADIO_ZOO[n].supports_vitdet)}')


def zoo_entry(name: str) -> ZooEntry:
    """Entry for a zoo name; ``KeyError`` lists the known names."""
    if name not in RADIO_ZOO:
        raise KeyError(f'Unknown RADIO version {name!r} (and no such file or folder). Known versions: '
                       f'{", ".join(RADIO_ZOO)}; or pass a checkpoint path or a Hugging Face repo id (owner/name).')
    return RADIO_ZOO[name]


def zoo_entry_for_file(path: str) -> Optional[ZooEntry]:
    """The zoo entry whose released file name matches ``path``'s, if any."""
    base = os.path.basename(path)
    return next((e for e in RADIO_ZOO.values() if e.filename == base), None)


def cache_path(name: str) -> str:
    """Where the weights of zoo version ``name`` are (or will be) cached."""
    import torch.hub
    return os.path.join(torch.hub.get_dir(), 'checkpoints', zoo_entry(name).filename)


def fetch_zoo_checkpoint(name: str, progress: bool = True) -> str:
    """Path of the cached weights of ``name``, downloading them first if needed."""
    import torch.hub
    require_vit_release(name)
    path = cache_path(name)
    if os.path.isfile(path):
        return path
    entry = zoo_entry(name)
    if offline_requested():
        raise FileNotFoundError(
            f'{name} is not cached at {path} and downloads are off (offline mode). '
            f'Download {entry.url} on a machine with internet access and copy it to that path.')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        torch.hub.download_url_to_file(entry.url, path, progress=progress)
    except Exception as err:
        raise ConnectionError(
            f'Could not download {name} from {entry.url}: {err}. Without internet access, '
            f'download the file elsewhere and copy it to {path}.') from err
    return path
