# Offline demo: train a SAM-style conv neck and the SAM mask decoder (random start: no SAM weights
# offline) on the frozen radio_tiny fixture's backbone features, with simulated prompts (boxes,
# points, correction clicks) on the synthetic shapes set. CPU-sized: 128 px, 1200 iterations of 2 images
# (~8 min on one CPU thread; box-prompt mIoU on the 60 val images 0.05 -> 0.51).
# Tip: on a shared machine run with OMP_NUM_THREADS=1 (small ops suffer from thread oversubscription).
# From a random decoder SAM's 20:1 focal:dice weighting collapses to empty masks, so focal:dice is 1:1.
#   python tools/make_demo_data.py --out data/demo
#   python tools/sam_train.py configs/demo/radio-tiny_sam-conv-neck_1xb2-1200_synthetic-128x128.py --val-before
_base_ = ['../radio_sam/_base_/sam_train_runtime.py']
data_root = 'data/demo/'
resolution = 128
model = dict(
    type='RadioSamModel',
    sam=dict(type='build_radio_sam', encoder=dict(source='tests/fixtures/upstream/radio_tiny/radio-tiny.pth.tar'),
             neck='conv', resolution=resolution, seed=0),
    train_neck=True, train_decoder=True,
    prompt_simulator=dict(box_prob=0.5, num_corrections=1, loss=dict(focal_weight=1.0, dice_weight=1.0)))
train_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root, ann_file='annotations/instances_train.json',
                 data_prefix=dict(img='images/training/'), resolution=resolution, max_instances=6))
val_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root, ann_file='annotations/instances_val.json',
                 data_prefix=dict(img='images/validation/'), resolution=resolution))
test_dataloader = val_dataloader
optim_wrapper = dict(optimizer=dict(lr=1e-3))
max_iters = 1200
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', T_max=max_iters, eta_min=1e-5, by_epoch=False, begin=0, end=max_iters),
]
train_cfg = dict(max_iters=max_iters, val_interval=400)
default_hooks = dict(
    logger=dict(interval=100),
    checkpoint=dict(interval=max_iters, max_keep_ckpts=1, save_best=None, save_optimizer=False,
                    save_param_scheduler=False))
