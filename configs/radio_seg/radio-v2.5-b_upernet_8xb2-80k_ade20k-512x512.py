# RADIOv2.5-B fully fine-tuned with SimpleFPN + UPerNet on ADE20K, layer-wise lr decay 0.75.
_base_ = [
    'mmseg::_base_/datasets/ade20k.py', 'mmseg::_base_/default_runtime.py',
    '../_base_/models/radio_upernet.py', '../_base_/schedules/radio_finetune_80k.py',
]
crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(checkpoint='radio_v2.5-b', arch='vit-b-16', drop_path_rate=0.1),
    neck=dict(in_channels=768),
    decode_head=dict(num_classes=150),
    auxiliary_head=dict(num_classes=150))
train_dataloader = dict(batch_size=2)
val_dataloader = dict(batch_size=1)
test_dataloader = val_dataloader
