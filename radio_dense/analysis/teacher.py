"""Teacher models for comparisons with RADIO's adaptors (timm ViTs such as DINOv2).

``load_teacher('timm:vit_small_patch14_dinov2.lvd142m')`` returns a :class:`TimmTeacher`, or
``None`` with the reason when the weights are neither cached nor downloadable (offline), without
waiting for network retries. ``'timm-random:<name>'`` builds the architecture with random weights
(to exercise the code path offline).
"""
import socket
from typing import Optional, Tuple

import numpy as np
import torch

from .features import to_input

HF_HOST = 'huggingface.co'


def _hub_reachable(host: str = HF_HOST, timeout: float = 3.0) -> bool:
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
        return True
    except OSError:
        return False


def _cached(hf_hub_id: str) -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False
    for filename in ('model.safetensors', 'open_clip_pytorch_model.bin', 'pytorch_model.bin'):
        if isinstance(try_to_load_from_cache(hf_hub_id, filename), str):
            return True
    return False


class TimmTeacher:
    """A timm ViT as a dense-feature teacher: ``features(image, side)`` -> ``(C, h, w)``."""

    def __init__(self, model: torch.nn.Module, name: str):
        self.model = model.eval()
        self.name = name
        cfg = model.pretrained_cfg
        self.mean = torch.tensor(cfg.get('mean', (0.485, 0.456, 0.406))).view(1, 3, 1, 1)
        self.std = torch.tensor(cfg.get('std', (0.229, 0.224, 0.225))).view(1, 3, 1, 1)
        self.patch_size = int(model.patch_embed.patch_size[0])
        self.native_resolution = int(cfg.get('input_size', (3, 224, 224))[-1])
        self.embed_dim = int(model.embed_dim)

    @torch.no_grad()
    def features(self, image: np.ndarray, side: Optional[int] = None) -> torch.Tensor:
        """Patch-token features ``(C, h, w)`` of a square uint8 image resized to ``side`` (default native)."""
        side = side or self.native_resolution
        side = max(int(round(side / self.patch_size)), 1) * self.patch_size
        x = (to_input(image, (side, side)) - self.mean) / self.std
        tokens = self.model.forward_features(x)[:, getattr(self.model, 'num_prefix_tokens', 1):]
        grid = side // self.patch_size
        return tokens[0].reshape(grid, grid, -1).permute(2, 0, 1).float()


def load_teacher(spec: str) -> Tuple[Optional[TimmTeacher], str]:
    """``(teacher, message)``; ``teacher`` is ``None`` (and ``message`` says why) when it cannot be built."""
    kind, _, name = spec.partition(':')
    if kind not in ('timm', 'timm-random') or not name:
        return None, f"Unsupported teacher {spec!r}: use 'timm:<timm model name>' (e.g. timm:vit_small_patch14_dinov2.lvd142m)"
    import timm
    pretrained = kind == 'timm'
    if pretrained:
        try:
            cfg = timm.models.get_pretrained_cfg(name)
        except Exception:  # unknown name -> timm raises various errors
            cfg = None
        hub_id = getattr(cfg, 'hf_hub_id', None) if cfg is not None else None
        if hub_id is None:
            return None, f'timm knows no pretrained weights called {name!r}; skipping the teacher comparison'
        if not _cached(hub_id) and not _hub_reachable():
            return None, (f'Teacher weights {hub_id} are not in the Hugging Face cache and {HF_HOST} is unreachable '
                          f'(offline); skipping the teacher comparison. Run once with internet access to cache them.')
    try:
        model = timm.create_model(name, pretrained=pretrained, num_classes=0, dynamic_img_size=True)
    except Exception as err:
        return None, f'Could not build teacher {name!r} ({type(err).__name__}: {err}); skipping the teacher comparison'
    return TimmTeacher(model, name), f'teacher {name} ({"pretrained" if pretrained else "random weights"})'
