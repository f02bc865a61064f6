"""Segment by name: type class names, get a labelled map, each class's share of the image and a legend palette.

The one engine behind ``tools/segment_by_name.py`` and the web app's "Segment by name" field: a RADIO
with one language adaptor (``clip`` / ``siglip`` / ``siglip2-g``), zero-shot, RADSeg's pipeline
(:mod:`radio_dense.radio.dense_zero_shot`). Class text embeddings come from the adaptor's text tower
(loaded once, then reused for every vocabulary) or from a tensor file (:func:`read_class_embeddings`:
rows in class order, or named rows that serve any choice of classes).
"""
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from ..radio.checkpoint import read_checkpoint
from ..radio.dense_zero_shot import (Vocabulary, check_vocabulary_width, image_class_probabilities, language_adaptors,
                                     read_class_embeddings, split_synonyms, text_vocabulary)
from ..radio.conditioner import InputConditioner
from ..radio.loader import build_adaptors, build_radio, resolve_source
from ..radio.model import RADIOModel
from ..radio.self_correlation import set_last_block_self_correlation
from ..radio.text_towers import TextTower, load_text_tower

RGB = Tuple[int, int, int]
#: what a result made with random RADIO weights says (the page and the picture show it)
RANDOM_WEIGHTS_WARNING = ('RANDOM WEIGHTS: this RADIO is untrained (the radio_tiny test fixture); the labels '
                          'mean nothing.')
#: probabilities are upsampled bilinearly to at most this many values (pixels x classes), then nearest
MAX_PROBABILITY_VALUES = 1 << 24


class NoLanguageAdaptor(ValueError):
    """The checkpoint has no adaptor with a text tower (or not the one asked for)."""


def slide_for(step: int, slide: Tuple[int, int] = (336, 224)) -> Tuple[int, int]:
    """``slide`` (crop, stride) rounded to the nearest multiples of a trunk's ``step`` (patch size, times the
    window in ViTDet mode), at least one step each."""
    return tuple(max(step, round(v / step) * step) for v in slide)


def label_palette(count: int, seed: int = 0) -> List[RGB]:
    """``count`` distinct-enough colours, the same for the same ``count`` and ``seed`` (the legend's)."""
    rng = np.random.default_rng(seed)
    return [tuple(int(v) for v in rng.integers(40, 255, 3)) for _ in range(count)]


@dataclass
class NamedSegmentation:
    """A label map ``(H, W)`` (class index in ``names`` order), each class's share of the pixels and its colour."""

    labels: np.ndarray
    names: List[str]
    shares: List[float]
    palette: List[RGB]
    random_weights: bool = False
    description: str = field(default='')

    @property
    def warning(self) -> Optional[str]:
        """The random-weights warning, when the RADIO is untrained."""
        return RANDOM_WEIGHTS_WARNING if self.random_weights else None

    def legend(self) -> List[Tuple[str, RGB, float]]:
        """``(name, colour, share)`` of the classes present in the map, in ``names`` order."""
        return [(n, c, s) for n, c, s in zip(self.names, self.palette, self.shares) if s > 0]

    def overlay_rgba(self, alpha: int = 140) -> np.ndarray:
        """``(H, W, 4)`` uint8: every pixel in its class colour, ``alpha`` opaque (to draw over the image)."""
        colours = np.concatenate([np.asarray(self.palette, np.uint8).reshape(-1, 3),
                                  np.full((len(self.palette), 1), alpha, np.uint8)], axis=1)
        return colours[self.labels]


class NameSegmenter:
    """Zero-shot segmentation of one image by typed class names (see the module docstring).

    Args:
        source: RADIO zoo name, checkpoint file or Hugging Face snapshot / repo id.
        adaptor: the language adaptor; ``None``: the checkpoint's preferred one (:func:`language_adaptors`).
        class_embeddings: a tensor file used instead of the text tower (:func:`read_class_embeddings`).
        templates: prompt templates (``'openai'``, ``'simple'``, ``'single'`` or a list).
        short_side: the image is resized so its short side is this before the features.
        slide: sliding windows ``(crop, stride)`` in pixels (RADSeg: 336, 224); ``None``: one pass.
        dense_head / global_aggregation / self_correlation / logit_scale: as the mmseg
            ``RADIOZeroShotSegmentor`` (RADSeg's SCGA on by default, SCRA off).
        random_weights: the RADIO is untrained: results carry :data:`RANDOM_WEIGHTS_WARNING`.
        text_cache_dir: where the text tower's weights are cached.
        device: where the model runs (default: CUDA when available; a shared ``trunk``'s device).
        trunk: a RADIO already built from ``source`` (e.g. a SAM app's encoder) to run instead of a second
            copy: only the language adaptor is loaded. Its input conditioner may be external (RadioSam's) and
            its other adaptors are ignored; it is never moved or changed (no ``self_correlation`` with it).
    """

    def __init__(self, source: str, adaptor: Optional[str] = None, class_embeddings: Optional[str] = None,
                 templates='openai', short_side: int = 336, slide: Optional[Tuple[int, int]] = (336, 224),
                 dense_head: str = 'summary', global_aggregation: Optional[float] = 10.0,
                 self_correlation: Optional[float] = None, logit_scale: float = 100.0, random_weights: bool = False,
                 text_cache_dir: Optional[str] = None, device: Optional[str] = None,
                 trunk: Optional[RADIOModel] = None):
        path, zoo = resolve_source(source)
        checkpoint = read_checkpoint(path)
        self.args = checkpoint.args
        available = language_adaptors(self.args)
        if adaptor is None and not available:
            raise NoLanguageAdaptor(f'{source} has no language adaptor (teachers: {checkpoint.teacher_names}): '
                                    f'segment by name needs a clip, siglip or siglip2 teacher')
        if adaptor is not None and adaptor not in available:
            raise NoLanguageAdaptor(f'{source} has no language adaptor {adaptor!r}; its language adaptors: '
                                    f'{available or "none"} (teachers: {checkpoint.teacher_names})')
        self.adaptor_name = adaptor or available[0]
        if dense_head not in ('summary', 'feature'):
            raise ValueError(f"dense_head must be 'summary' or 'feature', got {dense_head!r}")
        self.conditioner: Optional[InputConditioner] = None
        if trunk is None:
            self.device = torch.device(device or ('cuda' if torch.cuda.is_available() else 'cpu'))
            radio = build_radio(checkpoint, [self.adaptor_name], zoo=zoo)
            self.adaptor = radio.adaptors[self.adaptor_name]
            radio.adaptors = torch.nn.ModuleDict()  # the trunk alone: the head runs after stitching
            self.radio = radio.to(self.device).eval().requires_grad_(False)
            set_last_block_self_correlation(self.radio.blocks, self_correlation)
        else:
            self._share(trunk, checkpoint, self_correlation)
        self.adaptor = self.adaptor.to(self.device).eval().requires_grad_(False)
        step = self.radio.min_resolution_step
        crop, stride = slide if slide else (None, None)
        if crop is not None and (crop % step or stride % step or stride <= 0 or crop <= 0):
            raise ValueError(f'slide ({crop}, {stride}) must be positive multiples of {step} (the patch size)')
        if short_side < step:
            raise ValueError(f'short_side must be at least {step} pixels, got {short_side}')
        self.source = source
        self.class_embeddings = class_embeddings
        self.templates = templates
        self.short_side = int(short_side)
        self.crop, self.stride = crop, stride
        self.dense_head = dense_head
        self.global_aggregation = global_aggregation
        self.logit_scale = logit_scale
        self.random_weights = bool(random_weights)
        self.text_cache_dir = text_cache_dir
        self._tower: Optional[TextTower] = None
        self._vocabularies: Dict[Tuple[str, ...], Vocabulary] = {}

    def _share(self, trunk: RADIOModel, checkpoint, self_correlation: Optional[float]) -> None:
        """Run ``trunk`` (built from the same checkpoint) with the checkpoint's language adaptor and conditioner."""
        if self_correlation is not None:
            raise ValueError('self_correlation would change the shared trunk (another model\'s); build the '
                             'segmenter without trunk= to use it')
        self.adaptor = build_adaptors(checkpoint, [self.adaptor_name])[self.adaptor_name]
        width = next(m for m in self.adaptor.head_mlp.modules() if isinstance(m, torch.nn.Linear)).in_features
        if width != trunk.embed_dim:
            raise ValueError(f'The shared trunk has {trunk.embed_dim} channels, the {self.adaptor_name!r} adaptor of '
                             f'the checkpoint reads {width}: the trunk was not built from this checkpoint')
        self.radio = trunk
        self.device = next(trunk.parameters()).device
        if isinstance(trunk.input_conditioner, torch.nn.Identity):  # made external (RadioSam normalises itself)
            self.conditioner = InputConditioner()
            if checkpoint.conditioner:
                self.conditioner.load_state_dict(checkpoint.conditioner)
            self.conditioner.to(self.device)

    @property
    def description(self) -> str:
        what = f'{self.source} / {self.adaptor_name} adaptor'
        return what + (' (class embeddings ' + self.class_embeddings + ')' if self.class_embeddings else '')

    def prepare(self) -> None:
        """Load the text tower now (the first request would), so that a missing one is known up front."""
        if not self.class_embeddings and self._tower is None:
            self._tower = load_text_tower(self.args, self.adaptor_name, cache_dir=self.text_cache_dir).to(self.device)

    def vocabulary(self, names: Sequence[str]) -> Vocabulary:
        """The (cached) vocabulary of ``names`` (commas inside a name separate synonyms)."""
        key = tuple(str(n) for n in names)
        if key not in self._vocabularies:
            split_synonyms(key)  # refuses an empty list before any tower loads
            if self.class_embeddings:
                vocab = read_class_embeddings(self.class_embeddings, key)
            else:
                self.prepare()
                vocab = text_vocabulary(self._tower, key, self.templates)
            check_vocabulary_width(vocab, self.adaptor, self.radio.embed_dim, self.dense_head, self.adaptor_name)
            while len(self._vocabularies) >= 16:
                self._vocabularies.pop(next(iter(self._vocabularies)))
            self._vocabularies[key] = Vocabulary(vocab.names, vocab.embeddings.to(self.device), vocab.owner)
        return self._vocabularies[key]

    def _trunk(self, x: torch.Tensor) -> torch.Tensor:
        out = self.radio(x if self.conditioner is None else self.conditioner(x), feature_fmt='NCHW')
        return (out['backbone'] if isinstance(out, dict) else out).features  # a shared trunk keeps its adaptors

    @torch.no_grad()
    def probabilities(self, image: np.ndarray, names: Sequence[str]) -> torch.Tensor:
        """Class probabilities ``(K, h, w)`` of an RGB uint8 image ``(H, W, 3)`` at the working size (short side
        :attr:`short_side`), before any upsampling."""
        vocab = self.vocabulary(names)
        x = torch.tensor(image, device=self.device)  # a copy: the app stores its images read-only
        x = x.permute(2, 0, 1)[None].float() / 255.0
        scale = self.short_side / min(x.shape[-2:])
        size = (max(1, round(x.shape[-2] * scale)), max(1, round(x.shape[-1] * scale)))
        x = F.interpolate(x, size=size, mode='bilinear', align_corners=False)
        return image_class_probabilities(self._trunk, self.adaptor, x, self.radio.min_resolution_step,
                                         self.radio.patch_size, self.crop, self.stride, self.global_aggregation,
                                         self.dense_head, vocab, self.logit_scale)[0]

    @torch.no_grad()
    def segment(self, image: np.ndarray, names: Sequence[str]) -> NamedSegmentation:
        """Label every pixel of an RGB uint8 image ``(H, W, 3)`` with one of ``names``."""
        if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f'Expected an RGB uint8 image (H, W, 3), got {getattr(image, "shape", type(image))}')
        probs = self.probabilities(image, names)
        k, (height, width) = probs.shape[0], image.shape[:2]
        scale = min(1.0, (MAX_PROBABILITY_VALUES / (height * width * k)) ** 0.5)
        smooth = (max(1, round(height * scale)), max(1, round(width * scale)))
        labels = F.interpolate(probs[None], size=smooth, mode='bilinear', align_corners=False)[0].argmax(0)
        if smooth != (height, width):  # a large image: bilinear up to the budget, then nearest
            labels = F.interpolate(labels[None, None].float(), size=(height, width), mode='nearest')[0, 0].long()
        labels = labels.cpu().numpy().astype(np.uint8 if k <= 256 else np.int32)
        counts = np.bincount(labels.ravel(), minlength=k)
        names = self.vocabulary(names).names
        return NamedSegmentation(labels, list(names), (counts / labels.size).tolist(), label_palette(k),
                                 self.random_weights, self.description)
