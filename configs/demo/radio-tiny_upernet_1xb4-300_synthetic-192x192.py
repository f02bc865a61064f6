# Offline demo: a tiny RADIO trained from scratch with SimpleFPN + a light UPerNet head on the
# synthetic shapes data set (python tools/make_demo_data.py --out data/demo). Runs on a laptop CPU:
# 300 iterations of 4 images on one process (1xb4-300), warm-up then poly decay to exactly 0 at 300.
# AdamW lr 2e-3: validation mIoU 85.1 at 300 (lr 1e-3 decayed to 0 over the same 300: 68.1).
_base_ = [
    'mmseg::_base_/default_runtime.py', '../_base_/datasets/synthetic_shapes_seg.py',
    '../_base_/models/radio_upernet.py', '../_base_/schedules/demo_adamw_300.py',
]
crop_size = (192, 192)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(checkpoint=None, arch='radio-tiny', drop_path_rate=0.0),
    neck=dict(in_channels=192, out_channels=64),
    decode_head=dict(in_channels=[64, 64, 64, 64], channels=64, num_classes=7, dropout_ratio=0.0,
                     norm_cfg=dict(type='BN', requires_grad=True)),
    auxiliary_head=dict(in_channels=64, channels=64, num_classes=7, norm_cfg=dict(type='BN', requires_grad=True)))
default_hooks = dict(visualization=dict(type='SegVisualizationHook', draw=False))
train_dataloader = dict(batch_size=4)
auto_scale_lr = dict(enable=False, base_batch_size=4)
