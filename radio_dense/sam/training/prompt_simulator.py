"""Simulated interactive prompting for training, as in SAM: a first prompt, then correction clicks."""
from typing import Dict, Optional, Tuple, Union

import torch
from torch.nn import functional as F

from .losses import SamMaskLoss
from ..modeling import RadioSam
from ..utils.prompts import boxes_from_masks, correction_points, jitter_boxes, sample_points


class PromptSimulator:
    """Prompt one image's ground-truth instances the way a user would, and score every step.

    Per image, all instances get the same first prompt kind: a jittered box (probability
    ``box_prob``) or one random foreground point (answered with three masks; the best one is
    trained, as SAM). Then ``num_corrections`` rounds each add one click in the error region of
    the previous mask (foreground if missed, background if spurious) and feed the previous
    low-res logits back as the mask prompt. The loss of every round is averaged.

    Args:
        box_prob: probability that an image's instances start from a box.
        box_noise: box jitter as a fraction of the box side (clipped to ``box_noise_max`` pixels).
        num_corrections: correction rounds after the first prompt.
        loss: the per-round loss: a :class:`SamMaskLoss` or its keyword arguments (default: SAM's weights).
    """

    def __init__(self, box_prob: float = 0.5, box_noise: float = 0.1, box_noise_max: float = 20.0,
                 num_corrections: int = 2, loss: Optional[Union[SamMaskLoss, dict]] = None):
        if not 0 <= box_prob <= 1:
            raise ValueError(f'box_prob must be in [0, 1], got {box_prob}')
        self.box_prob = box_prob
        self.box_noise = box_noise
        self.box_noise_max = box_noise_max
        self.num_corrections = num_corrections
        self.loss = loss if isinstance(loss, SamMaskLoss) else SamMaskLoss(**(loss or {}))

    def first_prompt(self, gt_canvas: torch.Tensor, generator: Optional[torch.Generator] = None
                     ) -> Tuple[Optional[torch.Tensor], Optional[torch.Tensor], Optional[torch.Tensor]]:
        """``(point_coords, point_labels, boxes)`` in canvas pixels for ``(N, H, W)`` masks."""
        use_box = torch.rand((), generator=generator).item() < self.box_prob
        if use_box:
            boxes = jitter_boxes(boxes_from_masks(gt_canvas), self.box_noise, self.box_noise_max, generator)
            return None, None, boxes
        coords, _ = sample_points(gt_canvas, generator)
        labels = torch.ones(len(coords), 1, dtype=torch.int, device=gt_canvas.device)
        return coords[:, None], labels, None

    def __call__(self, model: RadioSam, image_embedding: torch.Tensor, canvas_size: Tuple[int, int],
                 gt_canvas: torch.Tensor, generator: Optional[torch.Generator] = None) -> Dict[str, torch.Tensor]:
        """Losses for the instances ``gt_canvas`` ``(N, H, W)`` (bool, canvas size) of one image.

        ``image_embedding``: ``(1, C, h, w)`` with gradients to the trainable neck.
        """
        points, labels, boxes = self.first_prompt(gt_canvas, generator)
        mask_input = None
        totals: Dict[str, torch.Tensor] = {}
        rounds = 1 + self.num_corrections
        targets = None
        for step in range(rounds):
            multimask = step == 0 and boxes is None
            low_res, iou_pred = model.decode(image_embedding, canvas_size, points, labels, boxes, mask_input,
                                             multimask_output=multimask)
            if targets is None:
                targets = F.interpolate(gt_canvas[:, None].float(), size=low_res.shape[-2:], mode='area')[:, 0] > 0.5
            losses = self.loss(low_res, iou_pred, targets)
            for key, value in losses.items():
                if key.startswith('loss'):
                    totals[key] = totals.get(key, 0) + value / rounds
            if step + 1 == rounds:
                break
            rows = torch.arange(len(low_res), device=low_res.device)
            chosen = low_res[rows, losses['best']].detach()
            mask_input = chosen[:, None]
            click, click_label = correction_points(chosen > 0, targets, generator)
            stride = gt_canvas.shape[-1] / low_res.shape[-1]
            click = (click + 0.5) * stride - 0.5  # low-res pixel centre -> canvas pixels
            new_points, new_labels = click[:, None], click_label[:, None].int()
            points = new_points if points is None else torch.cat([points, new_points], dim=1)
            labels = new_labels if labels is None else torch.cat([labels, new_labels], dim=1)
        return totals
