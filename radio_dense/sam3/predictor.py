"""Sam3Predictor: SAM3 concept prompting (text, exemplar boxes, points) with embeddings cached per image.

Mirrors ``sam3``'s ``Sam3Processor`` (same preprocessing, prompt encoding and post-processing:
with ``mode='stretch'`` the outputs are the processor's), with pixel-coordinate prompts, any
resolution and aspect-preserving geometries (:mod:`.geometry`), an explicit device and a cache of
image embeddings keyed by image and resolution.
"""
import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from torch import nn

from ..radio.precision import autocast, resolve_dtype
from .geometry import Sam3Geometry

#: The text SAM3 is given when only geometric prompts are set (as ``Sam3Processor``).
VISUAL_ONLY_TEXT = 'visual'


@dataclass
class Sam3Prediction:
    """Instances found for one prompt set, in original-image pixels, best first.

    Attributes:
        masks: ``(N, H, W)`` bool.
        mask_probs: ``(N, H, W)`` mask probabilities (``Sam3Processor``'s ``masks_logits``).
        boxes: ``(N, 4)`` ``x0, y0, x1, y1`` pixels.
        scores: ``(N,)`` detection score x presence score.
    """

    masks: torch.Tensor
    mask_probs: torch.Tensor
    boxes: torch.Tensor
    scores: torch.Tensor

    def __len__(self) -> int:
        return int(self.scores.shape[0])


def _float_outputs(value):
    """Reduced-precision float tensors (from autocast) in a (nested) dict / list / tuple as float32."""
    if isinstance(value, torch.Tensor):
        return value.float() if value.is_floating_point() and value.dtype != torch.float32 else value
    if isinstance(value, dict):
        return {k: _float_outputs(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and not hasattr(value, '_fields'):
        return type(value)(_float_outputs(v) for v in value)
    return value


def trunk_step(model: nn.Module) -> int:
    """The multiple input sides must be of: RADIO's patch (16) or SAM3's ViT patch (14)."""
    trunk = model.backbone.vision_backbone.trunk
    if hasattr(trunk, 'min_resolution_step'):
        return int(trunk.min_resolution_step)
    return int(trunk.patch_embed.proj.kernel_size[0])


def default_resolution(model: nn.Module) -> int:
    """The trunk's ``default_resolution`` (RADIO: 1152, SAM3's 72 x 72 grid), else SAM3's 1008."""
    return int(getattr(model.backbone.vision_backbone.trunk, 'default_resolution', None) or 1008)


def _as_uint8_chw(image) -> torch.Tensor:
    if hasattr(image, 'convert') and hasattr(image, 'size'):  # PIL
        image = np.asarray(image.convert('RGB'))
    if isinstance(image, np.ndarray):
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f'set_image expects an HxWx3 uint8 RGB array, got shape {image.shape} dtype {image.dtype}')
        writable = image if image.flags.writeable and image.flags.c_contiguous else image.copy()
        return torch.from_numpy(writable).permute(2, 0, 1)
    if isinstance(image, torch.Tensor) and image.dtype == torch.uint8 and image.ndim == 3 and image.shape[0] == 3:
        return image
    raise ValueError('set_image expects an HxWx3 uint8 RGB numpy array, a PIL image or a (3, H, W) uint8 tensor')


def _tensor(values, shape_tail: Tuple[int, ...], what: str) -> torch.Tensor:
    out = torch.as_tensor(np.asarray(values, dtype=np.float64), dtype=torch.float32).reshape(-1, *shape_tail)
    if not torch.isfinite(out).all():
        raise ValueError(f'{what} must be finite numbers')
    return out


def _labels(labels, count: int, what: str) -> torch.Tensor:
    if labels is None:
        return torch.ones(count, dtype=torch.bool)
    out = torch.as_tensor(np.asarray(labels)).reshape(-1)
    if out.numel() != count:
        raise ValueError(f'{count} {what} but {out.numel()} labels')
    if not bool(((out == 0) | (out == 1)).all()):
        raise ValueError(f'{what} labels must be 1 (positive) or 0 (negative), got {out.tolist()}')
    return out.bool()


class Sam3Predictor:
    """Set an image once, then find every instance of a concept (text and/or exemplars) in it.

    Args:
        model: a SAM3 image model (``build_sam3_image`` / ``build_radio_sam3``; also a model from
            ``sam3.build_sam3_image_model``).
        resolution: input side in pixels, a multiple of the trunk's patch size (default: 1152 for
            RADIO, 1008 for SAM3's own ViT).
        mode: ``'stretch'`` (``Sam3Processor``: squash to a square), ``'pad'`` (keep the aspect
            ratio, pad to a square) or ``'fit'`` (keep it, pad to a whole number of patches; RADIO).
        confidence_threshold: keep instances whose score exceeds this (``Sam3Processor``: 0.5).
        cache_size: image embeddings kept (per image, resolution and mode).
    """

    def __init__(self, model: nn.Module, resolution: Optional[int] = None, mode: str = 'stretch',
                 confidence_threshold: float = 0.5, cache_size: int = 4, dtype: Union[str, torch.dtype, None] = None):
        self.model = model
        #: autocast dtype of the image embedding and the prompts ('fp32': none; 'auto': bf16 where native;
        #: default: the model's ``inference_dtype`` attribute, set by the tools' --dtype, else fp32)
        self.dtype = resolve_dtype(getattr(model, 'inference_dtype', None) if dtype is None else dtype, self.device)
        self.step = trunk_step(model)
        self.resolution = int(resolution or default_resolution(model))
        self.mode = mode
        Sam3Geometry.for_image((self.resolution, self.resolution), self.resolution, mode, self.step)  # validates
        self.confidence_threshold = float(confidence_threshold)
        self.cache_size = int(cache_size)
        self._embeddings: 'OrderedDict[Tuple, Tuple[Sam3Geometry, Dict]]' = OrderedDict()
        self._text_cache: 'OrderedDict[str, Dict]' = OrderedDict()
        self.embed_count = 0
        self.reset_image()

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    # ----- image -----
    @torch.inference_mode()
    def set_image(self, image: Union[np.ndarray, torch.Tensor, 'PIL.Image.Image']) -> None:  # noqa: F821
        """Embed an RGB image (``HxWx3`` uint8 array, PIL image or ``(3, H, W)`` uint8 tensor); forgets prompts."""
        pixels = _as_uint8_chw(image)
        raw = pixels.cpu().contiguous().numpy().tobytes()
        digest = hashlib.sha1(raw + str(tuple(pixels.shape)).encode()).hexdigest()
        key = (digest, self.resolution, self.mode)
        self.reset_prompts()
        if key in self._embeddings:
            self._embeddings.move_to_end(key)
            self.geometry, self._image_out = self._embeddings[key]
            self.cached = True
            return
        geometry = Sam3Geometry.for_image(tuple(pixels.shape[-2:]), self.resolution, self.mode, self.step)
        canvas = geometry.prepare_image(pixels.to(self.device))
        with autocast(self.device, self.dtype):
            image_out = _float_outputs(self.model.backbone.forward_image(canvas))
        self.embed_count += 1
        self._embeddings[key] = (geometry, image_out)
        while len(self._embeddings) > self.cache_size:
            self._embeddings.popitem(last=False)
        self.geometry, self._image_out, self.cached = geometry, image_out, False

    def reset_image(self) -> None:
        """Forget the current image (cached embeddings stay) and its prompts."""
        self.geometry: Optional[Sam3Geometry] = None
        self._image_out: Optional[Dict] = None
        self.cached = False
        self.reset_prompts()

    @property
    def is_image_set(self) -> bool:
        return self._image_out is not None

    @property
    def features(self) -> torch.Tensor:
        """The current image's SAM3 feature map (``RadioSamPredictor.features`` counterpart)."""
        return self.get_image_features()

    def get_image_features(self) -> torch.Tensor:
        """The ``(1, 256, h, w)`` SAM3 feature map of the current image (the neck's 1x level)."""
        self._require_image()
        return self._image_out['vision_features']

    # ----- prompts, as Sam3Processor (incremental) -----
    def set_text_prompt(self, text: str) -> Sam3Prediction:
        """Set the concept (replaces the previous text; exemplars stay) and predict."""
        self._text = text
        return self._run_prompts()

    def add_box(self, box_xyxy: Sequence[float], positive: bool = True) -> Sam3Prediction:
        """Add an exemplar box (``x0, y0, x1, y1`` pixels; negative: "not this") and predict."""
        self._boxes.append((list(box_xyxy), bool(positive)))
        return self._run_prompts()

    def reset_prompts(self) -> None:
        """Remove the text and the exemplar boxes."""
        self._text: Optional[str] = None
        self._boxes: list = []

    def _run_prompts(self) -> Sam3Prediction:
        boxes = [b for b, _ in self._boxes] or None
        return self.predict(self._text, boxes, [int(lab) for _, lab in self._boxes] or None)

    # ----- prompts, all at once -----
    @torch.inference_mode()
    def predict(self, text: Optional[str] = None, boxes=None, box_labels=None, points=None, point_labels=None,
                confidence_threshold: Optional[float] = None) -> Sam3Prediction:
        """Every instance of the concept given by ``text`` and/or exemplars, in original pixels.

        Args:
            text: a noun phrase (``'shoe'``); without it SAM3 gets ``'visual'`` and relies on
                the exemplars (as ``Sam3Processor``).
            boxes: ``(N, 4)`` ``x0, y0, x1, y1`` exemplar boxes in original pixels.
            box_labels: ``N`` values, 1 positive (default) / 0 negative exemplar.
            points: ``(M, 2)`` ``x, y`` pixels, labels 1/0 in ``point_labels``. They go through
                SAM3's geometry encoder; Meta's concept-segmentation pipeline does not use point
                prompts (``Sam3Image.forward`` drops them), so treat them as experimental.
            confidence_threshold: overrides the predictor's.
        """
        self._require_image()
        if text is None and boxes is None and points is None:
            raise ValueError('Give a text prompt and/or exemplar boxes (or points).')
        if text is not None and (not isinstance(text, str) or not text.strip()):
            raise ValueError(f'text must be a non-empty string, got {text!r}')
        device = self.device
        prompt = self.model._get_dummy_prompt()
        if boxes is not None:
            pixel_boxes = _tensor(boxes, (4,), 'boxes')
            if (pixel_boxes[:, 2:] <= pixel_boxes[:, :2]).any():
                raise ValueError(f'boxes must be x0, y0, x1, y1 with x1 > x0 and y1 > y0, got {pixel_boxes.tolist()}')
            labels = _labels(box_labels, len(pixel_boxes), 'boxes')
            prompt.append_boxes(self.geometry.boxes_to_canvas(pixel_boxes).to(device)[:, None],
                                labels.to(device)[:, None])
        if points is not None:
            pixel_points = _tensor(points, (2,), 'points')
            labels = _labels(point_labels, len(pixel_points), 'points')
            prompt.append_points(self.geometry.points_to_canvas(pixel_points).to(device)[:, None],
                                 labels.long().to(device)[:, None])
        backbone_out = {**self._image_out, **self._text_features(text if text is not None else VISUAL_ONLY_TEXT)}
        with autocast(device, self.dtype):
            outputs = _float_outputs(self.model.forward_grounding(backbone_out=backbone_out, find_input=self._find_stage(device),
                                                                  geometric_prompt=prompt, find_target=None))
        threshold = self.confidence_threshold if confidence_threshold is None else float(confidence_threshold)
        return self._postprocess(outputs, threshold)

    def _text_features(self, text: str) -> Dict:
        if text not in self._text_cache:
            with autocast(self.device, self.dtype):
                self._text_cache[text] = _float_outputs(self.model.backbone.forward_text([text], device=self.device))
            while len(self._text_cache) > 16:
                self._text_cache.popitem(last=False)
        self._text_cache.move_to_end(text)
        return self._text_cache[text]

    @staticmethod
    def _find_stage(device: torch.device):
        from sam3.model.data_misc import FindStage
        index = torch.zeros(1, dtype=torch.long, device=device)
        return FindStage(img_ids=index, text_ids=index, input_boxes=None, input_boxes_mask=None,
                         input_boxes_label=None, input_points=None, input_points_mask=None)

    def _postprocess(self, outputs: Dict, threshold: float) -> Sam3Prediction:
        presence = outputs['presence_logit_dec'].sigmoid().unsqueeze(1)
        scores = (outputs['pred_logits'].sigmoid() * presence).squeeze(-1)[0]
        keep = scores > threshold
        order = torch.argsort(scores[keep], descending=True)
        scores = scores[keep][order]
        boxes = self.geometry.boxes_to_original(outputs['pred_boxes'][0][keep][order])
        probs = self.geometry.masks_to_original(outputs['pred_masks'][0][keep][order]).sigmoid()
        return Sam3Prediction(masks=probs > 0.5, mask_probs=probs, boxes=boxes, scores=scores)

    def _require_image(self) -> None:
        if self._image_out is None:
            raise RuntimeError('An image must be set with .set_image(...) before prompting.')
