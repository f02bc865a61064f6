# NYUv2 surface normals: mmseg's nyu.py layout with the normals as RGB PNGs (radio_dense.data.geometry.encode_normals:
# rgb = (n + 1) / 2 * 255, x right, y down, z away from the camera, (0, 0, 0) = unlabelled), e.g. the
# 795 / 654 train / test split with the normals of Ladicky et al. converted to that encoding:
#   data/nyu_normals/images/{train,test}/*.jpg   data/nyu_normals/normals/{train,test}/*.png
# Flips negate x (RandomFlipNormals); photometric augmentation as in ./nyu_depth.py.
_base_ = ['./nyu_depth.py']
data_root = 'data/nyu_normals'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadNormalAnnotation'),
    dict(type='RandomFlipNormals', prob=0.5),
    dict(type='RandomCrop', crop_size=(480, 480)),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackNormalInputs', meta_keys={{_base_.nyu_meta_keys}}),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2000, 480), keep_ratio=True),
    dict(type='LoadNormalAnnotation'),
    dict(type='PackNormalInputs', meta_keys={{_base_.nyu_meta_keys}}),
]
train_dataloader = dict(dataset=dict(data_root=data_root, pipeline=train_pipeline,
                                     data_prefix=dict(img_path='images/train', depth_map_path='normals/train')))
val_dataloader = dict(dataset=dict(data_root=data_root, pipeline=test_pipeline,
                                   data_prefix=dict(img_path='images/test', depth_map_path='normals/test')))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='NormalMetric')
test_evaluator = val_evaluator
