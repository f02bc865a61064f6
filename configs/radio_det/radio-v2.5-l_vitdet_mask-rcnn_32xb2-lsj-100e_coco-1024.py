# RADIOv2.5-L fine-tuned as a ViTDet Mask R-CNN on COCO instances: large-scale jitter at
# 1024x1024, ViTDet attention (16x16-patch windows, 4 global blocks), drop path 0.4, AdamW with
# layer-wise lr decay 0.8, 100 epochs, activation checkpointing on (with_cp) to fit 1024x1024.
_base_ = ['./radio-v2.5-b_vitdet_mask-rcnn_32xb2-lsj-100e_coco-1024.py', '../_base_/releases/radio_v2.5-l.py']
model = dict(backbone=_base_.radio_det_backbone, neck=dict(in_channels=_base_.radio_width))
optim_wrapper = dict(paramwise_cfg=dict(decay_rate=_base_.radio_det_layer_decay))
