# Probe protocol: RADIOv2.5-B frozen (eval mode, no gradients, weights bit-identical after
# training), only SimpleFPN + the Mask R-CNN heads learn. Global attention everywhere, as RADIO
# was trained (no ViTDet windows: no backbone activations are kept for backward, so 4096-token
# global attention at 1024x1024 is affordable). Same data and schedule as the fine-tuned B config.
_base_ = ['./radio-v2.5-b_vitdet_mask-rcnn_32xb2-lsj-100e_coco-1024.py']
model = dict(backbone=dict(frozen=True, vitdet_window_size=None, num_global=None, drop_path_rate=0.0,
                           with_cp=False))
# frozen parameters are left out of the optimizer; no layer decay on the trainable neck/heads
optim_wrapper = dict(paramwise_cfg=dict(decay_rate=1.0))
