# Synthetic shapes (tools/make_demo_data.py --out data/demo) as COCO instances (boxes + RLE masks)
# (mmdet's CocoDataset). Six thing classes with COCO ids 1..6; the dataset type (radio_dense.openmmlab.det,
# imported by the model bases) carries the classes and palette. Images of any generated size are
# resized to fit image_size (keep ratio); training adds a mild scale jitter, a crop and a flip.
# Another data_root needs the evaluators' ann_file changed too (it is a full path).
dataset_type = 'SyntheticShapesCocoDataset'
data_root = 'data/demo/'
image_size = (160, 160)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomResize', scale=image_size, ratio_range=(0.8, 1.25), keep_ratio=True),
    dict(type='RandomCrop', crop_type='absolute', crop_size=image_size, recompute_bbox=True,
         allow_negative_crop=False),
    dict(type='FilterAnnotations', min_gt_bbox_wh=(4, 4)),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=image_size, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(
    batch_size=4, num_workers=2, persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root,
                 ann_file='annotations/instances_train.json', data_prefix=dict(img='images/training/'),
                 filter_cfg=dict(filter_empty_gt=True, min_size=32), pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4, num_workers=2, persistent_workers=True, drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root,
                 ann_file='annotations/instances_val.json', data_prefix=dict(img='images/validation/'),
                 test_mode=True, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='CocoMetric', ann_file=data_root + 'annotations/instances_val.json',
                     metric=['bbox', 'segm'], format_only=False)
test_evaluator = val_evaluator
