# RADIOv2.5-B linear probe on ADE20K (upstream protocol): frozen backbone, BN + 1x1 conv,
# AdamW lr 1e-3, 80k iterations, batch 16 (8 GPUs x 2).
_base_ = [
    'mmseg::_base_/datasets/ade20k.py', 'mmseg::_base_/default_runtime.py',
    '../_base_/models/radio_linear.py', '../_base_/schedules/radio_linear_probe_80k.py',
]
crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(checkpoint='radio_v2.5-b', arch='vit-b-16'),
    decode_head=dict(in_channels=768, channels=768, num_classes=150))
train_dataloader = dict(batch_size=2)
val_dataloader = dict(batch_size=1)
test_dataloader = val_dataloader
