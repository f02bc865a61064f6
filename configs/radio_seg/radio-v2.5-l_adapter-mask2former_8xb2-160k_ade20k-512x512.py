# RADIOv2.5-L + ViT-Adapter + Mask2Former, semantic segmentation on ADE20K: the ViT-B config's
# recipe (mmseg's Mask2Former 160k schedule, 512x512 crops, 8 GPUs x 2) with the L adapter
# (interactions after blocks 5/11/17/23, 16 deformable heads, drop path 0.4) and layer decay 0.9.
# Published targets (single-scale mIoU, ADE20K val):
#   Mask2Former as reproduced by mmseg: Swin-L IN-22k, 640 crop: 56.01 (the paper's best ADE20K
#     result, 57.7, is multi-scale with a larger pixel decoder);
#   ViT-Adapter paper / repo: ViT-Adapter-L (BEiT-L) + Mask2Former, 640 crop, 160k: 58.3 (59.0 MS);
#   NVIDIA TAO: no public C-RADIO + Mask2Former ADE20K number found when this was written.
_base_ = ['./radio-v2.5-b_adapter-mask2former_8xb2-160k_ade20k-512x512.py', '../_base_/releases/radio_v2.5-l.py']
model = dict(backbone=_base_.radio_adapter, decode_head=dict(in_channels=[_base_.radio_width] * 4))
optim_wrapper = dict(paramwise_cfg=dict(decay_rate=0.9))
