"""RADIOModel: the drop-in replacement for upstream's model object."""
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple, Union

import torch
from torch import nn

from .adaptors import Adaptor, RadioOutput
from .feature_normalizer import FeatureNormalizer, IntermediateFeatureNormalizer
from .input_checks import as_block_index, prepare_images
from .vit import RadioViT


class Resolution(NamedTuple):
    height: int
    width: int


FEATURE_FORMATS = ('NLC', 'NCHW')


class RADIOModel(nn.Module):
    """RADIO: conditioner -> ViT trunk -> (summary, features) and optional adaptor outputs.

    ``model(x)`` takes images in ``[0, 1]`` of shape ``(B, 3, H, W)`` (after
    :meth:`make_preprocessor_external`: already normalised) and returns a
    :class:`RadioOutput` ``(summary, features)``; with adaptors, a dict ``{'backbone': ...,
    '<adaptor>': ...}`` of such pairs. ``features`` are ``(B, h*w, C)`` for ``feature_fmt='NLC'``
    or ``(B, C, h, w)`` for ``'NCHW'``.

    Input dtypes: float images in ``[0, 1]``; ``uint8`` images (``0..255``) are rescaled by
    ``1/255`` (not after :meth:`make_preprocessor_external`, which needs normalised floats);
    ``float64``, ``bool`` and other integer tensors raise ``TypeError``, and NaN/inf values raise
    ``ValueError`` (they would make every output NaN).
    """

    def __init__(self, model: RadioViT, input_conditioner: nn.Module, summary_idxs: Sequence[int],
                 patch_size: Optional[int] = None, max_resolution: Optional[int] = None,
                 preferred_resolution: Optional[Tuple[int, int]] = None,
                 adaptors: Optional[Dict[str, Adaptor]] = None,
                 feature_normalizer: Optional[FeatureNormalizer] = None,
                 inter_feature_normalizer: Optional[IntermediateFeatureNormalizer] = None,
                 pad_windows: bool = True):
        super().__init__()
        self.model = model
        self.input_conditioner = input_conditioner
        self.register_buffer('summary_idxs', torch.as_tensor(list(summary_idxs), dtype=torch.int64))
        self._patch_size = patch_size or model.patch_size
        self._max_resolution = max_resolution
        self._preferred_resolution = Resolution(*preferred_resolution) if preferred_resolution else None
        self.adaptors = nn.ModuleDict(adaptors or {})
        self.feature_normalizer = feature_normalizer or nn.Identity()
        self.inter_feature_normalizer = inter_feature_normalizer
        self.pad_windows = pad_windows

    # ----- properties shared with upstream -----
    @property
    def patch_size(self) -> int:
        return self._patch_size

    @property
    def max_resolution(self) -> Optional[int]:
        return self._max_resolution

    @property
    def preferred_resolution(self) -> Optional[Resolution]:
        return self._preferred_resolution

    @property
    def window_size(self) -> Optional[int]:
        return self.model.window_size

    @property
    def embed_dim(self) -> int:
        return self.model.embed_dim

    @property
    def num_summary_tokens(self) -> int:
        return self.model.num_summary_tokens

    @property
    def num_cls_tokens(self) -> int:
        slots = max((a.head_idx for a in self.adaptors.values()), default=-1)
        return max(self.model.num_cls_tokens, slots + 1)

    @property
    def summary_dim(self) -> int:
        return self.embed_dim * len(self.summary_idxs)

    @property
    def blocks(self) -> nn.Sequential:
        return self.model.blocks

    @property
    def min_resolution_step(self) -> int:
        """Inputs must be a multiple of this; with window padding (default) any multiple of the patch works."""
        if self.window_size is not None and not self.pad_windows:
            return self.patch_size * self.window_size
        return self.patch_size

    def get_nearest_supported_resolution(self, height: int, width: int) -> Resolution:
        step = self.min_resolution_step
        return Resolution(max(int(round(height / step)) * step, step), max(int(round(width / step)) * step, step))

    def make_preprocessor_external(self) -> Callable[[torch.Tensor], torch.Tensor]:
        """Detach the input conditioner (returned) so the model takes normalised inputs."""
        conditioner, self.input_conditioner = self.input_conditioner, nn.Identity()
        return conditioner

    def switch_to_deploy(self) -> None:
        """Upstream API; nothing to fuse in a ViT."""

    # ----- forward -----
    def _prepare_input(self, x: torch.Tensor) -> torch.Tensor:
        if isinstance(x, torch.Tensor) and x.dtype == torch.uint8 and isinstance(self.input_conditioner, nn.Identity):
            raise TypeError('This RADIO model takes normalised float inputs (make_preprocessor_external() was '
                            'called); got uint8 pixels. Apply the returned conditioner to x.float() / 255 first.')
        x = prepare_images(x)
        self._check_input(x)
        return x

    def _check_input(self, x: torch.Tensor) -> None:
        if x.ndim != 4 or x.shape[1] != 3:
            raise ValueError(f'Expected images of shape (B, 3, H, W), got {tuple(x.shape)}')
        step = self.min_resolution_step
        if x.shape[-2] % step or x.shape[-1] % step:
            near = self.get_nearest_supported_resolution(*x.shape[-2:])
            raise ValueError(
                f'The input resolution must be a multiple of min_resolution_step={step} (patch size '
                f'{self.patch_size}{"" if step == self.patch_size else f" x window {self.window_size}"}). '
                f'Input: {tuple(x.shape[-2:])}, nearest supported: {tuple(near)}; resize or pad the image, '
                f'or use model.get_nearest_supported_resolution(h, w).')

    def forward(self, x: torch.Tensor, feature_fmt: str = 'NLC') -> Union[RadioOutput, Dict[str, RadioOutput]]:
        if feature_fmt not in FEATURE_FORMATS:
            raise ValueError(f'Unsupported feature_fmt {feature_fmt!r}; use one of {FEATURE_FORMATS}')
        x = self._prepare_input(x)
        grid = (x.shape[-2] // self.patch_size, x.shape[-1] // self.patch_size)
        tokens = self.model.forward_features(self.input_conditioner(x))
        return self.extract_outputs(tokens, grid, feature_fmt)

    def extract_outputs(self, tokens: torch.Tensor, grid: Tuple[int, int], feature_fmt: str):
        """Final trunk tokens -> ``RadioOutput`` (or dict with adaptor outputs), as :meth:`forward`."""
        all_summary = tokens[:, :self.num_cls_tokens]
        summary = all_summary[:, self.summary_idxs] if all_summary.shape[1] > 1 else all_summary
        features = self.feature_normalizer(tokens[:, self.num_summary_tokens:])
        out = RadioOutput(summary.flatten(1), _format(features, grid, feature_fmt))
        if not self.adaptors:
            return out
        result = {'backbone': out}
        for name, adaptor in self.adaptors.items():
            slot = 0 if all_summary.shape[1] == 1 else adaptor.head_idx
            result[name] = adaptor(all_summary[:, slot].float(), features, grid, feature_fmt)
        return result

    def forward_intermediates(self, x: torch.Tensor, indices: Optional[Union[int, Sequence[int]]] = None,
                              return_prefix_tokens: bool = False, norm: bool = False, stop_early: bool = False,
                              output_fmt: str = 'NCHW', intermediates_only: bool = False,
                              aggregation: str = 'sparse', norm_alpha_scheme: str = 'post-alpha',
                              final_norm: Optional[bool] = None):
        """Outputs of the blocks in ``indices``, with upstream's semantics for every argument.

        ``indices``: an int n takes the last n blocks; a sequence takes those blocks (negative
        counts from the end); ``None`` (a radio_dense extension) takes all. Returns a list with one
        ``(B, C, h, w)`` (``'NCHW'``) or ``(B, h*w, C)`` (``'NLC'``) tensor per index, or
        :class:`RadioOutput` ``(summary, features)`` pairs with ``return_prefix_tokens``. Unless
        ``intermediates_only``, returns ``(final, list)`` where ``final`` is what :meth:`forward`
        returns for the last block run.

        Upstream's behaviour, kept on purpose so results match it (some of it is arguably a bug):

        - ``aggregation='dense'`` averages all blocks of each group (from the block after the
          previous index up to the index), prefix tokens included: the summary of a dense
          intermediate is the group mean, not the last block's.
        - ``stop_early=True`` stops after the last requested block also when
          ``intermediates_only=False``, so ``final`` is that block's output (timm semantics).
        - ``norm`` applies the trunk's final norm to the intermediates *and* to ``final``: with
          ``norm=False`` the final output skips the norm even on checkpoints that have one
          (:meth:`forward` applies it).
        - The intermediate feature normaliser (checkpoints that ship one) whitens spatial tokens
          of sparse and dense intermediates unless ``norm_alpha_scheme='none'``; for dense groups
          the rotation of the group's last block is used, ``'pre-alpha'`` scales each block before
          averaging and ``'post-alpha'`` scales the mean by the mean alpha.

        radio_dense's own extensions: any patch-multiple input in ViTDet mode, intermediates in
        image (row-major) order in ViTDet mode too, ``indices=None``, and ``final_norm``: whether
        ``final`` gets the trunk's final norm (``None``, the default, follows ``norm`` as upstream
        does; ``True`` makes ``final`` equal :meth:`forward`'s output in one trunk pass while the
        intermediates follow ``norm``).
        """
        if output_fmt not in FEATURE_FORMATS:
            raise ValueError(f'Unsupported output_fmt {output_fmt!r}; use one of {FEATURE_FORMATS}')
        if aggregation not in ('sparse', 'dense'):
            raise ValueError(f"aggregation must be 'sparse' or 'dense', got {aggregation!r}")
        if norm_alpha_scheme not in ('none', 'pre-alpha', 'post-alpha'):
            raise ValueError(f'Unsupported norm_alpha_scheme {norm_alpha_scheme!r}')
        x = self._prepare_input(x)
        take = _take_indices(len(self.blocks), indices)
        grid = (x.shape[-2] // self.patch_size, x.shape[-1] // self.patch_size)
        normalizer = self.inter_feature_normalizer if norm_alpha_scheme != 'none' else None
        group = _GroupAverage(take, aggregation == 'dense', normalizer, norm_alpha_scheme == 'post-alpha')
        tokens, _ = self.model.forward_tokens(self.input_conditioner(x), last_block=take[-1] if stop_early else None,
                                              on_block=group.add)
        inter_norm = self.model.norm if norm else nn.Identity()
        outputs = []
        for prefix, spatial in group.results:
            spatial = _format(inter_norm(spatial), grid, output_fmt)
            if return_prefix_tokens:
                summary = inter_norm(prefix[:, :self.model.num_cls_tokens])
                if summary.shape[1] > 1:
                    summary = summary[:, self.summary_idxs]
                outputs.append(RadioOutput(summary.flatten(1), spatial))
            else:
                outputs.append(spatial)
        if intermediates_only:
            return outputs
        norm_final = norm if final_norm is None else final_norm
        tokens = self.model.norm(tokens) if norm_final else tokens
        return self.extract_outputs(tokens, grid, output_fmt), outputs


class _GroupAverage:
    """Collects ``forward_intermediates`` outputs block by block, as upstream's loop does.

    Sparse: the output of each taken block (spatial tokens whitened by the intermediate normaliser,
    scaled by its alpha). Dense: the mean over each group of blocks ending at a taken index.
    """

    def __init__(self, take: List[int], dense: bool, normalizer: Optional[IntermediateFeatureNormalizer],
                 post_alpha: bool):
        self.take, self.dense, self.normalizer, self.post_alpha = take, dense, normalizer, post_alpha
        self.results: List[Tuple[torch.Tensor, torch.Tensor]] = []
        self._next = 0
        self._reset()

    def _reset(self) -> None:
        self._prefix_sum, self._spatial_sum, self._alpha_sum, self._count = 0, 0, 0, 0

    def _whiten(self, spatial: torch.Tensor, index: int, rot_index: int):
        if self.normalizer is None:
            return spatial, 1
        return self.normalizer(spatial, index, rot_index=rot_index)

    def add(self, i: int, prefix: torch.Tensor, spatial: torch.Tensor) -> None:
        if self._next >= len(self.take):
            return
        target = self.take[self._next]
        if self.dense:
            y, alpha = self._whiten(spatial, i, target)
            self._prefix_sum = self._prefix_sum + prefix
            if self.post_alpha:
                self._spatial_sum, self._alpha_sum = self._spatial_sum + y, self._alpha_sum + alpha
            else:
                self._spatial_sum, self._alpha_sum = self._spatial_sum + alpha * y, self._alpha_sum + 1
            self._count += 1
        if i != target:
            return
        if self.dense:
            n = self._count
            prefix = self._prefix_sum / n
            spatial = (self._alpha_sum / n) * self._spatial_sum / n
            self._reset()
        else:
            y, alpha = self._whiten(spatial, i, i)
            spatial = alpha * y
        self.results.append((prefix, spatial))
        self._next += 1


def _format(features: torch.Tensor, grid: Tuple[int, int], fmt: str) -> torch.Tensor:
    if fmt == 'NCHW':
        return features.reshape(features.shape[0], grid[0], grid[1], -1).permute(0, 3, 1, 2)
    return features


def _take_indices(depth: int, indices: Optional[Union[int, Sequence[int]]]) -> List[int]:
    if indices is None:
        indices = depth
    if not isinstance(indices, (list, tuple, range)) and not hasattr(indices, '__iter__'):
        indices = as_block_index(indices)
        if not 0 < indices <= depth:
            raise ValueError(f'indices={indices}: the model has {depth} blocks')
        return list(range(depth - indices, depth))
    indices = [as_block_index(i) for i in indices]
    take = sorted({depth + i if i < 0 else i for i in indices})
    if not take or take[0] < 0 or take[-1] >= depth:
        raise ValueError(f'indices {list(indices)} out of range for a model with {depth} blocks')
    return take
