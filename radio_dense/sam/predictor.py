"""RadioSamPredictor: segment-anything's ``SamPredictor`` API on a :class:`RadioSam`, at any resolution."""
from typing import Optional, Tuple, Union

import numpy as np
import torch
from segment_anything.utils.transforms import ResizeLongestSide

from ..radio.precision import autocast, resolve_dtype
from .modeling import RadioSam, SamGeometry
from .utils.prompt_checks import check_box, check_points


class RadioSamPredictor:
    """Embed an image once, then prompt it with points, boxes and masks as often as needed.

    A drop-in for ``segment_anything.SamPredictor`` (same methods, arguments and outputs):
    ``SamPredictor(sam)`` becomes ``RadioSamPredictor(radio_sam)``. The image's long side goes to
    ``resolution``; ``pad_to_square`` pads to a square as SAM does, otherwise only up to a whole
    number of patches (the embedding then keeps the image's aspect ratio). Low-res logits are
    4x the embedding grid (256 x 256 at 1024 with square padding, as SAM).

    Args:
        model: the :class:`RadioSam`.
        resolution: long side in pixels, a multiple of the patch size (default: the model's).
        pad_to_square: default: the model's.
        fast_decoder: re-prompt with :meth:`RadioSam.image_decoder` (per-image work done once; the
            same masks as segment-anything's ``MaskDecoder.forward`` up to float rounding, ~2x
            faster per click on CPU). ``False`` runs segment-anything's forward on every prompt.
        dtype: autocast dtype of the embedding and the prompts: ``'fp32'`` / ``None`` (none),
            ``'bf16'``, ``'fp16'`` or ``'auto'`` (bf16 on GPUs and on CPUs with native bf16, else
            fp32); default: the model's ``inference_dtype`` attribute if set (the tools' ``--dtype``),
            else fp32. Outputs are float32 either way.
    """

    def __init__(self, model: RadioSam, resolution: Optional[int] = None, pad_to_square: Optional[bool] = None,
                 fast_decoder: bool = True, dtype: Union[str, torch.dtype, None] = None):
        self.model = model
        self.dtype = resolve_dtype(getattr(model, 'inference_dtype', None) if dtype is None else dtype, model.device)
        self.fast_decoder = bool(fast_decoder)
        self.resolution = model.resolution if resolution is None else resolution
        self.pad_to_square = model.pad_to_square if pad_to_square is None else bool(pad_to_square)
        model.geometry((self.resolution, self.resolution), self.resolution, self.pad_to_square)  # validates
        self.resolution = int(self.resolution)
        self.transform = ResizeLongestSide(self.resolution)
        self.reset_image()

    # ----- image -----
    def set_image(self, image: np.ndarray, image_format: str = 'RGB') -> None:
        """Compute the embedding of an ``HxWx3`` uint8 image (``'RGB'`` or ``'BGR'``)."""
        if image_format not in ('RGB', 'BGR'):
            raise ValueError(f"image_format must be 'RGB' or 'BGR', got {image_format!r}")
        image = np.asarray(image)
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f'set_image expects an HxWx3 uint8 array, got shape {image.shape} dtype {image.dtype}; '
                             f'convert with np.asarray(PIL.Image.open(path).convert("RGB"))')
        self.model.geometry(image.shape[:2], self.resolution, self.pad_to_square)  # explains impossible sizes
        if image_format != self.model.image_format:
            image = image[..., ::-1]
        resized = self.transform.apply_image(np.ascontiguousarray(image))
        tensor = torch.as_tensor(resized, device=self.device).permute(2, 0, 1).contiguous()[None]
        self.set_torch_image(tensor, image.shape[:2])

    @torch.no_grad()
    def set_torch_image(self, transformed_image: torch.Tensor, original_image_size: Tuple[int, ...]) -> None:
        """Compute the embedding of a ``1x3xhxw`` image already resized with ``self.transform``."""
        geometry = self.model.geometry(tuple(original_image_size), self.resolution, self.pad_to_square)
        if transformed_image.ndim != 4 or transformed_image.shape[1] != 3 or \
                tuple(transformed_image.shape[-2:]) != geometry.input_size:
            raise ValueError(f'set_torch_image expects a 1x3x{geometry.input_size[0]}x{geometry.input_size[1]} image '
                             f'(the original resized with predictor.transform), got {tuple(transformed_image.shape)}')
        self.reset_image()
        canvas = self.model.preprocess(transformed_image.float(), geometry)
        with autocast(self.device, self.dtype):
            embedding = self.model.image_encoder(canvas)
        self.set_image_embedding(embedding.float(), geometry)

    def set_image_embedding(self, embedding: torch.Tensor, geometry: SamGeometry) -> None:
        """Use a precomputed ``(1, C, h, w)`` embedding of an image with ``geometry`` (e.g. from a cache)."""
        if embedding.ndim != 4 or embedding.shape[0] != 1:
            raise ValueError(f'Expected a (1, C, h, w) embedding, got {tuple(embedding.shape)}')
        self.features = embedding
        self.geometry = geometry
        self._decoder, self._decoder_key = None, None
        self.original_size = geometry.original_size
        self.input_size = geometry.input_size
        self.is_image_set = True

    # ----- prompts -----
    def predict(self, point_coords: Optional[np.ndarray] = None, point_labels: Optional[np.ndarray] = None,
                box: Optional[np.ndarray] = None, mask_input: Optional[np.ndarray] = None,
                multimask_output: bool = True, return_logits: bool = False
                ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Masks for one prompt set, in original-image pixels.

        Args:
            point_coords: ``Nx2`` ``(x, y)`` pixels; point_labels: ``N`` labels (1 fg, 0 bg).
            box: ``x0, y0, x1, y1`` pixels (length 4, or ``1x4``).
            mask_input: ``1xhxw`` low-res logits from a previous call at this resolution.
            multimask_output: three masks (ambiguous prompts) or one.
            return_logits: logits instead of boolean masks.

        Returns:
            ``masks`` ``CxHxW`` (original size), ``iou_predictions`` ``C``, ``low_res_logits`` ``Cxhxw``.
        """
        self._require_image()
        coords = labels = boxes = masks = None
        if point_coords is not None:
            if point_labels is None:
                raise ValueError('point_labels must be given with point_coords (1 foreground, 0 background)')
            point_coords = np.asarray(point_coords, dtype=float).reshape(-1, 2)
            point_labels = np.asarray(point_labels).reshape(-1)
            if len(point_labels) != len(point_coords):
                raise ValueError(f'{len(point_coords)} points but {len(point_labels)} labels')
            check_points(point_coords, point_labels, self.original_size)
            coords = torch.as_tensor(self.geometry.apply_coords(point_coords), dtype=torch.float, device=self.device)[None]
            labels = torch.as_tensor(point_labels, dtype=torch.int, device=self.device)[None]
        if box is not None:
            box = np.asarray(box, dtype=float).reshape(-1, 4)
            if box.shape[0] != 1:
                raise ValueError(f'predict() takes one box, got {box.shape[0]}; use predict_torch for a batch of boxes')
            check_box(box)
            boxes = torch.as_tensor(self.geometry.apply_boxes(box), dtype=torch.float, device=self.device)
        if mask_input is not None:
            masks = torch.as_tensor(np.asarray(mask_input), dtype=torch.float, device=self.device)[None]
        out = self.predict_torch(coords, labels, boxes, masks, multimask_output, return_logits=return_logits)
        return tuple(t[0].detach().cpu().numpy() for t in out)

    @torch.no_grad()
    def predict_torch(self, point_coords: Optional[torch.Tensor], point_labels: Optional[torch.Tensor],
                      boxes: Optional[torch.Tensor] = None, mask_input: Optional[torch.Tensor] = None,
                      multimask_output: bool = True, return_logits: bool = False
                      ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Batched prompts already in the resized frame (``self.transform.apply_coords(...)``).

        Args:
            point_coords ``BxNx2``, point_labels ``BxN``, boxes ``Bx4``, mask_input ``Bx1xhxw``.

        Returns:
            ``masks`` ``BxCxHxW`` (original size), ``iou_predictions`` ``BxC``, ``low_res_logits`` ``BxCxhxw``.
        """
        self._require_image()
        with autocast(self.device, self.dtype):
            low_res, iou = self._image_decoder()(point_coords, point_labels, boxes, mask_input, multimask_output)
        low_res, iou = low_res.float(), iou.float()
        masks = self.model.postprocess_masks(low_res, self.geometry)
        if not return_logits:
            masks = masks > self.model.mask_threshold
        return masks, iou, low_res

    # ----- state -----
    def get_image_embedding(self) -> torch.Tensor:
        """The ``1xCxhxw`` embedding of the current image."""
        self._require_image()
        return self.features

    @property
    def device(self) -> torch.device:
        return self.model.device

    def _image_decoder(self):
        """The model's decoder bound to the current embedding; rebuilt when the decoder's weights change."""
        key = tuple((p.data_ptr(), p._version) for m in (self.model.prompt_encoder, self.model.mask_decoder)
                    for p in m.parameters())
        if self._decoder is None or key != self._decoder_key:
            self._decoder = self.model.image_decoder(self.features, self.geometry.canvas_size, self.fast_decoder)
            self._decoder_key = key
        return self._decoder

    def reset_image(self) -> None:
        """Forget the current image."""
        self._decoder, self._decoder_key = None, None
        self.is_image_set = False
        self.features = None
        self.geometry: Optional[SamGeometry] = None
        self.original_size = None
        self.input_size = None

    def _require_image(self) -> None:
        if not self.is_image_set:
            raise RuntimeError('An image must be set with .set_image(...) before mask prediction.')
