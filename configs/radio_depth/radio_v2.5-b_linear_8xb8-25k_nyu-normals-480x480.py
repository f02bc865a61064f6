# RADIOv2.5-B + Probe3D's multi-layer linear probe for NYUv2 surface normals (unit normals, AngularLoss,
# NormalMetric: mean / median angle error and % within 11.25 / 22.5 / 30 degrees); the depth leaf's model.
_base_ = [
    'mmseg::_base_/default_runtime.py', '../_base_/datasets/nyu_normals.py', '../_base_/models/radio_depth_linear.py',
    '../_base_/schedules/radio_dense_probe_25k.py',
]
crop_size = (480, 480)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(checkpoint='radio_v2.5-b', arch='vit-b-16', out_indices=(2, 5, 8, 11)),
    decode_head=dict(target='normal', in_channels=[768] * 4, channels=4 * 768,
                     loss_decode=dict(_delete_=True, type='AngularLoss')),
    test_cfg=dict(mode='whole'))
