# RADIO + Probe3D's multi-layer linear probe for monocular depth in mmseg's DepthEstimator: a frozen trunk,
# four evenly spaced blocks concatenated, BatchNorm + 1x1 conv into 256 uniform depth bins (expectation = depth).
# Depth targets are never padded with 255: the preprocessor pads ground truth with 0 (= invalid).
_base_ = ['../radio_preprocess.py']
model = dict(
    type='DepthEstimator',
    data_preprocessor=dict(seg_pad_val=0),
    backbone=dict(type='RADIOBackbone', checkpoint=None, arch='vit-b-16', out_indices=(2, 5, 8, 11), frozen=True),
    decode_head=dict(
        type='MultiLayerLinearHead', target='depth', in_channels=[768] * 4, in_index=[0, 1, 2, 3], channels=4 * 768,
        num_bins=256, min_depth=1e-3, max_depth=10.0, dropout_ratio=0.0, norm_cfg=dict(type='SyncBN', requires_grad=True),
        align_corners=False, loss_decode=dict(type='SiLogLoss', loss_weight=1.0)))
