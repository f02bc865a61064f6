# RADIO fine-tuned with ViTDet's simple feature pyramid + UPerNet.
_base_ = ['../radio_preprocess.py']
model = dict(
    backbone=dict(type='RADIOBackbone', checkpoint=None, arch='vit-b-16', out_indices=(-1,),
                  drop_path_rate=0.1, with_cp=False),
    neck=dict(type='SimpleFPN', in_channels=768, out_channels=256, scale_factors=(4.0, 2.0, 1.0, 0.5)),
    decode_head=dict(
        type='UPerHead', in_channels=[256, 256, 256, 256], in_index=[0, 1, 2, 3], pool_scales=(1, 2, 3, 6),
        channels=512, dropout_ratio=0.1, num_classes=150, norm_cfg=dict(type='SyncBN', requires_grad=True),
        align_corners=False, loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=dict(
        type='FCNHead', in_channels=256, in_index=2, channels=256, num_convs=1, concat_input=False,
        dropout_ratio=0.1, num_classes=150, norm_cfg=dict(type='SyncBN', requires_grad=True),
        align_corners=False, loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)))
