# Full fine-tuning of a RADIO backbone: mmseg's 80k-iteration schedule with AdamW, layer-wise lr
# decay (RADIOLayerDecayOptimizerConstructor), gradient clipping, 1.5k warm-up and poly decay.
_base_ = ['mmseg::_base_/schedules/schedule_80k.py']
optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.05),
    constructor='RADIOLayerDecayOptimizerConstructor',
    paramwise_cfg=dict(decay_rate=0.75),
    clip_grad=dict(max_norm=1.0, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(type='PolyLR', eta_min=0.0, power=1.0, begin=1500, end=80000, by_epoch=False),
]
auto_scale_lr = dict(enable=False, base_batch_size=16)  # 8 GPUs x 2: --auto-scale-lr rescales the lr to your batch
