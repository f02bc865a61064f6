# RADIOv2.5-L at high resolution on Cityscapes: ViTDet attention (16x16-patch windows, 4 global
# blocks), 1024x1024 crops, sliding-window inference over full 1024x2048 images.
_base_ = [
    'mmseg::_base_/datasets/cityscapes_1024x1024.py', 'mmseg::_base_/default_runtime.py',
    '../_base_/models/radio_upernet.py', '../_base_/schedules/radio_finetune_80k.py',
]
crop_size = (1024, 1024)
# One image per GPU: BatchNorm (also SyncBN in a single process) cannot train UPerNet's 1x1 pyramid
# pooling level on one value per channel, so the heads use GroupNorm, which is independent of the
# batch size and needs no cross-GPU synchronisation (as ViTDet does at small per-GPU batches).
head_norm_cfg = dict(type='GN', num_groups=32, requires_grad=True)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(checkpoint='radio_v2.5-l', arch='vit-l-16', drop_path_rate=0.2,
                  vitdet_window_size=16, num_global=4, with_cp=True),
    neck=dict(in_channels=1024),
    decode_head=dict(num_classes=19, norm_cfg=head_norm_cfg),
    auxiliary_head=dict(num_classes=19, norm_cfg=head_norm_cfg),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(768, 768)))
optim_wrapper = dict(paramwise_cfg=dict(decay_rate=0.85))
train_dataloader = dict(batch_size=1)
auto_scale_lr = dict(base_batch_size=8)  # 8 GPUs x 1
