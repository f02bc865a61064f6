"""mmcv's RoIAlign / NMS have no bf16 kernels (CPU or CUDA): under bf16 autocast they run in fp32."""
import pytest
import torch

import radio_dense.openmmlab  # noqa: F401  (applies the patch)
from mmcv.ops import MultiScaleDeformableAttention, RoIAlign, nms
from radio_dense.openmmlab.engine.mmcv_fp32_ops import fp32_for_bf16


def _inputs():
    g = torch.Generator().manual_seed(0)
    feats = torch.rand(1, 8, 16, 16, generator=g).bfloat16()
    rois = torch.tensor([[0, 1.0, 1.0, 9.0, 12.0], [0, 4.0, 2.0, 15.0, 6.0]]).bfloat16()
    return feats, rois


def test_unpatched_kernels_refuse_bf16():
    """Why the patch exists (if mmcv ever gains bf16 kernels, this fails and the patch can go)."""
    feats, rois = _inputs()
    from mmcv.ops.roi_align import RoIAlignFunction
    with pytest.raises((NotImplementedError, RuntimeError), match='BFloat16'):
        RoIAlignFunction.apply(feats, rois, (2, 2), 1.0, 0, 'avg', True)


def test_roi_align_and_nms_run_in_fp32_on_bf16_inputs():
    feats, rois = _inputs()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = RoIAlign((3, 3), 1.0, 0)(feats, rois)
        keep = nms(rois[:, 1:], torch.tensor([0.9, 0.8]).bfloat16(), 0.5)[1]
    assert out.dtype == torch.bfloat16
    reference = RoIAlign((3, 3), 1.0, 0)(feats.float(), rois.float())
    assert (out.float() - reference).abs().max() < 1e-2
    assert keep.tolist() == [0, 1]


def test_fp32_and_fp16_calls_are_untouched():
    calls = []

    def op(x):
        calls.append(x.dtype)
        return x * 2
    wrapped = fp32_for_bf16(op)
    for dtype in (torch.float32, torch.float16, torch.bfloat16):
        assert wrapped(torch.ones(2, dtype=dtype)).dtype == dtype
    assert calls == [torch.float32, torch.float16, torch.float32]
    assert fp32_for_bf16(wrapped) is wrapped


def test_deformable_attention_under_bf16_autocast_matches_fp32():
    torch.manual_seed(0)
    attn = MultiScaleDeformableAttention(embed_dims=32, num_heads=4, num_levels=1, num_points=2, batch_first=True).eval()
    query, value = torch.rand(1, 10, 32), torch.rand(1, 64, 32)
    args = dict(value=value, reference_points=torch.rand(1, 10, 1, 2), spatial_shapes=torch.tensor([[8, 8]]),
                level_start_index=torch.tensor([0]))
    with torch.no_grad():
        ref = attn(query, **args)
        with torch.autocast('cpu', dtype=torch.bfloat16):
            got = attn(query, **args)
    assert torch.nn.functional.cosine_similarity(got.float().flatten(), ref.flatten(), dim=0) > 0.999
