"""ViTDet windowing: the global/windowed block schedule and the token layout that serves it.

Tokens are put once into window-major order (all tokens of window 0, then window 1, ...), so a
windowed block is a plain reshape to ``(B * num_windows, window**2, C)`` and a global block sees
the same tokens as one sequence. Grids that are not a multiple of the window are padded with
extra tokens; padded tokens are masked out of windowed attention and left out of global blocks,
so they never influence a real token.

Only windows that hold padding get an attention mask (:meth:`WindowLayout.window_groups`): full
windows run unmasked, so GPUs keep their flash / memory-efficient SDPA kernels for them. Nothing
here reads tensor values back to the host (no ``nonzero`` or ``.item()``): a forward queues its
work on the GPU without waiting.
"""
from dataclasses import dataclass
from typing import List, NamedTuple, Optional, Sequence

import torch
import torch.nn.functional as F

DEFAULT_NUM_GLOBAL = 4


def global_block_schedule(depth: int, num_global: Optional[int] = None, num_windowed: Optional[int] = None,
                          global_block_indices: Optional[Sequence[int]] = None) -> List[bool]:
    """Return ``is_global`` for each block, following upstream RADIO's ViTDet schedule.

    ``num_windowed`` (RADIOv2/2.1 style) repeats ``num_windowed`` windowed blocks then one global
    block; otherwise ``num_global`` (default 4) global blocks are spread evenly, each closing a run
    of windowed ones. The last block is always global. ``global_block_indices`` overrides both.
    """
    if global_block_indices is not None:
        idx = {depth + i if i < 0 else i for i in global_block_indices}
        bad = sorted(i for i in idx if not 0 <= i < depth)
        if bad:
            raise ValueError(f'global_block_indices {list(global_block_indices)} out of range for {depth} blocks')
        return [i in idx for i in range(depth)]
    if num_windowed is not None:
        if num_windowed < 1:
            raise ValueError(f'num_windowed must be >= 1, got {num_windowed}')
        period = num_windowed + 1
    else:
        num_global = DEFAULT_NUM_GLOBAL if num_global is None else num_global
        if not 1 <= num_global <= depth:
            raise ValueError(f'num_global must be in [1, {depth}] for a {depth}-block model, got {num_global}')
        period = max(depth // num_global, 1)
    return [i == depth - 1 or i % period == period - 1 for i in range(depth)]


class WindowGroup(NamedTuple):
    """Windows that run through a windowed block together: rows ``rows`` x columns ``cols`` of the
    window grid, with an SDPA mask ``(num_windows, 1, T, T)`` (one per window, not per image) or ``None``."""

    rows: slice
    cols: slice
    mask: Optional[torch.Tensor]


@dataclass
class WindowLayout:
    """Window-major token layout for one ``(h, w)`` grid and window size."""

    grid_h: int
    grid_w: int
    window: int

    # ceil division with non-negative operands only: exported graphs (ONNX integer Div truncates
    # toward zero) would get ``-(-h // w)`` wrong
    @property
    def padded_h(self) -> int:
        return (self.grid_h + self.window - 1) // self.window * self.window

    @property
    def padded_w(self) -> int:
        return (self.grid_w + self.window - 1) // self.window * self.window

    @property
    def num_windows(self) -> int:
        return (self.padded_h // self.window) * (self.padded_w // self.window)

    @property
    def is_padded(self) -> bool:
        return (self.padded_h, self.padded_w) != (self.grid_h, self.grid_w)

    def to_windows(self, x: torch.Tensor, pad_value: float = 0.0, always_pad: bool = False) -> torch.Tensor:
        """``(B, h*w, C)`` row-major -> ``(B, num_windows * window**2, C)`` window-major (padded).

        ``always_pad`` pads even by zero tokens: no branch on the grid size (graph export).
        """
        b, _, c = x.shape
        ws = self.window
        x = x.reshape(b, self.grid_h, self.grid_w, c)
        if always_pad or self.is_padded:
            x = F.pad(x, (0, 0, 0, self.padded_w - self.grid_w, 0, self.padded_h - self.grid_h), value=pad_value)
        x = x.reshape(b, self.padded_h // ws, ws, self.padded_w // ws, ws, c).permute(0, 1, 3, 2, 4, 5)
        return x.reshape(b, -1, c)

    def from_windows(self, x: torch.Tensor) -> torch.Tensor:
        """Inverse of :meth:`to_windows`, dropping the padding: -> ``(B, h*w, C)`` row-major."""
        b, _, c = x.shape
        ws = self.window
        x = x.reshape(b, self.padded_h // ws, self.padded_w // ws, ws, ws, c).permute(0, 1, 3, 2, 4, 5)
        x = x.reshape(b, self.padded_h, self.padded_w, c)[:, :self.grid_h, :self.grid_w]
        return x.reshape(b, self.grid_h * self.grid_w, c)

    def valid_tokens(self, device: torch.device) -> torch.Tensor:
        """Boolean ``(num_windows * window**2,)``: True for real (unpadded) tokens, window-major."""
        ones = torch.ones(1, self.grid_h * self.grid_w, 1, device=device)
        return self.to_windows(ones, pad_value=0.0).reshape(-1) > 0

    def real_token_index(self, device: torch.device) -> torch.Tensor:
        """Window-major positions of the real tokens, ascending ``(grid_h * grid_w,)``.

        A stable sort instead of ``nonzero``: the length is known on the host, so no device sync.
        """
        padding = (~self.valid_tokens(device)).to(torch.uint8)
        return torch.sort(padding, stable=True).indices[:self.grid_h * self.grid_w]

    def window_groups(self, device: torch.device) -> List[WindowGroup]:
        """The window grid split so that only windows holding padding get a mask.

        Full windows (all but the last window row / column when the grid is padded there) form one
        unmasked group; the last column and the last row form masked groups. Unpadded grids give
        one unmasked group.
        """
        rows_w, cols_w = self.padded_h // self.window, self.padded_w // self.window
        full_rows = rows_w - (self.padded_h != self.grid_h)
        full_cols = cols_w - (self.padded_w != self.grid_w)
        mask = self.window_attn_mask(1, device) if self.is_padded else None
        groups = []
        for rows, cols, masked in ((slice(0, full_rows), slice(0, full_cols), False),
                                   (slice(0, full_rows), slice(full_cols, cols_w), True),
                                   (slice(full_rows, rows_w), slice(0, cols_w), True)):
            if rows.stop <= rows.start or cols.stop <= cols.start:
                continue
            group_mask = None
            if masked:
                t = self.window ** 2
                group_mask = mask.reshape(rows_w, cols_w, 1, t, t)[rows, cols].reshape(-1, 1, t, t)
            groups.append(WindowGroup(rows, cols, group_mask))
        return groups

    def window_attn_mask(self, batch: int, device: torch.device) -> Optional[torch.Tensor]:
        """SDPA boolean mask ``(B * num_windows, 1, T, T)`` hiding padded keys from real queries.

        Padded queries may attend to every key of their window, so no row is empty (no NaN).
        ``None`` when the grid needs no padding.
        """
        if not self.is_padded:
            return None
        t = self.window ** 2
        valid = self.valid_tokens(device).reshape(self.num_windows, t)
        mask = valid[:, None, :] | ~valid[:, :, None]
        return mask[:, None].repeat(batch, 1, 1, 1)


def run_windowed(block, spatial: torch.Tensor, layout: WindowLayout, groups: Sequence[WindowGroup]) -> torch.Tensor:
    """A windowed block over window-major tokens ``(B, num_windows * T, C)``, group by group.

    ``block(windows (n, T, C), mask (n, 1, T, T) or None)``; a group's per-window mask is repeated
    for each image of the batch. One unmasked group runs as a single call.
    """
    b, c, t = spatial.shape[0], spatial.shape[-1], layout.window ** 2
    if len(groups) == 1 and groups[0].mask is None:
        return block(spatial.reshape(-1, t, c), None).reshape(b, -1, c)
    grid = spatial.reshape(b, layout.padded_h // layout.window, layout.padded_w // layout.window, t, c)
    out = torch.empty_like(grid)
    for rows, cols, mask in groups:
        part = grid[:, rows, cols]
        if mask is not None:
            mask = mask[None].expand(b, *mask.shape).reshape(-1, *mask.shape[1:])
        out[:, rows, cols] = block(part.reshape(-1, t, c), mask).reshape(part.shape)
    return out.reshape(b, -1, c)


def traceable_window_mask(layout: WindowLayout, batch: int, device: torch.device) -> torch.Tensor:
    """:meth:`WindowLayout.window_attn_mask` without branches or data-dependent shapes (graph export).

    Built from ``arange`` comparisons, so an exported graph computes it for any grid; all True
    when the grid needs no padding.
    """
    ws = layout.window
    rows = torch.arange(layout.padded_h, device=device) < layout.grid_h
    cols = torch.arange(layout.padded_w, device=device) < layout.grid_w
    valid = (rows[:, None] & cols[None, :]).reshape(layout.padded_h // ws, ws, layout.padded_w // ws, ws)
    valid = valid.permute(0, 2, 1, 3).reshape(-1, ws * ws)
    mask = valid[:, None, :] | ~valid[:, :, None]
    return mask[:, None].repeat(batch, 1, 1, 1)
