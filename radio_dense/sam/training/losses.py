"""SAM's training loss: focal + dice on mask logits, MSE between predicted and actual IoU."""
from typing import Dict

import torch
from torch import nn
from torch.nn import functional as F

from ..utils.masks import mask_iou


def sigmoid_focal_loss(logits: torch.Tensor, targets: torch.Tensor, alpha: float = 0.25,
                       gamma: float = 2.0) -> torch.Tensor:
    """Per-mask focal loss ``(...)`` of logits / float targets ``(..., H, W)`` (mean over pixels)."""
    prob = logits.sigmoid()
    ce = F.binary_cross_entropy_with_logits(logits, targets, reduction='none')
    p_t = prob * targets + (1 - prob) * (1 - targets)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    return loss.flatten(-2).mean(-1)


def dice_loss(logits: torch.Tensor, targets: torch.Tensor, eps: float = 1.0) -> torch.Tensor:
    """Per-mask soft dice loss ``(...)`` of logits / float targets ``(..., H, W)``."""
    prob = logits.sigmoid().flatten(-2)
    targets = targets.flatten(-2)
    inter = (prob * targets).sum(-1)
    return 1 - (2 * inter + eps) / (prob.sum(-1) + targets.sum(-1) + eps)


class SamMaskLoss(nn.Module):
    """``focal_weight * focal + dice_weight * dice`` per mask, plus ``iou_weight * MSE(iou_pred, IoU)``.

    With several masks per prompt (multimask output) only the mask with the lowest mask loss gets
    gradients, as in SAM. Weights default to SAM's 20 : 1 : 1.
    """

    def __init__(self, focal_weight: float = 20.0, dice_weight: float = 1.0, iou_weight: float = 1.0):
        super().__init__()
        self.focal_weight = focal_weight
        self.dice_weight = dice_weight
        self.iou_weight = iou_weight

    def forward(self, logits: torch.Tensor, iou_pred: torch.Tensor, targets: torch.Tensor
                ) -> Dict[str, torch.Tensor]:
        """``logits (B, C, H, W)``, ``iou_pred (B, C)``, ``targets (B, H, W)`` -> losses and the chosen mask index.

        Returns a dict with ``loss_focal``, ``loss_dice``, ``loss_iou`` (means over prompts, weighted) and
        ``best`` (the chosen mask per prompt, ``(B,)``).
        """
        targets = targets.float()[:, None].expand_as(logits)
        focal = sigmoid_focal_loss(logits, targets)
        dice = dice_loss(logits, targets)
        best = (self.focal_weight * focal + self.dice_weight * dice).argmin(dim=1)
        rows = torch.arange(len(best), device=best.device)
        actual = mask_iou(logits[rows, best].detach() > 0, targets[rows, best] > 0.5)  # the IoU head's target
        return {
            'loss_focal': self.focal_weight * focal[rows, best].mean(),
            'loss_dice': self.dice_weight * dice[rows, best].mean(),
            'loss_iou': self.iou_weight * F.mse_loss(iou_pred[rows, best], actual),
            'best': best,
        }
