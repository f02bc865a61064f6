"""Input normalisation: images in [0, 1] -> mean/std normalised tensors."""
from typing import Optional, Sequence

import torch
from torch import nn

# OpenAI CLIP statistics, the ones every RADIO release was trained with.
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


class InputConditioner(nn.Module):
    """Normalise ``x`` (values in ``[0, input_scale]``) with per-channel mean and std.

    Buffers are named as upstream (``norm_mean``, ``norm_std``) so checkpoints load as they are.
    """

    def __init__(self, input_scale: float = 1.0, norm_mean: Sequence[float] = CLIP_MEAN,
                 norm_std: Sequence[float] = CLIP_STD, dtype: Optional[torch.dtype] = None):
        super().__init__()
        self.dtype = dtype
        self.register_buffer('norm_mean', torch.as_tensor(norm_mean, dtype=torch.float32).view(-1, 1, 1) / input_scale)
        self.register_buffer('norm_std', torch.as_tensor(norm_std, dtype=torch.float32).view(-1, 1, 1) / input_scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = (x - self.norm_mean) / self.norm_std
        return y if self.dtype is None else y.to(self.dtype)

    def backward(self, x: torch.Tensor) -> torch.Tensor:
        """Undo the normalisation (for visualisation)."""
        return x * self.norm_std + self.norm_mean
