# RADIOv2.5-B + a DPT-style head for NYUv2 depth (frozen trunk, blocks 3/6/9/12 reassembled at x4/x2/x1/x0.5).
_base_ = ['./radio_v2.5-b_linear_8xb8-25k_nyu-depth-480x480.py', '../_base_/models/radio_depth_dpt.py']
model = dict(decode_head=dict(_base_.radio_dpt_head, _delete_=True, in_channels=[768] * 4))
