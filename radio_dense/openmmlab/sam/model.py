"""RadioSamModel: the trainable mmengine model around a RadioSam, and building a RadioSam from a config.

``MODELS`` (mmengine's root registry, found from any scope) gets ``'RadioSamModel'`` and the
function ``'build_radio_sam'`` (a config's ``dict(type='build_radio_sam', encoder=..., neck=...)``
takes :func:`~radio_dense.sam.build_radio_sam`'s arguments).
"""
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.model import BaseModel
from mmengine.registry import MODELS
from mmengine.structures import BaseDataElement

from ...sam import RadioSam, SamGeometry, build_radio_sam
from ...sam.training import PromptSimulator
from ...sam.utils.masks import mask_iou
from ...sam.utils.prompts import interior_point

MODELS.register_module(module=build_radio_sam)


@MODELS.register_module(name='build_radio_sam3')
def _build_radio_sam3(**kwargs) -> torch.nn.Module:
    """SAM3 on a RADIO release's ``sam3`` adaptor (:func:`radio_dense.sam3.build_radio_sam3`; needs ``sam3``)."""
    from ...sam3 import build_radio_sam3
    return build_radio_sam3(**kwargs)


#: what a SAM3 config (``model.type='build_radio_sam3'``) may set, and the SAM3 tools' option for each
SAM3_CONFIG_KEYS = {'encoder.source': '--radio', 'encoder.vitdet_window_size': '--vitdet',
                    'sam3_checkpoint': '--sam3-checkpoint', 'resolution': '--resolution'}


def sam3_settings_from_config(config: Union[str, Config]) -> dict:
    """``{'radio', 'vitdet', 'sam3_checkpoint', 'resolution'}`` of a SAM3 config (configs/radio_sam/*_sam3_*.py)."""
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    model = cfg.model
    if model.get('type') != 'build_radio_sam3':
        raise ValueError(f"{config}: a SAM3 config has model.type 'build_radio_sam3', got {model.get('type')!r} "
                         f"(SAM-decoder configs are for tools/sam_predict.py)")
    given = {f'encoder.{k}' for k in model.get('encoder', {})} | (set(model) - {'type', 'encoder'})
    unknown = sorted(given - set(SAM3_CONFIG_KEYS))
    if unknown:
        raise ValueError(f'{config}: the SAM3 tools do not read {unknown}; a SAM3 config sets {sorted(SAM3_CONFIG_KEYS)}')
    encoder = model.get('encoder', {})
    return dict(radio=encoder.get('source'), vitdet=encoder.get('vitdet_window_size'),
                sam3_checkpoint=model.get('sam3_checkpoint'), resolution=model.get('resolution'))

VAL_PROMPTS = ('box', 'point')


@MODELS.register_module()
class RadioSamModel(BaseModel):
    """Train a :class:`RadioSam`'s conv neck (and optionally its decoder) with simulated prompts.

    ``mode='loss'``: each image's ground-truth instances are prompted by a :class:`PromptSimulator`
    (box or point, then correction clicks with the previous mask fed back), focal + dice + IoU loss.
    ``mode='predict'``: every instance is prompted with its box and with its interior point
    (single-mask output); the outputs carry the IoUs for ``SamPromptIoUMetric``.

    Args:
        sam: a ``RadioSam`` or its config (``dict(type='build_radio_sam', encoder=..., neck='conv', ...)``).
        train_neck / train_decoder / train_prompt_encoder: which parts get gradients (RADIO itself
            stays as ``build_radio_sam(freeze_encoder=...)`` set it).
        prompt_simulator: keyword arguments of :class:`PromptSimulator`.
        val_prompts: prompts scored in ``predict`` mode (``'box'``, ``'point'``).
    """

    def __init__(self, sam: Union[RadioSam, dict], train_neck: bool = True, train_decoder: bool = False,
                 train_prompt_encoder: bool = False, prompt_simulator: Optional[dict] = None,
                 val_prompts: Sequence[str] = VAL_PROMPTS, data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.sam: RadioSam = sam if isinstance(sam, RadioSam) else MODELS.build(sam)
        self.sam.image_encoder.neck.requires_grad_(train_neck)
        self.sam.mask_decoder.requires_grad_(train_decoder)
        self.sam.prompt_encoder.requires_grad_(train_prompt_encoder)
        if not any(p.requires_grad for p in self.parameters()):
            raise ValueError('Nothing to train: set train_neck / train_decoder / train_prompt_encoder '
                             '(the adaptor neck has no parameters; use neck="conv")')
        self.simulator = PromptSimulator(**(prompt_simulator or {}))
        unknown = set(val_prompts) - set(VAL_PROMPTS)
        if unknown:
            raise ValueError(f'Unknown val_prompts {sorted(unknown)}; use any of {VAL_PROMPTS}')
        self.val_prompts = tuple(val_prompts)

    def _geometry(self, sample: BaseDataElement) -> SamGeometry:
        input_size = tuple(int(s) for s in sample.input_size)
        geometry = self.sam.geometry(tuple(int(s) for s in sample.original_size), max(input_size))
        if geometry.input_size != input_size:
            raise ValueError(f'Sample resized to {input_size} does not match the model geometry {geometry}')
        return geometry

    def _embed(self, inputs: List[torch.Tensor], data_samples: List[BaseDataElement]):
        geometries = [self._geometry(s) for s in data_samples]
        canvases = [self.sam.preprocess(img[None].float(), g) for img, g in zip(inputs, geometries)]
        if len({c.shape for c in canvases}) == 1:
            embeddings = list(self.sam.image_encoder(torch.cat(canvases)).split(1))
        else:
            embeddings = [self.sam.image_encoder(c) for c in canvases]
        return embeddings, geometries

    def forward(self, inputs: List[torch.Tensor], data_samples: Optional[List[BaseDataElement]] = None,
                mode: str = 'tensor'):
        """``inputs``: resized uint8 images ``(3, h, w)``; ``data_samples``: what ``SamCocoDataset`` gives."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            if data_samples is None:
                data_samples = [BaseDataElement(metainfo=dict(original_size=tuple(i.shape[-2:]),
                                                              input_size=tuple(i.shape[-2:]))) for i in inputs]
            return self._embed(inputs, data_samples)[0]
        raise ValueError(f"mode must be 'loss', 'predict' or 'tensor', got {mode!r}")

    def loss(self, inputs: List[torch.Tensor], data_samples: List[BaseDataElement]) -> Dict[str, torch.Tensor]:
        embeddings, geometries = self._embed(inputs, data_samples)
        totals: Dict[str, torch.Tensor] = {}
        for embedding, geometry, sample in zip(embeddings, geometries, data_samples):
            if not len(sample.gt_masks):
                continue
            gt = geometry.pad(sample.gt_masks.to(embedding.device))
            for key, value in self.simulator(self.sam, embedding, geometry.canvas_size, gt).items():
                totals[key] = totals.get(key, 0) + value / len(inputs)
        if not totals:  # no instance in the whole batch: a zero loss over the trained parameters
            totals = {'loss_mask': sum(p.sum() for p in self.parameters() if p.requires_grad) * 0.0}
        return totals

    @torch.no_grad()
    def predict(self, inputs: List[torch.Tensor], data_samples: List[BaseDataElement]) -> List[dict]:
        embeddings, geometries = self._embed(inputs, data_samples)
        outputs = []
        for embedding, geometry, sample in zip(embeddings, geometries, data_samples):
            gt = sample.gt_masks.to(embedding.device)
            if not len(gt):
                outputs.append(dict(ious={p: torch.zeros(0) for p in self.val_prompts}, img_id=sample.metainfo.get('img_id')))
                continue
            resized = SamGeometry(geometry.input_size, geometry.input_size, geometry.canvas_size)
            ious = {}
            for prompt in self.val_prompts:
                if prompt == 'box':
                    args = dict(boxes=sample.gt_boxes.to(embedding.device).float())
                else:
                    points = np.stack([interior_point(m) for m in gt.cpu().numpy()])[:, None]
                    args = dict(point_coords=torch.as_tensor(points, dtype=torch.float, device=embedding.device),
                                point_labels=torch.ones(len(points), 1, dtype=torch.int, device=embedding.device))
                low_res, _ = self.sam.decode(embedding, geometry.canvas_size, multimask_output=False, **args)
                masks = resized.postprocess_masks(low_res) > self.sam.mask_threshold
                ious[prompt] = mask_iou(masks[:, 0], gt).cpu()
            outputs.append(dict(ious=ious, img_id=sample.metainfo.get('img_id')))
        return outputs


def radio_sam_from_config(config: Union[str, Config], checkpoint: Optional[str] = None, **overrides) -> RadioSam:
    """The :class:`RadioSam` of a config (``model.type`` ``'build_radio_sam'`` or ``'RadioSamModel'``).

    ``overrides`` replace keys of the RadioSam config (e.g. ``resolution=512``); ``checkpoint`` is
    a trained RadioSamModel / RadioSam checkpoint (mmengine ``.pth`` or ``.safetensors``).
    """
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    model_cfg = cfg.model
    if model_cfg.get('type') == 'RadioSamModel':
        model_cfg = model_cfg.sam
    if model_cfg.get('type') != 'build_radio_sam':
        raise ValueError(f"{config}: model.type must be 'build_radio_sam' or 'RadioSamModel', "
                         f"got {model_cfg.get('type')!r}")
    model_cfg = dict(model_cfg, **overrides)
    if checkpoint:
        model_cfg['checkpoint'] = checkpoint
    return MODELS.build(model_cfg)
