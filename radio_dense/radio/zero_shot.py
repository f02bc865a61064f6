"""Zero-shot classification with a language adaptor's summary: upstream's ``zero_shot_imagenet.py`` as an API.

``logits = normalize(model(x)[adaptor].summary) @ classifier.T`` where ``classifier`` holds one
normalised text embedding per class (:func:`radio_dense.radio.text_towers.class_embeddings`).
Works at any resolution the model accepts and in ViTDet mode (the model decides).
"""
from typing import Dict, Iterable, Sequence, Tuple

import torch
import torch.nn.functional as F

from .model import RADIOModel


def zero_shot_logits(model: RADIOModel, adaptor: str, images: torch.Tensor, classifier: torch.Tensor) -> torch.Tensor:
    """Cosine similarities ``(B, K)`` between the adaptor's image summary and the class embeddings ``(K, D)``."""
    out = model(images)
    if not isinstance(out, dict) or adaptor not in out:
        have = sorted(out) if isinstance(out, dict) else []
        raise ValueError(f'The model has no {adaptor!r} adaptor (outputs: {have}); load it with '
                         f'adaptor_names=[{adaptor!r}]')
    summary = F.normalize(out[adaptor].summary.float(), dim=-1)
    if summary.shape[-1] != classifier.shape[-1]:
        raise ValueError(f'Class embeddings have {classifier.shape[-1]} channels, the {adaptor!r} summary '
                         f'{summary.shape[-1]}: they must come from the same adaptor\'s text tower')
    return summary @ F.normalize(classifier.float(), dim=-1).to(summary.device).T


def topk_correct(logits: torch.Tensor, targets: torch.Tensor, ks: Sequence[int] = (1, 5)) -> Dict[int, int]:
    """How many targets are within the top-k logits, for each k (k capped at the number of classes)."""
    top = logits.topk(min(max(ks), logits.shape[1]), dim=1).indices
    hit = top == targets[:, None]
    return {k: int(hit[:, :k].any(dim=1).sum()) for k in ks}


@torch.no_grad()
def evaluate_zero_shot(model: RADIOModel, adaptor: str, classifier: torch.Tensor,
                       batches: Iterable[Tuple[torch.Tensor, torch.Tensor]], ks: Sequence[int] = (1, 5)) -> Dict[str, float]:
    """Top-k accuracy (%) over ``(images, targets)`` batches; images as the model takes them (``[0, 1]``)."""
    correct, total = dict.fromkeys(ks, 0), 0
    device = next(model.parameters()).device
    for images, targets in batches:
        logits = zero_shot_logits(model, adaptor, images.to(device), classifier)
        for k, n in topk_correct(logits, targets.to(device), ks).items():
            correct[k] += n
        total += len(targets)
    if total == 0:
        raise ValueError('No images to evaluate')
    return {**{f'top{k}': 100.0 * correct[k] / total for k in ks}, 'images': total}
