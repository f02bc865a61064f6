# NYUv2 depth: mmseg's nyu.py (data/nyu: images/{train,test}, annotations/{train,test} uint16 millimetres,
# DepthMetric with the NYU crop), with mmseg's own PhotoMetricDistortion in place of its Albumentations step
# (albumentations is not a dependency of radio_dense).
_base_ = ['mmseg::_base_/datasets/nyu.py']
nyu_meta_keys = ('img_path', 'depth_map_path', 'ori_shape', 'img_shape', 'pad_shape', 'scale_factor', 'flip',
                 'flip_direction', 'category_id')
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadDepthAnnotation', depth_rescale_factor=1e-3),
    dict(type='RandomDepthMix', prob=0.25),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomCrop', crop_size=(480, 480)),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs', meta_keys=nyu_meta_keys),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
