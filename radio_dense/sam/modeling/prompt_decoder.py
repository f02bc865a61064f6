"""segment-anything's prompt encoder and mask decoder, built as in the official checkpoints.

The modules are segment-anything's own classes; this file only chooses their sizes (those of every
released SAM: 256-channel prompts, a two-layer two-way transformer, 3 + 1 mask tokens) and adapts
the prompt encoder to an embedding grid other than 64 x 64.
"""
import copy
from typing import Tuple

import torch
from segment_anything.modeling import MaskDecoder, PromptEncoder, TwoWayTransformer

#: Channels of SAM's image embedding and prompt tokens.
SAM_EMBED_DIM = 256
#: The grid / input size segment-anything builds its prompt encoder with.
SAM_DEFAULT_GRID = (64, 64)
SAM_DEFAULT_INPUT = (1024, 1024)


def build_prompt_encoder(embed_dim: int = SAM_EMBED_DIM) -> PromptEncoder:
    """A randomly initialised segment-anything ``PromptEncoder`` with SAM's sizes."""
    return PromptEncoder(embed_dim=embed_dim, image_embedding_size=SAM_DEFAULT_GRID,
                         input_image_size=SAM_DEFAULT_INPUT, mask_in_chans=16)


def build_mask_decoder(embed_dim: int = SAM_EMBED_DIM) -> MaskDecoder:
    """A randomly initialised segment-anything ``MaskDecoder`` with SAM's sizes."""
    transformer = TwoWayTransformer(depth=2, embedding_dim=embed_dim, mlp_dim=2048, num_heads=8)
    return MaskDecoder(num_multimask_outputs=3, transformer=transformer, transformer_dim=embed_dim,
                       iou_head_depth=3, iou_head_hidden_dim=256)


def prompt_encoder_at(prompt_encoder: PromptEncoder, embedding_size: Tuple[int, int],
                      canvas_size: Tuple[int, int]) -> PromptEncoder:
    """``prompt_encoder`` seen at another geometry, sharing its parameters.

    segment-anything's ``PromptEncoder`` keeps the embedding grid (``image_embedding_size``: dense
    positional encoding, no-mask embedding) and the padded input size (``input_image_size``: point
    and box normalisation) as plain attributes. This returns a shallow copy with those attributes
    set for ``embedding_size`` / ``canvas_size``; parameters, buffers and gradients stay shared
    with ``prompt_encoder``, and the original is left untouched (safe across threads). Views are
    cached per geometry on ``prompt_encoder`` (re-prompting the same image reuses one).
    """
    embedding_size = (int(embedding_size[0]), int(embedding_size[1]))
    canvas_size = (int(canvas_size[0]), int(canvas_size[1]))
    if (tuple(prompt_encoder.image_embedding_size) == embedding_size
            and tuple(prompt_encoder.input_image_size) == canvas_size):
        return prompt_encoder
    views = _cache(prompt_encoder, '_radio_geometry_views')
    view = views.get((embedding_size, canvas_size))
    if view is None:
        view = copy.copy(prompt_encoder)
        view.image_embedding_size = embedding_size
        view.input_image_size = canvas_size
        view.mask_input_size = (4 * embedding_size[0], 4 * embedding_size[1])
        views[(embedding_size, canvas_size)] = view
    return view


def dense_positional_encoding(prompt_encoder: PromptEncoder) -> torch.Tensor:
    """``prompt_encoder.get_dense_pe()``, computed once per grid, device and dtype.

    The encoding depends only on the grid and the (fixed, random Fourier) ``pe_layer`` matrix,
    so it is the same for every prompt on every image at one resolution. The cache is keyed on
    that matrix's storage and version too: loading new weights recomputes it. The returned
    tensor is shared: do not modify it in place.
    """
    matrix = prompt_encoder.pe_layer.positional_encoding_gaussian_matrix
    key = (tuple(prompt_encoder.image_embedding_size), matrix.device, matrix.dtype, matrix.data_ptr(),
           matrix._version, torch.is_inference_mode_enabled())
    cache = _cache(prompt_encoder, '_radio_dense_pe')
    if key not in cache:
        if len(cache) > 16:
            cache.clear()
        with torch.no_grad():
            cache[key] = prompt_encoder.get_dense_pe()
    return cache[key]


def _cache(prompt_encoder: PromptEncoder, name: str) -> dict:
    """A dict kept on the encoder (shared by its geometry views: they are shallow copies)."""
    cache = prompt_encoder.__dict__.get(name)
    if cache is None:
        cache = {}
        prompt_encoder.__dict__[name] = cache
    return cache
