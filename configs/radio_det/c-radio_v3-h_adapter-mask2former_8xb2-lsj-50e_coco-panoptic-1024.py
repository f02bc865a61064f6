# C-RADIOv3-H + ViT-Adapter + Mask2Former, COCO panoptic (LSJ 1024, 50 epochs, 8 GPUs x 2): the RADIOv2.5-B
# recipe with the release's adapter, its layer decay and activation checkpointing. Targets: see the B config.
_base_ = ['./radio-v2.5-b_adapter-mask2former_8xb2-lsj-50e_coco-panoptic-1024.py', '../_base_/releases/c-radio_v3-h.py']
model = dict(backbone=dict(_base_.radio_adapter, with_cp=True), panoptic_head=dict(in_channels=[_base_.radio_width] * 4))
optim_wrapper = dict(paramwise_cfg=dict(decay_rate=_base_.radio_layer_decay))
