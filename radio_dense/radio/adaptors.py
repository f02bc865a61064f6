"""Adaptor heads: per-teacher MLPs mapping RADIO tokens into a teacher's feature space.

Each adaptor is a pair: ``head_mlp`` on the teacher's summary token and ``feat_mlp`` on the
spatial tokens. Two MLP layouts exist in released checkpoints ("v1" and "v2"); their parameter
names follow upstream so weights load unchanged, and their shapes are read from the weights.
"""
from typing import Dict, NamedTuple, Optional

import torch
from torch import nn

from .safe_io import strip_prefix


class RadioOutput(NamedTuple):
    """``(summary, features)`` pair returned by RADIO and by each adaptor."""

    summary: torch.Tensor
    features: torch.Tensor

    def to(self, *args, **kwargs) -> 'RadioOutput':
        return RadioOutput(*(None if t is None else t.to(*args, **kwargs) for t in self))


class MLPv1(nn.Module):
    """fc1 -> LayerNorm -> ReLU -> [Linear -> LayerNorm -> ReLU] * num_inner -> fc2."""

    upsample_factor = 1

    def __init__(self, input_dim: int, hidden_dim: int, output_dim: int, num_inner: int = 0):
        super().__init__()
        self.fc1 = nn.Linear(input_dim, hidden_dim)
        self.norm = nn.LayerNorm(hidden_dim)
        self.relu = nn.ReLU()
        inner = []
        for _ in range(num_inner):
            inner += [nn.Linear(hidden_dim, hidden_dim), nn.LayerNorm(hidden_dim), nn.ReLU()]
        self.inner = nn.Sequential(*inner) if inner else nn.Identity()
        self.fc2 = nn.Linear(hidden_dim, output_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.inner(self.relu(self.norm(self.fc1(x)))))


class MLPv2(nn.Module):
    """[LN -> GELU] -> fc1 -> residual [LN -> GELU -> Linear] * num_inner -> LN -> GELU -> Linear.

    With ``upsample_factor`` u > 1 each token predicts a ``u x u`` block of output tokens
    (``grid_hw`` is then needed to put them in place).
    """

    def __init__(self, input_dim: int, hidden_dim: int, output_dim: int, num_inner: int = 0,
                 pre_norm: bool = False, upsample_factor: int = 1):
        super().__init__()
        self.pre_norm = nn.Sequential(nn.LayerNorm(input_dim), nn.GELU()) if pre_norm else nn.Identity()
        self.upsample_factor = upsample_factor
        self.fc1 = nn.Linear(input_dim, hidden_dim)
        self.blocks = nn.ModuleList([
            nn.Sequential(nn.LayerNorm(hidden_dim), nn.GELU(), nn.Linear(hidden_dim, hidden_dim))
            for _ in range(num_inner)
        ])
        self.final = nn.Sequential(nn.LayerNorm(hidden_dim), nn.GELU(), nn.Linear(hidden_dim, output_dim))

    def forward(self, x: torch.Tensor, grid_hw: Optional[tuple] = None) -> torch.Tensor:
        x = self.fc1(self.pre_norm(x))
        for block in self.blocks:
            x = x + block(x)
        x = self.final(x)
        u = self.upsample_factor
        if u > 1:
            if grid_hw is None:
                raise ValueError('grid_hw is required when the head upsamples (upsample_factor > 1)')
            b, _, c = x.shape
            h, w = grid_hw
            x = x.reshape(b, h, w, u, u, c // (u * u)).permute(0, 1, 3, 2, 4, 5).reshape(b, h * u * w * u, -1)
        return x


class AttnHead(nn.Module):
    """Feature head ``'attn'``: two timm ViT blocks (16 heads, layer scale) then an :class:`MLPv2`.

    Upstream's ``AttnFDHead`` calls its MLP without the token grid, so it cannot upsample; here the
    grid is passed on, which is what ``upsample_factor`` evidently intends.
    """

    def __init__(self, input_dim: int, hidden_dim: int, output_dim: int, num_blocks: int = 2,
                 pre_norm: bool = False, upsample_factor: int = 1):
        super().__init__()
        from timm.models.vision_transformer import Block
        self.blocks = nn.Sequential(*[Block(input_dim, num_heads=16, init_values=1e-5) for _ in range(num_blocks)])
        self.mlp = MLPv2(input_dim, hidden_dim, output_dim, 0, pre_norm=pre_norm, upsample_factor=upsample_factor)

    @property
    def upsample_factor(self) -> int:
        return self.mlp.upsample_factor

    def forward(self, x: torch.Tensor, grid_hw: Optional[tuple] = None) -> torch.Tensor:
        return self.mlp(self.blocks(x), grid_hw=grid_hw)


SUMMARY_MLP_VERSIONS = ('v1', 'v2')
FEATURE_MLP_VERSIONS = ('v1', 'v2', 'attn')


def mlp_from_state(version: str, state: Dict[str, torch.Tensor], upsample_factor: int = 1) -> nn.Module:
    """Build a head of layout ``version`` ('v1' | 'v2' | 'attn') sized from ``state`` and load it."""
    try:
        if version == 'attn':
            hidden, inp = state['mlp.fc1.weight'].shape
            out = state['mlp.final.2.weight'].shape[0]
            num_blocks = len({k.split('.')[1] for k in state if k.startswith('blocks.')})
            mlp: nn.Module = AttnHead(inp, hidden, out, num_blocks, pre_norm='mlp.pre_norm.0.weight' in state,
                                      upsample_factor=upsample_factor)
        elif version == 'v1':
            hidden, inp = state['fc1.weight'].shape
            out = state['fc2.weight'].shape[0]
            num_inner = sum(1 for k in state if k.startswith('inner.') and k.endswith('.weight')) // 2
            mlp = MLPv1(inp, hidden, out, num_inner)
        elif version == 'v2':
            hidden, inp = state['fc1.weight'].shape
            out = state['final.2.weight'].shape[0]
            num_inner = len({k.split('.')[1] for k in state if k.startswith('blocks.')})
            mlp = MLPv2(inp, hidden, out, num_inner, pre_norm='pre_norm.0.weight' in state,
                        upsample_factor=upsample_factor)
        else:
            raise ValueError(f"Unsupported adaptor MLP version {version!r}; expected one of {FEATURE_MLP_VERSIONS}")
    except KeyError as err:
        raise ValueError(f'Adaptor weights do not match MLP layout {version!r}: missing {err}') from err
    try:
        mlp.load_state_dict(state)
    except RuntimeError as err:
        raise ValueError(f'Adaptor weights do not match MLP layout {version!r}: {str(err).splitlines()[0]}') from err
    return mlp


class Adaptor(nn.Module):
    """One teacher's adaptor: ``head_mlp`` (summary token ``head_idx``) and ``feat_mlp`` (patch tokens)."""

    def __init__(self, head_mlp: nn.Module, feat_mlp: nn.Module, head_idx: int):
        super().__init__()
        self.head_mlp = head_mlp
        self.feat_mlp = feat_mlp
        self.head_idx = head_idx

    @property
    def feature_dim(self) -> int:
        """Channels of the adaptor's spatial features (after the head's upsampling, if any)."""
        last = [m for m in self.feat_mlp.modules() if isinstance(m, nn.Linear)][-1]
        return last.out_features // self.feat_mlp.upsample_factor ** 2

    @classmethod
    def from_state(cls, state: Dict[str, torch.Tensor], head_idx: int, summary_version: str = 'v2',
                   feature_version: Optional[str] = None, upsample_factor: int = 1) -> 'Adaptor':
        """``state`` has ``summary.*`` (head) and ``feature.*`` (feature MLP) tensors."""
        if summary_version not in SUMMARY_MLP_VERSIONS:
            raise ValueError(f'Unsupported summary head version {summary_version!r}; upstream builds summary heads '
                             f'of versions {SUMMARY_MLP_VERSIONS} only')
        head = mlp_from_state(summary_version, strip_prefix(state, 'summary.'))
        feat = mlp_from_state(feature_version or summary_version, strip_prefix(state, 'feature.'), upsample_factor)
        return cls(head, feat, head_idx)

    def forward(self, summary: torch.Tensor, features: torch.Tensor, grid_hw: tuple,
                feature_fmt: str = 'NLC') -> RadioOutput:
        dtype = next(self.parameters()).dtype
        out_summary = self.head_mlp(summary.to(dtype)).float()
        if isinstance(self.feat_mlp, (MLPv2, AttnHead)):
            feat = self.feat_mlp(features.to(dtype), grid_hw=grid_hw)
        else:
            feat = self.feat_mlp(features.to(dtype))
        feat = feat.to(features.dtype).float()  # as upstream: back to the trunk's dtype, then float32
        if feature_fmt == 'NCHW':
            u = getattr(self.feat_mlp, 'upsample_factor', 1)
            feat = feat.reshape(feat.shape[0], grid_hw[0] * u, grid_hw[1] * u, -1).permute(0, 3, 1, 2)
        return RadioOutput(out_summary, feat)

    def project_tokens(self, tokens: torch.Tensor, grid_hw: tuple, head: str = 'feature') -> torch.Tensor:
        """Patch tokens ``(B, h*w, C)`` -> the teacher's space as a map ``(B, D, h*u, w*u)``.

        ``head='feature'`` is the adaptor's spatial head (``u`` its upsampling); ``head='summary'``
        applies the summary head to every patch token (``u`` = 1), which is how RADSeg and MaskCLIP-style
        methods read language-aligned dense features.
        """
        if head not in ('feature', 'summary'):
            raise ValueError(f"head must be 'feature' or 'summary', got {head!r}")
        dtype = next(self.parameters()).dtype
        b, h, w = tokens.shape[0], grid_hw[0], grid_hw[1]
        if head == 'summary':
            out, u = self.head_mlp(tokens.to(dtype)), 1
        else:
            mlp = self.feat_mlp
            out = mlp(tokens.to(dtype), grid_hw=grid_hw) if isinstance(mlp, (MLPv2, AttnHead)) else mlp(tokens.to(dtype))
            u = getattr(mlp, 'upsample_factor', 1)
        return out.float().reshape(b, h * u, w * u, -1).permute(0, 3, 1, 2)

