"""Loading surface-normal annotations into mmseg's depth pipeline (``gt_depth_map`` holds the normals).

Normals are stored as 8-bit RGB PNGs (:func:`radio_dense.data.geometry.encode_normals`), ``n = rgb / 255 * 2 - 1`` (x right, y down, z away from the
camera; a camera-facing surface is ``(0, 0, -1)``), with ``(0, 0, 0)`` = unlabelled. They travel in the
``gt_depth_map`` field so mmseg's ``DepthEstimator`` and its test-time resize work unchanged.
Horizontal flips must negate ``x``: use :class:`RandomFlipNormals`, not ``RandomFlip``.
"""
import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine import fileio
from mmseg.datasets.transforms import PackSegInputs
from mmseg.registry import TRANSFORMS

from ...data.geometry import decode_normals


@TRANSFORMS.register_module()
class LoadNormalAnnotation(BaseTransform):
    """Read the RGB normal map at ``results['depth_map_path']`` into ``results['gt_depth_map']`` (H, W, 3)."""

    def __init__(self, backend_args=None):
        self.backend_args = backend_args

    def transform(self, results: dict) -> dict:
        import mmcv
        bgr = mmcv.imfrombytes(fileio.get(results['depth_map_path'], self.backend_args), flag='color')
        results['gt_depth_map'] = decode_normals(bgr[..., ::-1])
        results.setdefault('seg_fields', []).append('gt_depth_map')
        return results


@TRANSFORMS.register_module()
class RandomFlipNormals(BaseTransform):
    """Horizontal flip of the image and the normals, negating the normals' x component."""

    def __init__(self, prob: float = 0.5):
        self.prob = prob

    def transform(self, results: dict) -> dict:
        flip = bool(np.random.rand() < self.prob)
        results['flip'], results['flip_direction'] = flip, 'horizontal'
        if flip:
            results['img'] = np.ascontiguousarray(results['img'][:, ::-1])
            n = results['gt_depth_map'][:, ::-1].copy()
            n[..., 0] *= -1
            results['gt_depth_map'] = n
        return results


@TRANSFORMS.register_module()
class PackNormalInputs(PackSegInputs):
    """``PackSegInputs`` with the normals as a ``(3, H, W)`` ``gt_depth_map`` (mmseg packs ``(1, H, W, 3)``)."""

    def transform(self, results: dict) -> dict:
        from mmengine.structures import PixelData
        normals = results.pop('gt_depth_map', None)
        packed = super().transform(results)
        if normals is not None:
            data = torch.from_numpy(np.ascontiguousarray(normals.transpose(2, 0, 1)))
            packed['data_samples'].set_data(dict(gt_depth_map=PixelData(data=data)))
        return packed
