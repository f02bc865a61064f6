# RADIOv2.5-B fine-tuned as a ViTDet Cascade Mask R-CNN on COCO instances (three box stages at
# IoU 0.5/0.6/0.7): large-scale jitter at 1024x1024, ViTDet attention (16x16-patch windows,
# 4 global blocks), drop path 0.1, AdamW with layer-wise lr decay 0.7, 100 epochs.
_base_ = [
    '../_base_/models/radio_cascade-mask-rcnn_vitdet.py', '../_base_/datasets/coco_instance_lsj-1024.py',
    '../_base_/schedules/radio_det_lsj-100e.py',
]
model = dict(
    data_preprocessor=dict(batch_augments=[dict(type='BatchFixedSizePad', size=_base_.image_size, pad_mask=True)]),
    backbone=dict(checkpoint='radio_v2.5-b', arch='vit-b-16', vitdet_window_size=16, num_global=4,
                  drop_path_rate=0.1, with_cp=False),
    neck=dict(in_channels=768))
optim_wrapper = dict(paramwise_cfg=dict(decay_rate=0.7))
