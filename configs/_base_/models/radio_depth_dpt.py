# A DPT-style depth head for RADIO (DPTRegressionHead): four evenly spaced blocks reassembled at strides 4 / 8 / 16 / 32
# of the patch grid (x4, x2, x1, x0.5), fused top-down, 256 depth bins. A variable, not a model: a leaf swaps its
# head with ``decode_head=dict(_base_.radio_dpt_head, _delete_=True, in_channels=[width] * 4)``.
radio_dpt_head = dict(
    type='DPTRegressionHead', target='depth', in_channels=[768] * 4, in_index=[0, 1, 2, 3], channels=256,
    scales=(4, 2, 1, 0.5), num_bins=256, min_depth=1e-3, max_depth=10.0, dropout_ratio=0.0,
    norm_cfg=dict(type='SyncBN', requires_grad=True), align_corners=False,
    loss_decode=dict(type='SiLogLoss', loss_weight=1.0))
