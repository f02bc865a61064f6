# RADIOv2.5-B linear probe on Pascal VOC 2012 (21 classes), same protocol as ADE20K.
_base_ = [
    'mmseg::_base_/datasets/pascal_voc12.py', 'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_40k.py', '../_base_/models/radio_linear.py',
]
crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(checkpoint='radio_v2.5-b', arch='vit-b-16'),
    decode_head=dict(in_channels=768, channels=768, num_classes=21))
optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(type='PolyLR', eta_min=0.0, power=1.0, begin=1500, end=40000, by_epoch=False),
]
