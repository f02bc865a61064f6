# Offline depth demo: a tiny RADIO trained from scratch with the multi-layer linear probe head on the synthetic
# shapes' depth (python tools/make_demo_data.py --out data/demo), mmseg's DepthEstimator / NYUDataset / DepthMetric.
# The shapes are tilted planes at 1.5-5 m before a 6-9 m background, hazed by depth: learnable from pixels.
# Measured (make_demo_data.py --num-train 300 --num-val 60 --size 256 --seed 0; 2 shared AMD cores, 14 min):
# AbsRel 0.1009 / 0.1075 / 0.0954 at 100 / 200 / 300 iterations (d1 0.912, RMSE 0.727 m at 300).
_base_ = [
    'mmseg::_base_/default_runtime.py', '../_base_/datasets/synthetic_shapes_depth.py',
    '../_base_/models/radio_depth_linear.py', '../_base_/schedules/demo_adamw_300.py',
]
crop_size = (192, 192)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(checkpoint=None, arch='radio-tiny', out_indices=(2, 5, 8, 11), frozen=False, drop_path_rate=0.0),
    decode_head=dict(in_channels=[192] * 4, channels=4 * 192, num_bins=64, norm_cfg=dict(type='BN', requires_grad=True)))
default_hooks = dict(visualization=dict(type='SegVisualizationHook', draw=False))
train_dataloader = dict(batch_size=4)
auto_scale_lr = dict(enable=False, base_batch_size=4)
