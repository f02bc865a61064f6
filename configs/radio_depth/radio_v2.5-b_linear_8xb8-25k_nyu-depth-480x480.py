# RADIOv2.5-B + Probe3D's multi-layer linear probe for NYUv2 depth (frozen trunk, blocks 3/6/9/12, 256 depth bins,
# SiLog loss): mmseg's nyu.py pipeline (../_base_/datasets/nyu_depth.py) (480x480 crops, depth in metres) and DepthMetric with the NYU crop.
_base_ = [
    'mmseg::_base_/default_runtime.py', '../_base_/datasets/nyu_depth.py', '../_base_/models/radio_depth_linear.py',
    '../_base_/schedules/radio_dense_probe_25k.py',
]
crop_size = (480, 480)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(checkpoint='radio_v2.5-b', arch='vit-b-16', out_indices=(2, 5, 8, 11)),
    decode_head=dict(in_channels=[768] * 4, channels=4 * 768),
    test_cfg=dict(mode='whole'))
