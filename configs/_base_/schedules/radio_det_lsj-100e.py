# ViTDet's 100-epoch COCO schedule for a RADIO backbone (plus mmdet's default runtime): 184,375
# iterations of 64 images (e.g. 32 GPUs x 2), AdamW lr 1e-4 / weight decay 0.1 with layer-wise
# lr decay (leaves set decay_rate: 0.7 for ViT-B, 0.8 for ViT-L), 250 warm-up iterations, lr
# x0.1 at epochs 88 and 96. Other total batch sizes: --cfg-options auto_scale_lr.enable=True
# scales the lr linearly from 64 images per iteration.
_base_ = 'mmdet::_base_/default_runtime.py'
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.1),
    constructor='RADIOLayerDecayOptimizerConstructor',
    paramwise_cfg=dict(decay_rate=0.7))
max_iters = 184375
interval = 5000
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=250),
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=max_iters, milestones=[163889, 177546], gamma=0.1),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=interval,
                 dynamic_intervals=[(max_iters // interval * interval + 1, max_iters)])
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=interval, save_last=True, max_keep_ckpts=2))
log_processor = dict(type='LogProcessor', window_size=50, by_epoch=False)
auto_scale_lr = dict(enable=False, base_batch_size=64)
