"""Zero-shot (open-vocabulary) semantic segmentation with RADIO's language adaptor, as an mmseg segmentor.

Per image: RADIO trunk features (sliding windows stitched at token level, as RADSeg does; optionally
with RADSeg's self-correlating recursive attention (SCRA) in the last block), an
optional self-correlating global aggregation over the whole image (RADSeg's SCGA), the language
adaptor's head on every token, cosine similarity with the class text embeddings, a softmax, then
mmseg's own post-processing (padding removed, resized to the original image). Nothing is trained:
``tools/test.py CONFIG`` evaluates it with mmseg's ``IoUMetric`` and no checkpoint.

Class text embeddings come from the adaptor's text tower (:mod:`radio_dense.radio.text_towers`:
class names x prompt templates, averaged) or from a tensor file (``class_embeddings``); class names
from ``class_names`` or, when that is ``None``, from the test data set's metainfo
(:class:`ZeroShotClassesHook`). A class name may list synonyms separated by commas
(``'person, man, woman'``): the class scores the best of them.
"""
import warnings
from typing import List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmengine.hooks import Hook
from mmengine.registry import HOOKS
from mmseg.models.segmentors.base import BaseSegmentor
from mmseg.registry import MODELS
from mmseg.utils import SampleList

from ...radio import radio_from_config
from ...radio.dense_zero_shot import (Vocabulary, check_vocabulary_width, class_probabilities,
                                      image_class_probabilities, language_features, read_class_embeddings,
                                      text_vocabulary)
from ...radio.input_checks import check_batch
from ...radio.self_correlation import set_last_block_self_correlation
from ...radio.text_towers import load_text_tower
from ...sam.modeling import SamGeometry
from .zero_shot_sam_refine import SamRefinementConfig, build_decoder_only_sam, build_sam_neck, refine_labels


@MODELS.register_module()
class RADIOZeroShotSegmentor(BaseSegmentor):
    """Open-vocabulary segmentation from RADIO's ``clip`` / ``siglip`` / ``siglip2-g`` adaptor, no training.

    Args:
        backbone: what :func:`radio_dense.radio.radio_from_config` takes (``source`` checkpoint or
            zoo name, ViTDet options...). The language ``adaptor`` is added to it.
        adaptor: the language adaptor (a teacher of type ``open_clip`` or ``siglip2``).
        class_names: one name per class (commas separate synonyms); ``None``: the data set's classes.
        templates: prompt templates: ``'openai'`` (80), ``'simple'`` (7), ``'single'`` or a list.
        class_embeddings: a tensor file ``(num_classes, D)`` used instead of the text tower.
        dense_head: ``'summary'`` (the adaptor's summary head on every token; RADSeg) or ``'feature'``.
        global_aggregation: RADSeg's SCGA scaling (10 in RADSeg); ``None`` turns it off.
        self_correlation: RADSeg's SCRA scaling (10 in RADSeg): the trunk's last block attends by
            self-correlation (:class:`~radio_dense.radio.self_correlation.SelfCorrelatingAttention`);
            ``None`` (default) keeps its ordinary attention.
        sam_refinement: RADSeg+: a dict of :class:`~.zero_shot_sam_refine.SamRefinementConfig` options
            (``decoder``: SAM checkpoint or decoder extract, ``None`` for RANDOM weights; ``resolution``,
            ``coarse_thresh``, ``min_area``, ``mask_coeff``, ``iou_thresh``...): the label map is refined by
            SAM's decoder reading the RADIO ``sam`` adaptor's embedding, prompted from the coarse map.
            ``seg_logits`` stay the zero-shot probabilities; ``pred_sem_seg`` is refined.
        slide_crop / slide_stride: sliding windows in pixels (RADSeg: 336 / 224; multiples of the
            patch size); ``None``: the whole image in one pass.
        logit_scale: multiplies the cosine similarities before the softmax (RADSeg: 100).
        prob_thd: pixels whose best class probability is below it get ``bg_idx`` (0: off).
        prompt_denoising_thresh: classes whose best probability in the image is below it are
            dropped for that image (RADSeg: 0.5; 0: off).
        normalize_features: L2-normalise the dense features (cosine similarity). Off only for ablations: the
            per-cell argmax does not depend on a feature's norm, so turning it off changes the probabilities
            (softmax sharpness, hence ``prob_thd`` and prompt denoising) but not the labels of the feature grid.
        text_cache_dir: where the text tower's weights are cached.
    """

    def __init__(self, backbone: dict, adaptor: str = 'siglip2-g', class_names: Optional[Sequence[str]] = None,
                 templates: Union[str, Sequence[str]] = 'openai', class_embeddings: Optional[str] = None,
                 dense_head: str = 'summary', global_aggregation: Optional[float] = 10.0,
                 self_correlation: Optional[float] = None, sam_refinement: Optional[dict] = None,
                 slide_crop: Optional[int] = 336, slide_stride: Optional[int] = 224, logit_scale: float = 100.0,
                 prob_thd: float = 0.0, bg_idx: int = 0, prompt_denoising_thresh: float = 0.0,
                 normalize_features: bool = True, text_cache_dir: Optional[str] = None, input_scale: float = 255.0,
                 data_preprocessor: Optional[dict] = None, init_cfg=None):
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if dense_head not in ('summary', 'feature'):
            raise ValueError(f"dense_head must be 'summary' or 'feature', got {dense_head!r}")
        refine = None if sam_refinement is None else SamRefinementConfig.from_dict(sam_refinement)
        radio = radio_from_config(backbone, extra_adaptors=[adaptor] + ([refine.adaptor] if refine else []))
        self.adaptor = radio.adaptors[adaptor]
        self.sam_refinement, self.sam_adaptor, self.sam_neck, self.sam = refine, None, None, None
        if refine:
            self.sam_adaptor = radio.adaptors[refine.adaptor].requires_grad_(False)
            self.sam_neck = build_sam_neck(refine, self.sam_adaptor.feature_dim)
            self.sam = build_decoder_only_sam(refine, radio.min_resolution_step)
            if refine.decoder is None:
                warnings.warn('RADIOZeroShotSegmentor: sam_refinement without a decoder checkpoint uses a RANDOM '
                              'WEIGHTS SAM decoder (tests only); set sam_refinement.decoder to a SAM checkpoint')
        radio.adaptors = torch.nn.ModuleDict()  # the trunk alone: the head runs after stitching
        self.radio = radio.eval().requires_grad_(False)
        self.adaptor.requires_grad_(False)
        self.adaptor_name = adaptor
        self.backbone_cfg = dict(backbone)
        step = radio.min_resolution_step
        if slide_crop is not None and (slide_crop % step or (slide_stride or step) % step or not slide_stride):
            raise ValueError(f'slide_crop ({slide_crop}) and slide_stride ({slide_stride}) must be positive multiples '
                             f'of {step} (the patch size)')
        self.templates = templates
        self.class_embeddings_file = class_embeddings
        self.text_cache_dir = text_cache_dir
        self.dense_head = dense_head
        self.global_aggregation = global_aggregation
        self.self_correlation = None
        self.set_self_correlation(self_correlation)
        self.slide_crop, self.slide_stride = slide_crop, slide_stride
        self.logit_scale = logit_scale
        self.prob_thd, self.bg_idx = prob_thd, bg_idx
        self.prompt_denoising_thresh = prompt_denoising_thresh
        self.normalize_features = normalize_features
        self.input_scale = input_scale
        self.align_corners = False  # read by mmseg's postprocess_result
        self.class_names: Optional[List[str]] = None
        self.register_buffer('text_embeddings', torch.empty(0), persistent=False)
        self._synonym_class: List[int] = []
        if class_names is not None:
            self.set_class_names(class_names)

    # ----- classes ---------------------------------------------------------------------------
    def set_class_names(self, class_names: Sequence[str]) -> None:
        """Set the vocabulary and compute its text embeddings (text tower or ``class_embeddings`` file)."""
        if self.class_embeddings_file:
            vocab = read_class_embeddings(self.class_embeddings_file, class_names)
        else:
            tower = load_text_tower(self.radio_args(), self.adaptor_name, cache_dir=self.text_cache_dir)
            vocab = text_vocabulary(tower.to(self.text_embeddings.device), class_names, self.templates)
        check_vocabulary_width(vocab, self.adaptor, self.radio.embed_dim, self.dense_head, self.adaptor_name)
        self.class_names = vocab.names
        self._synonym_class = vocab.owner
        self.text_embeddings = vocab.embeddings.to(self.text_embeddings.device)

    def radio_args(self) -> dict:
        """The checkpoint's ``args`` (teacher configs) for the text tower look-up."""
        from ...radio import read_checkpoint
        from ...radio.loader import resolve_source
        return read_checkpoint(resolve_source(self.backbone_cfg['source'])[0]).args

    # ----- features --------------------------------------------------------------------------
    def set_self_correlation(self, scaling: Optional[float]) -> None:
        """RADSeg's SCRA on the trunk's last block with ``scaling`` (``None``: the block's own attention)."""
        set_last_block_self_correlation(self.radio.blocks, scaling)
        self.self_correlation = scaling

    def _trunk_tokens(self, x: torch.Tensor) -> torch.Tensor:
        """Trunk patch features ``(B, C, h, w)`` of images whose sides are multiples of the patch size."""
        return self.radio(x, feature_fmt='NCHW').features

    def dense_features(self, image: torch.Tensor) -> torch.Tensor:
        """Language-aligned features ``(1, D, h, w)`` of one image ``(1, 3, H, W)`` in ``[0, 1]``, H, W multiples
        of the patch size."""
        return language_features(self._trunk_tokens, self.adaptor, image, self.radio.patch_size, self.slide_crop,
                                 self.slide_stride, self.global_aggregation, self.dense_head)

    def class_logits(self, feats: torch.Tensor) -> torch.Tensor:
        """Per-class probabilities ``(1, K, h, w)`` from dense features (softmax over scaled cosines)."""
        vocab = Vocabulary(self.class_names, self.text_embeddings, self._synonym_class)
        return class_probabilities(feats, vocab, self.logit_scale, self.normalize_features)

    # ----- mmseg interface -------------------------------------------------------------------
    def _image_probs(self, image: torch.Tensor, img_hw) -> torch.Tensor:
        image = image[..., :img_hw[0], :img_hw[1]] / self.input_scale
        vocab = Vocabulary(self.class_names, self.text_embeddings, self._synonym_class)
        probs = image_class_probabilities(self._trunk_tokens, self.adaptor, image, self.radio.min_resolution_step,
                                          self.radio.patch_size, self.slide_crop, self.slide_stride,
                                          self.global_aggregation, self.dense_head, vocab, self.logit_scale,
                                          self.normalize_features)
        if self.prompt_denoising_thresh > 0:
            weak = probs.flatten(2).amax(dim=2) < self.prompt_denoising_thresh
            probs = probs.masked_fill(weak[:, :, None, None], 0.0)
        return probs

    def encode_decode(self, inputs: torch.Tensor, batch_img_metas: List[dict]) -> torch.Tensor:
        if self.class_names is None:
            raise RuntimeError('RADIOZeroShotSegmentor has no classes: set class_names in the config, or run it '
                               'with ZeroShotClassesHook (tools/test.py does), which reads the data set\'s classes')
        check_batch(inputs, type(self).__name__)
        out = []
        for i, meta in enumerate(batch_img_metas):
            img_hw = meta.get('img_shape', inputs.shape[-2:])[:2]
            probs = self._image_probs(inputs[i:i + 1], img_hw)
            out.append(F.pad(probs, (0, inputs.shape[-1] - img_hw[1], 0, inputs.shape[-2] - img_hw[0])))
        return torch.cat(out)

    @torch.no_grad()
    def predict(self, inputs: torch.Tensor, data_samples: Optional[SampleList] = None) -> SampleList:
        if data_samples is not None:
            metas = [s.metainfo for s in data_samples]
        else:
            metas = [dict(ori_shape=inputs.shape[2:], img_shape=inputs.shape[2:], pad_shape=inputs.shape[2:],
                          padding_size=[0, 0, 0, 0])] * inputs.shape[0]
        probs = self.encode_decode(inputs, metas)
        # mmseg's post-processing reads the padding from the metainfo; the probabilities were padded back
        for m in metas:
            if 'img_padding_size' not in m and 'padding_size' not in m:
                m['padding_size'] = [0, inputs.shape[-1] - m['img_shape'][1], 0, inputs.shape[-2] - m['img_shape'][0]]
        results = self.postprocess_result(probs, data_samples)
        for i, sample in enumerate(results):
            if self.prob_thd > 0:
                low = sample.seg_logits.data.amax(dim=0, keepdim=True) < self.prob_thd
                sample.pred_sem_seg.data[low] = self.bg_idx
            if self.sam_refinement is not None:
                refined = self.refine_with_sam(inputs[i:i + 1], metas[i]['img_shape'][:2],
                                               sample.pred_sem_seg.data[0], sample.seg_logits.data)
                sample.pred_sem_seg.data = refined.labels[None]
        return results

    def sam_embedding(self, image: torch.Tensor, img_hw, original_hw):
        """SAM's image embedding of one test input (``(1, 3, H, W)``, 0..``input_scale``; its first ``img_hw``
        pixels are the image) from the ``sam`` adaptor, and its :class:`SamGeometry` for ``original_hw``."""
        geometry = SamGeometry.for_image(tuple(original_hw), self.sam_refinement.resolution, pad_to_square=False,
                                         patch_size=self.radio.min_resolution_step)
        image = image[..., :img_hw[0], :img_hw[1]] / self.input_scale
        canvas = geometry.pad(F.interpolate(image, size=geometry.input_size, mode='bilinear', align_corners=False))
        tokens = self._trunk_tokens(canvas)
        grid = tokens.shape[-2:]
        embedding = self.sam_adaptor.project_tokens(tokens.flatten(2).transpose(1, 2), grid, head='feature')
        return (embedding if self.sam_neck is None else self.sam_neck(embedding)), geometry

    @torch.no_grad()
    def refine_with_sam(self, image: torch.Tensor, img_hw, labels: torch.Tensor, probs: torch.Tensor):
        """RADSeg+: ``labels`` ``(H, W)`` / ``probs`` ``(K, H, W)`` at the original size refined by SAM's decoder
        (:func:`~.zero_shot_sam_refine.refine_labels`)."""
        embedding, geometry = self.sam_embedding(image, img_hw, labels.shape[-2:])
        decode = self.sam.image_decoder(embedding, geometry.canvas_size)
        low_res = (4 * embedding.shape[-2], 4 * embedding.shape[-1])
        return refine_labels(decode, geometry, low_res, labels, probs, self.sam_refinement)

    def extract_feat(self, inputs: torch.Tensor):
        return [self.dense_features(inputs / self.input_scale)]

    def _forward(self, inputs: torch.Tensor, data_samples: Optional[SampleList] = None):
        return self.encode_decode(inputs, [s.metainfo for s in data_samples] if data_samples else
                                  [dict(img_shape=inputs.shape[2:])] * inputs.shape[0])

    def loss(self, inputs, data_samples):
        raise NotImplementedError('RADIOZeroShotSegmentor is zero-shot: it has nothing to train (use tools/test.py)')


@HOOKS.register_module()
class ZeroShotClassesHook(Hook):
    """Give a zero-shot segmentor without ``class_names`` the classes of the data set it is tested on."""

    def _set(self, runner, loader) -> None:
        model = runner.model.module if hasattr(runner.model, 'module') else runner.model
        if getattr(model, 'class_names', 'n/a') is None:
            dataset = loader.dataset
            model.set_class_names(list(dataset.metainfo['classes']))
            runner.logger.info(f'zero-shot vocabulary from the data set: {len(model.class_names)} classes')

    def before_test(self, runner) -> None:
        self._set(runner, runner.test_dataloader)

    def before_val(self, runner) -> None:
        self._set(runner, runner.val_dataloader)
