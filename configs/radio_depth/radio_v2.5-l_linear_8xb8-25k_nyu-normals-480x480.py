# RADIOv2.5-L + Probe3D's multi-layer linear probe for NYUv2 surface normals (frozen trunk, blocks 6/12/18/24).
_base_ = ['./radio_v2.5-b_linear_8xb8-25k_nyu-normals-480x480.py', '../_base_/releases/radio_v2.5-l.py']
model = dict(
    backbone=dict(_base_.radio_backbone, out_indices=(5, 11, 17, 23)),
    decode_head=dict(in_channels=[_base_.radio_width] * 4, channels=4 * _base_.radio_width))
