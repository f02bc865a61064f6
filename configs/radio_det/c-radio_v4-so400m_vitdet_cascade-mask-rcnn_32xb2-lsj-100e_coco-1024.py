# C-RADIOv4-SO400M fine-tuned as a ViTDet Cascade Mask R-CNN on COCO instances, LSJ 1024: the RADIOv2.5-B recipe with the
# release's ViTDet schedule, ViTDet-paper drop path / layer decay and activation checkpointing.
_base_ = ['./radio-v2.5-b_vitdet_cascade-mask-rcnn_32xb2-lsj-100e_coco-1024.py', '../_base_/releases/c-radio_v4-so400m.py']
model = dict(backbone=_base_.radio_det_backbone, neck=dict(in_channels=_base_.radio_width))
optim_wrapper = dict(paramwise_cfg=dict(decay_rate=_base_.radio_det_layer_decay))
