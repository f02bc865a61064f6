# RADIOv2.5-B ViTDet Mask R-CNN with the classic non-square COCO input: shorter side 800 (multi-scale
# 640-800 for training), longer side at most 1333, keep ratio, batches padded to a multiple of 32
# only. RADIOBackbone takes any padded size (ViTDet windows pad the token grid internally), so no
# fixed 1024x1024 canvas is needed. Model, optimizer and schedule as the LSJ config.
_base_ = ['./radio-v2.5-b_vitdet_mask-rcnn_32xb2-lsj-100e_coco-1024.py']
model = dict(data_preprocessor=dict(batch_augments=None, pad_size_divisor=32))
train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=_base_.backend_args),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomChoiceResize', scales=[(1333, s) for s in range(640, 801, 32)], keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=_base_.backend_args),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(
    # group landscape and portrait images so padding stays small
    batch_sampler=dict(_delete_=True, type='AspectRatioBatchSampler'),
    dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
