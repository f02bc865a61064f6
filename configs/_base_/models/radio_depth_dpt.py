# RADIO + a DPT-style head for monocular depth in mmseg's DepthEstimator: a frozen trunk, four evenly spaced blocks
# reassembled at strides 4 / 8 / 16 / 32 of the patch grid (x4, x2, x1, x0.5) and fused top-down.
_base_ = ['./radio_depth_linear.py']
model = dict(
    decode_head=dict(
        _delete_=True, type='DPTRegressionHead', target='depth', in_channels=[768] * 4, in_index=[0, 1, 2, 3],
        channels=256, scales=(4, 2, 1, 0.5), num_bins=256, min_depth=1e-3, max_depth=10.0, dropout_ratio=0.0,
        norm_cfg=dict(type='SyncBN', requires_grad=True), align_corners=False,
        loss_decode=dict(type='SiLogLoss', loss_weight=1.0)))
