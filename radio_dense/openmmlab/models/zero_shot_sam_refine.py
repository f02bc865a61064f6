"""RADSeg+: a zero-shot label map refined by SAM's decoder, prompted from the coarse map itself.

The protocol of RADSeg's code (RADSeg-OVSS/RADSeg ``sam_utils.py``, itself Trident's; written anew
here), on the label map ``L`` and class probabilities ``P`` at the original image size:

1. ``L`` and ``P`` are downsampled by ``downsample`` (nearest / bilinear); pixels whose best
   probability is below ``coarse_thresh`` belong to no class.
2. Every class whose best probability reaches ``coarse_thresh`` is split into 8-connected regions;
   regions under ``min_area`` (downsampled) pixels are dropped.
3. Each region prompts SAM's decoder once (single-mask output) with: one positive point where the
   class probability peaks inside the region, the region's bounding box, and a mask prompt, the
   class probability map in the decoder's low-resolution frame, ``mask_coeff * P`` where
   ``P > coarse_thresh`` and 0 elsewhere.
4. A mask is kept when SAM's predicted IoU exceeds ``iou_thresh``. A class's refined score is, inside
   the union of its kept masks, the best ``sigmoid(SAM logit) * P_class`` of those masks (0 outside).
5. Each pixel that some kept mask covers takes the class of the best refined score; every other
   pixel keeps its coarse label. (RADSeg also merges the regions whose masks were rejected back into
   its returned scores; that step never changes a label, so it is left out.)

The SAM image embedding is the RADIO ``sam`` adaptor's spatial features, computed by the caller
(the segmentor runs its own trunk, SCRA included when on, as RADSeg does, on the image resized to
``resolution`` on its long side and padded only to whole patches: the project's any-resolution SAM
geometry, where RADSeg zero-pads the features to SAM's 64 x 64). An adaptor with SAM's 256 channels is
the embedding itself; one with more channels speaks SAM ViT's trunk before its neck, and RADSeg then
applies SAM's own neck (``image_encoder.neck.*`` of the official checkpoint): :func:`build_sam_neck`.
"""
from dataclasses import dataclass, fields
from typing import Callable, NamedTuple, Optional

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ...radio.safe_io import read_tensors, strip_prefix
from ...sam.decoder_checkpoint import WRAPPER_PREFIXES
from ...sam.modeling import ConvNeck, RadioSam, SamGeometry
from ...sam.modeling.prompt_decoder import SAM_EMBED_DIM


@dataclass(frozen=True)
class SamRefinementConfig:
    """Options of RADSeg+'s refinement (defaults: RADSeg's ``RADSegEncoder`` arguments).

    Args:
        decoder: SAM checkpoint or decoder extract for the prompt encoder and mask decoder
            (RADSeg: ``sam_vit_h_4b8939.pth``); ``None``: RANDOM weights (tests only).
        resolution: long side of the image whose embedding SAM's decoder reads (RADSeg: 1024).
        coarse_thresh / min_area / mask_coeff / iou_thresh / downsample: see the module docstring.
        adaptor: the RADIO adaptor giving SAM's image embedding.
        seed: seed of the random decoder when ``decoder`` is ``None``.
    """

    decoder: Optional[str] = None
    resolution: int = 1024
    coarse_thresh: float = 0.10
    min_area: int = 225
    mask_coeff: float = 0.005
    iou_thresh: float = 0.9
    downsample: int = 2
    adaptor: str = 'sam'
    seed: int = 0

    @classmethod
    def from_dict(cls, options: dict) -> 'SamRefinementConfig':
        if not isinstance(options, dict):
            raise ValueError(f'sam_refinement must be a dict of options (or None), got {type(options).__name__}')
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise ValueError(f'sam_refinement: unknown option(s) {unknown}; use {sorted(known)}')
        cfg = cls(**dict(options))
        for name in ('resolution', 'min_area', 'downsample'):
            value = getattr(cfg, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < (0 if name == 'min_area' else 1):
                raise ValueError(f'sam_refinement.{name} must be a positive integer, got {value!r}')
        for name in ('coarse_thresh', 'mask_coeff', 'iou_thresh'):
            value = getattr(cfg, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
                raise ValueError(f'sam_refinement.{name} must be a finite number, got {value!r}')
        if not 0 <= cfg.coarse_thresh < 1:
            raise ValueError(f'sam_refinement.coarse_thresh must be in [0, 1), got {cfg.coarse_thresh}')
        return cfg


class RefinedLabels(NamedTuple):
    """``labels`` ``(H, W)``; ``covered`` ``(H, W)`` bool: pixels inside a kept SAM mask (only those can change)."""

    labels: torch.Tensor
    covered: torch.Tensor
    num_prompts: int
    num_kept: int


class _EmbeddingFromCaller(nn.Module):
    """The image encoder of a decoder-only :class:`RadioSam`: the embedding comes from the segmentor's trunk."""

    def __init__(self, patch_size: int):
        super().__init__()
        self.patch_size = patch_size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise RuntimeError('This RadioSam only decodes: RADIOZeroShotSegmentor computes its image embedding')


def build_decoder_only_sam(cfg: SamRefinementConfig, patch_size: int) -> RadioSam:
    """segment-anything's prompt encoder and mask decoder (``cfg.decoder`` weights, else seeded random)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(cfg.seed)
        sam = RadioSam(_EmbeddingFromCaller(patch_size), resolution=cfg.resolution, pad_to_square=False)
    if cfg.decoder:
        sam.load_decoder_weights(cfg.decoder)
    return sam.eval().requires_grad_(False)


def build_sam_neck(cfg: SamRefinementConfig, in_channels: int) -> Optional[nn.Module]:
    """SAM ViT's neck (1x1 conv, LayerNorm2d, 3x3 conv, LayerNorm2d) for an adaptor of ``in_channels`` != 256,
    with the ``image_encoder.neck.*`` weights of ``cfg.decoder`` (seeded random without one); ``None`` for 256."""
    if in_channels == SAM_EMBED_DIM:
        return None
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(cfg.seed)
        neck = ConvNeck(in_channels).layers
    if cfg.decoder:
        state = strip_prefix(read_tensors(cfg.decoder), 'image_encoder.neck.', wrappers=WRAPPER_PREFIXES)
        if not state:
            raise ValueError(f'The {cfg.adaptor!r} adaptor gives {in_channels} channels (SAM ViT\'s trunk before its '
                             f'neck), so RADSeg+ needs SAM\'s neck too, but {cfg.decoder} has no image_encoder.neck.* '
                             'tensors (a decoder extract?): pass the official SAM checkpoint (sam_vit_h_4b8939.pth)')
        try:
            neck.load_state_dict(state, strict=True)
        except RuntimeError as err:
            raise ValueError(f'{cfg.decoder}: its SAM neck does not fit the {cfg.adaptor!r} adaptor\'s {in_channels} '
                             f'channels: {err}') from err
    return neck.eval().requires_grad_(False)


def _regions(mask: np.ndarray, min_area: int):
    """8-connected regions of a bool map with at least ``min_area`` pixels: (region bool map, x0, y0, x1, y1)."""
    import cv2
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    for r in range(1, count):
        x, y, w, h, area = stats[r]
        if area >= max(min_area, 1):
            yield labels == r, (x, y, x + w - 1, y + h - 1)


def _mask_prompt(prob: torch.Tensor, geometry: SamGeometry, low_res: tuple, cfg: SamRefinementConfig) -> torch.Tensor:
    """A class probability map ``(h, w)`` as SAM's mask prompt ``(1, 1, *low_res)``: the image's part of the
    low-resolution frame, zero-padded like the canvas."""
    ih = round(geometry.input_size[0] * low_res[0] / geometry.canvas_size[0])
    iw = round(geometry.input_size[1] * low_res[1] / geometry.canvas_size[1])
    p = F.interpolate(prob[None, None], size=(ih, iw), mode='bilinear', align_corners=False)
    p = F.pad(p, (0, low_res[1] - iw, 0, low_res[0] - ih))
    return torch.where(p > cfg.coarse_thresh, cfg.mask_coeff * p, torch.zeros_like(p))


@torch.no_grad()
def refine_labels(decode: Callable, geometry: SamGeometry, low_res: tuple, labels: torch.Tensor,
                  probs: torch.Tensor, cfg: SamRefinementConfig) -> RefinedLabels:
    """RADSeg+'s refinement of one image (see the module docstring).

    Args:
        decode: ``RadioSam.image_decoder(embedding, geometry.canvas_size)``.
        geometry: the image's :class:`SamGeometry` (original size = the label map's size).
        low_res: ``(h, w)`` of the decoder's low-resolution masks (4x the embedding grid).
        labels: ``(H, W)`` coarse labels; probs: ``(K, H, W)`` class probabilities.
    """
    k, h, w = probs.shape
    d = cfg.downsample
    dh, dw = max(h // d, 1), max(w // d, 1)
    small_labels = F.interpolate(labels[None, None].float(), size=(dh, dw), mode='nearest')[0, 0].long()
    small_probs = F.interpolate(probs[None].float(), size=(dh, dw), mode='bilinear', align_corners=False)[0]
    certain = small_probs.amax(0) >= cfg.coarse_thresh
    to_original = torch.tensor([w / dw, h / dh], device=probs.device)
    refined = probs.new_zeros(k, h, w)
    covered = torch.zeros(h, w, dtype=torch.bool, device=probs.device)
    num_prompts = num_kept = 0
    for c in range(k):
        if small_probs[c].max() < cfg.coarse_thresh:
            continue
        class_map = ((small_labels == c) & certain).cpu().numpy()
        regions = list(_regions(class_map, cfg.min_area))
        if not regions:
            continue
        points, boxes = [], []
        for region, box in regions:
            peak = torch.where(torch.from_numpy(region).to(probs.device), small_probs[c], -1.0).argmax()
            points.append([int(peak % dw), int(peak // dw)])
            boxes.append(box)
        points = geometry.apply_coords_torch(torch.tensor(points, device=probs.device) * to_original)[:, None]
        boxes = geometry.apply_boxes_torch(torch.tensor(boxes, device=probs.device).reshape(-1, 2, 2)
                                           * to_original).reshape(-1, 4)
        n = len(regions)
        mask_input = _mask_prompt(small_probs[c], geometry, low_res, cfg).expand(n, 1, *low_res)
        logits, iou = decode(point_coords=points, point_labels=torch.ones(n, 1, device=probs.device),
                             boxes=boxes, mask_input=mask_input, multimask_output=False)
        keep = iou[:, 0] > cfg.iou_thresh
        num_prompts, num_kept = num_prompts + n, num_kept + int(keep.sum())
        if not keep.any():
            continue
        logits = geometry.postprocess_masks(logits[keep].float())[:, 0]
        union = (logits > 0).any(0)
        refined[c] = (logits.sigmoid() * probs[c]).amax(0) * union
        covered |= union
    out = torch.where(refined.sum(0) > 0, refined.argmax(0), labels)
    return RefinedLabels(out.to(labels.dtype), covered, num_prompts, num_kept)
