"""Pictures and JSON of SAM3 results: every instance tinted in its own colour, prompt boxes framed."""
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np

from ..sam.utils.visualize import NEGATIVE_COLOR, POSITIVE_COLOR, overlay
from .predictor import Sam3Prediction

PALETTE = [(30, 144, 255), (255, 99, 71), (60, 179, 113), (238, 130, 238), (255, 215, 0), (0, 206, 209),
           (255, 140, 0), (147, 112, 219), (50, 205, 50), (220, 20, 60)]


def instances_overlay(image: np.ndarray, prediction: Sam3Prediction, prompt_boxes: Optional[Sequence] = None,
                      box_labels: Optional[Sequence[int]] = None) -> np.ndarray:
    """``image`` with each instance mask tinted (palette colours, best first) and its box drawn;
    exemplar boxes framed green (positive) or red (negative)."""
    out = image.copy()
    thickness = max(1, round(max(image.shape[:2]) / 300))
    masks = prediction.masks.cpu().numpy()
    boxes = prediction.boxes.cpu().numpy()
    for i in range(len(prediction) - 1, -1, -1):  # best drawn last, on top
        color = PALETTE[i % len(PALETTE)]
        out = overlay(out, masks[i], color=color, alpha=0.45)
        x0, y0, x1, y1 = [int(round(v)) for v in boxes[i]]
        cv2.rectangle(out, (x0, y0), (x1, y1), color, thickness)
    for box, label in zip(prompt_boxes or [], box_labels or [1] * len(prompt_boxes or [])):
        x0, y0, x1, y1 = [int(round(v)) for v in box]
        cv2.rectangle(out, (x0, y0), (x1, y1), POSITIVE_COLOR if int(label) else NEGATIVE_COLOR, thickness * 2)
    return out


def prediction_records(prediction: Sam3Prediction) -> List[Dict]:
    """One JSON-ready dict per instance: score, box (x0, y0, x1, y1 pixels), area in pixels."""
    masks = prediction.masks.cpu()
    return [{'score': round(float(s), 6), 'box': [round(float(v), 2) for v in b], 'area': int(m.sum())}
            for s, b, m in zip(prediction.scores.cpu(), prediction.boxes.cpu(), masks)]
