"""Fast re-prompting of one image: segment-anything's mask decoder with the per-image work done once.

A click on a cached embedding runs segment-anything's ``MaskDecoder``: a two-layer two-way
transformer over the ``h x w`` image tokens and an upscaling head. :class:`RepromptDecoder` computes
the same function with the same modules and weights (``tests/sam/test_reprompt_decoder.py`` checks
it against ``MaskDecoder.forward`` to 1e-4), arranged for many prompts on one image:

- **per image** (without a mask prompt the image side of the first block does not depend on the
  prompt): embedding + no-mask embedding, its sum with the positional encoding, and the first
  block's image-side projections (token-to-image keys and values, image-to-token queries);
- **per prompt**: attention with few tokens in low rank (with ``T`` prompt tokens and ``H`` heads,
  when ``T * H`` is below the attention width, queries are moved to the image side, ``softmax(q
  (x W_k + b_k)^T) (x W_v + b_v) = softmax((q W_k) x^T + q b_k) x W_v + b_v``, instead of
  projecting every image token; the same for image-to-token attention and its output
  projection); the softmax over the short token axis runs along image tokens (vectorised);
  the two stride-2 transposed convolutions run as matmuls on channels-last tokens, with
  ``LayerNorm2d`` as ``layer_norm`` over the last axis; only the mask tokens that are returned go
  through the hypernetwork.

The results equal segment-anything's up to float rounding (summation order), not bit for bit.
Decoders of another structure (subclasses, other heads) are not handled: :func:`supports_reprompt`
says so and callers use segment-anything's own forward.
"""
import math
from typing import Dict, NamedTuple, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn
from segment_anything.modeling import MaskDecoder, PromptEncoder, TwoWayTransformer
from segment_anything.modeling.common import LayerNorm2d
from segment_anything.modeling.transformer import Attention, TwoWayAttentionBlock

Tensor = torch.Tensor


def supports_reprompt(mask_decoder: nn.Module) -> bool:
    """Whether ``mask_decoder`` is segment-anything's own ``MaskDecoder`` layout (what the fast path computes)."""
    if type(mask_decoder) is not MaskDecoder or type(mask_decoder.transformer) is not TwoWayTransformer:
        return False
    transformer = mask_decoder.transformer
    if len(transformer.layers) == 0 or type(transformer.final_attn_token_to_image) is not Attention:
        return False
    for block in transformer.layers:
        if type(block) is not TwoWayAttentionBlock:
            return False
        attentions = (block.self_attn, block.cross_attn_token_to_image, block.cross_attn_image_to_token)
        if any(type(a) is not Attention for a in attentions):
            return False
    up = mask_decoder.output_upscaling
    return (isinstance(up, nn.Sequential) and len(up) == 5 and _is_stride2_upconv(up[0])
            and type(up[1]) is LayerNorm2d and _is_stride2_upconv(up[3]))


def _is_stride2_upconv(module: nn.Module) -> bool:
    return (type(module) is nn.ConvTranspose2d and module.kernel_size == (2, 2) and module.stride == (2, 2)
            and module.padding == (0, 0) and module.output_padding == (0, 0) and module.dilation == (1, 1)
            and module.groups == 1 and module.bias is not None)


def _heads(x: Tensor, num_heads: int) -> Tensor:
    """``(B, N, C)`` -> ``(B, heads, N, C / heads)`` (a view)."""
    b, n, c = x.shape
    return x.view(b, n, num_heads, c // num_heads).transpose(1, 2)


def _merge_heads(x: Tensor) -> Tensor:
    """``(B, heads, N, d)`` -> ``(B, N, heads * d)``."""
    b, h, n, d = x.shape
    return x.transpose(1, 2).reshape(b, n, h * d)


def _upconv_as_linear(conv: nn.ConvTranspose2d) -> Tuple[Tensor, Tensor]:
    """A kernel-2 stride-2 transposed conv as a linear map ``C_in -> (2, 2, C_out)`` per input pixel."""
    c_in, c_out = conv.weight.shape[:2]
    weight = conv.weight.permute(2, 3, 1, 0).reshape(4 * c_out, c_in)
    return weight, conv.bias.repeat(4)


def _logits_against_projected(x: Tensor, proj: nn.Linear, image: Tensor) -> Tensor:
    """Per head, ``x_h . proj(image)_h`` without projecting the image: ``(x_h W_h) image^T + x_h . b_h``.

    ``x``: ``(B, H, T, d)`` projected prompt tokens; ``image``: ``(1 or B, N, C)`` image tokens.
    Returns ``(B, H * T, N)`` (rows ordered head-major), unscaled.
    """
    b, heads, t, d = x.shape
    folded = torch.einsum('bhtd,hdc->bhtc', x, proj.weight.view(heads, d, -1)).reshape(b, heads * t, -1)
    bias = (x @ proj.bias.view(heads, d, 1)).reshape(b, heads * t, 1)
    return torch.baddbmm(bias, folded, image.transpose(1, 2).expand(b, -1, -1))


class _ImageSide(NamedTuple):
    """Projections of the image tokens used by one two-way block, split into heads."""
    t2i_keys: Tensor
    t2i_values: Tensor
    i2t_queries: Tensor


class RepromptDecoder:
    """segment-anything's prompt encoder + mask decoder bound to one image embedding.

    Call it like :meth:`RadioSam.decode` without the embedding: prompts in, ``(low_res_logits,
    iou_predictions)`` out, as ``MaskDecoder.forward`` would give them. Build a new one per image
    (or after changing the decoder's weights). Inference only: run it under ``torch.no_grad()``.

    Args:
        prompt_encoder: segment-anything ``PromptEncoder`` at the embedding's geometry.
        mask_decoder: segment-anything ``MaskDecoder`` (see :func:`supports_reprompt`).
        image_embedding: ``(1, C, h, w)``.
        image_pe: ``(1, C, h, w)`` dense positional encoding of the grid.
    """

    def __init__(self, prompt_encoder: PromptEncoder, mask_decoder: MaskDecoder, image_embedding: Tensor,
                 image_pe: Tensor):
        if not supports_reprompt(mask_decoder):
            raise TypeError(f'{type(mask_decoder).__name__} is not segment-anything\'s MaskDecoder layout; '
                            'use its own forward (RadioSam.decode)')
        self.prompt_encoder = prompt_encoder
        self.decoder = mask_decoder
        self.transformer: TwoWayTransformer = mask_decoder.transformer
        self.grid = tuple(image_embedding.shape[-2:])
        self.embedding = image_embedding
        self.pe = image_pe.flatten(2).transpose(1, 2).contiguous()  # (1, N, C)
        self.upconvs = [_upconv_as_linear(mask_decoder.output_upscaling[i]) for i in (0, 3)]
        no_mask = prompt_encoder.no_mask_embed.weight.reshape(1, -1, 1, 1)
        self.no_mask_keys = (image_embedding + no_mask).flatten(2).transpose(1, 2).contiguous()
        # the first block's image side without a mask prompt, per autocast state it is called under
        # (projections made under bf16 autocast are bf16; a later fp32 call must not mix them in)
        self._no_mask_first_block: Dict[Tuple[bool, torch.dtype], _ImageSide] = {}

    @property
    def no_mask_first_block(self) -> _ImageSide:
        """The first block's image-side projections without a mask prompt, for the current autocast state."""
        device_type = self.no_mask_keys.device.type
        enabled = torch.is_autocast_enabled(device_type)
        key = (enabled, torch.get_autocast_dtype(device_type) if enabled else self.no_mask_keys.dtype)
        if key not in self._no_mask_first_block:
            self._no_mask_first_block[key] = self._image_side(self.transformer.layers[0], self.no_mask_keys)
        return self._no_mask_first_block[key]

    # ----- prompts -----
    def __call__(self, point_coords: Optional[Tensor] = None, point_labels: Optional[Tensor] = None,
                 boxes: Optional[Tensor] = None, mask_input: Optional[Tensor] = None,
                 multimask_output: bool = True) -> Tuple[Tensor, Tensor]:
        points = None if point_coords is None else (point_coords, point_labels)
        sparse, dense = self.prompt_encoder(points=points, boxes=boxes, masks=mask_input)
        decoder = self.decoder
        output_tokens = torch.cat([decoder.iou_token.weight, decoder.mask_tokens.weight], dim=0)
        tokens = torch.cat((output_tokens.unsqueeze(0).expand(sparse.shape[0], -1, -1), sparse), dim=1)
        if mask_input is None:
            keys, first = self.no_mask_keys, self.no_mask_first_block
        else:
            keys = (self.embedding + dense).flatten(2).transpose(1, 2).contiguous()
            first = self._image_side(self.transformer.layers[0], keys)
        queries, keys = self._transformer(tokens, keys, first)
        picked = slice(1, None) if multimask_output else slice(0, 1)
        masks = self._masks(queries[:, 1:1 + decoder.num_mask_tokens][:, picked], keys, picked)
        iou = decoder.iou_prediction_head(queries[:, 0])[:, picked]
        return masks, iou

    # ----- two-way transformer -----
    def _transformer(self, tokens: Tensor, keys: Tensor, first: _ImageSide) -> Tuple[Tensor, Tensor]:
        queries = tokens
        for index, block in enumerate(self.transformer.layers):
            side = first if index == 0 else None
            queries, keys = self._block(block, queries, keys, tokens, side)
        final = self.transformer.final_attn_token_to_image
        out = self._tokens_to_image(final, queries + tokens, keys, keys + self.pe, None)
        return self.transformer.norm_final_attn(queries + out), keys

    def _block(self, block: TwoWayAttentionBlock, queries: Tensor, keys: Tensor, query_pe: Tensor,
               side: Optional[_ImageSide]) -> Tuple[Tensor, Tensor]:
        if block.skip_first_layer_pe:
            queries = block.self_attn(q=queries, k=queries, v=queries)
        else:
            q = queries + query_pe
            queries = queries + block.self_attn(q=q, k=q, v=queries)
        queries = block.norm1(queries)
        keys_pe = None if side is not None else keys + self.pe  # both cross attentions read it
        queries = block.norm2(queries + self._tokens_to_image(block.cross_attn_token_to_image, queries + query_pe,
                                                              keys, keys_pe, side))
        queries = block.norm3(queries + block.mlp(queries))
        keys = block.norm4(keys + self._image_to_tokens(block.cross_attn_image_to_token, queries + query_pe,
                                                        queries, keys_pe, side))
        return queries, keys

    def _image_side(self, block: TwoWayAttentionBlock, keys: Tensor) -> _ImageSide:
        """The image-token projections of ``block`` (prompt-independent when ``keys`` is)."""
        keys_pe = keys + self.pe
        t2i, i2t = block.cross_attn_token_to_image, block.cross_attn_image_to_token
        return _ImageSide(_heads(t2i.k_proj(keys_pe), t2i.num_heads).contiguous(),
                          _heads(t2i.v_proj(keys), t2i.num_heads).contiguous(),
                          _heads(i2t.q_proj(keys_pe), i2t.num_heads).contiguous())

    def _tokens_to_image(self, attn: Attention, q_tokens: Tensor, keys: Tensor, keys_pe: Optional[Tensor],
                         side: Optional[_ImageSide]) -> Tensor:
        """``attn(q=q_tokens, k=keys_pe, v=keys)``: a few tokens attend to every image token.

        With ``side`` (the image tokens' projections, computed once per image) ``keys`` and
        ``keys_pe`` are not read.
        """
        b, t, _ = q_tokens.shape
        heads, width = attn.num_heads, attn.internal_dim
        d = width // heads
        q = _heads(attn.q_proj(q_tokens), heads)  # (B, H, T, d)
        if side is not None:  # projected keys/values of the image tokens
            shared = b > 1 and side.t2i_keys.shape[0] == 1  # one image side for B prompts: fold B into T
            if shared:
                q = q.transpose(0, 1).reshape(1, heads, b * t, d)
            scores = torch.softmax(q @ side.t2i_keys.transpose(-1, -2) / math.sqrt(d), dim=-1)
            out = scores @ side.t2i_values  # (1 or B, H, T', d)
            if shared:
                out = out.view(heads, b, t, d).transpose(0, 1)
            return attn.out_proj(_merge_heads(out))
        if t * heads >= width:  # many tokens: project the image tokens as the module does
            k = _heads(attn.k_proj(keys_pe), heads)
            v = _heads(attn.v_proj(keys), heads)
            scores = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d), dim=-1)
            return attn.out_proj(_merge_heads(scores @ v))
        # low rank: fold W_k into the queries and W_v after the weighted sum (softmax rows sum to 1)
        logits = _logits_against_projected(q, attn.k_proj, keys_pe) / math.sqrt(d)
        weighted = torch.softmax(logits, dim=-1) @ keys  # (B, H*T, C)
        wv = attn.v_proj.weight.view(heads, d, -1)
        out = torch.einsum('bhtc,hdc->bhtd', weighted.view(b, heads, t, -1), wv) + attn.v_proj.bias.view(heads, 1, d)
        return attn.out_proj(_merge_heads(out))

    def _image_to_tokens(self, attn: Attention, k_tokens: Tensor, v_tokens: Tensor, keys_pe: Optional[Tensor],
                         side: Optional[_ImageSide]) -> Tensor:
        """``attn(q=keys_pe, k=k_tokens, v=v_tokens)``: every image token attends to a few tokens."""
        b, t, _ = k_tokens.shape
        heads, width = attn.num_heads, attn.internal_dim
        d = width // heads
        k = _heads(attn.k_proj(k_tokens), heads)  # (B, H, T, d)
        v = _heads(attn.v_proj(v_tokens), heads)
        if side is not None:
            queries = side.i2t_queries  # (1 or B, H, N, d)
            shared = b > 1 and queries.shape[0] == 1
            if shared:
                k = k.transpose(0, 1).reshape(1, heads, b * t, d)
            logits = k @ queries.transpose(-1, -2)  # (1 or B, H, T', N): softmax runs over T along N
            if shared:
                logits = logits.view(heads, b, t, -1).transpose(0, 1)
        elif t * heads >= width:
            q = _heads(attn.q_proj(keys_pe), heads)
            logits = k @ q.transpose(-1, -2)
        else:  # low rank: fold W_q into the token keys
            logits = _logits_against_projected(k, attn.q_proj, keys_pe).view(b, heads, t, -1)
        weights = torch.softmax(logits / math.sqrt(d), dim=2)  # (B, H, T, N)
        if t * heads >= width:
            return attn.out_proj(_merge_heads(weights.transpose(-1, -2) @ v))
        # low rank output: sum over heads of weights_h^T (v_h W_o,h^T), then the bias
        wo = attn.out_proj.weight.view(-1, heads, d)  # (C, H, d)
        v_out = torch.einsum('bhtd,chd->bhtc', v, wo).reshape(b, heads * t, -1)  # (B, H*T, C)
        out = weights.reshape(b, heads * t, -1).transpose(1, 2) @ v_out
        return out + attn.out_proj.bias

    # ----- upscaling and masks -----
    def _masks(self, mask_tokens: Tensor, keys: Tensor, picked: slice) -> Tensor:
        """Mask logits ``(B, M, 4h, 4w)`` for the ``M`` returned mask tokens."""
        decoder = self.decoder
        (w1, b1), (w2, b2) = self.upconvs
        up = decoder.output_upscaling
        norm: LayerNorm2d = up[1]
        b, n, _ = keys.shape
        x = F.linear(keys, w1, b1).view(b, 4 * n, -1)  # pixel (i, j) -> its 2 x 2 block, channels last
        x = up[2](F.layer_norm(x, (x.shape[-1],), norm.weight, norm.bias, norm.eps))
        x = up[4](F.linear(x, w2, b2)).view(b, 16 * n, -1)  # (B, 16 N, C / 8): 4 x 4 block per pixel
        mlps = decoder.output_hypernetworks_mlps[picked]
        hyper = torch.stack([mlp(mask_tokens[:, i]) for i, mlp in enumerate(mlps)], dim=1)  # (B, M, C / 8)
        masks = hyper @ x.transpose(1, 2)  # (B, M, 16 N) in (i, j, a, b, a2, b2) order
        h, w = self.grid
        masks = masks.view(b, -1, h, w, 2, 2, 2, 2).permute(0, 1, 2, 4, 6, 3, 5, 7)
        return masks.reshape(b, -1, 4 * h, 4 * w)
