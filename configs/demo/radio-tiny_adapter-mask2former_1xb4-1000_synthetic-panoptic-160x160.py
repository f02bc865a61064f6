# Offline demo: a tiny RADIO from scratch with ViT-Adapter + a light Mask2Former (mmdet's detector,
# unchanged) for panoptic segmentation of the synthetic shapes set: the six shapes are things, the
# background is one stuff class (python tools/make_demo_data.py --out data/demo writes the
# COCO-panoptic PNGs + json). Scored with mmdet's CocoPanopticMetric (PQ).
_base_ = ['mmdet::mask2former/mask2former_r50_8xb2-lsj-50e_coco-panoptic.py', '../_base_/models/radio_adapter.py']
custom_imports = dict(imports=['radio_dense.openmmlab.det'], allow_failed_imports=False)
image_size = (160, 160)
num_things_classes = 6
num_stuff_classes = 1
num_classes = num_things_classes + num_stuff_classes
model = dict(
    data_preprocessor=dict(
        mean=None, std=None,
        batch_augments=[dict(type='BatchFixedSizePad', size=image_size, img_pad_value=0, pad_mask=True,
                             mask_pad_value=0, pad_seg=True, seg_pad_value=255)]),
    backbone=dict(_base_.radio_adapter_b, _delete_=True, checkpoint=None, arch='radio-tiny', deform_num_heads=6,
                  drop_path_rate=0.0, norm_cfg=dict(type='BN', requires_grad=True)),
    panoptic_head=dict(
        in_channels=[192, 192, 192, 192], feat_channels=64, out_channels=64, num_queries=16,
        num_things_classes=num_things_classes, num_stuff_classes=num_stuff_classes,
        pixel_decoder=dict(encoder=dict(num_layers=2, layer_cfg=dict(
            self_attn_cfg=dict(embed_dims=64, num_heads=4), ffn_cfg=dict(embed_dims=64, feedforward_channels=256))),
            positional_encoding=dict(num_feats=32)),
        positional_encoding=dict(num_feats=32),
        transformer_decoder=dict(num_layers=3, layer_cfg=dict(
            self_attn_cfg=dict(embed_dims=64, num_heads=4), cross_attn_cfg=dict(embed_dims=64, num_heads=4),
            ffn_cfg=dict(embed_dims=64, feedforward_channels=256))),
        loss_cls=dict(class_weight=[1.0] * num_classes + [0.1])),
    panoptic_fusion_head=dict(num_things_classes=num_things_classes, num_stuff_classes=num_stuff_classes),
    train_cfg=dict(num_points=160 * 160 // 4),
    test_cfg=dict(instance_on=False, max_per_image=16))

data_root = 'data/demo/'
metainfo = dict(
    classes=('circle', 'square', 'triangle', 'star', 'ellipse', 'cross', 'background'),
    thing_classes=('circle', 'square', 'triangle', 'star', 'ellipse', 'cross'),
    stuff_classes=('background',),
    palette=[(220, 45, 40), (40, 85, 225), (40, 185, 60), (240, 205, 35), (205, 55, 205), (35, 205, 215), (0, 0, 0)])
train_pipeline = [
    dict(type='LoadImageFromFile', to_float32=True),
    dict(type='LoadPanopticAnnotations', with_bbox=True, with_mask=True, with_seg=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomResize', scale=image_size, ratio_range=(0.8, 1.5), keep_ratio=True),
    dict(type='RandomCrop', crop_size=image_size, crop_type='absolute', recompute_bbox=True, allow_negative_crop=True),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile', to_float32=True),
    dict(type='Resize', scale=image_size, keep_ratio=True),
    dict(type='LoadPanopticAnnotations', with_bbox=True, with_mask=True, with_seg=True),
    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
dataset = dict(type='CocoPanopticDataset', data_root=data_root, metainfo=metainfo)
train_dataloader = dict(
    batch_size=4, num_workers=2, persistent_workers=True,
    dataset=dict(dataset, ann_file='annotations/panoptic_train.json',
                 data_prefix=dict(img='images/training/', seg='annotations/panoptic_train/'), pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4, num_workers=2, persistent_workers=True,
    dataset=dict(dataset, ann_file='annotations/panoptic_val.json',
                 data_prefix=dict(img='images/validation/', seg='annotations/panoptic_val/'), pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='CocoPanopticMetric', ann_file=data_root + 'annotations/panoptic_val.json',
                     seg_prefix=data_root + 'annotations/panoptic_val/')
test_evaluator = val_evaluator

optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0.05),
    constructor='RADIOLayerDecayOptimizerConstructor',
    paramwise_cfg=dict(decay_rate=1.0),
    clip_grad=dict(max_norm=1.0, norm_type=2))
max_iters = 1000
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=50),
    dict(type='PolyLR', eta_min=0.0, power=1.0, begin=50, end=max_iters, by_epoch=False),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=250, dynamic_intervals=None)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20, log_metric_by_epoch=False),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=250, save_last=True, max_keep_ckpts=1))
auto_scale_lr = dict(enable=False, base_batch_size=4)
randomness = dict(seed=0)
