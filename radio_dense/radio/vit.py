"""The RADIO ViT trunk: patch generator (CPE + prefix tokens), timm blocks, ViTDet windowing."""
from typing import Collection, List, Optional, Sequence, Tuple

import torch
from torch import nn
from torch.utils.checkpoint import checkpoint

from .architectures import TrunkSpec, build_blocks
from .cpe import PatchGenerator
from .windows import WindowLayout, global_block_schedule

class RadioViT(nn.Module):
    """ViT with RADIO's token layout: ``num_cls_tokens`` summary tokens, registers, patch tokens.

    Module names follow upstream (``patch_generator``, ``blocks``, ``norm``), so the ``base_model.*``
    tensors of RADIO checkpoints load without renaming.

    ViTDet mode (:meth:`set_vitdet`): windowed blocks attend inside ``window x window`` patch
    windows and summary/register tokens skip them; global blocks see every token. Any grid works:
    it is padded up to whole windows and padded tokens never influence real ones.
    """

    def __init__(self, spec: TrunkSpec, max_input_size: int, num_cls_tokens: int, num_registers: int,
                 final_norm: bool = False, patch_bias: bool = False, normalize_patches: bool = False,
                 drop_path_rate: float = 0.0):
        super().__init__()
        self.spec = spec
        self.patch_size = spec.patch_size
        self.embed_dim = spec.embed_dim
        self.patch_generator = PatchGenerator(spec.patch_size, spec.embed_dim, max_input_size, num_cls_tokens,
                                              num_registers, patch_bias=patch_bias,
                                              normalize_patches=normalize_patches)
        self.blocks = build_blocks(spec, drop_path_rate)
        self.norm = nn.LayerNorm(spec.embed_dim, eps=1e-6) if final_norm else nn.Identity()
        self.window_size: Optional[int] = None
        self.is_global: List[bool] = [True] * spec.depth
        self.grad_checkpointing = False
        self.pad_value = 0.0  # value of padding tokens in ViTDet mode; cannot affect outputs

    @property
    def num_cls_tokens(self) -> int:
        return self.patch_generator.num_cls_tokens

    @property
    def num_registers(self) -> int:
        return self.patch_generator.num_registers

    @property
    def num_summary_tokens(self) -> int:
        """All prefix tokens (summary + registers), as upstream names it."""
        return self.patch_generator.num_skip

    def set_vitdet(self, window_size: Optional[int], num_global: Optional[int] = None,
                   num_windowed: Optional[int] = None,
                   global_block_indices: Optional[Sequence[int]] = None) -> None:
        """Switch ViTDet windowed attention on (``window_size`` in patches) or off (``None``)."""
        if window_size is None:
            self.window_size, self.is_global = None, [True] * len(self.blocks)
            return
        if int(window_size) < 1:
            raise ValueError(f'vitdet_window_size must be a positive number of patches, got {window_size}')
        self.window_size = int(window_size)
        self.is_global = global_block_schedule(len(self.blocks), num_global, num_windowed, global_block_indices)

    def _run_block(self, i: int, x: torch.Tensor, attn_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        blk = self.blocks[i]
        if self.grad_checkpointing and self.training and torch.is_grad_enabled():
            return checkpoint(blk, x, attn_mask, use_reentrant=False)
        return blk(x, attn_mask=attn_mask) if attn_mask is not None else blk(x)

    def forward_tokens(self, x: torch.Tensor, capture: Collection[int] = (), last_block: Optional[int] = None
                       ) -> Tuple[torch.Tensor, List[Tuple[torch.Tensor, torch.Tensor]]]:
        """Run blocks ``0..last_block`` (default: all) on conditioned images ``(B, 3, H, W)``.

        Returns the tokens ``(B, num_summary_tokens + h*w, C)`` in row-major order (before ``norm``)
        and, for each block index in ``capture`` (ascending), its output as ``(prefix, spatial)``
        with row-major spatial tokens.
        """
        grid = (x.shape[-2] // self.patch_size, x.shape[-1] // self.patch_size)
        tokens = self.patch_generator(x)
        last_block = len(self.blocks) - 1 if last_block is None else last_block
        skip = self.num_summary_tokens
        captured: List[Tuple[torch.Tensor, torch.Tensor]] = []
        if self.window_size is None:
            for i in range(last_block + 1):
                tokens = self._run_block(i, tokens)
                if i in capture:
                    captured.append((tokens[:, :skip], tokens[:, skip:]))
            return tokens, captured

        layout = WindowLayout(grid[0], grid[1], self.window_size)
        prefix, spatial = tokens[:, :skip], layout.to_windows(tokens[:, skip:], self.pad_value)
        b, c, t = spatial.shape[0], spatial.shape[-1], self.window_size ** 2
        window_mask = layout.window_attn_mask(b, x.device)
        real_idx = layout.valid_tokens(x.device).nonzero().squeeze(1) if layout.is_padded else None
        for i in range(last_block + 1):
            if not self.is_global[i]:
                out = self._run_block(i, spatial.reshape(b * layout.num_windows, t, c), window_mask)
                spatial = out.reshape(b, -1, c)
            elif real_idx is None:
                out = self._run_block(i, torch.cat([prefix, spatial], dim=1))
                prefix, spatial = out[:, :skip], out[:, skip:]
            else:
                out = self._run_block(i, torch.cat([prefix, spatial.index_select(1, real_idx)], dim=1))
                prefix = out[:, :skip]
                spatial = spatial.index_copy(1, real_idx, out[:, skip:])
            if i in capture:
                captured.append((prefix, layout.from_windows(spatial)))
        return torch.cat([prefix, layout.from_windows(spatial)], dim=1), captured

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """All tokens after the last block and the final norm (Identity unless the model has one)."""
        return self.norm(self.forward_tokens(x)[0])
