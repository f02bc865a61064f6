"""The RADIO ViT trunk: patch generator (CPE + prefix tokens), timm blocks, ViTDet windowing."""
import functools
from typing import Callable, Collection, List, Optional, Sequence, Tuple

import torch
from torch import nn
from torch.utils.checkpoint import checkpoint

from timm.models.vision_transformer import VisionTransformer

from .architectures import set_drop_path, trunk_spec
from .cpe import PatchGenerator
from .input_checks import window_size_in_patches
from .chunked_inference import can_run_lean, global_block_lean_, windowed_block_lean
from .windows import WindowLayout, global_block_schedule, run_windowed, traceable_window_mask


def _exporting() -> bool:
    """True while ``torch.export`` / the ONNX exporters trace the model."""
    return torch.compiler.is_exporting() or torch.jit.is_tracing()



class _BlockObserver:
    """Hands each block's ``(prefix, row-major spatial)`` output to ``capture`` and ``on_block``.

    ``spatial`` is given as a function so window-major tokens are only reordered when needed.
    """

    def __init__(self, capture: Collection[int], on_block: Optional[Callable[[int, torch.Tensor, torch.Tensor], None]]):
        self.capture, self.on_block = capture, on_block
        self.captured: List[Tuple[torch.Tensor, torch.Tensor]] = []

    def __call__(self, i: int, prefix: torch.Tensor, spatial: Callable[[], torch.Tensor]) -> None:
        if i not in self.capture and self.on_block is None:
            return
        row_major = spatial()
        if i in self.capture:
            self.captured.append((prefix, row_major))
        if self.on_block is not None:
            self.on_block(i, prefix, row_major)


class RadioViT(nn.Module):
    """ViT with RADIO's token layout: ``num_cls_tokens`` summary tokens, registers, patch tokens.

    Module names follow upstream (``patch_generator``, ``blocks``, ``norm``), so the ``base_model.*``
    tensors of RADIO checkpoints load without renaming.

    ViTDet mode (:meth:`set_vitdet`): windowed blocks attend inside ``window x window`` patch
    windows and summary/register tokens skip them; global blocks see every token. Any grid works:
    it is padded up to whole windows and padded tokens never influence real ones.
    """

    def __init__(self, vit: VisionTransformer, max_input_size: int, num_cls_tokens: int, num_registers: int,
                 final_norm: bool = False, patch_bias: bool = False, normalize_patches: bool = False,
                 drop_path_rate: float = 0.0, arch: Optional[str] = None, model_kwargs: Optional[dict] = None):
        """Take ``vit``'s blocks (and its final norm if ``final_norm``), as built by :func:`build_vit`.

        ``arch`` / ``model_kwargs``: the name and arguments ``vit`` was built from (what a checkpoint's
        ``args.model`` / ``args.model_kwargs`` must say to rebuild it).
        """
        super().__init__()
        self.spec = trunk_spec(vit)
        self.arch = arch
        self.model_kwargs = dict(model_kwargs or {})
        self.patch_size = self.spec.patch_size
        self.embed_dim = self.spec.embed_dim
        self.patch_generator = PatchGenerator(self.patch_size, self.embed_dim, max_input_size, num_cls_tokens,
                                              num_registers, patch_bias=patch_bias,
                                              normalize_patches=normalize_patches)
        self.blocks = vit.blocks
        self.norm = vit.norm if final_norm else nn.Identity()
        if drop_path_rate:
            set_drop_path(self.blocks, drop_path_rate)
        self.window_size: Optional[int] = None
        self.is_global: List[bool] = [True] * len(self.blocks)
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
        self.window_size = window_size_in_patches(window_size)
        self.is_global = global_block_schedule(len(self.blocks), num_global, num_windowed, global_block_indices)

    def _run_block(self, i: int, x: torch.Tensor, attn_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        blk = self.blocks[i]
        if self.grad_checkpointing and self.training and torch.is_grad_enabled():
            return checkpoint(blk, x, attn_mask, use_reentrant=False)
        return blk(x, attn_mask=attn_mask) if attn_mask is not None else blk(x)

    def forward_tokens(self, x: torch.Tensor, capture: Collection[int] = (), last_block: Optional[int] = None,
                       on_block: Optional[Callable[[int, torch.Tensor, torch.Tensor], None]] = None
                       ) -> Tuple[torch.Tensor, List[Tuple[torch.Tensor, torch.Tensor]]]:
        """Run blocks ``0..last_block`` (default: all) on conditioned images ``(B, 3, H, W)``.

        Returns the tokens ``(B, num_summary_tokens + h*w, C)`` in row-major order (before ``norm``)
        and, for each block index in ``capture`` (ascending), its output as ``(prefix, spatial)``
        with row-major spatial tokens. ``on_block(i, prefix, spatial)``, if given, sees every block's
        output the same way as it is computed.
        """
        grid = (x.shape[-2] // self.patch_size, x.shape[-1] // self.patch_size)
        return self.run_blocks(self.patch_generator(x), grid, 0, last_block, capture, on_block)

    def run_blocks(self, tokens: torch.Tensor, grid: Tuple[int, int], start: int = 0, end: Optional[int] = None,
                   capture: Collection[int] = (),
                   on_block: Optional[Callable[[int, torch.Tensor, torch.Tensor], None]] = None
                   ) -> Tuple[torch.Tensor, List[Tuple[torch.Tensor, torch.Tensor]]]:
        """Run blocks ``start..end`` (inclusive; default: to the last) on tokens.

        ``tokens``: ``(B, num_summary_tokens + h*w, C)`` with row-major spatial tokens of the
        ``grid = (h, w)`` patch grid, as the patch generator or a previous call returns them.
        Lets callers act on the tokens between blocks (e.g. ViT-Adapter's injector). Returns
        what :meth:`forward_tokens` returns, for the blocks run.
        """
        end = len(self.blocks) - 1 if end is None else end
        if not 0 <= start <= end < len(self.blocks):
            raise ValueError(f'blocks {start}..{end} out of range for a {len(self.blocks)}-block trunk')
        observe = _BlockObserver(capture, on_block)
        skip = self.num_summary_tokens
        if self.window_size is None:
            for i in range(start, end + 1):
                tokens = self._run_block(i, tokens)
                observe(i, tokens[:, :skip], lambda: tokens[:, skip:])
            return tokens, observe.captured

        if _exporting():
            return self._forward_windows_traceable(tokens, WindowLayout(grid[0], grid[1], self.window_size),
                                                   observe, start, end)
        # A window larger than the grid is one window over the whole grid; clamping gives the same
        # output without attending over (and allocating) a mostly padded window.
        window = min(self.window_size, max(grid))
        layout = WindowLayout(grid[0], grid[1], window)
        # lean (chunked) blocks bound CPU memory; on GPUs they would only split kernels
        if tokens.device.type == 'cpu' and all(can_run_lean(blk) for blk in self.blocks[start:end + 1]):
            prefix, spatial = tokens[:, :skip].clone(), layout.to_windows(tokens[:, skip:], self.pad_value)
            del tokens  # from here on one copy of the tokens is alive
            return self._run_windows_lean(prefix, spatial, layout, observe, start, end)
        prefix, spatial = tokens[:, :skip], layout.to_windows(tokens[:, skip:], self.pad_value)
        groups = layout.window_groups(tokens.device)
        real_idx = layout.real_token_index(tokens.device) if layout.is_padded else None
        for i in range(start, end + 1):
            if not self.is_global[i]:
                spatial = run_windowed(lambda w, m: self._run_block(i, w, m), spatial, layout, groups)
            elif real_idx is None:
                out = self._run_block(i, torch.cat([prefix, spatial], dim=1))
                prefix, spatial = out[:, :skip], out[:, skip:]
            else:
                out = self._run_block(i, torch.cat([prefix, spatial.index_select(1, real_idx)], dim=1))
                prefix = out[:, :skip]
                spatial = spatial.index_copy(1, real_idx, out[:, skip:])
            observe(i, prefix, lambda: layout.from_windows(spatial))
        return torch.cat([prefix, layout.from_windows(spatial)], dim=1), observe.captured

    def _run_windows_lean(self, prefix: torch.Tensor, spatial: torch.Tensor, layout: WindowLayout,
                          observe: '_BlockObserver', start: int, end: int
                          ) -> Tuple[torch.Tensor, List[Tuple[torch.Tensor, torch.Tensor]]]:
        """ViTDet inference with bounded activation memory; bit-identical to the general path above.

        Windowed blocks run a group of windows at a time and global blocks chunk their per-token
        work (:mod:`.chunked_inference`); only one copy of the tokens is kept between blocks.
        """
        skip = prefix.shape[1]
        groups = layout.window_groups(spatial.device)
        real_idx = layout.real_token_index(spatial.device) if layout.is_padded else None
        for i in range(start, end + 1):
            blk = self.blocks[i]
            if not self.is_global[i]:
                spatial = run_windowed(functools.partial(windowed_block_lean, blk), spatial, layout, groups)
            elif real_idx is None:
                x = torch.cat([prefix, spatial], dim=1)
                del spatial
                out = global_block_lean_(blk, x)
                del x
                prefix, spatial = out[:, :skip].clone(), out[:, skip:]
            else:  # padded tokens keep their old values; they are never seen by real tokens
                x = torch.cat([prefix, spatial.index_select(1, real_idx)], dim=1)
                out = global_block_lean_(blk, x)
                del x
                prefix = out[:, :skip].clone()
                spatial.index_copy_(1, real_idx, out[:, skip:])
                del out
            observe(i, prefix, lambda: layout.from_windows(spatial))
        return torch.cat([prefix, layout.from_windows(spatial)], dim=1), observe.captured

    def _forward_windows_traceable(self, tokens: torch.Tensor, layout: WindowLayout, observe: '_BlockObserver',
                                   start: int, end: int
                                   ) -> Tuple[torch.Tensor, List[Tuple[torch.Tensor, torch.Tensor]]]:
        """ViTDet forward for graph export: the same function, with no branch on the grid size.

        Every grid is padded (possibly by nothing) and masked, and global blocks see the real
        tokens in row-major order (eager mode keeps them window-major), so one exported graph
        serves every input size. Agrees with the eager path to float rounding (attention sums
        the keys in another order).
        """
        skip = self.num_summary_tokens
        prefix, spatial = tokens[:, :skip], layout.to_windows(tokens[:, skip:], self.pad_value, always_pad=True)
        b, c, t = spatial.shape[0], spatial.shape[-1], self.window_size ** 2
        window_mask = traceable_window_mask(layout, b, tokens.device)
        for i in range(start, end + 1):
            if self.is_global[i]:
                out = self._run_block(i, torch.cat([prefix, layout.from_windows(spatial)], dim=1))
                prefix = out[:, :skip]
                spatial = layout.to_windows(out[:, skip:], self.pad_value, always_pad=True)
            else:
                spatial = self._run_block(i, spatial.reshape(-1, t, c), window_mask).reshape(b, -1, c)
            observe(i, prefix, lambda: layout.from_windows(spatial))
        return torch.cat([prefix, layout.from_windows(spatial)], dim=1), observe.captured

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """All tokens after the last block and the final norm (Identity unless the model has one)."""
        return self.norm(self.forward_tokens(x)[0])
