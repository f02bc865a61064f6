# Fine-tune a SAM-style conv neck on RADIOv2.5-B backbone features (RADIO frozen) so that SAM ViT-H's
# prompt encoder / mask decoder (frozen) read them; COCO 2017 instances, 1024 px, square padding.
# python tools/sam_train.py THIS --work-dir work_dirs/radio-b_conv-neck   (add --cfg-options model.train_decoder=True
# to fine-tune the mask decoder too)
_base_ = ['./_base_/sam_train_runtime.py']
data_root = 'data/coco/'
model = dict(
    type='RadioSamModel',
    sam=dict(type='build_radio_sam', encoder=dict(source='radio_v2.5-b'), neck='conv',
             decoder_checkpoint='checkpoints/sam_vit_h_decoder.safetensors', resolution={{_base_.resolution}}),
    train_neck=True, train_decoder=False,
    prompt_simulator=dict(box_prob=0.5, num_corrections=2))
train_dataloader = dict(dataset=dict(data_root=data_root, ann_file='annotations/instances_train2017.json',
                                     data_prefix=dict(img='train2017/')))
val_dataloader = dict(dataset=dict(data_root=data_root, ann_file='annotations/instances_val2017.json',
                                   data_prefix=dict(img='val2017/')))
test_dataloader = val_dataloader
