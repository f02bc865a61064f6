# C-RADIOv3-B fine-tuned as a Mask R-CNN on COCO instances, LSJ 1024, with GLOBAL attention in every block:
# C-RADIOv3 has no ViTDet mode (upstream refuses vitdet_window_size for it; so does radio_dense, with a
# message), so the release base sets vitdet_window_size=None and with_cp=True; otherwise the ViTDet recipe.
_base_ = ['./radio-v2.5-b_vitdet_mask-rcnn_32xb2-lsj-100e_coco-1024.py', '../_base_/releases/c-radio_v3-b.py']
model = dict(backbone=_base_.radio_det_backbone, neck=dict(in_channels=_base_.radio_width))
optim_wrapper = dict(paramwise_cfg=dict(decay_rate=_base_.radio_det_layer_decay))
