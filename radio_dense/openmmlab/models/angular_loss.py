"""AngularLoss: the mean angle (radians) between predicted and ground-truth surface normals."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS


def valid_normal_mask(gt: torch.Tensor) -> torch.Tensor:
    """``(N, H, W)`` bool: pixels whose ground-truth normal is a direction (all-zero means unlabelled)."""
    return gt.norm(dim=1) > 0.5


def angle_error(pred: torch.Tensor, gt: torch.Tensor) -> torch.Tensor:
    """Angle in radians between ``(N, 3, H, W)`` normal maps, per pixel ``(N, H, W)``.

    ``atan2(|a x b|, a . b)``: accurate near 0 and 180 degrees and with finite gradients there
    (``acos`` of the dot product has an infinite gradient at a perfect match).
    """
    pred, gt = F.normalize(pred, dim=1, eps=1e-6), F.normalize(gt, dim=1, eps=1e-6)
    cross = torch.linalg.cross(pred, gt, dim=1).norm(dim=1)
    return torch.atan2(cross + 1e-12, (pred * gt).sum(dim=1))


@MODELS.register_module()
class AngularLoss(nn.Module):
    """Mean angle between unit normals over labelled pixels (Probe3D / Bae et al. train on angles)."""

    def __init__(self, loss_weight: float = 1.0, loss_name: str = 'loss_angular'):
        super().__init__()
        self.loss_weight, self._loss_name = loss_weight, loss_name

    def forward(self, pred: torch.Tensor, target: torch.Tensor, **kwargs) -> torch.Tensor:
        if pred.shape != target.shape or pred.shape[1] != 3:
            raise ValueError(f'AngularLoss needs (N, 3, H, W) prediction and target of one shape, '
                             f'got {tuple(pred.shape)} and {tuple(target.shape)}')
        mask = valid_normal_mask(target)
        if not mask.any():
            return pred.sum() * 0.0
        return self.loss_weight * angle_error(pred, target)[mask].mean()

    @property
    def loss_name(self) -> str:
        return self._loss_name
