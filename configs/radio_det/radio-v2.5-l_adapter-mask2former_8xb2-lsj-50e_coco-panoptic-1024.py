# RADIOv2.5-L + ViT-Adapter + Mask2Former, COCO panoptic: the ViT-B config's recipe (mmdet's
# Mask2Former LSJ 50-epoch schedule, 8 GPUs x 2) with the L adapter (interactions after blocks
# 5/11/17/23, 16 deformable heads, drop path 0.4), layer decay 0.9 and activation checkpointing.
# Published targets (COCO val2017 PQ):
#   Mask2Former: Swin-L IN-22k, 100 epochs: 57.8 (paper), 57.6 (mmdet's reproduction);
#   ViT-Adapter repo: ViT-Adapter-L (BEiTv2-L) + Mask2Former, 3x + multi-scale training: 58.4;
#   NVIDIA TAO: no public C-RADIO + Mask2Former COCO-panoptic number found when this was written.
_base_ = ['./radio-v2.5-b_adapter-mask2former_8xb2-lsj-50e_coco-panoptic-1024.py', '../_base_/releases/radio_v2.5-l.py']
model = dict(backbone=dict(_base_.radio_adapter, with_cp=True), panoptic_head=dict(in_channels=[_base_.radio_width] * 4))
optim_wrapper = dict(paramwise_cfg=dict(decay_rate=0.9))
