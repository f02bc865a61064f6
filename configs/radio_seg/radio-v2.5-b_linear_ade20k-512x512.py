# RADIOv2.5-B linear probe on ADE20K (upstream protocol): frozen backbone, BN + 1x1 conv,
# AdamW lr 1e-3, 80k iterations, batch 16 (8 GPUs x 2).
_base_ = [
    'mmseg::_base_/datasets/ade20k.py', 'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_80k.py', '../_base_/models/radio_linear.py',
]
crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(checkpoint='radio_v2.5-b', arch='vit-b-16'),
    decode_head=dict(in_channels=768, channels=768, num_classes=150))
optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(type='PolyLR', eta_min=0.0, power=1.0, begin=1500, end=80000, by_epoch=False),
]
train_dataloader = dict(batch_size=2)
val_dataloader = dict(batch_size=1)
test_dataloader = val_dataloader
auto_scale_lr = dict(enable=False, base_batch_size=16)
