# C-RADIOv3-H: the backbone settings every C-RADIOv3-H config shares, as variables (bases may not share keys
# with the task config a leaf also inherits). `radio_backbone` merges into a RADIOBackbone/RADIOAdapter
# dict: the zoo name for the weights and the release's trunk, so the config builds the real architecture
# without weights (checkpoint=None, e.g. on the meta device). Weights: radio_dense.radio.zoo.RADIO_ZOO['c-radio_v3-h'].
radio_zoo_name = 'c-radio_v3-h'
radio_backbone = dict(checkpoint=radio_zoo_name, arch='vit_huge_patch16_224')
radio_width = 1280  # embed dim: neck / head in_channels
radio_depth = 32  # blocks: layer-wise lr decay, adapter interaction indexes
radio_drop_path_rate = 0.3  # when fine-tuned
radio_layer_decay = 0.9  # layer-wise lr decay rate when fine-tuned
