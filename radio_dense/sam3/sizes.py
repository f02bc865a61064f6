"""Widths and depths of a SAM3 image model: the released size and a tiny one for tests.

``SAM3_IMAGE`` is the architecture of Meta's released ``sam3.pt`` detector (what ``sam3``'s
``build_sam3_image_model`` builds). Smaller sizes keep every module type and wiring, so a
random model of size ``SAM3_TINY`` exercises the same code as the real one in a few MiB.
"""
from dataclasses import dataclass, replace
from typing import Tuple


@dataclass(frozen=True)
class Sam3Size:
    """Hyper-parameters of the SAM3 image model (defaults: the released model)."""

    d_model: int = 256             # width of everything after the vision trunk (neck, fusion, decoder, heads)
    num_heads: int = 8             # attention heads of the fusion encoder, decoder, geometry encoder, seg head
    ffn_dim: int = 2048            # feed-forward width of those transformers and the scoring MLP
    encoder_layers: int = 6        # image-prompt fusion encoder
    decoder_layers: int = 6        # DETR-style query decoder
    num_queries: int = 200
    geometry_layers: int = 3       # box / point prompt encoder
    text_width: int = 1024         # text encoder (CLIP-style transformer)
    text_heads: int = 16
    text_layers: int = 24
    text_context: int = 32
    vit_dim: int = 1024            # SAM3's own vision trunk (a ViTDet ViT)
    vit_depth: int = 32
    vit_heads: int = 16
    vit_mlp_ratio: float = 4.625
    vit_window: int = 24
    vit_global_blocks: Tuple[int, ...] = (7, 15, 23, 31)
    image_size: int = 1008         # SAM3's input side; its trunk's rotary embeddings are built for it
    patch_size: int = 14
    pretrain_image_size: int = 336  # absolute position embedding grid (tiled to the input)

    @property
    def radio_resolution(self) -> int:
        """The input side giving RADIO (16 px patches) SAM3's token grid: 1008 * 16 / 14 = 1152."""
        return self.image_size // self.patch_size * 16

    def scaled(self, **changes) -> 'Sam3Size':
        """A copy with some fields changed."""
        return replace(self, **changes)


SAM3_IMAGE = Sam3Size()

#: A few-MiB SAM3 for tests: same modules and wiring, tiny widths and depths (224 px, 16 x 16 tokens).
SAM3_TINY = Sam3Size(d_model=64, num_heads=4, ffn_dim=128, encoder_layers=1, decoder_layers=2, num_queries=12,
                     geometry_layers=1, text_width=64, text_heads=4, text_layers=2, text_context=16,
                     vit_dim=96, vit_depth=2, vit_heads=4, vit_mlp_ratio=2.0, vit_window=8, vit_global_blocks=(1,),
                     image_size=224, patch_size=14, pretrain_image_size=56)
