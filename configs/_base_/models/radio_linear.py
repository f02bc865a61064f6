# RADIO linear probe (upstream protocol): frozen backbone, BatchNorm + 1x1 conv head.
_base_ = ['../radio_preprocess.py']
model = dict(
    backbone=dict(type='RADIOBackbone', checkpoint=None, arch='vit-b-16', out_indices=(-1,), frozen=True),
    decode_head=dict(
        type='LinearBNHead', in_channels=768, in_index=0, channels=768, dropout_ratio=0.0,
        num_classes=150, norm_cfg=dict(type='SyncBN', requires_grad=True), align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)))
