"""Comparing masks: the IoU used by evaluation, validation and the IoU head's training target."""
import torch


def mask_iou(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """IoU of boolean masks ``(..., H, W)`` (broadcasting); two empty masks give 1."""
    inter = (pred & target).flatten(-2).sum(-1).float()
    union = (pred | target).flatten(-2).sum(-1).float()
    return torch.where(union > 0, inter / union.clamp(min=1), torch.ones_like(union))
