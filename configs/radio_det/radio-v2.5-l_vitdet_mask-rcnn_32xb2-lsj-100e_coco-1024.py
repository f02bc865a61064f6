# RADIOv2.5-L fine-tuned as a ViTDet Mask R-CNN on COCO instances: large-scale jitter at
# 1024x1024, ViTDet attention (16x16-patch windows, 4 global blocks), drop path 0.4, AdamW with
# layer-wise lr decay 0.8, 100 epochs, activation checkpointing on (with_cp) to fit 1024x1024.
_base_ = [
    '../_base_/models/radio_mask-rcnn_vitdet.py', '../_base_/datasets/coco_instance_lsj-1024.py',
    '../_base_/schedules/radio_det_lsj-100e.py',
]
model = dict(
    data_preprocessor=dict(batch_augments=[dict(type='BatchFixedSizePad', size=_base_.image_size, pad_mask=True)]),
    backbone=dict(checkpoint='radio_v2.5-l', arch='vit-l-16', vitdet_window_size=16, num_global=4,
                  drop_path_rate=0.4, with_cp=True),
    neck=dict(in_channels=1024))
optim_wrapper = dict(paramwise_cfg=dict(decay_rate=0.8))
