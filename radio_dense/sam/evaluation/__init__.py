"""The SAM-COCO protocol: prompt every ground-truth instance with its box and an interior point, score by IoU."""
from .sam_coco import CHOICES, PROMPTS, SamCocoResult, evaluate_sam_coco, format_results_table, mask_iou

__all__ = ['CHOICES', 'PROMPTS', 'SamCocoResult', 'evaluate_sam_coco', 'format_results_table', 'mask_iou']
