"""Open-vocabulary dense prediction with a language adaptor, framework-free (RADSeg's pipeline).

The pieces every zero-shot segmenter shares: the vocabulary (class names with synonyms -> unit text
embeddings, from a text tower or a tensor file), language-aligned dense features (RADIO trunk
tokens stitched over sliding windows, RADSeg's self-correlating global aggregation, the adaptor's
head on every token) and per-class probabilities (softmax over scaled cosines, the best synonym per
class). The mmseg segmentor (:mod:`radio_dense.openmmlab.models.zero_shot_seg`) and segment-by-name
(:mod:`radio_dense.analysis.segment_by_name`: the tool and the web app) are built on them.
"""
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F

from .safe_io import safe_torch_load
from .self_correlation import self_correlating_aggregation
from .text_towers import TEXT_TEACHER_TYPES, TextTower, class_embeddings, prompt_templates

#: language adaptors in the order a caller that names none picks them (C-RADIO's SigLIP2 first)
LANGUAGE_ADAPTOR_PREFERENCE = ('siglip2-g', 'siglip2', 'siglip', 'clip')


class ClassEmbeddingsError(ValueError):
    """A class-embedding file that does not fit the classes asked for (count, names, width)."""


def language_adaptors(args: Any) -> List[str]:
    """Names of the adaptors with a text tower in checkpoint ``args`` (a dict or namespace), preferred first."""
    teachers = args.get('teachers', []) if isinstance(args, dict) else getattr(args, 'teachers', None) or []
    names = [t.get('name') for t in teachers if t.get('type') in TEXT_TEACHER_TYPES]
    rank = {n: i for i, n in enumerate(LANGUAGE_ADAPTOR_PREFERENCE)}
    return sorted(names, key=lambda n: rank.get(n, len(rank)))


def split_synonyms(names: Sequence[str]) -> Tuple[List[str], List[str], List[int]]:
    """``(class names, synonyms, owner)``: commas inside a name separate synonyms (``'sofa, couch'``);
    ``owner[i]`` is the class of ``synonyms[i]``."""
    classes = [str(n) for n in names]
    if not classes:
        raise ValueError('class_names is empty')
    synonyms, owner = [], []
    for idx, name in enumerate(classes):
        parts = [p.strip() for p in name.split(',') if p.strip()] or [name]
        synonyms += parts
        owner += [idx] * len(parts)
    return classes, synonyms, owner


@dataclass
class Vocabulary:
    """Class ``names`` and the unit text ``embeddings`` ``(S, D)`` of their synonyms; ``owner[s]``: the class
    of row ``s``."""

    names: List[str]
    embeddings: torch.Tensor
    owner: List[int]


def text_vocabulary(tower: TextTower, names: Sequence[str], templates: Union[str, Sequence[Any]]) -> Vocabulary:
    """The vocabulary from a text tower: every synonym x prompt template, averaged per synonym."""
    classes, synonyms, owner = split_synonyms(names)
    return Vocabulary(classes, class_embeddings(tower, synonyms, prompt_templates(templates)), owner)


def read_class_embeddings(path: str, names: Sequence[str]) -> Vocabulary:
    """The vocabulary from a tensor file (read without unpickling code).

    Either rows in class order: a ``(num_classes, D)`` tensor or ``{'embeddings': tensor}``; or named
    rows: ``{'names': [str, ...], 'embeddings': (N, D)}``, where every synonym of every class is looked
    up by name (case and surrounding spaces ignored), so one file serves any choice of classes.
    """
    classes, synonyms, owner = split_synonyms(names)
    data = safe_torch_load(path)
    emb = data.get('embeddings') if isinstance(data, dict) else data
    if isinstance(data, dict) and 'names' in data:
        known = [str(n).strip().lower() for n in data['names']]
        if not isinstance(emb, torch.Tensor) or emb.ndim != 2 or emb.shape[0] != len(known):
            raise ClassEmbeddingsError(f'{path}: expected "embeddings" of shape ({len(known)}, D) for its {len(known)} '
                             f'"names", got {getattr(emb, "shape", type(emb).__name__)}')
        missing = [s for s in synonyms if s.lower() not in known]
        if missing:
            raise ClassEmbeddingsError(f'{path} has no embedding for {missing}; it knows {data["names"][:40]}')
        rows = [known.index(s.lower()) for s in synonyms]
        return Vocabulary(classes, F.normalize(emb[rows].float(), dim=-1), owner)
    if not isinstance(emb, torch.Tensor) or emb.ndim != 2 or emb.shape[0] != len(classes):
        raise ClassEmbeddingsError(f'{path}: expected a ({len(classes)}, D) tensor for the {len(classes)} classes, got '
                         f'{getattr(emb, "shape", type(emb).__name__)}')
    return Vocabulary(classes, F.normalize(emb.float(), dim=-1), list(range(len(classes))))


def check_vocabulary_width(vocab: Vocabulary, adaptor: torch.nn.Module, embed_dim: int, head: str,
                           adaptor_name: str) -> None:
    """ValueError unless the text embeddings have as many channels as the adaptor's ``head`` gives."""
    param = next(adaptor.parameters())
    dim = adaptor.project_tokens(torch.zeros(1, 1, embed_dim, device=param.device), (1, 1), head=head).shape[1]
    if vocab.embeddings.shape[1] != dim:
        raise ClassEmbeddingsError(f'Text embeddings have {vocab.embeddings.shape[1]} channels but the '
                                   f'{adaptor_name!r} adaptor\'s {head} head gives {dim}')


def window_starts(size: int, crop: int, stride: int) -> List[int]:
    """Start offsets of sliding windows of ``crop`` pixels every ``stride`` covering ``size`` (the last one flush
    with the end)."""
    n = max(size - crop + stride - 1, 0) // stride + 1
    return [max(min(i * stride + crop, size) - crop, 0) for i in range(n)]


def stitched_trunk_features(trunk: Callable[[torch.Tensor], torch.Tensor], image: torch.Tensor, patch_size: int,
                            crop: Optional[int], stride: Optional[int]) -> torch.Tensor:
    """Trunk features ``(1, C, h, w)`` of ``image`` ``(1, 3, H, W)`` (sides multiples of the patch size):
    ``trunk`` on sliding windows of ``crop`` pixels, averaged where windows overlap (token level, as RADSeg);
    one pass when ``crop`` is ``None`` or the image fits in it."""
    p = patch_size
    h, w = image.shape[-2] // p, image.shape[-1] // p
    if crop is None or (image.shape[-2] <= crop and image.shape[-1] <= crop):
        return trunk(image)
    feats, count = None, image.new_zeros(1, 1, h, w)
    for y in window_starts(image.shape[-2], crop, stride):
        for x in window_starts(image.shape[-1], crop, stride):
            f = trunk(image[..., y:y + crop, x:x + crop])
            if feats is None:
                feats = image.new_zeros(1, f.shape[1], h, w)
            ty, tx = y // p, x // p
            feats[..., ty:ty + f.shape[-2], tx:tx + f.shape[-1]] += f
            count[..., ty:ty + f.shape[-2], tx:tx + f.shape[-1]] += 1
    return feats / count


def language_features(trunk: Callable[[torch.Tensor], torch.Tensor], adaptor: torch.nn.Module, image: torch.Tensor,
                      patch_size: int, crop: Optional[int], stride: Optional[int],
                      global_aggregation: Optional[float], head: str) -> torch.Tensor:
    """Language-aligned features ``(1, D, h, w)`` of one image ``(1, 3, H, W)`` in ``[0, 1]`` (sides multiples of
    the patch size): stitched trunk features, optional global aggregation, the adaptor's ``head`` per token."""
    feats = stitched_trunk_features(trunk, image, patch_size, crop, stride)
    if global_aggregation:
        feats = self_correlating_aggregation(feats, global_aggregation)
    h, w = feats.shape[-2:]
    return adaptor.project_tokens(feats.flatten(2).transpose(1, 2), (h, w), head=head)


def class_probabilities(feats: torch.Tensor, vocab: Vocabulary, logit_scale: float,
                        normalize_features: bool = True) -> torch.Tensor:
    """Per-class probabilities ``(B, K, h, w)`` from dense features ``(B, D, h, w)``: softmax over
    ``logit_scale`` x cosine, each class scoring its best synonym."""
    if normalize_features:
        feats = F.normalize(feats, dim=1)
    sim = torch.einsum('bchw,nc->bnhw', feats, vocab.embeddings.to(feats.device)) * logit_scale
    k = len(vocab.names)
    if sim.shape[1] != k:
        owner = torch.as_tensor(vocab.owner, device=sim.device)
        sim = torch.stack([sim[:, owner == i].amax(dim=1) for i in range(k)], dim=1)
    return sim.softmax(dim=1)


def image_class_probabilities(trunk: Callable[[torch.Tensor], torch.Tensor], adaptor: torch.nn.Module,
                              image: torch.Tensor, step: int, patch_size: int, crop: Optional[int],
                              stride: Optional[int], global_aggregation: Optional[float], head: str, vocab: Vocabulary,
                              logit_scale: float, normalize_features: bool = True) -> torch.Tensor:
    """Per-class probabilities ``(1, K, H, W)`` of one image ``(1, 3, H, W)`` in ``[0, 1]`` of any size: padded to
    multiples of ``step`` (:func:`language_features`, :func:`class_probabilities`), upsampled bilinearly to the
    padded size, the padding cut off."""
    h, w = image.shape[-2:]
    padded = F.pad(image, (0, (-w) % step, 0, (-h) % step))
    feats = language_features(trunk, adaptor, padded, patch_size, crop, stride, global_aggregation, head)
    probs = class_probabilities(feats, vocab, logit_scale, normalize_features)
    return F.interpolate(probs, size=padded.shape[-2:], mode='bilinear', align_corners=False)[..., :h, :w]
